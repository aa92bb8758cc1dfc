"""The council vote: agenda, attendance, opening, ballots, quorum and each award's threshold.

A meeting is built the way the secretary builds one: create_meeting (which takes the council's
members of the day), set_agenda with reviewed dossiers, record_attendance, open_meeting, ballots,
close_meeting. The helpers here are also used by test_ballot_secrecy and
test_council_concurrency.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from audit import log
from audit.models import AuditEvent
from council import recusal
from council import services as council
from council.models import (
    AgendaItem,
    Choice,
    Meeting,
    MeetingMember,
    Participation,
    PublishedReceipt,
    SealedBallot,
    WrittenOpinion,
)
from council.services import BallotRefused
from dossiers.models import (
    AwardType,
    Delegation,
    Dossier,
    Period,
    Person,
    Role,
    RoleAssignment,
    State,
)
from tests import factories
from tests.conftest import make_person, make_unit
from tests.factories import dossier_in, earlier_mail_delivered, upload
from workflow.errors import (
    GuardFailed,
    IllegalTransition,
    InvalidInput,
    MeetingNotFound,
    NotPermitted,
)

AGREE = Choice.AGREE
DISAGREE = Choice.DISAGREE
ABSTAIN = Choice.ABSTAIN
PRESENT = MeetingMember.Attendance.PRESENT
IN_WRITING = MeetingMember.Attendance.IN_WRITING
ABSENT = MeetingMember.Attendance.ABSENT


# A council, the way the secretary sets one up


@dataclass
class Council:
    meeting: Meeting
    secretary: Person
    members: list[Person]  # everyone on the council, the secretary first
    dossiers: list[Dossier]
    items: list[AgendaItem]  # in agenda order, one per dossier

    @property
    def pk(self) -> int:
        return self.meeting.pk

    def choices(self, *picks: str) -> dict[int, str]:
        """One pick per agenda item (a single pick is used for every item)."""
        if len(picks) == 1:
            picks = picks * len(self.items)
        return {item.pk: pick for item, pick in zip(self.items, picks, strict=True)}

    def vote(self, member: Person, *picks: str) -> str:
        return council.cast_ballot(meeting_id=self.pk, person=member, choices=self.choices(*picks))

    def write_in(self, member: Person, *picks: str) -> str:
        return council.record_written_ballot(
            meeting_id=self.pk,
            person=self.secretary,
            member_id=member.pk,
            choices=self.choices(*picks),
            opinion=upload("y-kien-bang-van-ban.pdf"),
        )

    def attend(self, members, attendance: str) -> None:
        council.record_attendance(
            meeting_id=self.pk,
            person=self.secretary,
            attendance={m.pk: attendance for m in members},
        )

    def open(self) -> Meeting:
        return council.open_meeting(meeting_id=self.pk, person=self.secretary)

    def close(self) -> Meeting:
        return council.close_meeting(meeting_id=self.pk, person=self.secretary)

    def refresh(self) -> None:
        self.meeting.refresh_from_db()
        for dossier in self.dossiers:
            dossier.refresh_from_db()
        for item in self.items:
            item.refresh_from_db()


def convene(
    period: Period,
    unit,
    secretary: Person,
    *,
    size: int = 10,
    awards: tuple[str, ...] = ("advanced_worker",),
    nominees: tuple = (),
) -> Council:
    """A planned meeting of a council of `size` members (the secretary among them) with one
    reviewed dossier per award on its agenda (the first ones for the `nominees` given)."""
    institution = period.institution
    already = (
        RoleAssignment.objects.active()
        .filter(institution=institution, role=Role.COUNCIL_MEMBER)
        .values("person")
        .distinct()
        .count()
    )
    for _ in range(size - already):
        make_person(institution, unit, roles=[Role.COUNCIL_MEMBER])
    meeting = council.create_meeting(
        person=secretary,
        period=period,
        title="Họp Hội đồng Thi đua - Khen thưởng năm 2026",
        held_on=timezone.now(),
        place="Phòng họp số 1",
        chair=secretary,
    )
    members = sorted(
        (m.person for m in meeting.members.select_related("person")),
        key=lambda p: (p.pk != secretary.pk, p.pk),
    )
    assert len(members) == size, "the helper's council does not have the size asked for"
    nominated = list(nominees) + [None] * (len(awards) - len(nominees))
    dossiers = [
        dossier_in(State.REVIEWED, period, unit, award=code, nominee=nominee)
        for code, nominee in zip(awards, nominated, strict=True)
    ]
    council.set_agenda(
        meeting_id=meeting.pk, person=secretary, dossier_ids=[d.pk for d in dossiers]
    )
    items = list(meeting.agenda.order_by("position"))
    return Council(meeting, secretary, members, dossiers, items)


def cast(council_: Council, *, agree=0, disagree=0, abstain=0, voters=None) -> list[str]:
    """The first voters agree, the next disagree, the next abstain (on every item)."""
    voters = list(council_.members if voters is None else voters)
    picks = [AGREE] * agree + [DISAGREE] * disagree + [ABSTAIN] * abstain
    assert len(picks) <= len(voters)
    return [council_.vote(member, pick) for member, pick in zip(voters, picks)]  # noqa: B905


def ballot_rows(meeting: Meeting) -> dict[str, int]:
    """Everything a ballot leaves behind, counted."""
    return {
        "participations": Participation.objects.filter(meeting=meeting).count(),
        "sealed ballots": SealedBallot.objects.filter(meeting=meeting).count(),
        "ballot events": AuditEvent.objects.filter(action__startswith="ballot.").count(),
    }


def in_english(error) -> str:
    with translation.override("en"):
        return str(error.message)


def events(action: str):
    return AuditEvent.objects.filter(action=action).order_by("sequence")


# Thresholds at their edges: a share of the council's TOTAL membership


@pytest.mark.parametrize(
    ("award", "agree", "outcome"),
    [
        ("grassroots_emulation_fighter", 8, State.RECOMMENDED),
        ("grassroots_emulation_fighter", 7, State.NOT_RECOMMENDED),
        ("advanced_worker", 6, State.RECOMMENDED),
        ("advanced_worker", 5, State.NOT_RECOMMENDED),
        ("provincial_certificate_of_merit", 9, State.RECOMMENDED),
        ("provincial_certificate_of_merit", 8, State.NOT_RECOMMENDED),
    ],
    ids=[
        "cstdcs_8_of_10_reaches_80_percent",
        "cstdcs_7_of_10_falls_short_of_80_percent",
        "advanced_worker_6_of_10_is_more_than_half",
        "advanced_worker_5_of_10_is_only_half",
        "provincial_merit_9_of_10_reaches_90_percent",
        "provincial_merit_8_of_10_falls_short_of_90_percent",
    ],
)
def test_with_ten_members_the_awards_threshold_decides_at_its_edge(
    period, unit_a, secretary, award, agree, outcome
):
    c = convene(period, unit_a, secretary, size=10, awards=(award,))
    c.open()
    cast(c, agree=agree, disagree=10 - agree)

    c.close()

    c.refresh()
    assert c.dossiers[0].state == outcome
    item = c.items[0]
    assert (item.agree, item.disagree, item.abstain) == (agree, 10 - agree, 0)
    assert item.recommended is (outcome == State.RECOMMENDED)


# Minimum agree votes out of ten for every award the default catalogue installs.
MIN_AGREE_OF_TEN = {
    "advanced_worker": 6,  # more than 50%
    "advanced_collective": 6,  # more than 50%
    "certificate_of_merit": 6,  # more than 50%
    "grassroots_emulation_fighter": 8,  # at least 80%
    "excellent_collective": 9,  # at least 90%
    "provincial_certificate_of_merit": 9,  # at least 90%
    "provincial_emulation_fighter": 9,  # at least 90%
}


@pytest.mark.parametrize("short_by", [0, 1], ids=["at_the_edge", "one_vote_short"])
def test_every_award_of_the_default_catalogue_is_decided_by_its_own_rule(
    institution, period, unit_a, secretary, short_by
):
    codes = set(AwardType.objects.filter(institution=institution).values_list("code", flat=True))
    assert codes == set(MIN_AGREE_OF_TEN), "a default award has no edge case here"
    c = convene(period, unit_a, secretary, size=10, awards=tuple(MIN_AGREE_OF_TEN))
    c.open()
    for n, member in enumerate(c.members):
        c.vote(
            member,
            *(
                AGREE if n < MIN_AGREE_OF_TEN[code] - short_by else DISAGREE
                for code in MIN_AGREE_OF_TEN
            ),
        )

    c.close()

    c.refresh()
    expected = State.RECOMMENDED if short_by == 0 else State.NOT_RECOMMENDED
    assert {d.award_type.code: d.state for d in c.dossiers} == dict.fromkeys(
        MIN_AGREE_OF_TEN, expected
    )


def test_an_absent_member_counts_in_the_base_so_8_of_9_present_still_reach_80_percent(
    period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=10, awards=("grassroots_emulation_fighter",))
    c.attend(c.members[-1:], ABSENT)
    c.open()
    cast(c, agree=8, disagree=1, voters=c.members[:9])

    c.close()

    c.refresh()
    assert c.dossiers[0].state == State.RECOMMENDED
    assert (c.items[0].agree, c.items[0].disagree) == (8, 1)


def test_absent_members_count_against_the_80_percent_so_7_of_8_present_fall_short(
    period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=10, awards=("grassroots_emulation_fighter",))
    c.attend(c.members[-2:], ABSENT)
    c.open()
    cast(c, agree=7, disagree=1, voters=c.members[:8])  # 87.5% of those present

    c.close()

    c.refresh()
    assert c.dossiers[0].state == State.NOT_RECOMMENDED
    assert c.items[0].recommended is False


def test_abstentions_are_not_agreement(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=10, awards=("grassroots_emulation_fighter",))
    c.open()
    cast(c, agree=7, abstain=3)

    c.close()

    c.refresh()
    assert c.dossiers[0].state == State.NOT_RECOMMENDED
    assert (c.items[0].agree, c.items[0].disagree, c.items[0].abstain) == (7, 0, 3)


def test_written_opinions_of_absent_members_count_as_votes(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=10, awards=("grassroots_emulation_fighter",))
    writers = c.members[-2:]
    c.attend(writers, IN_WRITING)
    c.open()
    cast(c, agree=6, voters=c.members[:8])
    for member in writers:
        c.write_in(member, AGREE)

    c.close()

    c.refresh()
    assert c.dossiers[0].state == State.RECOMMENDED  # 6 in person + 2 in writing = 80%
    assert c.items[0].agree == 8
    channels = sorted(
        Participation.objects.filter(meeting=c.meeting).values_list("channel", flat=True)
    )
    assert channels == ["in_person"] * 6 + ["in_writing"] * 2


def test_a_written_opinion_is_recorded_for_an_absent_member_as_in_writing(
    period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=10)
    absentee = c.members[-1]
    c.attend([absentee], ABSENT)
    c.open()

    c.write_in(absentee, DISAGREE)

    assert c.meeting.members.get(person=absentee).attendance == IN_WRITING
    participation = Participation.objects.get(meeting=c.meeting)
    assert (participation.member, participation.channel) == (absentee, "in_writing")
    event = events("ballot.recorded_in_writing").get()
    assert (event.actor, event.role) == (secretary, Role.COUNCIL_SECRETARY)


def test_a_written_opinion_cannot_be_entered_for_a_member_marked_present(period, unit_a, secretary):
    """Written opinions are for absent members; a present member casts their own secret ballot.

    Otherwise the secretary could vote in the place of a present member who has not voted yet.
    """
    c = convene(period, unit_a, secretary, size=10)
    present_member = c.members[1]
    c.open()
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused):
        c.write_in(present_member, AGREE)

    assert ballot_rows(c.meeting) == before
    assert c.meeting.members.get(person=present_member).attendance == PRESENT


def test_closing_records_the_tally_and_the_rule_as_it_stood(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=10, awards=("grassroots_emulation_fighter",))
    c.open()
    cast(c, agree=8, disagree=1, abstain=1)

    c.close()

    AwardType.objects.filter(code="grassroots_emulation_fighter").update(
        vote_threshold_percent=Decimal(60)
    )
    item = AgendaItem.objects.get(pk=c.items[0].pk)
    assert (item.agree, item.disagree, item.abstain, item.recommended) == (8, 1, 1, True)
    assert (item.threshold_percent, item.threshold_comparison, item.threshold_base) == (
        Decimal(80),
        "at_least",
        "total_membership",
    )


def test_every_dossier_leaves_the_vote_through_the_one_service_with_its_outcome(
    period, unit_a, secretary
):
    c = convene(
        period,
        unit_a,
        secretary,
        size=10,
        awards=("advanced_worker", "grassroots_emulation_fighter"),
    )
    c.open()
    for n, member in enumerate(c.members):
        c.vote(member, AGREE, AGREE if n < 7 else DISAGREE)

    c.close()

    c.refresh()
    assert [d.state for d in c.dossiers] == [State.RECOMMENDED, State.NOT_RECOMMENDED]
    # created 1, submitted 2, reviewed 3 → voting 4 → outcome 5
    assert [d.version for d in c.dossiers] == [5, 5]
    closed = {e.object_id: e for e in events("dossier.vote_closed")}
    assert set(closed) == {str(d.pk) for d in c.dossiers}
    for dossier in c.dossiers:
        event = closed[str(dossier.pk)]
        assert (event.from_state, event.to_state) == (State.VOTING, dossier.state)
        assert (event.actor, event.role) == (secretary, Role.COUNCIL_SECRETARY)
        assert event.payload == {"recommended": dossier.state == State.RECOMMENDED}


def test_the_threshold_share_of_members_present_is_counted_against_those_present(
    institution, period, unit_a, secretary
):
    """An award configured on "the members present": 4 agree of 8 present is only half."""
    AwardType.objects.filter(institution=institution, code="advanced_worker").update(
        vote_threshold_base=AwardType.VoteBase.MEMBERS_PRESENT
    )
    c = convene(period, unit_a, secretary, size=10)
    c.attend(c.members[-2:], ABSENT)
    c.open()
    cast(c, agree=4, disagree=1, voters=c.members[:8])  # three present members cast no ballot

    c.close()

    c.refresh()
    assert c.items[0].threshold_base == "members_present"
    assert c.dossiers[0].state == State.NOT_RECOMMENDED


# Quorum (default: more than half of the members present)


def test_opening_without_a_quorum_is_refused_and_changes_nothing(period, unit_a, secretary):
    """The attendance is fixed when the vote opens, so a vote without a quorum never opens."""
    c = convene(period, unit_a, secretary, size=10)
    c.attend(c.members[5:], ABSENT)

    with pytest.raises(GuardFailed) as refused:
        c.open()

    [reason] = refused.value.reasons_en
    assert "Quorum not met" in reason
    assert "5 of 10 members present" in reason
    c.refresh()
    assert (c.meeting.state, c.meeting.opened_at) == (Meeting.State.PLANNED, None)
    assert c.dossiers[0].state == State.REVIEWED
    assert not events("meeting.vote_opened").exists()


def test_six_of_ten_present_is_a_quorum(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=10)
    c.attend(c.members[6:], ABSENT)
    c.open()
    cast(c, agree=6, voters=c.members[:6])

    c.close()

    c.refresh()
    assert c.meeting.state == Meeting.State.CLOSED
    assert c.dossiers[0].state == State.RECOMMENDED


def test_written_opinions_do_not_make_up_the_quorum(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=10)
    c.attend(c.members[5:], IN_WRITING)

    with pytest.raises(GuardFailed) as refused:
        c.open()

    assert "5 of 10 members present" in refused.value.reasons_en[0]
    c.refresh()
    assert c.meeting.state == Meeting.State.PLANNED


def test_a_refused_opening_can_be_retried_once_enough_members_are_recorded_present(
    period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=10)
    c.attend(c.members[5:], ABSENT)
    with pytest.raises(GuardFailed):
        c.open()

    c.attend(c.members[5:6], PRESENT)
    c.open()
    cast(c, agree=6, voters=c.members[:6])
    c.close()

    c.refresh()
    assert c.dossiers[0].state == State.RECOMMENDED
    assert events("meeting.vote_opened").count() == 1


# Creating, setting the agenda, opening


def test_a_new_meeting_is_planned_with_the_council_members_of_the_day(
    institution, period, unit_a, secretary
):
    members = [make_person(institution, unit_a, roles=[Role.COUNCIL_MEMBER]) for _ in range(3)]
    former = make_person(institution, unit_a)
    RoleAssignment.objects.create(
        institution=institution,
        person=former,
        role=Role.COUNCIL_MEMBER,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2021, 1, 1),
    )
    make_person(institution, unit_a, roles=[Role.REVIEWER])

    meeting = council.create_meeting(
        person=secretary,
        period=period,
        title="Họp xét danh hiệu",
        held_on=timezone.now(),
        place="Phòng họp số 1",
        chair=secretary,
    )

    assert meeting.state == Meeting.State.PLANNED
    assert set(meeting.members.values_list("person", flat=True)) == {
        secretary.pk,
        *(m.pk for m in members),
    }
    assert set(meeting.members.values_list("attendance", flat=True)) == {PRESENT}
    event = events("meeting.created").get()
    assert (event.actor, event.object_id, event.payload["members"]) == (
        secretary,
        str(meeting.pk),
        4,
    )


def test_someone_made_a_member_after_the_meeting_was_set_up_is_not_on_its_council(
    institution, period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=6)
    c.open()
    newcomer = make_person(institution, unit_a, roles=[Role.COUNCIL_MEMBER])

    with pytest.raises(BallotRefused) as refused:
        c.vote(newcomer, AGREE)

    assert in_english(refused.value) == (
        "This person is not a member of the council for this meeting."
    )
    assert ballot_rows(c.meeting)["participations"] == 0


def test_opening_moves_every_agenda_dossier_to_voting_through_the_one_service(
    period, unit_a, secretary
):
    c = convene(
        period,
        unit_a,
        secretary,
        size=5,
        awards=("advanced_worker", "grassroots_emulation_fighter"),
    )

    c.open()

    c.refresh()
    assert c.meeting.state == Meeting.State.OPEN
    assert c.meeting.opened_at is not None
    assert [d.state for d in c.dossiers] == [State.VOTING, State.VOTING]
    opened = list(events("dossier.vote_opened"))
    assert sorted(e.object_id for e in opened) == sorted(str(d.pk) for d in c.dossiers)
    assert {(e.from_state, e.to_state, e.actor_id) for e in opened} == {
        (State.REVIEWED, State.VOTING, secretary.pk)
    }
    meeting_event = events("meeting.vote_opened").get()
    assert (meeting_event.object_id, meeting_event.payload) == (
        str(c.pk),
        {"items": 2, "recusals": {}, "recusal_enforced": True},
    )


def test_a_meeting_with_an_empty_agenda_cannot_be_opened(period, secretary):
    meeting = council.create_meeting(
        person=secretary,
        period=period,
        title="Họp không có hồ sơ",
        held_on=timezone.now(),
        place="Phòng họp số 1",
        chair=secretary,
    )

    with pytest.raises(GuardFailed) as refused:
        council.open_meeting(meeting_id=meeting.pk, person=secretary)

    assert refused.value.reasons_en == ["The agenda is empty."]
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PLANNED
    assert not events("meeting.vote_opened").exists()


def test_a_meeting_cannot_be_opened_twice(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5)
    c.open()

    with pytest.raises(IllegalTransition):
        c.open()

    assert events("meeting.vote_opened").count() == 1
    assert events("dossier.vote_opened").count() == 1


def test_the_agenda_is_stored_in_the_order_given(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5)
    more = [dossier_in(State.REVIEWED, period, unit_a) for _ in range(2)]
    order = [more[1].pk, c.dossiers[0].pk, more[0].pk]

    council.set_agenda(meeting_id=c.pk, person=secretary, dossier_ids=order)

    agenda = list(c.meeting.agenda.order_by("position").values_list("dossier", "position"))
    assert agenda == [(order[0], 1), (order[1], 2), (order[2], 3)]
    assert events("meeting.agenda_set").last().payload == {"dossiers": order}


@pytest.mark.parametrize(
    "stranger",
    ["submitted", "voting", "other_period", "other_institution", "missing"],
)
def test_the_agenda_takes_only_reviewed_dossiers_of_the_meetings_period(
    institution, other_institution, period, unit_a, secretary, stranger
):
    c = convene(period, unit_a, secretary, size=5)
    agenda_before = list(c.meeting.agenda.values_list("dossier", "position"))
    if stranger == "submitted":
        odd = dossier_in(State.SUBMITTED, period, unit_a).pk
    elif stranger == "voting":
        odd = dossier_in(State.VOTING, period, unit_a).pk
    elif stranger == "other_period":
        earlier = Period.objects.create(
            institution=institution,
            name="Năm 2025",
            kind=Period.Kind.CALENDAR_YEAR,
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2025, 12, 31),
        )
        odd = dossier_in(State.REVIEWED, earlier, unit_a).pk
    elif stranger == "other_institution":
        their_period = Period.objects.create(
            institution=other_institution,
            name="Năm 2026",
            kind=Period.Kind.CALENDAR_YEAR,
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
        )
        their_unit = make_unit(other_institution, "khoa-k", "Khoa K")
        odd = dossier_in(State.REVIEWED, their_period, their_unit).pk
    else:
        odd = 999_999
    fresh = dossier_in(State.REVIEWED, period, unit_a)
    events_before = AuditEvent.objects.count()

    with pytest.raises(GuardFailed) as refused:
        council.set_agenda(meeting_id=c.pk, person=secretary, dossier_ids=[fresh.pk, odd])

    expected = [f"Dossier {odd} is not a reviewed dossier of this period."]
    if stranger == "voting":  # its vote is open at the meeting that opened it
        expected.append(f"Dossier {odd} is already on the agenda of another meeting.")
    assert refused.value.reasons_en == expected
    assert list(c.meeting.agenda.values_list("dossier", "position")) == agenda_before
    assert AuditEvent.objects.count() == events_before


def test_an_empty_agenda_is_refused(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5)

    with pytest.raises(GuardFailed) as refused:
        council.set_agenda(meeting_id=c.pk, person=secretary, dossier_ids=[])

    assert refused.value.reasons_en == ["Choose at least one dossier."]
    assert c.meeting.agenda.count() == 1


def test_the_agenda_cannot_change_once_the_vote_is_open(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5)
    c.open()
    other = dossier_in(State.REVIEWED, period, unit_a)

    with pytest.raises(IllegalTransition):
        council.set_agenda(meeting_id=c.pk, person=secretary, dossier_ids=[other.pk])

    assert list(c.meeting.agenda.values_list("dossier", flat=True)) == [c.dossiers[0].pk]


@pytest.mark.parametrize("who", ["reviewer", "principal", "council_member", "auditor"])
def test_only_the_council_secretary_may_create_a_meeting(period, request, who):
    person = request.getfixturevalue(who)
    events_before = AuditEvent.objects.count()

    with pytest.raises(NotPermitted):
        council.create_meeting(
            person=person,
            period=period,
            title="Họp trái phép",
            held_on=timezone.now(),
            place="Phòng họp số 1",
            chair=person,
        )

    assert not Meeting.objects.exists()
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("who", ["reviewer", "principal", "council_member"])
def test_only_the_council_secretary_may_set_the_agenda(period, unit_a, secretary, request, who):
    c = convene(period, unit_a, secretary, size=5)
    other = dossier_in(State.REVIEWED, period, unit_a)
    person = request.getfixturevalue(who)

    with pytest.raises(NotPermitted):
        council.set_agenda(meeting_id=c.pk, person=person, dossier_ids=[other.pk])

    assert list(c.meeting.agenda.values_list("dossier", flat=True)) == [c.dossiers[0].pk]


@pytest.mark.parametrize("who", ["reviewer", "principal", "council_member"])
def test_only_the_council_secretary_may_open_the_vote(period, unit_a, secretary, request, who):
    c = convene(period, unit_a, secretary, size=5)
    person = request.getfixturevalue(who)

    with pytest.raises(NotPermitted):
        council.open_meeting(meeting_id=c.pk, person=person)

    c.refresh()
    assert (c.meeting.state, c.dossiers[0].state) == (Meeting.State.PLANNED, State.REVIEWED)
    assert not events("meeting.vote_opened").exists()


@pytest.mark.parametrize("who", ["reviewer", "principal", "council_member"])
def test_only_the_council_secretary_may_close_the_vote(period, unit_a, secretary, request, who):
    c = convene(period, unit_a, secretary, size=5)
    c.open()
    cast(c, agree=5)
    person = request.getfixturevalue(who)

    with pytest.raises(NotPermitted):
        council.close_meeting(meeting_id=c.pk, person=person)

    c.refresh()
    assert (c.meeting.state, c.dossiers[0].state) == (Meeting.State.OPEN, State.VOTING)
    assert not events("meeting.vote_closed").exists()


def test_only_the_council_secretary_may_record_attendance(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5)
    member = c.members[1]

    with pytest.raises(NotPermitted):
        council.record_attendance(meeting_id=c.pk, person=member, attendance={member.pk: ABSENT})

    assert c.meeting.members.get(person=member).attendance == PRESENT


def test_a_member_cannot_enter_a_written_opinion_for_another_member(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5)
    c.attend(c.members[-1:], IN_WRITING)
    c.open()

    with pytest.raises(NotPermitted):
        council.record_written_ballot(
            meeting_id=c.pk,
            person=c.members[1],
            member_id=c.members[-1].pk,
            choices=c.choices(AGREE),
            opinion=upload("y-kien-bang-van-ban.pdf"),
        )

    assert ballot_rows(c.meeting) == dict.fromkeys(
        ("participations", "sealed ballots", "ballot events"), 0
    )


def test_a_secretary_of_another_institution_does_not_find_the_meeting_and_changes_nothing(
    other_institution, period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=5)
    their_unit = make_unit(other_institution, "khoa-k", "Khoa K")
    outsider = make_person(
        other_institution, their_unit, roles=[Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER]
    )
    events = AuditEvent.objects.count()

    with pytest.raises(MeetingNotFound) as refusal:
        council.open_meeting(meeting_id=c.pk, person=outsider)

    assert refusal.value.http_status == 404
    c.refresh()
    assert c.meeting.state == Meeting.State.PLANNED
    assert AuditEvent.objects.count() == events


# Ballots that are refused leave nothing behind


@pytest.fixture
def open_council(period, unit_a, secretary) -> Council:
    """Ten members, two dossiers on the agenda, the vote open and the secretary's ballot in."""
    c = convene(
        period,
        unit_a,
        secretary,
        size=10,
        awards=("advanced_worker", "grassroots_emulation_fighter"),
    )
    c.open()
    c.vote(secretary, AGREE, AGREE)
    return c


