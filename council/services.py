"""Council meetings: agenda, attendance, opening, secret ballots, closing with the tally.

Dossiers move only through workflow.services.transition; this module decides when.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import log
from council.models import (
    AgendaItem,
    BallotChoice,
    BallotContent,
    Meeting,
    MeetingMember,
    Participation,
)
from dossiers.models import Dossier, Period, Person, Role, RoleAssignment, State
from dossiers.reasons import Reason
from workflow import notifications, permissions
from workflow import services as lifecycle
from workflow.errors import (
    BallotRefused,
    GuardFailed,
    IllegalTransition,
    MeetingNotFound,
)

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud without doubt


def _secretary_actor(person: Person, client_address: str) -> log.Actor:
    """The person running meetings, in the role (own or delegated) that lets them."""
    acting = permissions.require(person, "meeting.manage")
    return log.Actor.acting(person, acting, client_address)


def _locked_meeting(meeting_id: int, person: Person) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .filter(pk=meeting_id, institution_id=person.institution_id)
        .first()
    )
    if meeting is None:
        raise MeetingNotFound()
    return meeting


def _audit(meeting: Meeting, actor: log.Actor, action: str, payload: dict | None = None,
           *, from_state: str = ""):  # fmt: skip
    """A meeting's event; only a change of the meeting's state records a from and to state."""
    return log.append(
        institution=meeting.institution, actor=actor, action=action,
        object_type="meeting", object_id=meeting.pk, from_state=from_state,
        to_state=meeting.state if from_state else "", payload=payload or {},
    )  # fmt: skip


def create_meeting(
    *, person: Person, period: Period, title: str, held_on, place: str, chair: Person,
    client_address: str = "",
) -> Meeting:  # fmt: skip
    """A planned meeting; its members are the council's members on that day."""
    actor = _secretary_actor(person, client_address)
    with transaction.atomic():
        members = set(
            RoleAssignment.objects.active(timezone.localdate(held_on))
            .filter(
                institution_id=person.institution_id, role__in=permissions.roles_for("ballot.cast")
            )
            .values_list("person_id", flat=True)
        )
        if chair.pk not in members:
            raise GuardFailed([Reason(_("The chair must be a member of the council."))])
        meeting = Meeting(
            institution_id=person.institution_id, period=period, title=title, held_on=held_on,
            place=place, chair=chair, secretary=person,
        )  # fmt: skip
        meeting.full_clean()
        meeting.save()
        MeetingMember.objects.bulk_create(
            MeetingMember(meeting=meeting, person_id=pid) for pid in sorted(members)
        )
        _audit(meeting, actor, "meeting.created",
               {"title": title, "members": meeting.members.count()})  # fmt: skip
    return meeting


def set_agenda(
    *, meeting_id: int, person: Person, dossier_ids: list[int], client_address: str = ""
) -> list[AgendaItem]:
    """The reviewed dossiers of the meeting's period the council will vote on, in this order."""
    actor = _secretary_actor(person, client_address)
    with transaction.atomic():
        meeting = _locked_meeting(meeting_id, person)
        if meeting.state != Meeting.State.PLANNED:
            raise IllegalTransition(_("The agenda can only change before the vote opens."))
        dossiers = {
            d.pk: d
            for d in Dossier.objects.filter(
                pk__in=dossier_ids, institution_id=person.institution_id, period=meeting.period
            )
        }
        elsewhere = set(
            AgendaItem.objects.filter(
                dossier_id__in=dossier_ids,
                meeting__state__in=[Meeting.State.PLANNED, Meeting.State.OPEN],
            )
            .exclude(meeting=meeting)
            .values_list("dossier_id", flat=True)
        )
        problems = [
            Reason(_("Dossier {id} is not a reviewed dossier of this period."), {"id": pk})
            for pk in dossier_ids
            if pk not in dossiers or dossiers[pk].state != State.REVIEWED
        ] + [
            Reason(_("Dossier {id} is already on the agenda of another meeting."), {"id": pk})
            for pk in sorted(elsewhere)
        ]
        if problems or not dossier_ids:
            raise GuardFailed(problems or [Reason(_("Choose at least one dossier."))])
        meeting.agenda.all().delete()
        items = AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, dossier=dossiers[pk], position=n)
            for n, pk in enumerate(dict.fromkeys(dossier_ids), start=1)
        )
        _audit(meeting, actor, "meeting.agenda_set", {"dossiers": list(dict.fromkeys(dossier_ids))})
    return items


