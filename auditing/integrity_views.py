"""The integrity panel and the anomaly hints: pages for auditors and the principal.

Anyone else is shown a 404, as on the trail pages; asking for a check is the one write here
(a POST, refused with 403 to those who may not).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from auditing import anomalies, integrity
from auditing.models import IntegrityCheck
from auditing.selectors import may_inspect

# The auditor's story of one dossier, where the trail pages provide it; else the dossier page.
DOSSIER_TRAIL_PAGES = ("audit_dossier_trail", "audit_dossier")
REFRESH_SECONDS = 2


def _inspector(request):
    if not may_inspect(request.person):
        raise Http404
    return request.person


@login_required
@require_safe
def integrity_panel(request):
    """The last checks, and the button that asks for a new one."""
    person = _inspector(request)
    checks = integrity.recent_checks(person.institution)
    return render(request, "auditing/integrity.html", {"checks": checks})


@login_required
@require_POST
def integrity_request(request):
    check = integrity.request_check(institution=request.institution, person=request.person)
    messages.success(request, _("The check was started."))
    return redirect("integrity_detail", pk=check.pk)


@login_required
@require_safe
def integrity_detail(request, pk: int):
    """Progress while the check runs (the page reloads itself), then its result."""
    person = _inspector(request)
    check = get_object_or_404(
        IntegrityCheck.objects.select_related("requested_by"),
        pk=pk, institution_id=person.institution_id,
    )  # fmt: skip
    mismatches = [
        {**m, "explanation": integrity.MISMATCHES.get(m["problem"], m["problem"])}
        for m in check.decisions_mismatched
    ]
    context = {"check": check, "mismatches": mismatches, "refresh_seconds": REFRESH_SECONDS}
    return render(request, "auditing/integrity_detail.html", context)


@login_required
@require_safe
def anomaly_hints(request):
    person = _inspector(request)
    rules, found = anomalies.all_hints(person.institution)
    sections = [
        {"rule": rule, "hints": [(hint, _dossier_url(hint.dossier)) for hint in hints]}
        for rule, hints in found
    ]
    context = {"rules": rules, "sections": sections, "latest": anomalies.LATEST}
    return render(request, "auditing/anomalies.html", context)


def _dossier_url(dossier) -> str:
    if dossier is None:
        return ""
    for name in DOSSIER_TRAIL_PAGES:
        try:
            return reverse(name, args=[dossier.pk])
        except NoReverseMatch:
            continue
    return reverse("dossier_detail", args=[dossier.pk])
