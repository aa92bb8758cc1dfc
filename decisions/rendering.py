"""Decisions as PDFs in the layout of Nghị định 30/2020/NĐ-CP (see documents.rendering)."""

from __future__ import annotations

import datetime

import segno
from django.utils import timezone

from documents.rendering import nd30_date, render_pdf, signature_block
from dossiers.models import Person


def decision_context(decision, *, number: int | None, signed_on: datetime.date,
                     signer: Person | None, on_behalf_of: Person | None, chain_head: str,
                     verify_url: str) -> dict:  # fmt: skip
    institution = decision.institution
    items = list(
        decision.items.select_related(
            "dossier__nominee_person__unit", "dossier__nominee_unit", "dossier__unit",
            "dossier__award_type",
        )
    )  # fmt: skip
    return {
        "decision": decision,
        "institution": institution,
        "number": f"{number:02d}" if number else "      ",
        "series": institution.decision_series,
        "date_line": f"{institution.place}, {nd30_date(signed_on)}",
        "recitals": [line.strip() for line in decision.recitals.splitlines() if line.strip()],
        "items": items,
        "signature": signature_block(institution, signer=signer, on_behalf_of=on_behalf_of),
        "chain_head": chain_head,
        "verify_url": verify_url,
        "draft": number is None,
        # A phone reading it opens the verification page (the file is checked there).
        "verify_qr": "" if number is None else verify_qr(verify_url),
        # A list longer than the institution's threshold goes to an annex after the signature.
        "annexed": len(items) > institution.annex_threshold,
        "date_of_decision": nd30_date(signed_on),
        # The revoked decision's date in the decree's style: "ngày 05 tháng 01 năm 2027".
        "revoked_date": nd30_date(decision.revokes.signed_on)
        if decision.kind == "revocation" and decision.revokes_id and decision.revokes.signed_on
        else "",
    }


def draft_pdf(decision, *, verify_url: str) -> bytes:
    """The draft as it will be printed, without number or signature, marked "DỰ THẢO"."""
    pdf, _key = render_pdf(
        "decisions/decision.html",
        decision_context(
            decision, number=None, signed_on=timezone.localdate(), signer=None,
            on_behalf_of=None, chain_head="", verify_url=verify_url,
        ),
    )  # fmt: skip
    return pdf


def verify_qr(url: str) -> str:
    """The QR code of the verification address, as an SVG data URI WeasyPrint draws as vectors."""
    return segno.make(url, error="m").svg_data_uri(border=0)
