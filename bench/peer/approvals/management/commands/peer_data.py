"""`peer_data --objects N --username U --password P`: one user and N submitted items."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from bench.peer.approvals.models import Item


class Command(BaseCommand):
    help = "Create the peer's user and N submitted items."

    def add_arguments(self, parser):
        parser.add_argument("--objects", type=int, required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args, objects, username, password, **options):
        User.objects.create_user(username, password=password)
        Item.objects.bulk_create((Item() for _ in range(objects)), batch_size=5000)
        self.stdout.write(f"peer_data: {objects} items, user {username}")
