"""Pages of Excel in and out: the import (upload, dry-run preview, confirm) and the downloads.

The uploaded file waits for its confirmation in the person's session (kept in the database,
so any web server may take the confirmation), keyed by its SHA-256: a confirmation that names
another file than the one waiting is refused, and the waiting file is dropped once imported,
cancelled, replaced by another preview or when the session ends. No file is written to disk.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from council import selectors as council_selectors
from decisions.selectors import visible_decisions
from dossiers.forms import parse_id
from dossiers.limits import limited
from dossiers.models import Period, Unit
from dossiers.views import client_address
from spreadsheets import exports, imports
from spreadsheets.forms import ImportForm
from spreadsheets.kinds import KINDS, Kind
from spreadsheets.writer import xlsx_response
from workflow import permissions
from workflow.errors import DecisionNotFound, MeetingNotFound, NotFound

PENDING = "spreadsheets.pending"


def _importable(person) -> list[Kind]:
    """The lists this person may import (403 for someone who imports none)."""
    permissions.require(person, "records.import")
    return [kind for kind in KINDS.values() if permissions.may(person, kind.capability)]


def _kind(person, code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise NotFound()
    permissions.require(person, "records.import")
    permissions.require(person, kind.capability)
    return kind


@limited(body="SPREADSHEET_IMPORT_MAX_BYTES")
@login_required
def import_page(request):
    """The upload form; posting it gives the dry run of the file, which waits to be confirmed."""
    kinds = _importable(request.person)
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method != "POST":
        return _form_page(request, form, kinds)
    if not form.is_valid():
        return _form_page(request, form, kinds, status=400)
    kind = KINDS[form.cleaned_data["kind"]]
    upload = form.cleaned_data["file"]
    data = upload.read()
    plan = imports.plan(kind, data, officer=request.person)
    request.session.pop(PENDING, None)
    if not plan.errors:
        request.session[PENDING] = {
            "kind": kind.code,
            "name": upload.name,
            "sha256": imports.sha256(data),
            "data": base64.b64encode(data).decode(),
        }
    return _preview(request, plan, name=upload.name, sha256=imports.sha256(data))


def _form_page(request, form, kinds, *, status=200, error=""):
    return render(
        request,
        "spreadsheets/import.html",
        {"form": form, "kinds": kinds, "error": error},
        status=status,
    )


def _preview(request, plan, *, name: str, sha256: str, error: str = "", status=None):
    return render(
        request,
        "spreadsheets/preview.html",
        {
            "plan": plan,
            "name": name,
            "sha256": sha256,
            "error": error,
            "created": plan.count(imports.CREATE),
            "changed": plan.count(imports.CHANGE),
            "unchanged": plan.count(imports.UNCHANGED),
        },
        status=status or (422 if plan.errors else 200),
    )


@login_required
@require_POST
def import_confirm(request):
    """Import the waiting file if it is the one previewed, planned again against the records
    as they are now; refused (nothing written) if a row fails or the plan is not the preview's."""
    kinds = _importable(request.person)
    pending = request.session.get(PENDING)
    data = base64.b64decode(pending["data"]) if pending else b""
    kind = KINDS.get(pending["kind"]) if pending else None
    posted = request.POST.get("sha256", "")
    if (
        kind is None
        or kind not in kinds
        or request.POST.get("kind") != kind.code
        or posted != pending["sha256"]
        or imports.sha256(data) != posted
    ):
        form = ImportForm(kinds=kinds)
        error = _(
            "This is not the file that was previewed (another file was previewed since, "
            "or the preview expired): upload the file again."
        )
        return _form_page(request, form, kinds, status=409, error=error)
    try:
        done = imports.run(
            kind,
            data,
            officer=request.person,
            expected_digest=request.POST.get("digest", ""),
            file_name=pending["name"],
            client_address=client_address(request),
        )
    except imports.ImportRefused as refused:
        if refused.plan.errors:
            request.session.pop(PENDING, None)
        return _preview(
            request,
            refused.plan,
            name=pending["name"],
            sha256=posted,
            error=refused.message,
            status=422 if refused.plan.errors else 409,
        )
    request.session.pop(PENDING, None)
    messages.success(
        request,
        _("%(list)s imported: %(created)d created, %(changed)d changed, %(unchanged)d unchanged.")
        % {
            "list": kind.title,
            "created": done.count(imports.CREATE),
            "changed": done.count(imports.CHANGE),
            "unchanged": done.count(imports.UNCHANGED),
        },
    )
    return redirect("spreadsheet_import")


@login_required
@require_POST
def import_cancel(request):
    _importable(request.person)
    request.session.pop(PENDING, None)
    return redirect("spreadsheet_import")


@login_required
def template(request, kind: str):
    """The empty template of a list: the header row the import reads."""
    found = _kind(request.person, kind)
    sheet = exports.records_sheet(found, request.person.institution_id, empty=True)
    return xlsx_response(f"mau-{found.code}.xlsx", sheet)


@login_required
def export(request, kind: str):
    """A list as it stands, in the template's form: importing it back changes nothing."""
    found = _kind(request.person, kind)
    sheet = exports.records_sheet(found, request.person.institution_id)
    return xlsx_response(f"{found.code}.xlsx", sheet)


@login_required
def nominees(request):
    """A period's nominees, of one unit (`?unit=`) or of every unit the person may export."""
    person = request.person
    period = Period.objects.of(person.institution_id).filter(pk=parse_id(request.GET.get("period")))
    period = period.first()
    unit_id = parse_id(request.GET.get("unit"))
    unit = Unit.objects.of(person.institution_id).filter(pk=unit_id).first() if unit_id else None
    if period is None or (unit_id and unit is None):
        raise NotFound()
    sheet = exports.nominees(person, period, unit)
    suffix = f"-{unit.code}" if unit else ""
    return xlsx_response(f"de-nghi-{period.pk}{suffix}.xlsx", sheet)


@login_required
def agenda(request, pk: int):
    meeting = council_selectors.meeting_detail(request.person, pk)
    if meeting is None:
        raise MeetingNotFound()
    return xlsx_response(f"chuong-trinh-hop-{meeting.pk}.xlsx", exports.agenda(meeting))


@login_required
def annex(request, pk: int):
    decision = visible_decisions(request.person).filter(pk=pk).first()
    if decision is None:
        raise DecisionNotFound()
    return xlsx_response(f"phu-luc-quyet-dinh-{decision.pk}.xlsx", exports.annex(decision))
