"""Concurrency on PostgreSQL: racing actions move a dossier once, and the chain never forks.

Each thread has its own database connection (Django's connections are per thread); a barrier
releases them together so they really contend for the same rows.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection, transaction

from audit import log
from audit.models import AuditEvent
from dossiers.models import Dossier, Person, Role, State
from tests.conftest import make_dossier, make_person, run_together
from tests.factories import dossier_in
from workflow import services
from workflow.errors import IllegalTransition, StaleVersion

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOIN_TIMEOUT = 60


def append_one(institution_id: int, object_id: str) -> int:
    """One audit event in its own transaction, as product code appends; its sequence."""
    from dossiers.models import Institution

    institution = Institution.objects.get(pk=institution_id)
    with transaction.atomic():
        return log.append(
            institution=institution,
            actor=log.SYSTEM,
            action="dossier.edited",
            object_type="test",
            object_id=object_id,
        ).sequence


def sequences_of(institution) -> list[int]:
    return list(
        AuditEvent.objects.filter(institution=institution)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )


def unexpected(results: list[object], allowed: tuple[type, ...] = ()) -> list[object]:
    return [r for r in results if isinstance(r, BaseException) and not isinstance(r, allowed)]


# One dossier, many hands


def test_sixteen_reviewers_approving_the_same_dossier_at_once_move_it_exactly_once(
    period, unit_a, reviewer
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    def approve(_index: int) -> Dossier:
        person = Person.objects.get(pk=reviewer.pk)
        return services.transition(
            dossier_id=dossier.pk, action="approve", person=person, expected_version=2
        )  # created 1, submitted 2

    results = run_together(16, approve)

    assert unexpected(results, (StaleVersion, IllegalTransition)) == []
    assert sum(isinstance(r, Dossier) for r in results) == 1
    assert sum(isinstance(r, StaleVersion | IllegalTransition) for r in results) == 15
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (State.REVIEWED, 3)
    assert AuditEvent.objects.filter(action="dossier.approved").count() == 1
    assert log.verify_institution(period.institution).intact


def test_heads_submitting_their_own_dossiers_at_once_each_leave_one_event_on_one_chain(
    institution, period, unit_a
):
    head = make_person(institution, unit_a, roles=[Role.UNIT_HEAD])
    dossiers = [make_dossier(period, unit_a) for _ in range(8)]
    before = sequences_of(institution)  # their creation and documents

    def submit(index: int) -> Dossier:
        person = Person.objects.get(pk=head.pk)
        return services.transition(
            dossier_id=dossiers[index].pk, action="submit", person=person, expected_version=1
        )

    results = run_together(8, submit)

    assert unexpected(results) == []
    assert Dossier.objects.filter(state=State.SUBMITTED).count() == 8
    assert Counter(
        AuditEvent.objects.filter(action="dossier.submitted").values_list("object_id", flat=True)
    ) == Counter(str(d.pk) for d in dossiers)
    assert sequences_of(institution) == list(range(1, len(before) + 9))  # 8 more, no gap
    assert log.verify_institution(institution).intact


# The chain under contention


def test_eight_threads_appending_to_one_institution_leave_one_gapless_verified_chain(
    institution,
):
    rounds = 10

    def append_rounds(index: int) -> list[int]:
        return [append_one(institution.pk, f"t{index}-r{r}") for r in range(rounds)]

    results = run_together(8, append_rounds)

    assert unexpected(results) == []
    assert sorted(s for r in results for s in r) == list(range(1, 8 * rounds + 1))
    assert sequences_of(institution) == list(range(1, 8 * rounds + 1))
    report = log.verify_institution(institution)
    assert report.intact
    assert report.events == 8 * rounds


def test_two_institutions_appending_concurrently_each_keep_a_verified_chain(
    institution, other_institution
):
    rounds = 10
    owners = [institution, other_institution] * 4

    def append_rounds(index: int) -> list[int]:
        return [append_one(owners[index].pk, f"t{index}-r{r}") for r in range(rounds)]

    results = run_together(8, append_rounds)

    assert unexpected(results) == []
    for owner in (institution, other_institution):
        assert sequences_of(owner) == list(range(1, 4 * rounds + 1))
        report = log.verify_institution(owner)
        assert report.intact
        assert report.events == 4 * rounds


def test_an_open_append_in_one_institution_does_not_block_another_institution(
    institution, other_institution
):
    append_one(institution.pk, "first")  # the head row exists and will be locked
    holding, release = threading.Event(), threading.Event()

    def hold_chain_head(_index: int) -> int:
        with transaction.atomic():
            sequence = append_one(institution.pk, "held")
            holding.set()
            release.wait(JOIN_TIMEOUT)
        return sequence

    holder = threading.Thread(target=lambda: _run_and_close(hold_chain_head))
    holder.start()
    try:
        assert holding.wait(JOIN_TIMEOUT)
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '5s'")
            sequence = append_one(other_institution.pk, "meanwhile")
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join(JOIN_TIMEOUT)

    assert sequence == 1
    assert elapsed < 2
    assert log.verify_institution(institution).intact
    assert log.verify_institution(other_institution).intact


def test_an_open_append_in_one_institution_makes_the_next_append_there_wait(institution):
    append_one(institution.pk, "first")
    holding, release = threading.Event(), threading.Event()

    def hold_chain_head(_index: int) -> int:
        with transaction.atomic():
            sequence = append_one(institution.pk, "held")
            holding.set()
            release.wait(JOIN_TIMEOUT)
        return sequence

    holder = threading.Thread(target=lambda: _run_and_close(hold_chain_head))
    holder.start()
    try:
        assert holding.wait(JOIN_TIMEOUT)
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            append_one(institution.pk, "must wait")
    finally:
        release.set()
        holder.join(JOIN_TIMEOUT)

    assert sequences_of(institution) == [1, 2]
    assert log.verify_institution(institution).intact


def _run_and_close(work: Callable[[int], object]) -> None:
    try:
        work(0)
    finally:
        connection.close()
