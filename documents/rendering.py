"""Documents in the layout of Nghị định 30/2020/NĐ-CP, rendered to PDF by WeasyPrint.

Decisions, minutes, memos, certificates and trail reports share this renderer. A render is keyed
by the SHA-256 of its HTML: the same content is never rendered twice while it stays in the
cache (shared by every web process with CACHE_URL), so a 500-awardee decision is rendered once
per version.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from dossiers.models import Institution, Person
from dossiers.models.catalogue import nd30_date  # noqa: F401 - the decree's date, for documents

CACHE_SECONDS = 24 * 3600
SERIF_STACK = '"Times New Roman", "Liberation Serif", "Tinos", "DejaVu Serif", serif'


def signature_block(institution: Institution, *, signer: Person | None,
                    on_behalf_of: Person | None) -> dict:  # fmt: skip
    """'HIỆU TRƯỞNG', or 'KT. HIỆU TRƯỞNG' over 'PHÓ HIỆU TRƯỞNG' when a deputy signs."""
    head = institution.head_title.upper()
    if on_behalf_of is not None:
        return {"authority": f"KT. {head}", "position": institution.deputy_title.upper(),
                "name": signer.full_name if signer else ""}  # fmt: skip
    return {"authority": head, "position": "", "name": signer.full_name if signer else ""}


def inline_pdf(pdf: bytes, filename: str) -> HttpResponse:
    """A rendered PDF shown in the browser (pages) or handed to a script (API) under a name."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def render_pdf(template: str, context: dict) -> tuple[bytes, str]:
    """The PDF of a template, in Vietnamese whatever the reader's language, and its HTML hash."""
    with translation.override("vi"):
        html = render_to_string(template, {**context, "serif": SERIF_STACK})
    key = "pdf:" + hashlib.sha256(html.encode("utf-8")).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        from weasyprint import HTML

        pdf = HTML(string=html).write_pdf()
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf, key
