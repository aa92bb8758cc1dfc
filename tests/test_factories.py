"""`dossier_in` reaches every state the way people do: through the door, with its trail."""

from __future__ import annotations

import itertools

import pytest

from audit.models import AuditEvent
from council.models import Meeting
from dossiers.eligibility import eligibility_problems
from dossiers.models import AwardType, Person, State
from tests.conftest import make_dossier
from tests.factories import Cast, dossier_in, dossiers_in
from workflow import consistency

PRINCIPAL_DECIDED = [s for s in State if s not in (State.PUBLIC_NOTICE, State.SUBMITTED_UPWARD)]


def trail_of(dossier) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="dossier", object_id=str(dossier.pk)).order_by(
            "sequence"
        )
    )


@pytest.mark.parametrize("state", PRINCIPAL_DECIDED)
def test_dossier_in_reaches_the_state_with_the_trail_that_leads_there(state, period, unit_a):
    dossier = dossier_in(state, period, unit_a)

    events = [e for e in trail_of(dossier) if e.to_state]
    assert dossier.state == state
    assert events[-1].to_state == state
    assert all(a.to_state == b.from_state for a, b in itertools.pairwise(events))


def test_dossier_in_public_notice_uses_an_award_with_a_notice_period(period, unit_a):
    award = AwardType.objects.get(institution=unit_a.institution, code="advanced_worker")
    award.public_notice_working_days = 5
    award.save()

    dossier = dossier_in(State.PUBLIC_NOTICE, period, unit_a, award="advanced_worker")

    assert dossier.notices.count() == 1


def test_dossier_in_submitted_upward_keeps_the_proposal_memo(period, unit_a):
    award = AwardType.objects.get(institution=unit_a.institution, code="advanced_worker")
    award.decided_by = AwardType.DecidedBy.UPWARD
    award.save()

    dossier = dossier_in(State.SUBMITTED_UPWARD, period, unit_a, award="advanced_worker")

    assert dossier.proposal_memos.count() == 1


def test_every_dossier_dossier_in_makes_keeps_process_and_state_consistent(period, unit_a):
    for state in (State.SUBMITTED, State.RECOMMENDED, State.SIGNED):
        dossier_in(state, period, unit_a)

    assert list(consistency.inconsistencies()) == []


@pytest.mark.parametrize(
    ("state", "award"),
    [
        (State.SIGNED, "grassroots_emulation_fighter"),  # after its public notice has ended
        (State.SIGNED, "provincial_certificate_of_merit"),  # recorded from the province
        (State.SIGNED, "advanced_collective"),
        (State.PUBLIC_NOTICE, None),
        (State.SUBMITTED_UPWARD, None),
    ],
)
def test_dossier_in_qualifies_the_nominee_for_the_award_it_needs(state, award, period, unit_a):
    dossier = dossier_in(state, period, unit_a, award=award)

    assert dossier.state == state
    if dossier.nominee_person_id:  # a collective's members since include the cast it made
        assert eligibility_problems(dossier) == []


def test_make_dossier_creates_the_draft_through_the_service_with_its_trail(period, unit_a):
    dossier = make_dossier(period, unit_a)

    assert [e.action for e in trail_of(dossier)] == ["dossier.created"] + [
        "dossier.document_added"
    ] * dossier.award_type.required_document_kinds.count()
    assert list(consistency.inconsistencies()) == []


def test_dossiers_in_brings_several_through_one_meeting(period, unit_a):
    dossiers = dossiers_in(State.RECOMMENDED, period, unit_a, 3)

    assert [d.state for d in dossiers] == [State.RECOMMENDED] * 3
    assert Meeting.objects.get().agenda.count() == 3
    assert list(consistency.inconsistencies()) == []


def test_the_officers_the_cast_makes_join_no_faculty(period, unit_a):
    members_before = set(Person.objects.filter(unit=unit_a))

    dossier = dossier_in(State.SIGNED, period, unit_a)

    newcomers = set(Person.objects.filter(unit=unit_a)) - members_before
    assert newcomers == {dossier.nominee_person, Cast(unit_a.institution).head_of(unit_a)}
