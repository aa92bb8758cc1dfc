"""Pages of council meetings: list, preparation, the vote, results and minutes.

Every write goes through council.services. While a vote is open no page reads a
ballot's content; a receipt code is shown once, in the response to the ballot, and kept nowhere.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from council import minutes, recusal, selectors, services
from council.forms import (
    AgendaForm,
    AttendanceForm,
    BallotForm,
    MeetingForm,
    WrittenBallotForm,
)
from council.models import Meeting
from documents.rendering import inline_pdf
from dossiers import caps, eligibility
from dossiers.limits import limited
from dossiers.models import Period
from dossiers.views import client_address
from workflow import permissions
from workflow.errors import MeetingNotFound
from workflow.responses import page_status, perform, perform_then_redirect

PAGE_SIZE = 25


def _visible(request, pk: int) -> Meeting:
    meeting = selectors.meeting_detail(request.person, pk)
    if meeting is None:
        raise MeetingNotFound()
    return meeting


def _managed(request, pk: int) -> Meeting:
    """A meeting the person may see and prepare; 404 when unseen, 403 without the role."""
    meeting = _visible(request, pk)
    permissions.require(request.person, "meeting.manage", meeting)
    return meeting


@login_required
def meeting_list(request):
    meetings = selectors.meeting_list(request.person)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "council/meeting_list.html",
        {
            "page": page,
            "may_create": selectors.may_manage_meetings(request.person),
            "query": request.GET.copy(),
        },
    )


@login_required
def meeting_create(request):
    person = request.person
    permissions.require(person, "meeting.manage")
    period = Period.objects.of(person.institution).filter(is_current=True).first()
    if period is None:
        messages.error(request, _("There is no current period. Ask the administrator to open one."))
        return redirect("meeting_list")
    form = MeetingForm(request.POST or None, members=selectors.council_members(person))
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = perform(
            request, services.create_meeting, form=form, success=_("The meeting was created."),
            person=person, period=period, client_address=client_address(request),
            **form.cleaned_data,
        )  # fmt: skip
        if outcome.ok:
            return redirect("meeting_detail", pk=outcome.result.pk)
    return render(
        request,
        "council/meeting_form.html",
        {"form": form, "period": period},
        status=page_status(request, form, outcome),
    )


@login_required
def meeting_detail(request, pk: int):
    """The meeting as everyone who may see it sees it, with the secretary's tools for them."""
    meeting = _visible(request, pk)
    person = request.person
    manages = selectors.may_manage_meetings(person)
    context = {
        "meeting": meeting,
        "agenda": meeting.agenda.all(),
        "excellent_shares": _excellent_shares(meeting),
        "agenda_rows": _agenda_rows(meeting),
        "members": meeting.members.all(),
        "attendance": selectors.attendance(meeting),
        "cast": selectors.ballots_cast(meeting),
        "manages": manages,
        "may_vote": meeting.state == Meeting.State.OPEN
        and selectors.why_cannot_vote(meeting, person) is None,
    }
    if manages and meeting.state == Meeting.State.PLANNED:
        context["agenda_form"] = AgendaForm(
            candidates=selectors.agenda_candidates(meeting),
            initial={"dossiers": [item.dossier_id for item in meeting.agenda.all()]},
        )
    if manages and meeting.state == Meeting.State.PLANNED:  # fixed once the vote opens
        context["attendance_form"] = AttendanceForm(members=list(meeting.members.all()))
    if manages and meeting.state == Meeting.State.OPEN:
        context["awaiting_written"] = selectors.awaiting_written_ballot(meeting).exists()
    return render(request, "council/meeting_detail.html", context)


def _agenda_rows(meeting: Meeting) -> list:
    """Each agenda item with the warnings the council weighs (soft rules, cannot tell)."""
    items = list(meeting.agenda.all())
    warnings = eligibility.agenda_warnings([item.dossier for item in items], meeting.period)
    return [(item, warnings.get(item.dossier_id, [])) for item in items]


def _excellent_shares(meeting: Meeting) -> list:
    """Each unit's shares on the agenda (rated excellent, and the institution's caps on
    nominations), warned if over; where over, the nominees competing for it in the law's order
    of priority for equal achievements."""
    dossiers = [item.dossier for item in meeting.agenda.all()]
    units = sorted({d.unit for d in dossiers}, key=lambda unit: unit.name)
    excellent = caps.excellent_shares(units, meeting.period)
    capped = caps.nomination_shares(units, meeting.period)
    rows = []
    for unit in units:
        of_unit = [d for d in dossiers if d.unit_id == unit.pk]
        if unit.pk in excellent:
            rows.append((excellent[unit.pk], caps.tie_break_order(of_unit)))
        for share in capped.get(unit.pk, []):
            competing = [d for d in of_unit if d.award_type_id == share.cap.award_type_id]
            rows.append((share, caps.tie_break_order(competing)))
    return rows


