"""Verify the audit trail's hash chain, export it as JSON Lines, or verify such an export offline.

  manage.py verify_audit                      # recompute every institution's chain from the DB
  manage.py verify_audit --export trail.jsonl # write the events, one JSON object per line
  manage.py verify_audit --file trail.jsonl   # verify an export without the database
  manage.py verify_audit --file part.jsonl --partial  # verify a filtered export (a subset)
  manage.py verify_audit --file trail.jsonl --checkpoint cp.json  # prove it against a checkpoint
  manage.py verify_audit --file trail.jsonl --checkpoint cp.json --certificate signer.pem

--checkpoint proves an export consistent with a signed checkpoint, offline: the checkpoint's
signature verifies against the certificate it carries, the chain recomputes up to the
checkpoint's sequence, and the event there has the checkpoint's hash. --certificate pins the
signer: the checkpoint must be signed by exactly the institution's published certificate.

--partial checks each event of a filtered export against its own hash and links consecutive
events; it cannot tell whether events were left out (see audit.hashchain).

Exit status: 0 when every chain is intact, 1 when one is broken (the first broken sequence
number is named), 2 for bad arguments.
"""

from django.core.management.base import BaseCommand, CommandError

from audit import checkpoints, hashchain, log
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
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="with --file: prove the export consistent with this signed checkpoint",
        )
        parser.add_argument(
            "--certificate",
            metavar="FILE",
            help="with --checkpoint: the institution's published signing certificate (PEM or "
            "DER); the checkpoint must be signed by exactly it",
        )

    def handle(self, *args, institution=None, export=None, file=None, partial=False, **options):
        checkpoint = options.get("checkpoint")
        if export and file:
            raise CommandError("Use either --export or --file, not both.")
        if partial and not file:
            raise CommandError("--partial applies to an export given with --file.")
        if checkpoint and not file:
            raise CommandError("--checkpoint applies to an export given with --file.")
        if partial and checkpoint:
            raise CommandError("A checkpoint is proved against a whole export, not --partial.")
        certificate = options.get("certificate")
        if certificate and not checkpoint:
            raise CommandError("--certificate applies to a checkpoint given with --checkpoint.")
        if checkpoint:
            self._prove(file, checkpoint, certificate)
            return
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

    def _verify_file(self, path, *, partial=False, seen=None):
        verify = hashchain.verify_events_partial if partial else hashchain.verify_events
        try:
            with open(path, encoding="utf-8") as f:
                events = hashchain.read_jsonl(f)
                reports = verify(map(seen, events) if seen else events)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        except ValueError as exc:
            self.stderr.write(f"{path} is not an audit export: {exc}")
            raise SystemExit(1) from None
        if not reports:
            self.stderr.write(f"{path} holds no audit events.")
            raise SystemExit(1)
        return reports

    def _prove(self, path: str, checkpoint_path: str, certificate_path: str | None) -> None:
        """The export, verified as a chain, contains the checkpoint's head; or exit 1 saying why."""
        trusted = self._read(certificate_path) if certificate_path else None
        try:
            text = self._read(checkpoint_path).decode("utf-8")
        except UnicodeDecodeError:
            self._fail(f"{checkpoint_path} is not a valid checkpoint: not UTF-8 text")
        try:
            checkpoint = checkpoints.verify(text, trusted=trusted)
        except checkpoints.InvalidCheckpoint as exc:
            self._fail(f"{checkpoint_path} is not a valid checkpoint: {exc}")
        found = {0: hashchain.GENESIS} if checkpoint.sequence == 0 else {}

        def seen(event: dict) -> dict:
            if event["institution"] == checkpoint.institution:
                found.setdefault(event["sequence"], event["hash"])
            return event

        reports = self._verify_file(path, seen=seen)
        report = next((r for r in reports if r.institution == checkpoint.institution), None)
        if report is None:
            self._fail(f"{path} holds no event of {checkpoint.institution}.")
        if not report.intact:
            self._fail(hashchain.describe(report))
        if checkpoint.sequence not in found:
            self._fail(
                f"{checkpoint.institution}: the export ends at sequence {report.events}, "
                f"before the checkpoint's sequence {checkpoint.sequence}."
            )
        if found[checkpoint.sequence] != checkpoint.hash:
            self._fail(
                f"{checkpoint.institution}: event {checkpoint.sequence} of the export has the "
                f"hash {found[checkpoint.sequence]}, the checkpoint says {checkpoint.hash}."
            )
        self.stdout.write(
            f"{checkpoint.institution}: the export is consistent with the checkpoint at sequence "
            f"{checkpoint.sequence} ({checkpoint.hash}), signed by {checkpoint.signer} "
            f"at {checkpoint.time}; {report.events} events verified."
        )
        self.stdout.write(
            f"Signing certificate SHA-256: {checkpoint.certificate_sha256}"
            + (" (the certificate given)" if trusted else "; compare it with the published one.")
        )

    @staticmethod
    def _read(path: str) -> bytes:
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None

    def _fail(self, message: str):
        self.stderr.write(message)
        raise SystemExit(1)