def test_a_member_cannot_vote_twice(open_council):
    c = open_council
    member = c.members[1]
    c.vote(member, AGREE, DISAGREE)
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused) as refused:
        c.vote(member, DISAGREE, AGREE)

    assert in_english(refused.value) == "A ballot from this member has already been counted."
    assert ballot_rows(c.meeting) == before
    assert events("ballot.cast").filter(actor=member).count() == 1


def test_a_written_opinion_cannot_be_added_for_a_member_who_has_voted(open_council):
    c = open_council
    member = c.members[1]
    c.vote(member, AGREE, AGREE)
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused) as refused:
        c.write_in(member, DISAGREE, DISAGREE)

    assert in_english(refused.value) == "A ballot from this member has already been counted."
    assert ballot_rows(c.meeting) == before


def test_a_member_cannot_vote_before_the_vote_is_opened(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5)
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused) as refused:
        c.vote(c.members[1], AGREE)

    assert in_english(refused.value) == "Voting has not been opened yet."
    assert ballot_rows(c.meeting) == before


def test_a_member_cannot_vote_after_the_vote_is_closed(open_council):
    c = open_council
    cast(c, agree=8, voters=c.members[1:9])
    c.close()
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused) as refused:
        c.vote(c.members[9], AGREE, AGREE)

    assert in_english(refused.value) == "Voting is closed."
    assert ballot_rows(c.meeting) == before
    c.refresh()
    assert (c.items[0].agree, c.items[1].agree) == (9, 9)


