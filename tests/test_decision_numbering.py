"""Decision numbers: per institution and year, consecutive, gap-free even under concurrency.

The concurrent tests need PostgreSQL (row locks; each thread has its own connection), so they
are marked `postgres` and run in CI's PostgreSQL pass.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from audit import log
from decisions.models import DecisionCounter
from decisions.services import next_number, sign_decision
from dossiers.models import Person
from tests.conftest import run_together

pytest_plugins = ["tests.signing_fixtures"]

JOIN_TIMEOUT = 60


class RolledBack(Exception):
    """Raised inside a transaction to roll it back on purpose."""


def take(institution, year: int) -> int:
    with transaction.atomic():
        return next_number(institution, year)


def counters(institution) -> list[tuple[int, int]]:
    return list(
        DecisionCounter.objects.filter(institution=institution)
        .order_by("year")
        .values_list("year", "last_number")
    )


# --- One connection ----------------------------------------------------------------------------


def test_the_first_number_of_a_year_is_1(institution):
    assert take(institution, 2026) == 1


def test_the_numbers_of_a_year_follow_each_other(institution):
    assert [take(institution, 2026) for _ in range(3)] == [1, 2, 3]


def test_numbers_restart_each_year_with_a_counter_per_year(institution):
    numbers = [take(institution, 2026), take(institution, 2026), take(institution, 2027)]

    assert numbers == [1, 2, 1]
    assert counters(institution) == [(2026, 2), (2027, 1)]


def test_each_institution_numbers_its_own_decisions(institution, other_institution):
    take(institution, 2026)

    assert take(other_institution, 2026) == 1


def test_a_number_taken_in_a_transaction_that_rolls_back_is_taken_again(institution):
    take(institution, 2026)
    with pytest.raises(RolledBack), transaction.atomic():
        assert next_number(institution, 2026) == 2
        raise RolledBack

    assert take(institution, 2026) == 2


# --- Concurrent transactions (PostgreSQL) ------------------------------------------------------


def wait_until_a_session_waits_for_a_lock(timeout: float = 10.0) -> None:
    """Block until another connection of this database is waiting on a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    pytest.fail("no session ever waited for the counter's lock")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_transactions_take_numbers_1_to_8_without_gap(institution):
    results = run_together(8, lambda _i: take(institution, 2026))

    assert sorted(results) == list(range(1, 9)), results
    assert counters(institution) == [(2026, 8)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transaction_rolled_back_after_taking_a_number_leaves_no_gap(institution):
    take(institution, 2026)  # number 1 is issued for good
    holding, roll_back = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def takes_then_rolls_back() -> None:
        try:
            with transaction.atomic():
                results["rolled back"] = next_number(institution, 2026)
                holding.set()
                roll_back.wait(JOIN_TIMEOUT)
                raise RolledBack
        except RolledBack:
            pass
        finally:
            connection.close()

    def takes_next() -> None:
        try:
            results["next"] = take(institution, 2026)
        finally:
            connection.close()

    first = threading.Thread(target=takes_then_rolls_back)
    first.start()
    assert holding.wait(JOIN_TIMEOUT)
    second = threading.Thread(target=takes_next)
    second.start()
    wait_until_a_session_waits_for_a_lock()  # the second waits for the first's counter row
    roll_back.set()
    first.join(JOIN_TIMEOUT)
    second.join(JOIN_TIMEOUT)

    assert results == {"rolled back": 2, "next": 2}
    assert counters(institution) == [(2026, 2)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_decisions_signed_at_once_get_four_consecutive_numbers(
    pkcs12_signing, draft_decision, principal, institution
):
    decisions = [draft_decision([f"Nguyễn Văn Số {n}"]) for n in range(4)]

    def sign(index: int):
        person = Person.objects.get(pk=principal.pk)  # no person object shared across threads
        return sign_decision(decision_id=decisions[index].pk, person=person).number

    numbers = run_together(4, sign)

    assert sorted(numbers) == [1, 2, 3, 4], numbers
    assert log.verify_institution(institution).intact
