"""Ballots racing on PostgreSQL: one ballot per member, none lost, none after closing.

Each thread has its own database connection; a barrier releases the threads together so they
really contend for the meeting row.
"""

from __future__ import annotations

from collections import Counter

import pytest

from audit import log
from audit.models import AuditEvent
from council import services as council
from council.models import Meeting, Participation, PublishedReceipt, SealedBallot
from council.services import BallotRefused
from dossiers.models import Person
from tests.conftest import run_together
from tests.factories import upload
from tests.test_council_vote import AGREE, DISAGREE, IN_WRITING, ballot_rows, convene, in_english
from workflow.errors import DomainError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def errors(results: list[object]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]


def test_a_member_submitting_twice_at_the_same_moment_is_counted_once(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5)
    c.open()
    member_id = c.members[1].pk
    choices = c.choices(AGREE)

    def submit(_index: int) -> str:
        member = Person.objects.get(pk=member_id)
        return council.cast_ballot(meeting_id=c.pk, person=member, choices=choices)

    results = run_together(2, submit)

    receipts = [r for r in results if isinstance(r, str)]
    refused = errors(results)
    assert len(receipts) == 1
    assert [type(e) for e in refused] == [BallotRefused], refused
    assert in_english(refused[0]) == "A ballot from this member has already been counted."
    assert ballot_rows(c.meeting) == {
        "participations": 1,
        "sealed ballots": 1,
        "ballot events": 1,
    }
    assert AuditEvent.objects.get(action="ballot.cast").actor_id == member_id
    assert log.verify_institution(c.meeting.institution).intact


def test_a_member_voting_while_the_secretary_enters_their_written_opinion_is_counted_once(
    period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=5)
    writer = c.members[1]
    c.attend([writer], IN_WRITING)
    c.open()
    choices = c.choices(DISAGREE)

    def submit(index: int) -> str:
        if index == 0:
            member = Person.objects.get(pk=writer.pk)
            return council.cast_ballot(meeting_id=c.pk, person=member, choices=choices)
        clerk = Person.objects.get(pk=secretary.pk)
        return council.record_written_ballot(
            meeting_id=c.pk, person=clerk, member_id=writer.pk, choices=choices,
            opinion=upload("y-kien.pdf"),
        )  # fmt: skip

    results = run_together(2, submit)

    assert sum(isinstance(r, str) for r in results) == 1
    assert [type(e) for e in errors(results)] == [BallotRefused]
    assert Participation.objects.filter(meeting=c.meeting, member=writer).count() == 1
    assert SealedBallot.objects.filter(meeting=c.meeting).count() == 1
    assert log.verify_institution(c.meeting.institution).intact


def test_eight_members_voting_at_the_same_moment_are_all_counted(period, unit_a, secretary):
    c = convene(
        period, unit_a, secretary, size=8, awards=("advanced_worker", "certificate_of_merit")
    )
    c.open()
    member_ids = [m.pk for m in c.members]
    picks = [(AGREE, DISAGREE) if n % 2 else (DISAGREE, AGREE) for n in range(8)]

    def vote(index: int) -> str:
        member = Person.objects.get(pk=member_ids[index])
        return council.cast_ballot(meeting_id=c.pk, person=member, choices=c.choices(*picks[index]))

    results = run_together(8, vote)

    assert errors(results) == []
    receipts = set(results)
    assert len(receipts) == 8
    assert ballot_rows(c.meeting) == {
        "participations": 8,
        "sealed ballots": 8,
        "ballot events": 8,
    }
    c.close()
    c.refresh()
    assert [(i.agree, i.disagree) for i in c.items] == [(4, 4), (4, 4)]
    assert set(
        PublishedReceipt.objects.filter(meeting=c.meeting).values_list("receipt", flat=True)
    ) == set(receipts)
    assert Counter(
        AuditEvent.objects.filter(action="ballot.cast").values_list("actor_id", flat=True)
    ) == Counter(member_ids)
    assert log.verify_institution(c.meeting.institution).intact


def test_a_ballot_racing_the_close_is_either_counted_or_refused_as_late(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5)
    c.open()
    for member in c.members[:4]:
        c.vote(member, AGREE)
    last_id = c.members[4].pk
    choices = c.choices(AGREE)

    def act(index: int) -> object:
        if index == 0:
            return council.close_meeting(
                meeting_id=c.pk, person=Person.objects.get(pk=secretary.pk)
            )
        return council.cast_ballot(
            meeting_id=c.pk, person=Person.objects.get(pk=last_id), choices=choices
        )

    closed, cast = run_together(2, act)

    assert isinstance(closed, Meeting), closed
    assert isinstance(cast, str | DomainError), cast
    if isinstance(cast, DomainError):
        assert isinstance(cast, BallotRefused)
        assert in_english(cast) == "Voting is closed."
    counted = SealedBallot.objects.filter(meeting=c.meeting).count()
    assert counted == (5 if isinstance(cast, str) else 4)
    item = c.meeting.agenda.get()
    assert item.agree == counted  # no ballot landed after the tally
    assert log.verify_institution(c.meeting.institution).intact
