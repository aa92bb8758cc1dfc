"""Verify the audit trail's hash chain, export it as JSON Lines, or verify such an export offline.

  manage.py verify_audit                      # recompute every institution's chain from the DB
  manage.py verify_audit --export trail.jsonl # write the events, one JSON object per line
  manage.py verify_audit --file trail.jsonl   # verify an export without the database
  manage.py verify_audit --file part.jsonl --partial  # verify a filtered export (a subset)

--partial checks each event of a filtered export against its own hash and links consecutive
events; it cannot tell whether events were left out (see audit.hashchain).

Exit status: 0 when every chain is intact, 1 when one is broken (the first broken sequence
number is named), 2 for bad arguments.
"""

from django.core.management.base import BaseCommand, CommandError

from audit import hashchain, log
from dossiers.models import Institution


class Command(BaseCommand):
    help = "Recompute the audit hash chain; export it as JSON Lines; verify an export offline."

    def add_arguments(self, parser):
        parser.add_argument("--institution", help="code of one institution (default: all)")
        parser.add_argument("--export", metavar="FILE", help="write the events as JSON Lines")
        parser.add_argument("--file", metavar="FILE", help="verify an export, without the database")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="with --file: the export is filtered (a subset of the chain); check each event's "
            "hash and the links between consecutive events",
        )

    def handle(self, *args, institution=None, export=None, file=None, partial=False, **options):
        if export and file:
            raise CommandError("Use either --export or --file, not both.")
        if partial and not file:
            raise CommandError("--partial applies to an export given with --file.")
        if file:
            reports = self._verify_file(file, partial=partial)
        else:
            institutions = self._institutions(institution)
            if export:
                self._export(institutions, export)
            reports = [log.verify_institution(i) for i in institutions]
        for report in reports:
            line = hashchain.describe(report)
            self.stdout.write(line) if report.intact else self.stderr.write(line)
        if not all(r.intact for r in reports):
            raise SystemExit(1)

    def _institutions(self, code):
        institutions = Institution.objects.order_by("code")
        if code:
            institutions = institutions.filter(code=code)
            if not institutions:
                raise CommandError(f"No institution with code {code!r}.")
        return list(institutions)

    def _export(self, institutions, path):
        count = 0
        with open(path, "w", encoding="utf-8") as out:
            for institution in institutions:
                for event in log.chain_events(institution):
                    out.write(hashchain.to_jsonl(event))
                    count += 1
        self.stdout.write(f"Exported {count} events to {path}")

    def _verify_file(self, path, *, partial=False):
        verify = hashchain.verify_events_partial if partial else hashchain.verify_events
        try:
            with open(path, encoding="utf-8") as f:
                reports = verify(hashchain.read_jsonl(f))
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        except ValueError as exc:
            self.stderr.write(f"{path} is not an audit export: {exc}")
            raise SystemExit(1) from None
        if not reports:
            self.stderr.write(f"{path} holds no audit events.")
            raise SystemExit(1)
        return reports