@login_required
@require_POST
def meeting_agenda(request, pk: int):
    meeting = _managed(request, pk)
    form = AgendaForm(request.POST, candidates=selectors.agenda_candidates(meeting))
    if not form.is_valid():
        messages.error(request, _("Choose dossiers from the list."))
        return redirect("meeting_detail", pk=pk)
    return _run(
        request, pk, _("The agenda was saved."), services.set_agenda,
        dossier_ids=form.dossier_ids(),
    )  # fmt: skip


@login_required
@require_POST
def meeting_attendance(request, pk: int):
    meeting = _managed(request, pk)
    form = AttendanceForm(request.POST, members=list(meeting.members.all()))
    if not form.is_valid():
        messages.error(request, _("Choose an attendance for every member."))
        return redirect("meeting_detail", pk=pk)
    return _run(
        request, pk, _("The attendance was saved."), services.record_attendance,
        attendance=form.attendance(),
    )  # fmt: skip


@login_required
@require_POST
def meeting_open(request, pk: int):
    _managed(request, pk)
    return _run(request, pk, _("The vote is open."), services.open_meeting)


@login_required
@require_POST
def meeting_close(request, pk: int):
    _managed(request, pk)
    return _run(request, pk, _("The vote is closed and the results are published."),
                services.close_meeting)  # fmt: skip


def _run(request, pk: int, success: str, service, **arguments):
    """Call one meeting service for the secretary, report the outcome, back to the meeting."""
    return perform_then_redirect(
        request, service, to=redirect("meeting_detail", pk=pk), success=success,
        meeting_id=pk, person=request.person, client_address=client_address(request),
        **arguments,
    )  # fmt: skip


@limited(body="UPLOAD_MAX_BYTES")
@never_cache
@login_required
def written_ballot(request, pk: int):
    """The secretary enters the signed written opinion of a member absent when the vote opened."""
    meeting = _managed(request, pk)
    form = WrittenBallotForm(
        request.POST or None,
        request.FILES or None,
        items=list(meeting.agenda.all()),
        awaiting=selectors.awaiting_written_ballot(meeting),
    )
    outcome = None
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["member"]
        outcome = perform(
            request, services.record_written_ballot, form=form,
            meeting_id=pk, person=request.person, member_id=member.pk,
            choices=form.choices(), opinion=form.cleaned_data["opinion"],
            client_address=client_address(request),
        )  # fmt: skip
        if outcome.ok:
            return render(
                request,
                "council/receipt.html",
                {"meeting": meeting, "receipt": outcome.result, "member": member, "written": True},
            )
    return render(
        request,
        "council/written_ballot.html",
        {"meeting": meeting, "form": form, "recusals": selectors.recusals_by_item(meeting)},
        status=page_status(request, form, outcome),
    )


@never_cache
@login_required
def ballot(request, pk: int):
    """A member's own secret ballot: every agenda item on one page, one submit."""
    meeting = _visible(request, pk)
    person = request.person
    form = BallotForm(
        request.POST or None,
        items=list(meeting.agenda.all()),
        recused=recusal.recused_items(meeting, person.pk),
    )
    blocked, status = selectors.why_cannot_vote(meeting, person), 200
    if request.method == "POST" and form.is_valid():
        # The service decides, even when the page already knows it will refuse.
        outcome = perform(
            request, services.cast_ballot, form=form, meeting_id=pk, person=person,
            choices=form.choices(), client_address=client_address(request),
        )  # fmt: skip
        if outcome.ok:
            return render(
                request, "council/receipt.html", {"meeting": meeting, "receipt": outcome.result}
            )
        status = outcome.status
    return render(
        request,
        "council/ballot.html",
        {"meeting": meeting, "form": form, "blocked": blocked},
        status=status,
    )


@login_required
def meeting_results(request, pk: int):
    meeting = _visible(request, pk)
    results = selectors.results(meeting)  # refused while the vote is open: an error page
    recusals = selectors.recusals_by_item(meeting)
    return render(
        request,
        "council/results.html",
        {
            "meeting": meeting,
            "results": results,
            "attendance": selectors.attendance(meeting),
            "recusals": [(i, r) for i in results.items for r in recusals.get(i.pk, [])],
        },
    )


@login_required
def meeting_minutes(request, pk: int):
    """The minutes (biên bản) as PDF, once the vote is closed."""
    meeting = _visible(request, pk)
    pdf = minutes.minutes_pdf(meeting)  # refused while the vote is open: an error page
    return inline_pdf(pdf, f"bien-ban-hop-{meeting.pk}.pdf")