def test_a_written_opinion_cannot_be_entered_after_the_vote_is_closed(period, unit_a, secretary):
    c = convene(
        period, unit_a, secretary, size=10, awards=("advanced_worker", "certificate_of_merit")
    )
    c.attend(c.members[-1:], IN_WRITING)
    c.open()
    cast(c, agree=9, voters=c.members[:9])
    c.close()
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused) as refused:
        c.write_in(c.members[-1], AGREE, AGREE)

    assert in_english(refused.value) == "Voting is closed."
    assert ballot_rows(c.meeting) == before


def test_someone_not_on_the_council_cannot_vote(open_council, reviewer):
    c = open_council
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused) as refused:
        c.vote(reviewer, AGREE, AGREE)

    assert in_english(refused.value) == (
        "This person is not a member of the council for this meeting."
    )
    assert ballot_rows(c.meeting) == before


def test_a_written_opinion_cannot_be_entered_for_someone_not_on_the_council(open_council, reviewer):
    c = open_council
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused):
        c.write_in(reviewer, AGREE, AGREE)

    assert ballot_rows(c.meeting) == before
    assert not MeetingMember.objects.filter(person=reviewer).exists()


def test_a_ballot_must_give_a_choice_for_every_agenda_item(open_council):
    c = open_council
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused) as refused:
        council.cast_ballot(meeting_id=c.pk, person=c.members[1], choices={c.items[0].pk: AGREE})

    assert in_english(refused.value) == "Give one choice for every item on the agenda."
    assert ballot_rows(c.meeting) == before


