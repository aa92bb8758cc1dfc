"""Pages of the unit's evaluation meetings: the list, recording or correcting one, its minutes.

A unit head sees and records their own units' meetings; officers who see every dossier read
them all; anyone else, and another unit's head by a guessed address, gets 404. Every write goes
through evaluation.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from documents.rendering import inline_pdf
from dossiers.bounds import id_or_none
from dossiers.models import Period
from dossiers.views import client_address
from evaluation import minutes, selectors, services
from evaluation.forms import UNANIMOUS, AttendanceFormSet, MeetingForm, NomineeFormSet
from workflow.errors import UnitMeetingNotFound
from workflow.responses import page_status, perform

PAGE_SIZE = 25


def _visible(request, pk: int):
    meeting = selectors.meeting_detail(request.person, pk)
    if meeting is None:
        raise UnitMeetingNotFound()
    return meeting


@login_required
def meeting_list(request):
    person = request.person
    periods = list(Period.objects.of(person.institution_id))
    period_id = id_or_none(request.GET.get("period"))
    unit_id = id_or_none(request.GET.get("unit"))
    meetings = selectors.meeting_list(person, unit_id=unit_id, period_id=period_id)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/meeting_list.html",
        {
            "page": page,
            "periods": periods,
            "period_id": period_id,
            "units": selectors.filter_units(person),
            "unit_id": unit_id,
            "led_units": selectors.led_units(person),
            "query": request.GET.copy(),
        },
    )


@login_required
def meeting_create(request):
    led = selectors.led_units(request.person)
    chosen = request.GET.get("unit")
    # The unit asked for, or the only one the person heads; any other unit is not theirs to see.
    unit = next((u for u in led if str(u.pk) == chosen), None) if chosen else None
    if unit is None and not chosen and len(led) == 1:
        unit = led[0]
    if unit is None:
        raise UnitMeetingNotFound()
    period = _period(request)
    if period is None:
        messages.error(request, _("There is no current period. Ask the administrator to open one."))
        return redirect("unit_meeting_list")
    return _meeting_form(request, unit=unit, period=period, meeting=None)


@login_required
def meeting_edit(request, pk: int):
    meeting = _visible(request, pk)
    if not selectors.may_record(request.person, meeting.unit):
        raise UnitMeetingNotFound()
    return _meeting_form(request, unit=meeting.unit, period=meeting.period, meeting=meeting)


def _meeting_form(request, *, unit, period, meeting):
    members = selectors.unit_members(unit, meeting)
    dossiers = selectors.nominee_dossiers(unit, period, meeting)
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, members=members, initial=MeetingForm.initial_of(meeting) if meeting
                       else {})  # fmt: skip
    attendance = AttendanceFormSet(data, prefix="attendance",
                                   initial=_attendance_initial(members, meeting))  # fmt: skip
    nominees = NomineeFormSet(data, prefix="nominees",
                              initial=_nominee_initial(dossiers, meeting))  # fmt: skip
    outcome = None
    if data is not None and form.is_valid() and attendance.is_valid() and nominees.is_valid():
        rows = _typed_rows(form, attendance, nominees, members, dossiers)
        if rows is not None:
            outcome = _save(request, unit, period, meeting, form, *rows)
            if outcome.ok:
                _report(request, outcome.result)
                return redirect("unit_meeting_detail", outcome.result.meeting.pk)
    return render(
        request,
        "evaluation/meeting_form.html",
        {
            "form": form,
            "unit": unit,
            "period": period,
            "meeting": meeting,
            "attendance": attendance,
            "attendance_rows": list(zip(attendance.forms, members, strict=False)),
            "nominees": nominees,
            "nominee_rows": list(zip(nominees.forms, dossiers, strict=False)),
        },
        status=400 if outcome is None and data is not None else page_status(request, form, outcome),
    )


def _save(request, unit, period, meeting, form, presences, results):
    common = {
        "form": form,
        "person": request.person,
        "client_address": client_address(request),
        "attendance": presences,
        "results": results,
        **form.meeting_fields(),
    }
    if meeting is None:
        return perform(request, services.record_meeting, unit=unit, period=period, **common)
    return perform(
        request, services.edit_meeting, meeting_id=meeting.pk,
        expected_version=id_or_none(request.POST.get("version")) or 0, **common,
    )  # fmt: skip


def _typed_rows(form, attendance, nominees, members, dossiers):
    """The rows as the service takes them; None (with an error) when a row names a member or
    dossier that was not offered (the page is out of date, or the request was forged)."""
    by_person = {m.pk: m for m in members}
    by_dossier = {d.pk: d for d in dossiers}
    presences, results = [], []
    for row in attendance.cleaned_data:
        member = by_person.get(row["person"])
        if member is None:
            form.add_error(None, _("The list of members changed; reload the page."))
            return None
        presences.append(services.Presence(member, row["present"], row["absence_reason"]))
    for row in nominees.cleaned_data:
        dossier = by_dossier.get(row["dossier"])
        if dossier is None:
            form.add_error(None, _("The list of dossiers changed; reload the page."))
            return None
        if row["evaluated"]:
            results.append(services.Result(
                dossier, unanimous=row["result"] == UNANIMOUS, agree=row["agree"],
                disagree=row["disagree"], note=row["note"],
            ))  # fmt: skip
    return presences, results


def _attendance_initial(members, meeting) -> list[dict]:
    recorded = {a.person_id: a for a in meeting.attendances.all()} if meeting else {}
    return [
        {
            "person": m.pk,
            "present": recorded[m.pk].present if m.pk in recorded else meeting is None,
            "absence_reason": recorded[m.pk].absence_reason if m.pk in recorded else "",
        }
        for m in members
    ]


def _nominee_initial(dossiers, meeting) -> list[dict]:
    recorded = {e.dossier_id: e for e in meeting.evaluations.all()} if meeting else {}
    rows = []
    for d in dossiers:
        e = recorded.get(d.pk)
        rows.append({
            "dossier": d.pk, "evaluated": e is not None if meeting else d.is_editable,
            "result": (UNANIMOUS if e.unanimous else "votes") if e else UNANIMOUS,
            "agree": e.agree if e else None, "disagree": e.disagree if e else None,
            "note": e.note if e else "",
        })  # fmt: skip
    return rows


def _report(request, recorded) -> None:
    messages.success(request, _("The meeting was recorded."))
    if recorded.not_updated:
        names = ", ".join(str(d.nominee) for d in recorded.not_updated)
        messages.warning(
            request,
            _("These dossiers can no longer be edited and did not receive the minutes: %(names)s.")
            % {"names": names},
        )


@login_required
def meeting_detail(request, pk: int):
    meeting = _visible(request, pk)
    return render(
        request,
        "evaluation/meeting_detail.html",
        {
            "meeting": meeting,
            "may_edit": selectors.may_record(request.person, meeting.unit),
            "results": [(e, minutes.result_words(e)) for e in meeting.evaluations.all()],
            "absent": [a for a in meeting.attendances.all() if not a.present],
            "present": [a for a in meeting.attendances.all() if a.present],
        },
    )


@login_required
def meeting_minutes(request, pk: int):
    meeting = _visible(request, pk)
    filename = f"bien-ban-hop-binh-xet-{meeting.pk}.pdf"
    return inline_pdf(minutes.minutes_pdf(meeting), filename)


def _period(request):
    periods = Period.objects.of(request.person.institution_id)
    chosen = id_or_none(request.GET.get("period"))
    if chosen:
        return periods.filter(pk=chosen).first()
    return periods.filter(is_current=True).first()
