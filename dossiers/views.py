"""Pages of the dossiers: home, lists, create, edit, documents. Rules live in the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dossiers import caps, eligibility, selectors, services
from dossiers.choices import TERMINAL
from dossiers.client import client_address
from dossiers.forms import (
    DocumentForm,
    DossierForm,
    NewDossierForm,
    forms_trial,
    parse_id,
    upload_limit_text,
)
from dossiers.limits import limited
from dossiers.models import Period, State, Unit
from dossiers.pagination import limited_page
from workflow import inbox, permissions
from workflow.guards import missing_required_kinds
from workflow.lifecycle import available_actions
from workflow.responses import page_status, perform, perform_then_redirect
from workflow.selectors import content_changes_since_return, last_return, timeline
from workflow.steps import STEP_LABELS
from workflow.timeline import render_timeline

PAGE_SIZE = 25


@login_required
def home(request):
    """Who you are, what you may do, and what waits for you."""
    person = request.person
    counts = {}
    if person:
        counts = dict(
            selectors.dossier_list(person).values_list("state").annotate(n=Count("id")).order_by()
        )
    tasks = inbox.inbox_counts(person)
    return render(
        request,
        "dossiers/home.html",
        {
            "person": person,
            "roles": selectors.roles_of(person),
            "waiting": _waiting_for(person, counts),
            "inbox_summary": [(step, STEP_LABELS[step], n) for step, n in tasks.items()],
            "inbox_count": sum(tasks.values()),  # the navigation badge, without counting again
        },
    )


def _waiting_for(person, counts: dict) -> list[tuple[str, int, str]]:
    """(label, count, state filter) of the dossiers this person is expected to act on."""
    rows = []
    if permissions.may(person, "dossier.edit"):
        rows.append((_("Drafts"), counts.get(State.DRAFT, 0), State.DRAFT))
        rows.append((_("Returned for revision"), counts.get(State.RETURNED, 0), State.RETURNED))
    if permissions.may(person, "dossier.review"):
        rows.append((_("Waiting for review"), counts.get(State.SUBMITTED, 0), State.SUBMITTED))
    return rows


@login_required
def dossier_list(request):
    person = request.person
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    dossiers = selectors.dossier_list(
        person,
        state=state,
        period_id=parse_id(request.GET.get("period")),
        unit_id=parse_id(request.GET.get("unit")),
    )
    # Reviewers work oldest first; everyone else sees the latest changes first.
    ordering = ("updated_at", "id") if state == State.SUBMITTED else ("-updated_at", "-id")
    page = limited_page(dossiers.order_by(*ordering), request.GET.get("page"), per_page=PAGE_SIZE)
    return render(
        request,
        "dossiers/dossier_list.html",
        {
            "page": page,
            "state": state,
            "states": State.choices,
            "periods": Period.objects.of(request.institution) if person else [],
            "may_create": permissions.may(person, "dossier.create") is not None,
            "may_export_nominees": permissions.may(person, "nominees.export") is not None,
            "query": request.GET.copy(),
        },
    )


@login_required
def rules_preview(request):
    """The award's rules for the nominee being chosen on the dossier form (live, no write)."""
    person = request.person
    unit = Unit.objects.filter(pk=parse_id(request.GET.get("unit"))).first()
    if unit is None or permissions.may(person, "dossier.edit", unit) is None:
        raise Http404
    trial = forms_trial(request.GET, unit)
    checks = eligibility.checks(trial) if trial is not None else []
    return render(request, "dossiers/_rules_preview.html", {"checks": checks})


@limited(body="NEW_DOSSIER_MAX_BYTES")
@login_required
def dossier_create(request):
    person = request.person
    unit_ids = permissions.units_where(person, "dossier.create")
    if not unit_ids:
        raise Http404
    units = Unit.objects.filter(pk__in=unit_ids).order_by("name")
    unit = units.filter(pk=parse_id(request.GET.get("unit") or request.POST.get("unit"))).first()
    unit = unit or units.first()
    period = Period.objects.of(person.institution).filter(is_current=True).first()
    if period is None:
        messages.error(request, _("There is no current period. Ask the administrator to open one."))
        return redirect("dossier_list")
    form = NewDossierForm(request.POST or None, request.FILES or None, unit=unit, period=period)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = perform(
            request,
            services.create_dossier,
            form=form,
            success=_("The draft dossier was created."),
            person=person,
            unit=unit,
            period=period,
            award_type=data["award_type"],
            achievement_summary=data["achievement_summary"],
            nominee_person=data["nominee_person"],
            nominee_unit=data["nominee_unit"],
            documents=data["documents"],
            movement=data.get("movement"),
            client_address=client_address(request),
        )
        if outcome.ok:
            return redirect("dossier_detail", pk=outcome.result.pk)
    return render(
        request,
        "dossiers/dossier_form.html",
        {
            "form": form,
            "unit": unit,
            "units": units,
            "period": period,
            "upload_help": upload_limit_text(),
            "creating": True,
        },
        status=page_status(request, form, outcome),
    )