def test_a_ballot_cannot_vote_on_an_item_that_is_not_on_the_agenda(
    open_council, period, unit_a, secretary
):
    c = open_council
    elsewhere = council.create_meeting(
        person=secretary,
        period=period,
        title="Phiên họp khác",
        held_on=timezone.now(),
        place="Phòng họp số 2",
        chair=secretary,
    )
    [foreign_item] = council.set_agenda(
        meeting_id=elsewhere.pk,
        person=secretary,
        dossier_ids=[dossier_in(State.REVIEWED, period, unit_a).pk],
    )
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused) as refused:
        council.cast_ballot(
            meeting_id=c.pk,
            person=c.members[1],
            choices={**c.choices(AGREE, AGREE), foreign_item.pk: AGREE},
        )

    assert in_english(refused.value) == "Give one choice for every item on the agenda."
    assert ballot_rows(c.meeting) == before


def test_a_ballot_with_an_unknown_choice_is_refused(open_council):
    c = open_council
    before = ballot_rows(c.meeting)

    with pytest.raises(BallotRefused) as refused:
        council.cast_ballot(meeting_id=c.pk, person=c.members[1], choices=c.choices(AGREE, "yes"))

    assert in_english(refused.value) == "Give one choice for every item on the agenda."
    assert ballot_rows(c.meeting) == before


