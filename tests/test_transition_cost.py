"""What one audited action through the page costs in queries (issue 14: the transition path in as
few queries as its work needs). Counts, never timings: timings live in `make bench`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers import writes
from dossiers.models import State
from tests.factories import Cast, dossier_in, login

# Session, the account with its person, their roles (own and lent); the door (savepoint, the lock
# with who submitted, the open tasks, the dossier, viewflow's task, route and links, the outbox
# row, the audit append, release). Lower it as the path gets leaner. On PostgreSQL the dossier's
# row, viewflow's and the outbox row go in one statement (dossiers.writes), the event and its
# head in another: five round trips fewer.
APPROVAL_QUERIES = 15
APPROVAL_QUERIES_POSTGRES = 10


def approval_queries(period, unit) -> list[str]:
    dossier = dossier_in(State.SUBMITTED, period, unit)
    browser = login(Cast(unit.institution).reviewer)
    with CaptureQueriesContext(connection) as queries:
        response = browser.post(
            f"/dossiers/{dossier.pk}/act/approve/", {"version": dossier.version}
        )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.REVIEWED
    return [q["sql"] for q in queries.captured_queries]


def test_an_approval_through_the_page_stays_within_its_query_budget(period, unit_a, is_postgres):
    budget = APPROVAL_QUERIES_POSTGRES if is_postgres else APPROVAL_QUERIES
    assert len(approval_queries(period, unit_a)) <= budget


def test_the_page_checks_it_may_act_on_the_dossier_without_loading_its_documents(period, unit_a):
    assert not [sql for sql in approval_queries(period, unit_a) if "dossiers_document" in sql]


def test_an_action_no_draft_decision_can_hold_the_dossier_in_leaves_the_drafts_alone(
    period, unit_a
):
    assert not [sql for sql in approval_queries(period, unit_a) if "decisions_decisionitem" in sql]


def test_the_signed_in_account_is_read_once(period, unit_a):
    assert len([sql for sql in approval_queries(period, unit_a) if 'FROM "auth_user"' in sql]) == 1


def test_the_dossiers_open_tasks_are_read_once_for_the_whole_action(period, unit_a):
    reads = [sql for sql in approval_queries(period, unit_a)
             if sql.startswith("SELECT") and 'FROM "viewflow_task"' in sql
             and 'INNER JOIN "workflow_dossierprocess"' in sql]  # fmt: skip

    assert len(reads) == 1


def test_the_audit_head_is_locked_with_one_query_once_it_exists(period, unit_a, is_postgres):
    head = [sql for sql in approval_queries(period, unit_a) if "workflow_auditchainhead" in sql]

    # On PostgreSQL the event and the head's move are one statement (audit.log._write_with_head).
    assert [sql.split()[0] for sql in head] == ["SELECT", "WITH" if is_postgres else "UPDATE"]


def test_the_event_is_written_once(period, unit_a):
    reads = approval_queries(period, unit_a)

    assert len([sql for sql in reads if 'INSERT INTO "workflow_auditevent"' in sql]) == 1


def test_the_person_is_read_with_the_signed_in_account(period, unit_a):
    assert not [sql for sql in approval_queries(period, unit_a) if 'FROM "dossiers_person"' in sql]


def test_own_and_delegated_roles_are_read_in_one_query(period, unit_a):
    reads = approval_queries(period, unit_a)

    assert len([sql for sql in reads if 'FROM "dossiers_roleassignment"' in sql]) == 1
    assert not [sql for sql in reads if sql.startswith('SELECT "dossiers_delegation"')]


def test_a_permitted_action_asks_nothing_about_visibility_before_the_door(period, unit_a):
    reads = approval_queries(period, unit_a)

    assert not [sql for sql in reads if sql.startswith('SELECT 1 AS "a" FROM "dossiers_dossier"')]


def test_without_one_statement_writes_viewflow_tasks_are_moved_in_three_writes(period, unit_a):
    if writes.in_one_statement():
        pytest.skip("this database moves the tasks in one statement (the test below)")
    moves = [sql.split()[0] for sql in approval_queries(period, unit_a)
             if 'viewflow_' in sql.split("(")[0] and not sql.startswith("SELECT")]  # fmt: skip

    assert moves == ["UPDATE", "INSERT", "INSERT"]


@pytest.mark.postgres
def test_on_postgresql_tasks_dossier_and_outbox_row_are_written_in_one_statement(period, unit_a):
    reads = approval_queries(period, unit_a)

    (statement,) = [sql for sql in reads if '"viewflow_task"' in sql and sql.startswith("WITH")]
    assert 'UPDATE "viewflow_task"' in statement and 'INSERT INTO "viewflow_task"' in statement
    assert 'UPDATE "dossiers_dossier"' in statement
    assert 'INSERT INTO "outbox_outboxmessage"' in statement
    assert not [sql for sql in reads if sql.startswith(("UPDATE", "INSERT")) and (
        "viewflow_" in sql.split("(")[0] or '"dossiers_dossier"' in sql)]  # fmt: skip


def test_whether_the_reviewer_submitted_the_dossier_is_read_with_its_lock(period, unit_a):
    reads = approval_queries(period, unit_a)

    assert not [
        sql for sql in reads if sql.startswith('SELECT 1 AS "a" FROM "workflow_auditevent"')
    ]
