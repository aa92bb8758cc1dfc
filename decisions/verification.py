"""Checking a decision PDF anyone hands us: is its signature intact, who signed, is it ours?"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from io import BytesIO

from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audit.models import Checkpoint
from decisions.models import Decision, DecisionItem

# No decision we issue comes near this; a larger upload is refused before it is read.
MAX_VERIFY_BYTES = 30 * 1024 * 1024

# The verdicts, each with the exit status of `manage.py verify_pdf` (scripts tell them apart).
VALID, NOT_VALID, PARTLY_REVOKED, NOT_ISSUED_HERE = (
    "valid", "not_valid", "partly_revoked", "not_issued_here",
)  # fmt: skip
EXIT_CODES = {VALID: 0, NOT_VALID: 1, PARTLY_REVOKED: 2, NOT_ISSUED_HERE: 3}


@dataclass
class Verdict:
    sha256: str
    is_pdf: bool = True
    signed: bool = False
    intact: bool = False
    covers_whole_file: bool = False
    signer: str = ""
    signing_time: datetime.datetime | None = None
    decision: Decision | None = None
    problems: list[str] = field(default_factory=list)
    # (awardee, revoking decision) for each award of the decision revoked since it was signed.
    revoked: list[tuple[str, Decision]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Intact, covering the whole file, and the very file this system issued."""
        return self.intact and self.covers_whole_file and self.decision is not None

    @property
    def partly_revoked(self) -> bool:
        """A valid decision some of whose awards a later signed decision revoked."""
        return self.valid and bool(self.revoked)

    @property
    def kind(self) -> str:
        """Valid; valid but partly revoked; a sound signature on a file not issued here; or
        not valid (not a PDF, unsigned, changed or added to after signing)."""
        if self.valid:
            return PARTLY_REVOKED if self.revoked else VALID
        if self.intact and self.covers_whole_file:
            return NOT_ISSUED_HERE
        return NOT_VALID

    @property
    def reasons(self) -> list[str]:
        """Why the file is not valid, in the reader's language; empty when valid."""
        if not self.is_pdf:
            return [_("The file is not a readable PDF.")]
        found = []
        if not self.signed:
            found.append(_("The PDF carries no signature."))
        elif not self.intact:
            found.append(_("The signature is broken: the content was changed after signing."))
        elif not self.covers_whole_file:
            found.append(_("Content was added to the file after it was signed."))
        if self.decision is None:
            found.append(_("No decision with this exact file was issued here."))
        return found


def verify_pdf(data: bytes) -> Verdict:
    verdict = Verdict(sha256=hashlib.sha256(data).hexdigest())
    verdict.decision = (
        Decision.objects.filter(pdf_sha256=verdict.sha256, state=Decision.State.SIGNED)
        .select_related("institution", "signer", "on_behalf_of")
        .first()
    )
    try:
        signatures = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:
        verdict.is_pdf = False
        verdict.problems.append(f"not a readable PDF ({exc.__class__.__name__})")
        return verdict
    if not signatures:
        verdict.problems.append("the PDF carries no signature")
        return verdict
    verdict.signed = True
    signature = signatures[-1]
    try:
        # Whether the certificate chains to a trusted CA is not what decides here (the file's
        # hash against our records does), so no trust roots. Passing none explicitly matters:
        # leaving them out falls back to the OS trust list, deprecated in certvalidator 0.32
        # (a DeprecationWarning, an error under -W error, so every file seemed uncheckable).
        context = ValidationContext(trust_roots=[], allow_fetching=False)
        status = validate_pdf_signature(signature, context)
    except Exception as exc:
        verdict.problems.append(f"the signature cannot be checked ({exc.__class__.__name__})")
        return verdict
    verdict.intact = bool(status.intact and status.valid)
    verdict.covers_whole_file = status.coverage.name == "ENTIRE_FILE"
    verdict.signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    verdict.signing_time = status.signer_reported_dt
    if not verdict.intact:
        verdict.problems.append("the signed content was changed after signing")
    elif not verdict.covers_whole_file:
        verdict.problems.append("content was added after the signature")
    if verdict.decision is None:
        verdict.problems.append("no decision issued by this system has this exact file")
    else:
        verdict.revoked = revocations_of(verdict.decision)
    return verdict


def revocations_of(decision: Decision) -> list[tuple[str, Decision]]:
    """Each award of `decision` revoked by a signed revocation, with the revoking decision."""
    items = DecisionItem.objects.filter(
        decision__revokes=decision,
        decision__state=Decision.State.SIGNED,
        decision__kind=Decision.Kind.REVOCATION,
    ).select_related("decision", "dossier__nominee_person", "dossier__nominee_unit")
    return [(str(item.dossier.nominee), item.decision)
            for item in items.order_by("decision__signed_on", "position")]  # fmt: skip


CHECKPOINTS_SHOWN = 20


def published_checkpoints(limit: int = CHECKPOINTS_SHOWN) -> list[Checkpoint]:
    """The newest signed chain heads of every institution, for the public page."""
    rows = Checkpoint.objects.select_related("institution").order_by("-created_at", "-pk")
    return list(rows[:limit])
