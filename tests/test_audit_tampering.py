"""Tampering: the database refuses changes to the trail, and changes made behind its back show."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit import hashchain, log
from audit.models import AuditChainHead, AuditEvent
from tests.factories import login

TABLE = AuditEvent._meta.db_table


def append_events(institution, count: int) -> list[AuditEvent]:
    events = []
    for n in range(1, count + 1):
        with transaction.atomic():
            events.append(
                log.append(
                    institution=institution,
                    actor=log.SYSTEM,
                    action="dossier.edited",
                    object_type="test",
                    object_id=n,
                    reason=f"lần {n}",
                    payload={"n": n},
                )
            )
    return events


@pytest.fixture
def five_events(institution):
    return append_events(institution, 5)


def snapshot() -> list[tuple]:
    return list(AuditEvent.objects.order_by("pk").values_list("pk", "reason", "hash"))


def disable_trigger(name: str, table: str = TABLE) -> None:
    """Switch one append-only trigger off for the rest of this test's transaction only.

    This plays the table's owner; in the two-role run the tests connect as the application's
    role, which cannot, so these tests run in the SQLite and single-role passes.
    """
    from tests import harness

    if harness.two_roles():
        pytest.skip("plays the owner switching a trigger off; the application's role cannot")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this transaction's inserts must run before ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        elif connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {name}")
        else:
            pytest.fail(f"no way to disable a trigger on {connection.vendor}")


def run_sql(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_command() -> tuple[int, str, str]:
    """Run `manage.py verify_audit`; its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
    else:
        code = 0
    return code, out.getvalue(), err.getvalue()


# The database refuses


def test_the_database_refuses_a_raw_sql_update_of_an_event(five_events):
    before = snapshot()

    with pytest.raises(DatabaseError, match=r"append-only|permission denied"), transaction.atomic():
        run_sql(f"UPDATE {TABLE} SET reason = 'x'")  # noqa: S608

    assert snapshot() == before


def test_the_database_refuses_a_raw_sql_delete_of_an_event(five_events):
    before = snapshot()

    with pytest.raises(DatabaseError, match=r"append-only|permission denied"), transaction.atomic():
        run_sql(f"DELETE FROM {TABLE}")  # noqa: S608

    assert snapshot() == before


def test_the_database_refuses_a_raw_sql_delete_of_only_the_last_event(five_events):
    with pytest.raises(DatabaseError, match=r"append-only|permission denied"), transaction.atomic():
        run_sql(f"DELETE FROM {TABLE} WHERE sequence = %s", [5])  # noqa: S608

    assert AuditEvent.objects.count() == 5


def test_the_database_refuses_an_orm_queryset_update(five_events):
    before = snapshot()

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=3).update(reason="x")

    assert snapshot() == before


