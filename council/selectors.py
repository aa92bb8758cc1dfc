"""Reads of council meetings that pages and the minutes share, with their joins done once.

Nothing here reads a ballot's content: while a vote is open, only the count of participations;
once it is closed, the tally stored on each agenda item and the published receipt codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from council.models import (
    AgendaItem,
    Meeting,
    MeetingMember,
    Participation,
    PublishedReceipt,
    Recusal,
)
from dossiers.models import Dossier, Person, RoleAssignment, State
from workflow import permissions
from workflow.errors import IllegalTransition

DOSSIER_JOINS = ("dossier__award_type", "dossier__unit", "dossier__nominee_person",
                 "dossier__nominee_unit", "dossier__movement")  # fmt: skip


def may_manage_meetings(person: Person | None) -> bool:
    """Whether the person prepares and runs meetings (the services check the same role)."""
    return permissions.may(person, "meeting.manage") is not None


def visible_meetings(person: Person | None) -> QuerySet[Meeting]:
    """The meetings a person may see: every one for the council's officers, else their own."""
    if person is None:
        return Meeting.objects.none()
    scope = Meeting.objects.filter(institution_id=person.institution_id)
    if permissions.may(person, "meeting.view_all"):
        return scope
    sits_on = MeetingMember.objects.filter(meeting=OuterRef("pk"), person=person)
    return scope.filter(Q(chair=person) | Q(secretary=person) | Exists(sits_on))


def meeting_list(person: Person | None) -> QuerySet[Meeting]:
    return visible_meetings(person).select_related("period", "chair")


def meeting_detail(person: Person | None, meeting_id: int) -> Meeting | None:
    """One visible meeting with its members and agenda; None when absent or not theirs."""
    return (
        visible_meetings(person)
        .select_related("period", "chair", "secretary", "institution")
        .prefetch_related(
            Prefetch("members", queryset=MeetingMember.objects.select_related("person__unit")),
            Prefetch("agenda", queryset=AgendaItem.objects.select_related(*DOSSIER_JOINS)),
        )
        .filter(pk=meeting_id)
        .first()
    )


def membership(meeting: Meeting, person: Person) -> MeetingMember | None:
    """The person's seat at the meeting, from the prefetched members; None if not a member."""
    return next((m for m in meeting.members.all() if m.person_id == person.pk), None)


def council_members(person: Person, on=None) -> QuerySet[Person]:
    """The people holding the council member role today in the person's institution."""
    holders = RoleAssignment.objects.active(on).filter(
        person=OuterRef("pk"), role__in=permissions.roles_for("ballot.cast")
    )
    return Person.objects.filter(institution_id=person.institution_id).filter(Exists(holders))


def agenda_candidates(meeting: Meeting) -> QuerySet[Dossier]:
    """The reviewed dossiers of the meeting's period, in the order the agenda lists them."""
    return (
        Dossier.objects.filter(
            institution_id=meeting.institution_id, period_id=meeting.period_id, state=State.REVIEWED
        )
        .select_related("award_type", "unit", "nominee_person", "nominee_unit")
        .order_by("unit__name", "award_type__code", "id")
    )


def ballots_cast(meeting: Meeting) -> int:
    """How many members have voted so far: a count of participations, never of choices."""
    return Participation.objects.filter(meeting=meeting).count()


def has_voted(meeting: Meeting, person: Person) -> bool:
    return Participation.objects.filter(meeting=meeting, member=person).exists()


def why_cannot_vote(meeting: Meeting, person: Person) -> str | None:
    """Why the person cannot cast a ballot now, as cast_ballot would refuse; None if they can.

    Read without writing, so the ballot page need not show a form bound to be refused.
    """
    member = membership(meeting, person)
    if member is None:
        return _("You are not a member of the council for this meeting.")
    if meeting.state == Meeting.State.PLANNED:
        return _("Voting has not been opened yet.")
    if meeting.state == Meeting.State.CLOSED:
        return _("Voting is closed.")
    if member.attendance != MeetingMember.Attendance.PRESENT:
        return _(
            "You are recorded as absent from this meeting; ask the secretary to record you "
            "as present, or give your opinion in writing."
        )
    if has_voted(meeting, person):
        return _(
            "You have already voted in this meeting. Your ballot is counted; its receipt code "
            "was shown once, when you voted, and cannot be shown again."
        )
    return None


def awaiting_written_ballot(meeting: Meeting) -> QuerySet[Person]:
    """Members absent with a written opinion whose ballot is not entered yet."""
    voted = Participation.objects.filter(meeting=meeting, member=OuterRef("pk"))
    return (
        Person.objects.filter(
            pk__in=MeetingMember.objects.filter(
                meeting=meeting, attendance=MeetingMember.Attendance.IN_WRITING
            ).values("person_id")
        )
        .exclude(Exists(voted))
        .order_by("full_name")
    )


def attendance(meeting: Meeting) -> list[tuple[str, str, list[MeetingMember]]]:
    """(value, label, members) for present, in writing and absent, from the prefetched members."""
    members = list(meeting.members.all())
    return [
        (value, label, [m for m in members if m.attendance == value])
        for value, label in MeetingMember.Attendance.choices
    ]


@dataclass(frozen=True)
class Results:
    items: list[AgendaItem]  # with agree / disagree / abstain / recused / recommended and the rule
    receipts: list[str]  # every counted ballot's code, in code order; never what it said
    voters: int


def results(meeting: Meeting) -> Results:
    """The tally, outcomes and published receipts of a closed meeting (its agenda prefetched).

    Refused while the meeting is planned or open, so no page can show an interim tally.
    """
    if meeting.state != Meeting.State.CLOSED:
        raise IllegalTransition(_("The results are published once the vote is closed."))
    receipts = list(
        PublishedReceipt.objects.filter(meeting=meeting)
        .order_by("receipt")
        .values_list("receipt", flat=True)
    )
    items = list(meeting.agenda.all())
    return Results(items=items, receipts=receipts, voters=ballots_cast(meeting))


def recusals_by_item(meeting: Meeting) -> dict[int, list[Recusal]]:
    """The stored recusals of each agenda item, with the members' names (one query)."""
    found: dict[int, list[Recusal]] = {}
    for recusal in Recusal.objects.filter(item__meeting=meeting).select_related("person", "item"):
        found.setdefault(recusal.item_id, []).append(recusal)
    return found
