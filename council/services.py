"""Council meetings: agenda, attendance, opening, secret ballots, closing with the tally.

Dossiers move only through workflow.services.transition; this module decides when.
"""

from __future__ import annotations

import secrets
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import log
from council import notifications as council_mail
from council import recusal, sealing
from council.keystore import key_store
from council.models import (
    AgendaItem,
    Choice,
    Meeting,
    MeetingMember,
    Participation,
    PublishedReceipt,
    Recusal,
    SealedBallot,
    WrittenOpinion,
)
from dossiers.models import Dossier, Period, Person, Role, RoleAssignment, State
from dossiers.reasons import Reason
from dossiers.services import files_removed_on_failure
from dossiers.uploads import check_upload
from workflow import notifications, permissions, separation
from workflow import services as lifecycle
from workflow.errors import (
    BallotRefused,
    Conflict,
    GuardFailed,
    IllegalTransition,
    InvalidInput,
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
        if meeting.state != Meeting.State.PLANNED:
            # Fixed at opening: otherwise the secretary could mark a present member absent and
            # enter a written ballot in their name.
            raise IllegalTransition(_("The attendance is fixed once the vote opens."))
        members = {m.person_id: m for m in meeting.members.select_related("person")}
        changed = {}
        for person_id, value in attendance.items():
            member = members.get(person_id)
            if member is None or value not in MeetingMember.Attendance.values:
                raise GuardFailed([Reason(_("Unknown member or attendance."))])
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
        items = list(
            meeting.agenda.select_related(
                "dossier__award_type", "dossier__nominee_person", "dossier__nominee_unit"
            )
        )
        if not items:
            raise GuardFailed([Reason(_("The agenda is empty."))])
        # The attendance is fixed from here on: without a quorum now, the vote could never close.
        _check_quorum(
            items,
            present=meeting.members.filter(attendance=MeetingMember.Attendance.PRESENT).count(),
            total=meeting.members.count(),
        )
        meeting.open_vote()
        meeting.opened_at = timezone.now()
        meeting.save(update_fields=["state", "opened_at"])
        for item in items:
            lifecycle.transition(
                dossier_id=item.dossier_id, action="open_vote", person=person,
                expected_version=None, client_address=client_address,
            )  # fmt: skip
        enforced = recusal.recusal_is_enforced(meeting.institution)
        conflicts = _record_recusals(meeting, enforced)
        key_store().create(meeting.pk)  # last: nothing after it can refuse the opening
        _audit(meeting, actor, "meeting.vote_opened",
               {"items": len(items), "recusals": conflicts, "recusal_enforced": enforced},
               from_state=Meeting.State.PLANNED)  # fmt: skip
        if conflicts and not enforced:
            _record_recusal_warning(meeting, items, conflicts, actor)
        notifications.notify_vote_opened([item.dossier for item in items])
    return meeting


def _record_recusals(meeting: Meeting, enforced: bool) -> dict[str, dict[str, str]]:
    """Store who recuses on which item (when the rule blocks); return them for the audit."""
    found = recusal.recusals(meeting)
    if enforced:
        Recusal.objects.bulk_create(
            Recusal(item_id=item_id, person_id=person_id, ground=ground)
            for item_id, grounds in found.items()
            for person_id, ground in sorted(grounds.items())
        )
    return {
        str(item_id): {str(pid): ground for pid, ground in grounds.items()}
        for item_id, grounds in found.items()
        if grounds
    }


def _record_recusal_warning(meeting, items, conflicts: dict, actor: log.Actor) -> None:
    """The recusal rule only warns: members vote on their own case, and the trail says who."""
    names = dict(
        Person.objects.filter(pk__in={int(p) for g in conflicts.values() for p in g}).values_list(
            "pk", "full_name"
        )
    )
    by_item = {str(item.pk): item for item in items}
    reasons = [
        Reason(_("{name} votes on item {position} ({nominee}), their own nomination or their "
                 "collective's."),
               {"name": names[int(pid)], "position": by_item[item_id].position,
                "nominee": str(by_item[item_id].dossier.nominee)})
        for item_id, grounds in conflicts.items()
        for pid in grounds
    ]  # fmt: skip
    found = separation.conflict(meeting.institution_id, separation.COUNCIL_RECUSAL, reasons)
    separation.record_warning(
        found, institution=meeting.institution, actor=actor, object_type="meeting",
        object_id=meeting.pk, action="open_vote", details={"recusals": conflicts},
    )  # fmt: skip


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
    *, meeting_id: int, person: Person, member_id: int, choices: dict[int, str], opinion,
    client_address: str = "",
) -> str:  # fmt: skip
    """The secretary enters the written opinion of a member absent when the vote opened.

    The scan of the member's signed opinion is stored with the meeting and the member (not with
    the ballot), and the member is told by mail that an opinion was entered in their name.
    """
    actor = _secretary_actor(person, client_address)
    if opinion is None:
        raise InvalidInput(_("Attach the scan of the member's signed written opinion."))
    try:
        checked = check_upload(opinion)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from error
    with files_removed_on_failure() as stored:
        meeting = _locked_meeting(meeting_id, person)
        member = _absent_member(meeting, member_id)
        receipt = _store_ballot(meeting, member, choices, Participation.Channel.IN_WRITING)
        written = WrittenOpinion(
            meeting=meeting, member=member, original_name=checked.name,
            content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
            recorded_by=person,
        )  # fmt: skip
        written.file.save(checked.name, opinion, save=False)
        stored.append(written)
        written.save()
        log.append(
            institution=meeting.institution, actor=actor,
            action="ballot.recorded_in_writing", object_type="meeting", object_id=meeting.pk,
            payload={"member_id": member.pk, "member": member.full_name,
                     "opinion_sha256": checked.sha256},
        )  # fmt: skip
        council_mail.notify_written_opinion_recorded(meeting, member, recorded_by=person)
    return receipt


