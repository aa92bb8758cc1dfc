"""Verifying a chain the fast way (audit.verification) gives the reference's report, always.

The reference is hashchain.verify_events over log.chain_events: the ORM's rows hashed over the
stdlib's canonical JSON. The fast way hashes orjson's bytes (and, on PostgreSQL, reads streamed
rows with the time as text); wherever those bytes could differ from the canonical ones it hands
the event to the reference, so a chain verifies, or breaks at the same sequence with the same
message, exactly as before.
"""

from __future__ import annotations

import datetime
import hashlib

import orjson
import pytest
from django.db import connection, transaction
from django.utils import timezone

from audit import hashchain, log, verification
from audit.models import AuditEvent
from tests.test_audit_tampering import TABLE, disable_trigger, run_sql
from tests.test_trail_exports import bulk_chain


def reference(institution) -> hashchain.ChainReport:
    reports = hashchain.verify_events(log.chain_events(institution))
    return reports[0] if reports else hashchain.ChainReport(institution=institution.code)


def orjson_hash(prev_hash: str, event: dict) -> str:
    """What a careless writer might hash: orjson's bytes, not the canonical ones."""
    body = {name: event[name] for name in hashchain.EVENT_FIELDS}
    return hashlib.sha256(
        prev_hash.encode() + orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


def append(institution, *, payload=None, created_at=None, hasher=hashchain.event_hash, n=1):
    """Append n events with this payload and time, hashed by `hasher`, as log.append chains."""
    with transaction.atomic():
        head = log.locked_head(institution)
        for _ in range(n):
            event = AuditEvent(
                institution=institution, sequence=head.sequence + 1,
                created_at=created_at or timezone.now(), actor_name="Nguyễn Thị Hương",
                role="unit_head", action="test.fast", object_type="test",
                object_id=str(head.sequence + 1), reason="lý do", payload=payload or {},
                prev_hash=head.hash,
            )  # fmt: skip
            event.hash = hasher(head.hash, event.as_chain_event(institution.code))
            event.save(force_insert=True)
            head.sequence, head.hash = event.sequence, event.hash
        head.save(update_fields=["sequence", "hash"])


@pytest.fixture
def reference_hashes(monkeypatch):
    """How many events were hashed the reference's way (hashchain.event_hash)."""
    calls = []
    original = hashchain.event_hash

    def counted(prev_hash, event):
        calls.append(event["sequence"])
        return original(prev_hash, event)

    monkeypatch.setattr(hashchain, "event_hash", counted)
    return calls


# The fast way is taken


def test_an_ordinary_chain_verifies_without_the_reference_serializer(institution, reference_hashes):
    append(institution, payload={"n": 1, "list": [1, "hai", None, True], "nested": {"b": {}}}, n=5)
    reference_hashes.clear()

    report = log.verify_institution(institution)

    assert report.intact and report.events == 5
    assert reference_hashes == []


# Where orjson's bytes would differ, the reference decides


@pytest.mark.parametrize(
    "payload",
    [
        {"ratio": 1e-07},  # orjson writes 1e-7, the canonical form 1e-07
        {"deep": [{"x": 2.5}]},
        {"big": 2**70},  # past 64 bits: orjson refuses to write it, or reads it as a float
        {"big": -(2**64)},
    ],
)
def test_an_event_whose_payload_orjson_would_write_otherwise_still_verifies(
    institution, reference_hashes, payload
):
    append(institution, n=2)
    append(institution, payload=payload)
    append(institution, n=2)
    reference_hashes.clear()

    report = log.verify_institution(institution)

    assert report.intact and report.events == 5
    assert reference_hashes == [3]  # the fallback verified it; the others went the fast way


@pytest.mark.parametrize(
    "payload", [{"ratio": 1e-07}, {"tiny": [3.2e-06]}, {"deep": [{"x": 1e-05}]}]
)
def test_an_event_hashed_over_orjsons_bytes_instead_of_the_canonical_ones_is_broken(
    institution, payload
):
    """Matching the stored hash proves bytes were hashed, not that they are the canonical ones."""
    append(institution, n=2)
    append(institution, payload=payload, hasher=orjson_hash)
    append(institution)

    report = log.verify_institution(institution)

    assert report.first_broken_sequence == 3
    assert report.problem == "its content does not match its hash"
    assert verification.verify_chain(institution) == reference(institution)


def test_a_time_before_the_year_1000_verifies_as_the_reference_formats_it(institution):
    append(institution, n=2)
    append(institution, created_at=datetime.datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC))
    append(institution)

    report = log.verify_institution(institution)

    assert report.intact and report.events == 4
    assert verification.verify_chain(institution) == reference(institution)


