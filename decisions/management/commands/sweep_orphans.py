from django.core.management.base import BaseCommand

from decisions.files import sweep


class Command(BaseCommand):
    help = (
        "Remove what interrupted signings left: temporary PDFs older than "
        "SIGNING_LEFTOVER_MINUTES, and signed PDFs that no decision refers to."
    )

    def handle(self, *args, **options):
        self.stdout.write(str(sweep()))