def record_attendance(
    *, meeting_id: int, person: Person, attendance: dict[int, str], client_address: str = ""
) -> None:
    """Who is present, absent, or absent with a written opinion (person id -> attendance)."""
    actor = _secretary_actor(person, client_address)
    with transaction.atomic():
        meeting = _locked_meeting(meeting_id, person)
        if meeting.state == Meeting.State.CLOSED:
            raise IllegalTransition(_("The meeting is closed."))
        members = {m.person_id: m for m in meeting.members.select_related("person")}
        voted = set(meeting.participations.values_list("member_id", flat=True))
        changed = {}
        for person_id, value in attendance.items():
            member = members.get(person_id)
            if member is None or value not in MeetingMember.Attendance.values:
                raise GuardFailed([Reason(_("Unknown member or attendance."))])
            if person_id in voted and member.attendance != value:
                raise GuardFailed(
                    [Reason(_("{name} has already voted; their attendance cannot change."),
                            {"name": member.person.full_name})]
                )  # fmt: skip
            if member.attendance != value:
                member.attendance = value
                member.save(update_fields=["attendance"])
                changed[str(person_id)] = value
        if changed:
            _audit(meeting, actor, "meeting.attendance_recorded", {"attendance": changed})


def open_meeting(*, meeting_id: int, person: Person, client_address: str = "") -> Meeting:
    """Open the vote: the meeting and, through the one service, every agenda dossier."""
    actor = _secretary_actor(person, client_address)
    with transaction.atomic():
        meeting = _locked_meeting(meeting_id, person)
        if meeting.state != Meeting.State.PLANNED:
            raise IllegalTransition(_("Only a planned meeting can be opened."))
        items = list(meeting.agenda.select_related("dossier"))
        if not items:
            raise GuardFailed([Reason(_("The agenda is empty."))])
        meeting.open_vote()
        meeting.opened_at = timezone.now()
        meeting.save(update_fields=["state", "opened_at"])
        for item in items:
            lifecycle.transition(
                dossier_id=item.dossier_id, action="open_vote", person=person,
                expected_version=None, client_address=client_address,
            )  # fmt: skip
        _audit(meeting, actor, "meeting.vote_opened", {"items": len(items)},
               from_state=Meeting.State.PLANNED)  # fmt: skip
        notifications.notify_vote_opened([item.dossier for item in items])
    return meeting


def cast_ballot(
    *, meeting_id: int, person: Person, choices: dict[int, str], client_address: str = ""
) -> str:
    """A member's own ballot: stored apart from the record that they voted. Returns the receipt."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting_id, person)
        _check_can_vote(meeting, person)
        _check_present(meeting, person)
        receipt = _store_ballot(meeting, person, choices, Participation.Channel.IN_PERSON)
        log.append(
            institution=meeting.institution,
            # The seat on this meeting entitles the vote, whatever roles changed since.
            actor=log.Actor(person=person, role=Role.COUNCIL_MEMBER,
                              client_address=client_address),
            action="ballot.cast", object_type="meeting", object_id=meeting.pk,
            payload={"channel": Participation.Channel.IN_PERSON},
        )  # fmt: skip
    return receipt


def record_written_ballot(
    *, meeting_id: int, person: Person, member_id: int, choices: dict[int, str],
    client_address: str = "",
) -> str:  # fmt: skip
    """The secretary enters an absent member's sealed written opinion as an unlinked ballot."""
    actor = _secretary_actor(person, client_address)
    with transaction.atomic():
        meeting = _locked_meeting(meeting_id, person)
        member = Person.objects.filter(pk=member_id, institution_id=person.institution_id).first()
        if member is None:
            raise BallotRefused(_("This person is not a member of the council for this meeting."))
        _check_can_vote(meeting, member)
        attendance = meeting.members.get(person=member)
        if attendance.attendance == MeetingMember.Attendance.PRESENT:
            raise BallotRefused(
                _("This member is present and casts their own ballot; a written opinion is only "
                  "for an absent member.")
            )  # fmt: skip
        attendance.attendance = MeetingMember.Attendance.IN_WRITING
        attendance.save(update_fields=["attendance"])
        receipt = _store_ballot(meeting, member, choices, Participation.Channel.IN_WRITING)
        log.append(
            institution=meeting.institution, actor=actor, action="ballot.recorded_in_writing",
            object_type="meeting", object_id=meeting.pk,
            payload={"member_id": member.pk, "member": member.full_name},
        )  # fmt: skip
    return receipt


def _check_can_vote(meeting: Meeting, member: Person) -> None:
    if meeting.state != Meeting.State.OPEN:
        raise BallotRefused(
            _("Voting is closed.") if meeting.state == Meeting.State.CLOSED
            else _("Voting has not been opened yet.")
        )  # fmt: skip
    if not meeting.members.filter(person=member).exists():
        raise BallotRefused(_("This person is not a member of the council for this meeting."))
    if Participation.objects.filter(meeting=meeting, member=member).exists():
        raise BallotRefused(_("A ballot from this member has already been counted."))


def _check_present(meeting: Meeting, member: Person) -> None:
    attendance = meeting.members.get(person=member).attendance
    if attendance != MeetingMember.Attendance.PRESENT:
        raise BallotRefused(
            _("You are recorded as absent from this meeting; ask the secretary to record you "
              "as present, or give your opinion in writing.")
        )  # fmt: skip


