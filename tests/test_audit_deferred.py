"""Deferred appends (audit.log.deferred): buffered in order, written at the block's end at once.

A long write buffers its events and locks each chain head only to write them, so that the
institution's other audited writes need not wait for it.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from audit import log
from audit.models import AuditChainHead, AuditEvent
from tests.conftest import run_together

JOIN_TIMEOUT = 60


def append(institution, object_id, action="task.taken"):
    return log.append(
        institution=institution, actor=log.SYSTEM, action=action, object_type="test",
        object_id=object_id,
    )  # fmt: skip


def trail(institution) -> list[tuple[int, str]]:
    events = AuditEvent.objects.filter(institution=institution).order_by("sequence")
    return list(events.values_list("sequence", "object_id"))


class Boom(Exception):
    pass


@pytest.mark.django_db
def test_deferred_appends_are_written_at_the_end_of_the_block_in_the_order_appended(institution):
    with transaction.atomic():
        append(institution, "before")
        with log.deferred():
            for n in range(3):
                append(institution, f"deferred-{n}")

    assert trail(institution) == [(1, "before"), (2, "deferred-0"), (3, "deferred-1"),
                                  (4, "deferred-2")]  # fmt: skip


@pytest.mark.django_db
def test_a_deferred_event_gets_its_sequence_and_hash_only_when_the_block_ends(institution):
    with transaction.atomic(), log.deferred():
        event = append(institution, "deferred")
        assert (event.pk, event.sequence, event.hash) == (None, None, "")

    assert AuditEvent.objects.get(pk=event.pk).sequence == event.sequence == 1


@pytest.mark.django_db
def test_a_chain_written_by_a_deferred_block_verifies_and_its_head_names_its_last_event(
    institution,
):
    with transaction.atomic():
        append(institution, "before")
        with log.deferred():
            events = [append(institution, f"deferred-{n}") for n in range(5)]
        append(institution, "after")

    report = log.verify_institution(institution)
    assert report.intact, report.problem
    assert report.events == 7
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    head = AuditChainHead.objects.get(institution=institution)
    assert (head.sequence, head.hash) == (7, AuditEvent.objects.get(sequence=7).hash)


@pytest.mark.django_db
def test_deferred_events_are_stamped_with_the_time_they_are_written(institution):
    with transaction.atomic():
        with log.deferred():
            events = [append(institution, f"deferred-{n}") for n in range(2)]
            append(institution, "last")
        after = append(institution, "after")

    assert events[0].created_at == events[1].created_at <= after.created_at


@pytest.mark.django_db
def test_a_raise_inside_the_deferred_block_writes_no_event(institution):
    with transaction.atomic():
        append(institution, "before")
        with pytest.raises(Boom), log.deferred():
            append(institution, "deferred")
            raise Boom

    assert trail(institution) == [(1, "before")]
    assert AuditChainHead.objects.get(institution=institution).sequence == 1


@pytest.mark.django_db
def test_events_appended_in_a_savepoint_rolled_back_inside_the_block_are_dropped(institution):
    with transaction.atomic(), log.deferred():
        append(institution, "kept")
        with pytest.raises(Boom), transaction.atomic():
            append(institution, "rolled back")
            raise Boom
        append(institution, "kept too")

    assert trail(institution) == [(1, "kept"), (2, "kept too")]


@pytest.mark.django_db
def test_events_of_a_savepoint_released_inside_the_block_are_written(institution):
    with transaction.atomic(), log.deferred():
        with transaction.atomic():
            append(institution, "in a savepoint")
        append(institution, "after it")

    assert trail(institution) == [(1, "in a savepoint"), (2, "after it")]


@pytest.mark.django_db
def test_a_nested_block_is_written_by_the_outer_one(institution):
    with transaction.atomic(), log.deferred():
        append(institution, "outer")
        with log.deferred():
            inner = append(institution, "inner")
        assert inner.pk is None  # still buffered
        append(institution, "outer again")

    assert trail(institution) == [(1, "outer"), (2, "inner"), (3, "outer again")]


@pytest.mark.django_db
def test_appends_for_two_institutions_each_join_their_own_chain(institution, other_institution):
    with transaction.atomic():
        append(other_institution, "other-before")
        with log.deferred():
            append(institution, "a-1")
            append(other_institution, "b-1")
            append(institution, "a-2")

    assert trail(institution) == [(1, "a-1"), (2, "a-2")]
    assert trail(other_institution) == [(1, "other-before"), (2, "b-1")]
    assert log.verify_institution(institution).intact
    assert log.verify_institution(other_institution).intact


@pytest.mark.django_db
def test_reading_the_trail_inside_the_block_is_refused(institution):
    with transaction.atomic(), pytest.raises(log.DeferredRead), log.deferred():
        append(institution, "deferred")
        AuditEvent.objects.filter(institution=institution).exists()


@pytest.mark.django_db
def test_locking_the_chain_head_inside_the_block_is_refused(institution):
    with transaction.atomic(), pytest.raises(log.DeferredRead), log.deferred():
        log.locked_head(institution)


@pytest.mark.django_db(transaction=True)
def test_deferring_outside_a_transaction_is_refused(institution):
    with pytest.raises(RuntimeError, match="inside the transaction"), log.deferred():
        pass


@pytest.mark.django_db
def test_an_append_after_the_block_is_written_at_once(institution):
    with transaction.atomic():
        with log.deferred():
            append(institution, "deferred")
        after = append(institution, "after")
        assert after.sequence == 2
        assert AuditEvent.objects.filter(institution=institution).count() == 2


# On PostgreSQL: other writes of the institution go on while a block is open.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_append_committed_while_a_block_is_open_comes_before_the_blocks_events(institution):
    def other_write(_index: int) -> int:
        with transaction.atomic():
            return append(institution, "other").sequence

    with transaction.atomic(), log.deferred():
        append(institution, "deferred-0")
        [other] = run_together(1, other_write)  # would wait for the head if it were locked
        append(institution, "deferred-1")

    assert other == 1
    assert trail(institution) == [(1, "other"), (2, "deferred-0"), (3, "deferred-1")]
    assert log.verify_institution(institution).intact


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_append_waiting_for_a_blocks_write_follows_its_events(institution):
    written, results = threading.Event(), {}

    def other_write() -> None:
        try:
            assert written.wait(JOIN_TIMEOUT)
            with transaction.atomic():
                results["other"] = append(institution, "other").sequence
        finally:
            connection.close()

    writer = threading.Thread(target=other_write)
    writer.start()
    with transaction.atomic():
        with log.deferred():
            append(institution, "deferred-0")
            append(institution, "deferred-1")
        written.set()  # the head is now locked until this transaction commits
        append(institution, "after")
    writer.join(JOIN_TIMEOUT)

    assert results == {"other": 4}
    assert log.verify_institution(institution).intact
