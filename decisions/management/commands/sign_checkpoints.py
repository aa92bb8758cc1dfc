from django.core.management.base import BaseCommand, CommandError

from decisions.checkpoints import CheckpointsFailed, sign_daily


class Command(BaseCommand):
    help = (
        "Sign a checkpoint of each institution's audit chain head that moved since its last "
        "checkpoint (what Celery beat runs daily; for deployments that use cron instead)."
    )

    def handle(self, *args, **options):
        try:
            signed = sign_daily()
        except CheckpointsFailed as failed:
            raise CommandError(str(failed)) from failed
        self.stdout.write(f"{signed} checkpoint(s) signed.")
