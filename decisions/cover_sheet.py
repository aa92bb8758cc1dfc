"""The cover sheet (phiếu hồ sơ) of a dossier: who, what award, where it stands, its documents.

Each document is listed with its full SHA-256, and the sheet carries the audit chain head at the
time it was printed, so a paper file can be checked against the stored files and the trail.
"""

from __future__ import annotations

from django.utils import timezone

from audit.models import AuditChainHead
from documents.rendering import nd30_date, render_pdf
from dossiers.models import Dossier, State


def cover_sheet_pdf(dossier: Dossier) -> bytes:
    """The sheet of a dossier fetched with its documents (dossiers.selectors.visible_dossier)."""
    pdf, _key = render_pdf("decisions/cover_sheet.html", cover_sheet_context(dossier))
    return pdf


def cover_sheet_context(dossier: Dossier) -> dict:
    institution = dossier.institution
    # Read, not locked: the sheet states the head it saw; a later event does not change it.
    head = AuditChainHead.objects.filter(institution=institution).first() or AuditChainHead()
    return {
        "institution": institution,
        "dossier": dossier,
        "nominee": str(dossier.nominee),
        "state": State(dossier.state).label,  # lazy: rendered in Vietnamese
        "documents": [
            {
                "kind": document.kind.name_vi,
                "name": document.original_name,
                "size": size_in_bytes(document.size),
                "sha256": document.sha256,
                "uploaded_by": document.uploaded_by.full_name,
                "uploaded_on": timezone.localdate(document.uploaded_at).strftime("%d/%m/%Y"),
            }
            for document in dossier.current_documents()
        ],
        "chain_sequence": head.sequence,
        "chain_head": head.hash,
        "date_line": f"{institution.place}, {nd30_date(timezone.localdate())}",
    }


def size_in_bytes(size: int) -> str:
    """'1.234.567 byte': the exact size, with the Vietnamese thousands separator."""
    return f"{size:,} byte".replace(",", ".")