def _absent_member(meeting: Meeting, member_id: int) -> Person:
    """The member whose written opinion is entered: one recorded absent when the vote opened."""
    member = Person.objects.filter(pk=member_id, institution_id=meeting.institution_id).first()
    if member is None:
        raise BallotRefused(_("This person is not a member of the council for this meeting."))
    _check_can_vote(meeting, member)
    seat = meeting.members.get(person=member)
    if seat.attendance == MeetingMember.Attendance.PRESENT:
        raise BallotRefused(
            _("This member was present when the vote opened and casts their own ballot; a "
              "written opinion is only for a member recorded absent before opening.")
        )  # fmt: skip
    if seat.attendance == MeetingMember.Attendance.ABSENT:
        seat.attendance = MeetingMember.Attendance.IN_WRITING
        seat.save(update_fields=["attendance"])
    return member


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
    """Record that the member voted, and seal what they chose apart from it. Returns the receipt.

    One INSERT each; no earlier row is read back in clear or rewritten.
    """
    items = list(meeting.agenda.order_by("position"))
    recused = recusal.recused_items(meeting, member.pk)
    expected = {i.pk for i in items} - recused
    if recused & set(choices):
        raise BallotRefused(
            _("You take no part in the vote on an item that concerns you (recusal); leave it "
              "without a choice.")
        )  # fmt: skip
    if expected != set(choices) or not set(choices.values()) <= set(Choice.values):
        raise BallotRefused(_("Give one choice for every item on the agenda."))
    key = key_store().get(meeting.pk)
    if key is None:
        raise BallotRefused(KEY_LOST)
    Participation.objects.create(
        meeting=meeting, member=member, channel=channel, recorded_at=timezone.now()
    )
    receipt = _new_receipt(meeting, key)
    words = [sealing.RECUSED if i.pk in recused else choices[i.pk] for i in items]
    SealedBallot.objects.create(
        meeting=meeting,
        sealed=sealing.seal(key, meeting_id=meeting.pk, receipt=receipt, choices=words),
    )
    return receipt


KEY_LOST = _(
    "The ballot key of this meeting is missing, so its ballots can no longer be counted; the "
    "vote must be held again in a new meeting."
)


def _new_receipt(meeting: Meeting, key: bytes) -> str:
    """A code no other ballot of the meeting has (the codes are sealed: open them to compare)."""
    taken = {receipt for receipt, _words in _opened_ballots(meeting, key)}
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
        receipt = f"{code[:4]}-{code[4:]}"
        if receipt not in taken:
            return receipt


def _opened_ballots(meeting: Meeting, key: bytes) -> list[tuple[str, list[str]]]:
    try:
        return [
            sealing.open_sealed(key, meeting_id=meeting.pk, sealed=sealed)
            for sealed in SealedBallot.objects.filter(meeting=meeting).values_list(
                "sealed", flat=True
            )
        ]
    except sealing.Unreadable as error:
        raise Conflict(
            _(
                "A sealed ballot of this meeting does not open with the meeting's key; the vote "
                "must be held again in a new meeting."
            )
        ) from error