def test_a_refused_ballot_does_not_use_up_the_members_vote(open_council):
    c = open_council
    member = c.members[1]
    with pytest.raises(BallotRefused):
        council.cast_ballot(meeting_id=c.pk, person=member, choices={c.items[0].pk: AGREE})

    receipt = c.vote(member, DISAGREE, DISAGREE)
    cast(c, agree=4, voters=c.members[2:6])
    c.close()

    assert PublishedReceipt.objects.filter(meeting=c.meeting, receipt=receipt).exists()
    assert ballot_rows(c.meeting)["participations"] == 6


# After closing nothing can be cast or changed


def test_attendance_cannot_change_after_the_vote_is_closed(open_council):
    c = open_council
    cast(c, agree=8, voters=c.members[1:9])
    c.close()
    events_before = AuditEvent.objects.count()

    with pytest.raises(IllegalTransition):
        c.attend(c.members[1:2], ABSENT)

    assert c.meeting.members.get(person=c.members[1]).attendance == PRESENT
    assert AuditEvent.objects.count() == events_before


def test_the_agenda_cannot_change_after_the_vote_is_closed(open_council, period, unit_a):
    c = open_council
    cast(c, agree=8, voters=c.members[1:9])
    c.close()
    other = dossier_in(State.REVIEWED, period, unit_a)

    with pytest.raises(IllegalTransition):
        council.set_agenda(meeting_id=c.pk, person=c.secretary, dossier_ids=[other.pk])

    assert list(c.meeting.agenda.order_by("position").values_list("dossier", flat=True)) == [
        d.pk for d in c.dossiers
    ]


