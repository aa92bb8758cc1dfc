"""Downloads of the filtered trail for auditors and the principal: CSV, JSON Lines, PDF.

The query string is the trail page's filter (TrailFilter.as_query), so the page links to its
exports with the same parameters. Anyone else gets 404, and the export covers the person's own
institution only.
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit import log
from auditing import exports
from auditing.trail import DATE_VALIDATORS, TrailFilter
from dossiers.forms import MAX_ID
from dossiers.views import client_address
from workflow import permissions

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]  # ISO as TrailFilter.as_query writes, and as typed


class ExportFilterForm(forms.Form):
    """The GET parameters of TrailFilter; unknown parameters (a page cursor) are ignored."""

    period_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    unit_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    dossier_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    actor_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    person = forms.CharField(required=False, max_length=100)
    action = forms.CharField(required=False, max_length=60)
    state = forms.CharField(required=False, max_length=20)
    date_from = forms.DateField(
        required=False, input_formats=DATE_FORMATS, validators=DATE_VALIDATORS
    )
    date_to = forms.DateField(
        required=False, input_formats=DATE_FORMATS, validators=DATE_VALIDATORS
    )
    text = forms.CharField(required=False, max_length=200)

    def trail_filter(self) -> TrailFilter:
        return TrailFilter(**self.cleaned_data)  # the fields are TrailFilter's, by name


class _Refused(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


def _text_response(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _prepare(request) -> tuple[exports.Snapshot, log.Actor]:
    """The snapshot to export and who exports it; 404 unless an auditor or the principal."""
    person = request.person
    acting = permissions.may(person, "trail.export")
    if acting is None:
        raise Http404
    form = ExportFilterForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        raise _Refused(_text_response(_("The filter is not valid: %s") % problems, 400))
    actor = log.Actor.acting(person, acting, client_address(request))
    return exports.snapshot(request.institution, form.trail_filter()), actor


def _describe(response: HttpResponse, snap: exports.Snapshot, extension: str) -> HttpResponse:
    """Attachment headers, and what the export covers, for scripts that download it."""
    for header, value in exports.download_headers(snap, extension).items():
        response[header] = value
    return response


def _export_view(view):
    """Login required, GET only, never cached; the view gets the snapshot and the actor."""

    @functools.wraps(view)
    def wrapped(request):
        try:
            snap, actor = _prepare(request)
        except _Refused as refused:
            return refused.response
        return view(request, snap, actor)

    return login_required(require_GET(never_cache(wrapped)))


@_export_view
def export_csv(request, snap: exports.Snapshot, actor: log.Actor):
    """The filtered trail as CSV for Excel: UTF-8 with BOM, Vietnamese column titles, streamed."""
    exports.record(snap, actor, "csv", status="started")
    response = StreamingHttpResponse(
        exports.csv_stream(snap.events), content_type="text/csv; charset=utf-8"
    )
    return _describe(response, snap, "csv")


@_export_view
def export_jsonl(request, snap: exports.Snapshot, actor: log.Actor):
    """The filtered trail as JSON Lines, verifiable offline (`verify_audit --file [--partial]`)."""
    exports.record(snap, actor, "jsonl", status="started")
    response = StreamingHttpResponse(
        exports.jsonl_stream(snap.events, snap.institution.code),
        content_type="application/jsonl; charset=utf-8",
    )
    return _describe(response, snap, "jsonl")


@_export_view
def export_pdf(request, snap: exports.Snapshot, actor: log.Actor):
    """A PDF report of the filtered trail with the chain head; refused above the size limit."""
    refusal = exports.pdf_refusal(snap)
    if refusal is not None:
        return _text_response(refusal.text(), 400)
    pdf = exports.pdf_report(snap, exported_by=actor)
    exports.record(snap, actor, "pdf", status="rendered")
    return _describe(HttpResponse(pdf, content_type="application/pdf"), snap, "pdf")