@login_required
def dossier_detail(request, pk: int):
    person = request.person
    dossier = selectors.visible_dossier(person, pk)
    if dossier is None:
        raise Http404
    events = timeline(dossier)
    entries = render_timeline(events)
    changed = (
        set(content_changes_since_return(events)) if dossier.state == State.SUBMITTED else set()
    )
    return render(
        request,
        "dossiers/dossier_detail.html",
        {
            "dossier": dossier,
            "events": entries,
            "actions": available_actions(person, dossier),
            "may_edit": dossier.is_editable and permissions.may(person, "dossier.edit", dossier),
            "missing_kinds": missing_required_kinds(dossier),
            # The award's rules on today's records; once decided, the decision is what counts.
            "checks": [] if dossier.state in TERMINAL else eligibility.checks(dossier),
            "excellent_share": None
            if dossier.state in TERMINAL
            else caps.excellent_shares([dossier.unit], dossier.period).get(dossier.unit_id),
            "nomination_shares": []
            if dossier.state in TERMINAL
            else caps.nomination_shares([dossier.unit], dossier.period, dossier.award_type_id).get(
                dossier.unit_id, []
            ),
            "returned": last_return(events) if dossier.state == State.RETURNED else None,
            "changes": [entry for entry in entries if entry.event in changed],
            "document_form": DocumentForm(initial={"version": dossier.version}),
            "upload_help": upload_limit_text(),
        },
    )


@login_required
def dossier_edit(request, pk: int):
    person = request.person
    dossier = selectors.visible_dossier(person, pk)
    if dossier is None or not permissions.may(person, "dossier.edit", dossier):
        raise Http404
    if not dossier.is_editable:
        messages.error(request, _("Only a draft or returned dossier can be edited."))
        return redirect("dossier_detail", pk=pk)
    form = DossierForm(
        request.POST or None, unit=dossier.unit, period=dossier.period, initial_dossier=dossier
    )
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = perform(
            request,
            services.update_dossier,
            form=form,
            success=_("The dossier was saved."),
            dossier_id=pk,
            person=person,
            expected_version=parse_id(request.POST.get("version")) or 0,
            client_address=client_address(request),
            award_type_id=data["award_type"].pk,
            achievement_summary=data["achievement_summary"],
            nominee_person_id=data["nominee_person"].pk if data["nominee_person"] else None,
            nominee_unit_id=data["nominee_unit"].pk if data["nominee_unit"] else None,
            movement_id=data["movement"].pk if data.get("movement") else None,
        )
        if outcome.ok:
            return redirect("dossier_detail", pk=pk)
    return render(
        request,
        "dossiers/dossier_form.html",
        {"form": form, "dossier": dossier, "unit": dossier.unit, "period": dossier.period},
        status=page_status(request, form, outcome),
    )


@limited(body="UPLOAD_MAX_BYTES")
@login_required
@require_POST
def document_add(request, pk: int):
    person = request.person
    dossier = selectors.visible_dossier(person, pk)
    if dossier is None:
        raise Http404
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("dossier_detail", pk=pk)
    return perform_then_redirect(
        request,
        services.add_document,
        to=redirect("dossier_detail", pk=pk),
        success=_("The document was added."),
        dossier_id=pk,
        person=person,
        expected_version=form.cleaned_data["version"],
        kind=form.cleaned_data["kind"],
        upload=form.cleaned_data["file"],
        client_address=client_address(request),
    )


@login_required
@require_POST
def document_remove(request, pk: int, document_id: int):
    dossier = selectors.visible_dossier(request.person, pk)
    if dossier is None or not dossier.documents.filter(pk=document_id).exists():
        raise Http404
    return perform_then_redirect(
        request,
        services.remove_document,
        to=redirect("dossier_detail", pk=pk),
        success=_("The document was removed."),
        document_id=document_id,
        person=request.person,
        expected_version=parse_id(request.POST.get("version")) or 0,
        client_address=client_address(request),
    )


@login_required
def document_download(request, pk: int, document_id: int):
    dossier = selectors.visible_dossier(request.person, pk)
    if dossier is None:
        raise Http404
    document = get_object_or_404(dossier.documents.all(), pk=document_id)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