def _store_ballot(meeting: Meeting, member: Person, choices: dict[int, str], channel: str) -> str:
    items = list(meeting.agenda.all())
    valid = set(BallotChoice.Choice.values)
    if {i.pk for i in items} != set(choices) or not set(choices.values()) <= valid:
        raise BallotRefused(_("Give one choice for every item on the agenda."))
    Participation.objects.create(
        meeting=meeting, member=member, channel=channel, recorded_at=timezone.now()
    )
    receipt = _new_receipt(meeting)
    _reshuffle(meeting, extra=(receipt, choices))
    return receipt


def _new_receipt(meeting: Meeting) -> str:
    taken = set(BallotContent.objects.filter(meeting=meeting).values_list("receipt", flat=True))
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
        receipt = f"{code[:4]}-{code[4:]}"
        if receipt not in taken:
            return receipt


def _reshuffle(meeting: Meeting, *, extra: tuple[str, dict[int, str]]) -> None:
    """Rewrite every ballot of the meeting in a random order with fresh random ids.

    Row order, row ids and the transaction that wrote a row then say nothing about who cast it.
    """
    ballots = {
        b.receipt: {c.item_id: c.choice for c in b.choices.all()}
        for b in BallotContent.objects.filter(meeting=meeting).prefetch_related("choices")
    }
    receipt, choices = extra
    ballots[receipt] = choices
    BallotContent.objects.filter(meeting=meeting).delete()
    order = list(ballots.items())
    random.SystemRandom().shuffle(order)
    contents = BallotContent.objects.bulk_create(
        BallotContent(meeting=meeting, receipt=code) for code, _choices in order
    )
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=content, item_id=item_id, choice=choice)
        for content, (_code, item_choices) in zip(contents, order, strict=True)
        for item_id, choice in item_choices.items()
    )


def tally(meeting: Meeting) -> dict[int, Counter]:
    """Agree / disagree / abstain per agenda item."""
    counts: dict[int, Counter] = {item.pk: Counter() for item in meeting.agenda.all()}
    for item_id, choice in BallotChoice.objects.filter(ballot__meeting=meeting).values_list(
        "item_id", "choice"
    ):
        counts[item_id][choice] += 1
    return counts


def close_meeting(*, meeting_id: int, person: Person, client_address: str = "") -> Meeting:
    """Close the vote: check quorum, record each item's tally and outcome, move the dossiers."""
    actor = _secretary_actor(person, client_address)
    with transaction.atomic():
        meeting = _locked_meeting(meeting_id, person)
        if meeting.state != Meeting.State.OPEN:
            raise IllegalTransition(_("Only a meeting open for voting can be closed."))
        items = list(meeting.agenda.select_related("dossier__award_type"))
        total = meeting.members.count()
        present = meeting.members.filter(attendance=MeetingMember.Attendance.PRESENT).count()
        # Whose opinion counts: members present, and absent members who gave theirs in writing.
        counted = meeting.members.exclude(attendance=MeetingMember.Attendance.ABSENT).count()
        voters = meeting.participations.count()
        short = [
            Reason(
                _("Quorum not met for “{award}”: {present} of {total} members present."),
                {"award": award, "present": present, "total": total},
            )
            for award in {i.dossier.award_type for i in items}
            if not award.quorum_met(present=present, total_membership=total)
        ]
        if short:
            raise GuardFailed(short)
        counts = tally(meeting)
        meeting.close_vote()
        meeting.closed_at = timezone.now()
        meeting.save(update_fields=["state", "closed_at"])
        results = []
        for item in items:
            _record_outcome(item, counts[item.pk], total=total, counted=counted)
            results.append(
                {"dossier": item.dossier_id, "agree": item.agree, "disagree": item.disagree,
                 "abstain": item.abstain, "recommended": item.recommended,
                 "threshold": f"{item.threshold_comparison} {item.threshold_percent}"
                              f" {item.threshold_base}"}
            )  # fmt: skip
        for item in items:
            lifecycle.transition(
                dossier_id=item.dossier_id, action="close_vote", person=person,
                expected_version=None, client_address=client_address,
                arguments={"recommended": item.recommended},
            )  # fmt: skip
        summary = {"members": total, "present": present, "ballots": voters, "results": results}
        _audit(meeting, actor, "meeting.vote_closed", summary, from_state=Meeting.State.OPEN)
    return meeting


def _record_outcome(item: AgendaItem, counts: Counter, *, total: int, counted: int) -> None:
    award = item.dossier.award_type
    item.agree = counts[BallotChoice.Choice.AGREE]
    item.disagree = counts[BallotChoice.Choice.DISAGREE]
    item.abstain = counts[BallotChoice.Choice.ABSTAIN]
    item.recommended = award.vote_passes(agree=item.agree, total_membership=total, present=counted)
    item.threshold_percent = award.vote_threshold_percent
    item.threshold_comparison = award.vote_threshold_comparison
    item.threshold_base = award.vote_threshold_base
    item.save()
