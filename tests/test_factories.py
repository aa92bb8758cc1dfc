"""`dossier_in` reaches every state the way people do: through the door, with its trail."""

from __future__ import annotations

import itertools

import pytest

from audit.models import AuditEvent
from dossiers.models import AwardType, State
from tests.factories import dossier_in
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

    dossier = dossier_in(State.PUBLIC_NOTICE, period, unit_a)

    assert dossier.notices.count() == 1


def test_dossier_in_submitted_upward_keeps_the_proposal_memo(period, unit_a):
    award = AwardType.objects.get(institution=unit_a.institution, code="advanced_worker")
    award.decided_by = AwardType.DecidedBy.UPWARD
    award.save()

    dossier = dossier_in(State.SUBMITTED_UPWARD, period, unit_a)

    assert dossier.proposal_memos.count() == 1


def test_every_dossier_dossier_in_makes_keeps_process_and_state_consistent(period, unit_a):
    for state in (State.SUBMITTED, State.RECOMMENDED, State.SIGNED):
        dossier_in(state, period, unit_a)

    assert list(consistency.inconsistencies()) == []
