"""`manage.py backup PATH`: one archive of the database, media, certificates and chain heads.

Cron, nightly: `30 1 * * * cd /srv/thidua && .venv/bin/python manage.py backup
/backups/thidua-$(date +\\%F).tar.gz` (see README, "Backups"). The signing keys and tokens are
not in the archive: keep them apart.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations import backups


class Command(BaseCommand):
    help = "Write one consistent backup archive (.tar.gz or .zip) with a manifest of SHA-256s."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to write, e.g. backup.tar.gz")

    def handle(self, *args, path: Path, **options):
        try:
            manifest = backups.write(path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        media = sum(name.startswith("media/") for name in manifest["files"])
        heads = ", ".join(f"{h['institution']} #{h['sequence']}" for h in manifest["chain_heads"])
        self.stdout.write(
            f"Backed up the {manifest['database']['vendor']} database, {media} media files and "
            f"{len(manifest['certificates'])} certificates to {path}; "
            f"chain heads: {heads or 'none'}."
        )
