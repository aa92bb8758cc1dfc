"""Bulk actions: the same transition on many dossiers, all or nothing, one audit event each."""

from __future__ import annotations

import datetime

import pytest

from audit.log import verify_institution
from dossiers.models import Dossier, Period, State
from tests.conftest import make_dossier, make_unit
from tests.factories import audit_mark, dossier_in, events_after
from workflow import services
from workflow.errors import (
    BulkTransitionFailed,
    DomainError,
    IllegalTransition,
    NotPermitted,
    StaleVersion,
)

S = State


@pytest.fixture
def three_submitted(period, unit_a):
    return [dossier_in(S.SUBMITTED, period, unit_a) for _ in range(3)]


def approve_all(reviewer, versions):
    return services.transition_many(versions=versions, action="approve", person=reviewer)


def states_and_versions(dossiers) -> list[tuple[str, int]]:
    rows = Dossier.objects.in_bulk([d.pk for d in dossiers])
    return [(rows[d.pk].state, rows[d.pk].version) for d in dossiers]


def test_approving_three_submitted_dossiers_moves_each_and_audits_each(
    period, three_submitted, reviewer
):
    mark = audit_mark()

    moved = approve_all(reviewer, {d.pk: d.version for d in three_submitted})

    assert sorted(d.pk for d in moved) == sorted(d.pk for d in three_submitted)
    assert states_and_versions(three_submitted) == [(S.REVIEWED, 3)] * 3  # created 1, submitted 2
    events = events_after(mark)
    assert sorted(e.object_id for e in events) == sorted(str(d.pk) for d in three_submitted)
    assert {(e.action, e.from_state, e.to_state, e.role) for e in events} == {
        ("dossier.approved", S.SUBMITTED, S.REVIEWED, "reviewer")
    }
    assert verify_institution(period.institution).intact


def test_a_stale_dossier_in_a_bulk_action_is_named_and_nothing_moves(three_submitted, reviewer):
    versions = {d.pk: d.version for d in three_submitted}
    stale = max(versions)  # locked and applied last, after the others have moved
    versions[stale] = 7

    mark = audit_mark()

    with pytest.raises(BulkTransitionFailed) as failure:
        approve_all(reviewer, versions)

    assert failure.value.dossier_id == stale
    assert isinstance(failure.value.error, StaleVersion)
    assert str(stale) in str(failure.value)
    # Versions as submitted: created 1, submitted 2.
    assert states_and_versions(three_submitted) == [(S.SUBMITTED, 2)] * 3
    assert not events_after(mark).exists()


def test_a_dossier_in_the_wrong_state_in_a_bulk_action_is_named_and_nothing_moves(
    period, unit_a, three_submitted, reviewer
):
    draft = make_dossier(period, unit_a, documents=False)
    dossiers = [*three_submitted, draft]

    mark = audit_mark()

    with pytest.raises(BulkTransitionFailed) as failure:
        approve_all(reviewer, {d.pk: d.version for d in dossiers})

    assert failure.value.dossier_id == draft.pk
    assert isinstance(failure.value.error, IllegalTransition)
    assert str(draft.pk) in str(failure.value)
    assert states_and_versions(dossiers) == [(S.SUBMITTED, 2)] * 3 + [(S.DRAFT, 1)]
    assert not events_after(mark).exists()


def test_a_dossier_of_another_unit_in_a_unit_heads_bulk_submit_is_named_and_nothing_moves(
    period, unit_a, unit_b, head_a
):
    own = [make_dossier(period, unit_a) for _ in range(2)]
    foreign = make_dossier(period, unit_b)
    dossiers = [*own, foreign]

    mark = audit_mark()

    with pytest.raises(BulkTransitionFailed) as failure:
        services.transition_many(
            versions={d.pk: d.version for d in dossiers}, action="submit", person=head_a
        )

    assert failure.value.dossier_id == foreign.pk
    assert isinstance(failure.value.error, NotPermitted)
    assert states_and_versions(dossiers) == [(S.DRAFT, 1)] * 3
    assert not events_after(mark).exists()


def test_a_dossier_of_another_institution_in_a_bulk_action_is_not_found_and_nothing_moves(
    three_submitted, reviewer, other_institution
):
    foreign_period = Period.objects.create(
        institution=other_institution,
        name="Năm 2026",
        kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    foreign = dossier_in(S.SUBMITTED, foreign_period, make_unit(other_institution, "khoa-x"))
    versions = {d.pk: d.version for d in [*three_submitted, foreign]}

    mark = audit_mark()

    with pytest.raises(DomainError) as failure:
        approve_all(reviewer, versions)

    assert failure.value.http_status == 404  # "no such dossier"
    assert states_and_versions(three_submitted) == [(S.SUBMITTED, 2)] * 3
    assert states_and_versions([foreign]) == [(S.SUBMITTED, 2)]
    assert not events_after(mark).exists()


def test_a_bulk_action_on_a_dossier_that_does_not_exist_moves_nothing(three_submitted, reviewer):
    versions = {d.pk: d.version for d in three_submitted}
    versions[max(versions) + 1000] = 1

    mark = audit_mark()

    with pytest.raises(DomainError) as failure:
        approve_all(reviewer, versions)

    assert failure.value.http_status == 404  # "no such dossier"
    assert states_and_versions(three_submitted) == [(S.SUBMITTED, 2)] * 3
    assert not events_after(mark).exists()
