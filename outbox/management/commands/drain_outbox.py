from django.core.management.base import BaseCommand

from outbox.services import DRAIN_LIMIT, drain


class Command(BaseCommand):
    help = "Run the due outbox rows (mails, checks) once; for cron where no Celery beat runs."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=DRAIN_LIMIT, help="most rows to run")

    def handle(self, *args, limit, **options):
        self.stdout.write(str(drain(limit)))