def test_a_closed_vote_cannot_be_closed_again(open_council):
    c = open_council
    cast(c, agree=8, voters=c.members[1:9])
    c.close()

    with pytest.raises(IllegalTransition):
        c.close()

    assert events("meeting.vote_closed").count() == 1
    assert events("dossier.vote_closed").count() == 2


# The audit trail of a vote


def test_each_ballot_is_audited_as_cast_by_its_member_without_what_was_chosen(open_council):
    c = open_council
    for member, picks in zip(
        c.members[1:4], [(AGREE, DISAGREE), (ABSTAIN, AGREE), (DISAGREE, DISAGREE)], strict=True
    ):
        c.vote(member, *picks)

    cast_events = list(events("ballot.cast"))

    assert [e.actor for e in cast_events] == c.members[:4]
    for event in cast_events:
        assert (event.role, event.object_type, event.object_id) == (
            Role.COUNCIL_MEMBER,
            "meeting",
            str(c.pk),
        )
        assert event.payload == {"channel": "in_person"}
        assert event.reason == ""
        assert event.actor_name == event.actor.full_name


def test_closing_is_audited_with_the_tallies_and_the_chain_stays_intact(open_council):
    c = open_council
    cast(c, agree=7, disagree=1, abstain=1, voters=c.members[1:])

    c.close()

    event = events("meeting.vote_closed").get()
    assert (event.actor, event.role, event.object_id) == (
        c.secretary,
        Role.COUNCIL_SECRETARY,
        str(c.pk),
    )
    assert (event.payload["members"], event.payload["present"], event.payload["ballots"]) == (
        10,
        10,
        10,
    )
    results = {r["dossier"]: r for r in event.payload["results"]}
    advanced, fighter = c.dossiers
    assert (results[advanced.pk]["agree"], results[advanced.pk]["recommended"]) == (8, True)
    assert (results[fighter.pk]["agree"], results[fighter.pk]["recommended"]) == (8, True)
    assert (results[fighter.pk]["disagree"], results[fighter.pk]["abstain"]) == (1, 1)
    assert results[fighter.pk]["threshold"] == "at_least 80.00 total_membership"
    assert log.verify_institution(c.meeting.institution).intact


def test_a_whole_meeting_leaves_an_intact_chain_in_the_order_things_happened(
    period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=6)
    c.attend(c.members[-1:], IN_WRITING)
    c.open()
    cast(c, agree=5, voters=c.members[:5])
    c.write_in(c.members[-1], DISAGREE)
    c.close()

    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))

    meeting_actions = [a for a in actions if a.startswith(("meeting.", "ballot.", "dossier.vote"))]
    assert meeting_actions == [
        "meeting.created",
        "meeting.agenda_set",
        "meeting.attendance_recorded",
        "dossier.vote_opened",
        "meeting.vote_opened",
        *["ballot.cast"] * 5,
        "ballot.recorded_in_writing",
        "dossier.vote_closed",
        "meeting.vote_closed",
    ]
    assert log.verify_institution(c.meeting.institution).intact


def test_a_meeting_event_records_states_only_when_the_meeting_changes_state(
    period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=6)
    c.attend(c.members[-1:], IN_WRITING)
    c.open()
    cast(c, agree=5, voters=c.members[:5])
    c.write_in(c.members[-1], DISAGREE)
    c.close()

    meeting_events = AuditEvent.objects.filter(object_type="meeting").order_by("sequence")
    states = {}
    for action, from_state, to_state in meeting_events.values_list(
        "action", "from_state", "to_state"
    ):
        states.setdefault(action, set()).add((from_state, to_state))
    assert states == {
        "meeting.created": {("", "")},
        "meeting.agenda_set": {("", "")},
        "meeting.attendance_recorded": {("", "")},
        "meeting.vote_opened": {(Meeting.State.PLANNED, Meeting.State.OPEN)},
        "ballot.cast": {("", "")},
        "ballot.recorded_in_writing": {("", "")},
        "meeting.vote_closed": {(Meeting.State.OPEN, Meeting.State.CLOSED)},
    }


# Receipts


def test_the_receipt_is_published_once_when_the_vote_closes_without_what_was_chosen(
    open_council,
):
    c = open_council
    member = c.members[1]

    receipt = c.vote(member, DISAGREE, ABSTAIN)
    cast(c, agree=5, voters=c.members[2:7])
    c.close()

    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", receipt)
    published = list(
        PublishedReceipt.objects.filter(meeting=c.meeting).values_list("receipt", flat=True)
    )
    assert published.count(receipt) == 1
    assert {f.name for f in PublishedReceipt._meta.concrete_fields} == {"id", "meeting", "receipt"}


def test_every_ballot_gets_its_own_receipt(open_council):
    c = open_council
    receipts = cast(c, agree=9, voters=c.members[1:])
    c.close()

    published = list(
        PublishedReceipt.objects.filter(meeting=c.meeting).values_list("receipt", flat=True)
    )
    assert len(set(receipts)) == 9
    assert set(receipts) < set(published)
    assert len(published) == len(set(published)) == 10


