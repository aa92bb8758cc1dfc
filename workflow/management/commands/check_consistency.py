"""Check that every non-terminal dossier has exactly one open task of its step, and others none."""

from django.core.management.base import BaseCommand

from dossiers.models import Dossier
from workflow.consistency import inconsistencies


class Command(BaseCommand):
    help = "Verify the invariant between dossier states and their viewflow tasks; exit 1 if broken."

    def handle(self, *args, **options):
        problems = 0
        for problem in inconsistencies():
            problems += 1
            self.stderr.write(str(problem))
        total = Dossier.objects.count()
        if problems:
            self.stderr.write(f"{problems} of {total} dossiers are inconsistent.")
            raise SystemExit(1)
        self.stdout.write(f"{total} dossiers consistent with their tasks.")