def tally(meeting: Meeting, key: bytes) -> tuple[dict[int, Counter], list[str]]:
    """Agree / disagree / abstain / recused per agenda item, and the receipts, from the sealed
    ballots."""
    items = list(meeting.agenda.order_by("position"))
    counts: dict[int, Counter] = {item.pk: Counter() for item in items}
    receipts = []
    for receipt, words in _opened_ballots(meeting, key):
        if len(words) != len(items):
            raise Conflict(_("A sealed ballot does not match the agenda of this meeting."))
        receipts.append(receipt)
        for item, word in zip(items, words, strict=True):
            counts[item.pk][word] += 1
    return counts, sorted(receipts)


def close_meeting(*, meeting_id: int, person: Person, client_address: str = "") -> Meeting:
    """Close the vote: check quorum, record each item's tally and outcome, move the dossiers."""
    actor = _secretary_actor(person, client_address)
    with transaction.atomic():
        meeting = _locked_meeting(meeting_id, person)
        if meeting.state != Meeting.State.OPEN:
            raise IllegalTransition(_("Only a meeting open for voting can be closed."))
        items = list(
            meeting.agenda.select_related(
                "dossier__award_type", "dossier__nominee_person", "dossier__nominee_unit"
            )
        )
        total = meeting.members.count()
        present = meeting.members.filter(attendance=MeetingMember.Attendance.PRESENT).count()
        # Whose opinion counts: members present, and absent members who gave theirs in writing.
        counted = meeting.members.exclude(attendance=MeetingMember.Attendance.ABSENT).count()
        voters = meeting.participations.count()
        _check_quorum(items, present=present, total=total)
        key = key_store().get(meeting.pk)
        if key is None:
            raise Conflict(KEY_LOST)
        counts, receipts = tally(meeting, key)
        if len(receipts) != voters or len(set(receipts)) != voters:
            raise Conflict(
                _("The sealed ballots ({ballots}) do not match the members who voted "
                  "({voters}); the vote must be held again.").format(
                    ballots=len(receipts), voters=voters)
            )  # fmt: skip
        recused = recusal.recorded(meeting)
        counted_ids = set(
            meeting.members.exclude(attendance=MeetingMember.Attendance.ABSENT).values_list(
                "person_id", flat=True
            )
        )
        meeting.close_vote()
        meeting.closed_at = timezone.now()
        meeting.save(update_fields=["state", "closed_at"])
        results = []
        for item in items:
            # A recused member gives no opinion on the item: not part of a base of those taking
            # part; the council's total membership stays the total.
            taking_part = counted - len(recused[item.pk] & counted_ids)
            _record_outcome(item, counts[item.pk], total=total, counted=taking_part)
            results.append(
                {"dossier": item.dossier_id, "agree": item.agree, "disagree": item.disagree,
                 "abstain": item.abstain, "recused": sorted(recused[item.pk]),
                 "recommended": item.recommended,
                 "threshold": f"{item.threshold_comparison} {item.threshold_percent}"
                              f" {item.threshold_base}"}
            )  # fmt: skip
        for item in items:
            lifecycle.transition(
                dossier_id=item.dossier_id, action="close_vote", person=person,
                expected_version=None, client_address=client_address,
                arguments={"recommended": item.recommended},
            )  # fmt: skip
        PublishedReceipt.objects.bulk_create(
            PublishedReceipt(meeting=meeting, receipt=receipt) for receipt in receipts
        )
        summary = {"members": total, "present": present, "ballots": voters, "results": results}
        _audit(meeting, actor, "meeting.vote_closed", summary, from_state=Meeting.State.OPEN)
        # Only once the tally is committed: a closing rolled back must still find its key.
        meeting_pk = meeting.pk
        transaction.on_commit(lambda: key_store().destroy(meeting_pk))
    return meeting


def _check_quorum(items: list[AgendaItem], *, present: int, total: int) -> None:
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


def _record_outcome(item: AgendaItem, counts: Counter, *, total: int, counted: int) -> None:
    award = item.dossier.award_type
    item.agree = counts[Choice.AGREE]
    item.disagree = counts[Choice.DISAGREE]
    item.abstain = counts[Choice.ABSTAIN]
    item.recused = counts[sealing.RECUSED]
    item.recommended = award.vote_passes(agree=item.agree, total_membership=total, present=counted)
    item.threshold_percent = award.vote_threshold_percent
    item.threshold_comparison = award.vote_threshold_comparison
    item.threshold_base = award.vote_threshold_base
    item.save()
