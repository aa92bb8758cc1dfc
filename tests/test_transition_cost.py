"""What one audited action through the page costs in queries (issue 14: the transition path in as
few queries as its work needs). Counts, never timings: timings live in `make bench`."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers.models import State
from tests.factories import Cast, dossier_in, login

# Session, user, person, roles, delegations; the visibility check; the door (lock, separation,
# viewflow's task and route, the outbox row, the audit append). Lower it as the path gets leaner.
APPROVAL_QUERIES = 33


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


def test_an_approval_through_the_page_stays_within_its_query_budget(period, unit_a):
    assert len(approval_queries(period, unit_a)) <= APPROVAL_QUERIES


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


def test_the_audit_head_is_locked_with_one_query_once_it_exists(period, unit_a):
    head = [sql for sql in approval_queries(period, unit_a) if "workflow_auditchainhead" in sql]

    assert [sql.split()[0] for sql in head] == ["SELECT", "UPDATE"]
