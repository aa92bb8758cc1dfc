"""Create the demo principal's self-signed signing certificate if none is configured."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from dossiers.demo_certificate import create_demo_certificate


class Command(BaseCommand):
    help = "Write a self-signed PKCS#12 signing certificate to SIGNING_PKCS12_PATH if missing."

    def handle(self, *args, **options):
        path = Path(settings.SIGNING_PKCS12_PATH)
        created = create_demo_certificate(
            path,
            passphrase=settings.SIGNING_PKCS12_PASSPHRASE,
            common_name="Hiệu trưởng (chứng thư demo)",
        )
        verb = "created" if created else "kept existing"
        self.stdout.write(f"Signing certificate {verb}: {path}")