def test_the_published_receipts_are_in_code_order(open_council):
    c = open_council
    cast(c, agree=9, voters=c.members[1:])
    c.close()

    published = list(
        PublishedReceipt.objects.filter(meeting=c.meeting)
        .order_by()
        .values_list("receipt", flat=True)
    )
    assert published == sorted(published)


def test_the_chair_must_be_a_member_of_the_council(period, unit_a, secretary, reviewer):
    with pytest.raises(GuardFailed) as refused:
        council.create_meeting(
            person=secretary, period=period, title="Họp", held_on=timezone.now(),
            place="Phòng họp số 1", chair=reviewer,
        )  # fmt: skip
    assert refused.value.reasons_en == ["The chair must be a member of the council."]
    assert not Meeting.objects.exists()


def test_a_dossier_on_a_pending_agenda_cannot_be_put_on_another(period, unit_a, secretary):
    first = convene(period, unit_a, secretary)
    second = council.create_meeting(
        person=secretary, period=period, title="Họp lần 2", held_on=timezone.now(),
        place="Phòng họp số 2", chair=secretary,
    )  # fmt: skip
    with pytest.raises(GuardFailed) as refused:
        council.set_agenda(
            meeting_id=second.pk, person=secretary, dossier_ids=[first.dossiers[0].pk]
        )
    assert refused.value.reasons_en == [
        f"Dossier {first.dossiers[0].pk} is already on the agenda of another meeting."
    ]
    assert not second.agenda.exists()


# Recusal: a member casts no ballot on an item that concerns them


def council_member(period, unit, **fields) -> Person:
    return make_person(period.institution, unit, roles=[Role.COUNCIL_MEMBER], **fields)


@pytest.fixture
def nominee_on_council(period, unit_a, secretary) -> Council:
    """Ten members; item 1 nominates one of them (advanced worker), item 2 someone else."""
    nominee = council_member(period, unit_a, full_name="Lê Văn Tự")
    c = convene(
        period, unit_a, secretary, size=10,
        awards=("advanced_worker", "certificate_of_merit"), nominees=(nominee,),
    )  # fmt: skip
    c.nominee = nominee
    return c


def test_the_nominee_cannot_vote_on_their_own_dossier(nominee_on_council):
    """Regression: the principal, a council member, voted on his own dossier."""
    c = nominee_on_council
    c.open()

    with pytest.raises(BallotRefused) as refused:
        c.vote(c.nominee, AGREE, AGREE)

    assert "recusal" in in_english(refused.value)
    assert ballot_rows(c.meeting) == {"participations": 0, "sealed ballots": 0, "ballot events": 0}


def test_the_nominee_votes_on_the_other_items_and_the_tally_records_the_recusal(
    nominee_on_council,
):
    c = nominee_on_council
    c.open()
    first, second = c.items

    council.cast_ballot(meeting_id=c.pk, person=c.nominee, choices={second.pk: DISAGREE})
    for member in c.members:
        if member != c.nominee:
            c.vote(member, AGREE, AGREE)
    c.close()

    c.refresh()
    assert (first.agree, first.disagree, first.abstain, first.recused) == (9, 0, 0, 1)
    assert (second.agree, second.disagree, second.abstain, second.recused) == (9, 1, 0, 0)
    assert list(first.recusals.values_list("person", "ground")) == [(c.nominee.pk, "nominee")]
    [result] = [r for r in events("meeting.vote_closed").get().payload["results"]
                if r["dossier"] == first.dossier_id]  # fmt: skip
    assert result["recused"] == [c.nominee.pk]


def test_the_head_of_a_nominated_collective_is_recused(period, unit_a, unit_b, secretary):
    head = factories.Cast(period.institution).head_of(unit_b)
    RoleAssignment.objects.create(
        institution=period.institution, person=head, role=Role.COUNCIL_MEMBER,
        valid_from=datetime.date(2020, 1, 1),
    )  # fmt: skip
    c = convene(
        period, unit_b, secretary, size=10, awards=("advanced_collective",), nominees=(unit_b,)
    )

    c.open()

    assert recusal.recorded(c.meeting) == {c.items[0].pk: {head.pk}}
    with pytest.raises(BallotRefused):
        c.vote(head, AGREE)


def unit_headship_lent_to_a_member(period, unit_b, secretary, *, days: tuple[int, int]):
    """A council voting on unit_b as a collective, whose head lent the unit-head role to a
    member from today + days[0] to today + days[1]; the council and that member."""
    head = factories.Cast(period.institution).head_of(unit_b)
    c = convene(
        period, unit_b, secretary, size=10, awards=("advanced_collective",), nominees=(unit_b,)
    )
    deputy = next(m for m in c.members if m != secretary)
    today = timezone.localdate()
    Delegation.objects.create(
        institution=period.institution, delegator=head, delegate=deputy, role=Role.UNIT_HEAD,
        starts_on=today + datetime.timedelta(days=days[0]),
        ends_on=today + datetime.timedelta(days=days[1]), reason="Trưởng khoa đi công tác",
    )  # fmt: skip
    return c, deputy


def test_a_member_acting_as_head_of_the_nominated_collective_by_delegation_is_recused(
    period, unit_a, unit_b, secretary
):
    c, deputy = unit_headship_lent_to_a_member(period, unit_b, secretary, days=(-1, 7))

    c.open()

    assert recusal.recorded(c.meeting) == {c.items[0].pk: {deputy.pk}}
    with pytest.raises(BallotRefused):
        c.vote(deputy, AGREE)


def test_a_delegation_that_ended_before_the_meeting_recuses_nobody(
    period, unit_a, unit_b, secretary
):
    c, _deputy = unit_headship_lent_to_a_member(period, unit_b, secretary, days=(-9, -1))

    c.open()

    assert recusal.recorded(c.meeting) == {}