def test_the_database_refuses_an_orm_queryset_delete(five_events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 5


def test_the_database_refuses_saving_an_edited_event(five_events):
    event = AuditEvent.objects.get(sequence=3)
    event.reason = "x"

    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()

    assert AuditEvent.objects.get(sequence=3).reason == "lần 3"


def test_the_database_refuses_deleting_one_event(five_events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.get(sequence=5).delete()

    assert AuditEvent.objects.count() == 5


def test_the_chain_still_verifies_after_refused_tampering(institution, five_events):
    with pytest.raises(DatabaseError), transaction.atomic():
        run_sql(f"UPDATE {TABLE} SET reason = 'x'")  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic():
        run_sql(f"DELETE FROM {TABLE}")  # noqa: S608

    assert log.verify_institution(institution).intact


# Changes behind the database's back are detected


def test_an_edited_event_breaks_the_chain_at_its_sequence(institution, five_events):
    disable_trigger("workflow_audit_no_update")
    run_sql(f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = %s", [3])  # noqa: S608

    report = log.verify_institution(institution)

    assert not report.intact
    assert report.first_broken_sequence == 3
    assert report.events == 3  # verification stops at the first broken event


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_name", "Người Khác"),
        ("role", "principal"),
        ("action", "dossier.declined"),
        ("object_id", "999"),
        ("from_state", "draft"),
        ("to_state", "signed"),
        ("payload", json.dumps({"n": 99})),
        ("client_address", "10.0.0.1"),
        ("on_behalf_of_name", "Ai Đó"),
        ("created_at", "2020-01-01 00:00:00"),
    ],
)
def test_editing_any_recorded_column_of_an_event_breaks_the_chain_there(
    institution, five_events, column, value
):
    disable_trigger("workflow_audit_no_update")
    run_sql(f"UPDATE {TABLE} SET {column} = %s WHERE sequence = %s", [value, 4])  # noqa: S608

    assert log.verify_institution(institution).first_broken_sequence == 4


def test_rewriting_an_events_hash_to_match_its_edit_breaks_the_link_from_the_next_event(
    institution, five_events
):
    from audit import hashchain

    disable_trigger("workflow_audit_no_update")
    event = AuditEvent.objects.get(sequence=2)
    forged = {**event.as_chain_event(institution.code), "reason": "x"}
    run_sql(
        f"UPDATE {TABLE} SET reason = 'x', hash = %s WHERE sequence = 2",  # noqa: S608
        [hashchain.event_hash(event.prev_hash, forged)],
    )

    assert log.verify_institution(institution).first_broken_sequence == 3


def test_verify_audit_exits_with_1_and_names_the_edited_sequence(five_events, institution):
    disable_trigger("workflow_audit_no_update")
    run_sql(f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = %s", [3])  # noqa: S608

    code, _, stderr = verify_command()

    assert code == 1
    assert institution.code in stderr
    assert "sequence 3" in stderr


def test_a_deleted_last_event_is_detected_because_the_chain_head_disagrees(
    institution, five_events
):
    disable_trigger("workflow_audit_no_delete")
    run_sql(f"DELETE FROM {TABLE} WHERE sequence = %s", [5])  # noqa: S608

    report = log.verify_institution(institution)

    assert not report.intact
    assert report.events == 4
    assert "chain head" in report.problem


def test_verify_audit_exits_with_1_when_the_last_event_was_deleted(institution, five_events):
    disable_trigger("workflow_audit_no_delete")
    run_sql(f"DELETE FROM {TABLE} WHERE sequence = %s", [5])  # noqa: S608

    code, _, stderr = verify_command()

    assert code == 1
    assert institution.code in stderr
    assert "the trail ends at 4" in stderr


def test_the_report_of_a_deleted_last_event_names_no_nonexistent_sequence(institution, five_events):
    """An auditor reading the report must not be told the trail broke "at sequence None"."""
    disable_trigger("workflow_audit_no_delete")
    run_sql(f"DELETE FROM {TABLE} WHERE sequence = %s", [5])  # noqa: S608

    _, _, stderr = verify_command()

    assert "None" not in stderr


def test_a_deleted_event_in_the_middle_breaks_the_chain_where_the_gap_is(institution, five_events):
    disable_trigger("workflow_audit_no_delete")
    run_sql(f"DELETE FROM {TABLE} WHERE sequence = %s", [2])  # noqa: S608

    report = log.verify_institution(institution)

    assert report.first_broken_sequence == 3
    assert "expected sequence 2" in report.problem


def test_a_deleted_first_event_breaks_the_chain_at_the_start(institution, five_events):
    disable_trigger("workflow_audit_no_delete")
    run_sql(f"DELETE FROM {TABLE} WHERE sequence = %s", [1])  # noqa: S608

    assert log.verify_institution(institution).first_broken_sequence == 2


def test_tampering_with_one_institution_leaves_the_others_chain_verified(
    institution, other_institution, five_events
):
    append_events(other_institution, 2)
    disable_trigger("workflow_audit_no_update")
    run_sql(
        f"UPDATE {TABLE} SET reason = 'x' WHERE institution_id = %s AND sequence = 1",  # noqa: S608
        [institution.pk],
    )

    assert log.verify_institution(other_institution).intact
    assert log.verify_institution(institution).first_broken_sequence == 1


# Ordinary administration is not mistaken for tampering


def test_an_institutions_code_cannot_be_changed_in_the_admin_so_its_chain_stays_verifiable(
    institution, five_events, django_user_model
):
    """The code is part of every hash of the chain, so the admin keeps it read-only."""
    client = login(django_user_model.objects.create_superuser("root", password="pw"))
    response = client.post(
        reverse("admin:dossiers_institution_change", args=[institution.pk]),
        {
            "code": "renamed-college",
            "name": institution.name,
            "short_name": institution.short_name,
            "parent_body": institution.parent_body,
            "place": institution.place,
            "head_title": institution.head_title,
            "deputy_title": institution.deputy_title,
            "decision_series": institution.decision_series,
            "executing_clause": institution.executing_clause,
            "recipients": institution.recipients,
            "archive_units": institution.archive_units,
            "annex_threshold": institution.annex_threshold,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    institution.refresh_from_db()
    assert institution.code == "test-college"

    assert log.verify_institution(institution).intact


# The chain head and the whole table (issue 12: TRUNCATE, head rewrites, INSERT OR REPLACE)

HEAD_TABLE = AuditChainHead._meta.db_table


def head_row(institution) -> tuple:
    return AuditChainHead.objects.filter(institution=institution).values_list("sequence", "hash")[0]


@pytest.mark.postgres
@pytest.mark.parametrize("table", [TABLE, HEAD_TABLE])
def test_the_database_refuses_to_truncate_the_trail_or_its_head(five_events, table):
    run_sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts are no pending excuse
    with (
        pytest.raises(DatabaseError, match=r"cannot be truncated|permission denied"),
        transaction.atomic(),
    ):
        run_sql(f"TRUNCATE {table} CASCADE")

    assert AuditEvent.objects.count() == 5
    assert AuditChainHead.objects.count() == 1


def test_the_database_refuses_to_delete_the_chain_head(institution, five_events):
    with (
        pytest.raises(DatabaseError, match=r"cannot be deleted|permission denied"),
        transaction.atomic(),
    ):
        run_sql(f"DELETE FROM {HEAD_TABLE}")  # noqa: S608

    assert head_row(institution)[0] == 5


@pytest.mark.parametrize(
    "assignment",
    ["sequence = 4", "sequence = 0, hash = %(genesis)s", "sequence = 6", "hash = %(genesis)s"],
)
def test_the_database_refuses_to_move_the_chain_head_anywhere_but_forward(
    institution, five_events, assignment
):
    before = head_row(institution)

    with pytest.raises(DatabaseError, match="moves only forward"), transaction.atomic():
        run_sql(
            f"UPDATE {HEAD_TABLE} SET {assignment}",  # noqa: S608
            {"genesis": hashchain.GENESIS},
        )

    assert head_row(institution) == before


def test_the_database_refuses_to_point_the_head_at_an_older_event(institution, five_events):
    third = AuditEvent.objects.get(sequence=3)

    with pytest.raises(DatabaseError, match="moves only forward"), transaction.atomic():
        run_sql(f"UPDATE {HEAD_TABLE} SET sequence = %s, hash = %s", [3, third.hash])  # noqa: S608

    assert head_row(institution)[0] == 5


def test_the_database_refuses_a_head_created_ahead_of_genesis(other_institution):
    with pytest.raises(DatabaseError, match="starts at sequence 0"), transaction.atomic():
        run_sql(
            f"INSERT INTO {HEAD_TABLE} (institution_id, sequence, hash) VALUES (%s, %s, %s)",  # noqa: S608
            [other_institution.pk, 3, "a" * 64],
        )

    assert not AuditChainHead.objects.filter(institution=other_institution).exists()


def test_appending_still_moves_the_head_to_the_new_event(institution, five_events):
    event = append_events(institution, 1)[0]

    assert head_row(institution) == (event.sequence, event.hash)
    assert log.verify_institution(institution).intact


def test_sqlite_connections_fire_delete_triggers_for_replaced_rows(db):
    if connection.vendor != "sqlite":
        pytest.skip("a pragma of SQLite")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers")
        assert cursor.fetchone()[0] == 1


def _replace_sql(columns: list[str]) -> str:
    names = ", ".join(columns)
    return (
        f"INSERT OR REPLACE INTO {TABLE} ({names}) SELECT {names} FROM {TABLE} WHERE sequence = 3"  # noqa: S608
    )


def test_sqlite_refuses_insert_or_replace_of_an_event(institution, five_events):
    """A REPLACE deletes the old row without the DELETE trigger unless recursive triggers are on."""
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    columns = [f.column for f in AuditEvent._meta.concrete_fields]
    before = snapshot()

    with pytest.raises(DatabaseError, match=r"append-only|permission denied"), transaction.atomic():
        run_sql(_replace_sql(columns))

    assert snapshot() == before


def test_sqlite_refuses_insert_or_replace_of_an_event_under_a_new_id(institution, five_events):
    """The rewrite of the issue: same institution and sequence, a new row id, a recomputed hash."""
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    event = AuditEvent.objects.get(sequence=3)
    forged = {**event.as_chain_event(institution.code), "reason": "x"}
    before = snapshot()

    with pytest.raises(DatabaseError, match=r"append-only|permission denied"), transaction.atomic():
        run_sql(
            f"INSERT OR REPLACE INTO {TABLE} (institution_id, sequence, created_at, actor_name, "  # noqa: S608
            "role, on_behalf_of_name, action, object_type, object_id, from_state, to_state, "
            "reason, payload, client_address, prev_hash, hash) "
            f"SELECT institution_id, sequence, created_at, actor_name, role, on_behalf_of_name, "
            "action, object_type, object_id, from_state, to_state, 'x', payload, client_address, "
            f"prev_hash, %s FROM {TABLE} WHERE sequence = 3",
            [hashchain.event_hash(event.prev_hash, forged)],
        )

    assert snapshot() == before


def test_sqlite_refuses_insert_or_replace_of_the_chain_head(institution, five_events):
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    before = head_row(institution)

    with (
        pytest.raises(DatabaseError, match=r"cannot be deleted|permission denied"),
        transaction.atomic(),
    ):
        run_sql(
            f"INSERT OR REPLACE INTO {HEAD_TABLE} (institution_id, sequence, hash) "  # noqa: S608
            "VALUES (%s, 0, %s)",
            [institution.pk, hashchain.GENESIS],
        )

    assert head_row(institution) == before


# What an owner who switches the triggers off leaves behind is still detected


def test_verify_audit_fails_when_the_trail_and_its_head_are_gone_after_a_decision_was_signed(
    period, unit_a
):
    """The issue: TRUNCATE and a deleted head made verify_audit say "0 events verified", exit 0."""
    from decisions.models import Decision
    from dossiers.models import State
    from tests.factories import dossier_in

    dossier_in(State.SIGNED, period, unit_a)
    assert Decision.objects.filter(state=Decision.State.SIGNED).exists()
    disable_trigger("workflow_audit_no_delete")
    disable_trigger("audit_head_no_delete", HEAD_TABLE)
    run_sql(f"DELETE FROM {TABLE}")  # noqa: S608
    run_sql(f"DELETE FROM {HEAD_TABLE}")  # noqa: S608

    code, _, stderr = verify_command()

    assert code == 1
    assert "was published, yet the trail has no events" in stderr


def test_verify_audit_fails_when_the_chain_head_row_is_missing(institution, five_events):
    disable_trigger("audit_head_no_delete", HEAD_TABLE)
    run_sql(f"DELETE FROM {HEAD_TABLE}")  # noqa: S608

    code, _, stderr = verify_command()

    assert code == 1
    assert "chain head row is missing" in stderr


def test_verify_audit_fails_when_the_chain_head_is_behind_the_trail(institution, five_events):
    third = AuditEvent.objects.get(sequence=3)
    disable_trigger("audit_head_forward_only", HEAD_TABLE)
    run_sql(f"UPDATE {HEAD_TABLE} SET sequence = 3, hash = %s", [third.hash])  # noqa: S608

    code, _, stderr = verify_command()

    assert code == 1
    assert "behind the trail" in stderr


def test_verify_audit_fails_when_a_signed_decision_names_a_head_the_chain_lacks(period, unit_a):
    from decisions.models import Decision
    from dossiers.models import State
    from tests.factories import dossier_in

    dossier_in(State.SIGNED, period, unit_a)
    decision = Decision.objects.get(state=Decision.State.SIGNED)
    Decision.objects.filter(pk=decision.pk).update(chain_head="f" * 64)

    code, _, stderr = verify_command()

    assert code == 1
    assert f"decision {decision.reference} names the chain head ffffffffffffffff" in stderr
    assert "not in the chain" in stderr


def test_verify_audit_accepts_signed_decisions_whose_heads_the_chain_contains(period, unit_a):
    from dossiers.models import State
    from tests.factories import dossier_in

    dossier_in(State.SIGNED, period, unit_a)

    code, stdout, stderr = verify_command()

    assert (code, stderr) == (0, "")
    assert "events verified" in stdout
