"""Printable documents as PDF: a signed decision's certificates, a dossier's cover sheet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_safe

from decisions.certificates import certificates_pdf
from decisions.cover_sheet import cover_sheet_pdf
from decisions.selectors import visible_decisions
from documents.rendering import inline_pdf
from dossiers.selectors import visible_dossier
from workflow.errors import DecisionNotFound


@login_required
@require_safe
def decision_certificates(request, pk: int):
    """The certificates (Giấy khen) of a signed award decision, one page per awardee."""
    decision = (
        visible_decisions(request.person)
        .select_related("institution", "on_behalf_of")
        .filter(pk=pk)
        .first()
    )
    if decision is None:
        raise DecisionNotFound()
    pdf = certificates_pdf(decision)  # refused for a draft: an error page
    return inline_pdf(pdf, f"giay-khen-{decision.year}-{decision.number:03d}.pdf")


@login_required
@require_safe
def dossier_cover_sheet(request, pk: int):
    """The cover sheet of a dossier with its documents and their hashes."""
    dossier = visible_dossier(request.person, pk)
    if dossier is None:
        raise Http404
    return inline_pdf(cover_sheet_pdf(dossier), f"phieu-ho-so-{dossier.pk}.pdf")