@pytest.mark.parametrize(
    ("agree", "outcome"),
    [(8, State.RECOMMENDED), (7, State.NOT_RECOMMENDED)],
    ids=["8_of_9_voting_is_80_percent_of_10", "7_of_9_voting_is_70_percent_of_10"],
)
def test_a_recused_member_still_counts_in_the_total_membership_base(
    period, unit_a, secretary, agree, outcome
):
    nominee = council_member(period, unit_a)
    c = convene(
        period, unit_a, secretary, size=10, awards=("grassroots_emulation_fighter",),
        nominees=(nominee,),
    )  # fmt: skip
    c.open()
    voters = [m for m in c.members if m != nominee]
    cast(c, agree=agree, disagree=9 - agree, voters=voters)
    council.cast_ballot(meeting_id=c.pk, person=nominee, choices={})

    c.close()

    c.refresh()
    assert c.dossiers[0].state == outcome
    assert (c.items[0].agree, c.items[0].recused, c.items[0].threshold_base) == (
        agree, 1, "total_membership",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("agree", "outcome"),
    [(7, State.RECOMMENDED), (6, State.NOT_RECOMMENDED)],
    ids=["7_of_9_taking_part_reach_75_percent", "6_of_9_taking_part_fall_short"],
)
def test_a_base_of_members_taking_part_leaves_the_recused_member_out(
    institution, period, unit_a, secretary, agree, outcome
):
    """An award configured on "the members present": the recused member gives no opinion on
    the item, so 7 agree of the 9 others reach 75% (of 10 they would not)."""
    AwardType.objects.filter(institution=institution, code="advanced_worker").update(
        vote_threshold_base=AwardType.VoteBase.MEMBERS_PRESENT,
        vote_threshold_percent=Decimal("75"),
        vote_threshold_comparison=AwardType.Comparison.AT_LEAST,
    )
    nominee = council_member(period, unit_a)
    c = convene(period, unit_a, secretary, size=10, nominees=(nominee,))
    c.open()
    cast(c, agree=agree, disagree=9 - agree, voters=[m for m in c.members if m != nominee])

    c.close()

    c.refresh()
    assert c.dossiers[0].state == outcome


def test_recusals_are_computed_in_as_many_queries_for_three_items_as_for_one(
    period, unit_a, secretary
):
    nominees = [council_member(period, unit_a) for _ in range(4)]
    one = convene(period, unit_a, secretary, size=10, nominees=nominees[:1])
    three = convene(
        period, unit_a, secretary, size=10,
        awards=("advanced_worker", "certificate_of_merit", "advanced_worker"),
        nominees=tuple(nominees[1:]),
    )  # fmt: skip

    counted = []
    for c in (one, three):
        with CaptureQueriesContext(connection) as queries:
            found = recusal.recusals(c.meeting)
        counted.append(len(queries))

    assert counted[0] == counted[1] <= 3
    assert found == {item.pk: {n.pk: "nominee"} for item, n in zip(three.items, nominees[1:])}  # noqa: B905


# Attendance is fixed when the vote opens; written opinions only for those absent then


def test_the_attendance_cannot_change_once_the_vote_is_open(open_council):
    """Regression: the secretary marked a member "in writing" during the vote and cast a
    written ballot in their name; the member could no longer vote."""
    c = open_council
    member = c.members[3]

    with pytest.raises(IllegalTransition) as refused:
        c.attend([member], IN_WRITING)
    with pytest.raises(BallotRefused):
        c.write_in(member, AGREE, AGREE)

    assert in_english(refused.value) == "The attendance is fixed once the vote opens."
    assert c.meeting.members.get(person=member).attendance == PRESENT
    c.vote(member, DISAGREE, DISAGREE)  # the member still casts their own ballot
    assert Participation.objects.get(meeting=c.meeting, member=member).channel == "in_person"


def test_a_written_opinion_needs_the_scan_of_the_signed_opinion(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=10)
    c.attend(c.members[-1:], IN_WRITING)
    c.open()

    with pytest.raises(InvalidInput):
        council.record_written_ballot(
            meeting_id=c.pk, person=secretary, member_id=c.members[-1].pk,
            choices=c.choices(AGREE), opinion=None,
        )  # fmt: skip
    with pytest.raises(InvalidInput):
        council.record_written_ballot(
            meeting_id=c.pk, person=secretary, member_id=c.members[-1].pk,
            choices=c.choices(AGREE), opinion=upload("y-kien.pdf", b"GIF89a not a pdf"),
        )  # fmt: skip

    assert ballot_rows(c.meeting) == {"participations": 0, "sealed ballots": 0, "ballot events": 0}
    assert not WrittenOpinion.objects.exists()


def test_a_refused_written_opinion_leaves_no_file_behind(
    period, unit_a, secretary, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"  # ids repeat between tests: a folder of its own
    c = convene(period, unit_a, secretary, size=10)
    c.attend(c.members[-1:], IN_WRITING)
    c.open()

    with pytest.raises(BallotRefused):
        council.record_written_ballot(
            meeting_id=c.pk, person=secretary, member_id=c.members[-1].pk,
            choices={}, opinion=upload("y-kien.pdf"),
        )  # fmt: skip

    stored = settings.MEDIA_ROOT / "written_opinions" / str(c.pk)
    assert not stored.exists() or not list(stored.iterdir())


def test_the_member_is_told_by_mail_that_a_written_opinion_was_entered_in_their_name(
    period, unit_a, secretary, mailoutbox, django_capture_on_commit_callbacks
):
    c = convene(period, unit_a, secretary, size=10)
    writer = c.members[-1]
    writer.email = "writer@example.edu.vn"
    writer.save()
    c.attend([writer], IN_WRITING)
    c.open()
    earlier_mail_delivered()  # the vote-opened mail

    with django_capture_on_commit_callbacks(execute=True):
        c.write_in(writer, AGREE)

    [mail] = mailoutbox
    assert mail.to == ["writer@example.edu.vn"]
    assert secretary.full_name in mail.body
    opinion = WrittenOpinion.objects.get(meeting=c.meeting, member=writer)
    assert opinion.recorded_by == secretary and opinion.sha256


def test_where_recusal_only_warns_the_nominee_votes_and_the_trail_says_so(
    institution, nominee_on_council
):
    from workflow import separation

    separation.save_rule(institution=institution, rule=separation.COUNCIL_RECUSAL, mode="warn",
                         basis="", actor=log.SYSTEM)  # fmt: skip
    c = nominee_on_council
    c.open()

    c.vote(c.nominee, AGREE, AGREE)

    assert ballot_rows(c.meeting)["participations"] == 1
    warning = events("separation.warning_recorded").get()
    assert warning.payload["rule"] == separation.COUNCIL_RECUSAL
    assert warning.object_type == "meeting" and warning.object_id == str(c.pk)
    assert c.nominee.full_name in warning.reason