def test_an_event_hashed_over_a_zero_padded_early_year_is_broken(institution):
    """to_char pads the year 999 to 0999; the canonical form (strftime) does not."""
    moment = datetime.datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)

    def padded(prev_hash, event):
        return hashchain.event_hash(
            prev_hash, {**event, "created_at": "0999-01-02T03:04:05.000006Z"}
        )

    append(institution)
    append(institution, created_at=moment, hasher=padded)

    report = log.verify_institution(institution)

    assert (report.first_broken_sequence, report.problem) == (
        2,
        "its content does not match its hash",
    )
    assert verification.verify_chain(institution) == reference(institution)


def test_a_time_in_another_zone_verifies(institution):
    zone = datetime.timezone(datetime.timedelta(hours=7))
    append(institution, created_at=datetime.datetime(2026, 12, 31, 23, 30, tzinfo=zone), n=3)

    assert log.verify_institution(institution).intact


# Tampering is found where, and as, the reference finds it


@pytest.mark.parametrize(
    ("sql", "sequence"),
    [
        (f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = 3", 3),  # noqa: S608
        (f"UPDATE {TABLE} SET payload = '{{\"ratio\": 2.5}}' WHERE sequence = 3", 3),  # noqa: S608
        (f"UPDATE {TABLE} SET prev_hash = upper(prev_hash) WHERE sequence = 4", 4),  # noqa: S608
        (f"UPDATE {TABLE} SET sequence = 9 WHERE sequence = 2", 3),  # noqa: S608
        (f"UPDATE {TABLE} SET created_at = created_at + interval '1 microsecond' "  # noqa: S608
         "WHERE sequence = 5", 5),
    ],
)  # fmt: skip
def test_a_tampered_event_is_reported_as_the_reference_reports_it(institution, sql, sequence):
    if "interval" in sql and connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's interval arithmetic")
    append(institution, n=2)
    append(institution, payload={"ratio": 1.5})
    append(institution, n=3)
    disable_trigger("workflow_audit_no_update")
    run_sql(sql)

    report = log.verify_institution(institution)

    assert report.first_broken_sequence == sequence
    assert verification.verify_chain(institution) == reference(institution)


def test_an_empty_chain_gives_an_empty_report(institution):
    assert verification.verify_chain(institution) == reference(institution)
    assert log.verify_institution(institution).intact


# Reading the rows


def test_reading_the_chain_inside_a_deferred_block_is_refused(institution):
    """The streamed read passes the connection's execute wrappers, as every query does."""
    append(institution)
    with transaction.atomic(), pytest.raises(log.DeferredRead), log.deferred():
        log.append(institution=institution, actor=log.SYSTEM, action="dossier.edited",
                   object_type="test", object_id=1)  # fmt: skip
        verification.verify_chain(institution)


def test_the_chain_is_read_in_one_query_that_django_counts(institution, django_assert_num_queries):
    append(institution, n=3)

    with django_assert_num_queries(1):
        assert verification.verify_chain(institution).events == 3


@pytest.mark.postgres
def test_a_chain_broken_early_leaves_the_transaction_usable(institution, monkeypatch):
    """The walk stops at the break; the rest of the stream is read, not cancelled (which would
    abort the caller's transaction)."""
    monkeypatch.setattr(verification, "CHUNK_SIZE", 10)
    bulk_chain(institution, 20_000)  # more than the socket holds: the server is still sending
    disable_trigger("workflow_audit_no_update")

    with transaction.atomic():
        run_sql(f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = 2")  # noqa: S608
        assert log.verify_institution(institution).first_broken_sequence == 2
        assert AuditEvent.objects.filter(institution=institution).count() == 20_000


def test_a_long_chain_verifies_across_chunks(institution, monkeypatch, reference_hashes):
    monkeypatch.setattr(verification, "CHUNK_SIZE", 7)
    bulk_chain(institution, 100)
    append(institution, payload={"ratio": 1e-07})
    bulk_chain(institution, 20)
    reference_hashes.clear()

    report = log.verify_institution(institution)

    assert report.intact and report.events == 121
    assert reference_hashes == [101]
