"""`transition_queries`: the queries of one audited approval through the page, session and
authentication included (issue 14's goal: at most 15), and its in-process time.

Run outside a test transaction, as a server runs it: the door's transaction is a real one, its
BEGIN and COMMIT counted, not a savepoint inside the test's. The mail the approval announces is
an outbox row that a worker drains (a broker is configured in production); without one the
drain would run in the request after the commit, so the benchmark hands the nudge to nobody.
"""

from __future__ import annotations

import time
from unittest.mock import patch

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.figures import Figure, median_ms
from dossiers.models import State
from tests.factories import Cast, dossier_in, login

APPROVALS = 30
GOAL_QUERIES = 15

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]


def test_queries_and_time_of_one_approval_through_the_page(period, unit_a, figures):
    dossiers = [dossier_in(State.SUBMITTED, period, unit_a) for _ in range(APPROVALS + 1)]
    browser = login(Cast(unit_a.institution).reviewer)
    first, *rest = dossiers
    with patch("outbox.services.nudge"):
        with CaptureQueriesContext(connection) as queries:
            response = browser.post(
                f"/dossiers/{first.pk}/act/approve/", {"version": first.version}
            )
        assert response.status_code == 302
        count = len(queries.captured_queries)  # now: the next request resets the query log
        samples = []
        for dossier in rest:
            started = time.perf_counter()
            browser.post(f"/dossiers/{dossier.pk}/act/approve/", {"version": dossier.version})
            samples.append(time.perf_counter() - started)
            dossier.refresh_from_db()
            assert dossier.state == State.REVIEWED

    figures.record(Figure(
        "transition_queries", count, "queries", "the goal",
        GOAL_QUERIES,
        note=f"BEGIN and COMMIT included; in-process median {median_ms(samples)} ms per approval",
    ))  # fmt: skip
