"""Check a decision PDF: is its signature intact, who signed it, when, and did we issue it?

  manage.py verify_pdf decision.pdf

The same check as the public page /verify/: one summary line, then the details. A file is
valid when its signature is intact, covers the whole file, and the file is exactly (by SHA-256)
a decision this system signed. Exit status: 0 valid; 1 not valid (not a PDF, unsigned, changed
or added to after signing); 2 valid, but some of its awards were revoked since; 3 a sound
signature on a file this system did not issue. A missing or unreadable file is a command error.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from decisions.verification import (
    EXIT_CODES,
    NOT_ISSUED_HERE,
    NOT_VALID,
    PARTLY_REVOKED,
    VALID,
    Verdict,
    verify_pdf,
)


class Command(BaseCommand):
    help = "Check a decision PDF's signature and whether this system issued that very file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the PDF to check")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        verdict = verify_pdf(data)
        headline = HEADLINES[verdict.kind]
        style = self.style.SUCCESS if verdict.kind == VALID else self.style.ERROR
        self.stdout.write(style(f"{headline}: {summary(verdict)}"))
        for label, value in details(path, verdict):
            self.stdout.write(f"  {label + ':':<12} {value}")
        if EXIT_CODES[verdict.kind]:
            raise SystemExit(EXIT_CODES[verdict.kind])


HEADLINES = {VALID: "VALID", PARTLY_REVOKED: "VALID, PARTLY REVOKED", NOT_VALID: "NOT VALID",
             NOT_ISSUED_HERE: "NOT ISSUED HERE"}  # fmt: skip


def summary(verdict: Verdict) -> str:
    if verdict.valid:
        decision = verdict.decision
        text = (
            f"decision {decision.reference} of {decision.institution.name}, signed by "
            f"{_signer(decision)}; the signature is intact and this is the file issued."
        )
        revoked = [f"{name} (by {revocation.reference})" for name, revocation in verdict.revoked]
        return text + (f" Revoked since: {', '.join(revoked)}." if revoked else "")
    return "; ".join(verdict.problems) + "."


def details(path: Path, verdict: Verdict) -> list[tuple[str, str]]:
    rows = [("File", str(path)), ("SHA-256", verdict.sha256), ("Signature", _signature(verdict))]
    if verdict.signer:
        rows.append(("Certificate", verdict.signer))
    if verdict.signing_time:
        rows.append(
            ("Signed at", f"{timezone.localtime(verdict.signing_time):%Y-%m-%d %H:%M:%S %z}")
        )
    decision = verdict.decision
    if decision is None:
        rows.append(("Issued here", "no: no decision issued by this system has this exact file"))
    else:
        rows += [
            ("Decision", f"{decision.reference} · {decision.institution.name}"
                         f" · signed on {decision.signed_on:%d/%m/%Y}"),
            ("Signer", _signer(decision)),
            ("Chain head", decision.chain_head),
        ]  # fmt: skip
    return rows


def _signature(verdict: Verdict) -> str:
    if not verdict.is_pdf:
        return "none: not a readable PDF"
    if not verdict.signed:
        return "none"
    if not verdict.intact:
        return f"not intact: {verdict.problems[0]}"
    if not verdict.covers_whole_file:
        return "intact, but content was added after it"
    return "intact, covering the whole file"


def _signer(decision) -> str:
    name = decision.signer.full_name if decision.signer else "?"
    if decision.on_behalf_of:
        return f"{name} (on behalf of {decision.on_behalf_of.full_name})"
    return name
