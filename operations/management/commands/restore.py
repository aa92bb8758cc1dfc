"""`manage.py restore PATH`: bring a backup archive back into an EMPTY database and media folder.

Refuses, storing nothing, when the archive's files do not match its manifest or when the
database already has rows. Afterwards every institution's chain is verified and its head
compared with the archive's; exit status 1 when one differs.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations import backups


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database; verify the audit chains after."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive written by `manage.py backup`")

    def handle(self, *args, path: Path, **options):
        try:
            checks = backups.restore(path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        for check in checks:
            self.stdout.write(str(check)) if check.ok else self.stderr.write(str(check))
        if not all(check.ok for check in checks):
            raise SystemExit(1)
        self.stdout.write(f"Restored {path}: {len(checks)} audit chains verified, heads match.")
