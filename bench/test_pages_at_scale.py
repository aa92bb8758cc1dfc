"""Pages at 100, 10,000 and 100,000 dossiers (1,000,000 audit events at the largest), issue 14.

`*_queries_growth`: the queries of a page at the largest size against those at 100 dossiers
(goal: the same, ratio 1.0). `list_p95_ms_100k`, `inbox_p95_ms_100k`, `trail_p95_ms_1m`: the
95th percentile of the page's time in-process (test client, DEBUG off) against the goal, 150 ms.
The data is built once per size by `manage.py bench_data`, each size added to the one before.
"""

from __future__ import annotations

import io
import math
import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditChainHead
from bench.figures import Figure
from dossiers.bench_data import organisation
from dossiers.models import Dossier, Institution
from workflow.consistency import inconsistencies

CODE = "bench-scale"
SIZES = [(100, 1_000), (10_000, 100_000), (100_000, 1_000_000)]  # dossiers, events
REQUESTS = 20
GOAL_MS = 150

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]


def grow_to(dossiers: int, events: int) -> float:
    """Add dossiers and events up to these totals; the seconds it took."""
    institution = Institution.objects.filter(code=CODE).first()
    have = Dossier.objects.of(institution).count() if institution else 0
    head = AuditChainHead.objects.filter(institution=institution).first() if institution else None
    started = time.perf_counter()
    call_command(
        "bench_data", "--institution", CODE, "--dossiers", str(dossiers - have),
        "--events", str(events - (head.sequence if head else 0)), "--append",
        stdout=io.StringIO(),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would soon after such a load
    return time.perf_counter() - started


def browser(name: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    user = get_user_model().objects.get(username=f"{CODE}.{name}")
    client.force_login(user)
    return client


def measure(client: Client, address: str) -> dict:
    """Queries of one request, then p50/p95 over REQUESTS more, and the page's size."""
    reset_queries()  # as each request does: the context must not count from an older log
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, address
    # Now: captured_queries slices the connection's log, which the next request clears.
    count = len(queries.captured_queries)
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(address)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "queries": count,
        "p50": round(statistics.median(samples), 1),
        "p95": round(samples[math.ceil(0.95 * len(samples)) - 1], 1),
        "kb": round(len(response.content) / 1024, 1),
    }


def pages() -> dict[str, tuple[str, str]]:
    """Page name: (account, address)."""
    institution = Institution.objects.get(code=CODE)
    dossier = Dossier.objects.of(institution).order_by("pk").first()
    head = AuditChainHead.objects.get(institution=institution)
    return {
        "list": (organisation.REVIEWER, "/dossiers/"),
        "list_unit_head": (organisation.UNIT_HEAD, "/dossiers/"),
        "inbox": (organisation.REVIEWER, "/tasks/"),
        "history": (organisation.REVIEWER, f"/dossiers/{dossier.pk}/"),
        "trail": (organisation.AUDITOR, "/audit/"),
        "trail_deep": (organisation.AUDITOR, f"/audit/?before={head.sequence // 3}"),
    }


def describe(results: dict, page: str) -> str:
    return "; ".join(
        f"{dossiers:,} dossiers: {r[page]['queries']} queries, p50 {r[page]['p50']} ms, "
        f"p95 {r[page]['p95']} ms, {r[page]['kb']} KB"
        for dossiers, r in results.items()
    )


def test_pages_at_100_10000_and_100000_dossiers(figures):
    results, built = {}, []
    for dossiers, events in SIZES:
        built.append(f"{dossiers:,}/{events:,} in {grow_to(dossiers, events):.0f} s")
        results[dossiers] = {
            page: measure(browser(account), address) for page, (account, address) in pages().items()
        }
        print(f"\n{dossiers:,} dossiers: {results[dossiers]}")
    assert list(inconsistencies(Dossier.objects.filter(institution__code=CODE))) == []

    small, large = results[SIZES[0][0]], results[SIZES[-1][0]]
    for name, page, extra in [
        ("list_queries_growth", "list", "list_unit_head"),
        ("inbox_queries_growth", "inbox", None),
        ("history_queries_growth", "history", None),
        ("trail_queries_growth", "trail", "trail_deep"),
    ]:
        note = describe(results, page)
        if extra:
            note += f" | {extra}: " + describe(results, extra)
        figures.record(Figure(
            name, large[page]["queries"], "queries", "queries at 100 dossiers",
            small[page]["queries"], note=note,
        ))  # fmt: skip
    for name, page in [("list_p95_ms_100k", "list"), ("inbox_p95_ms_100k", "inbox"),
                       ("trail_p95_ms_1m", "trail")]:  # fmt: skip
        figures.record(Figure(
            name, large[page]["p95"], "ms", "the goal", GOAL_MS,
            note=describe({SIZES[-1][0]: large}, page) + "; built " + ", ".join(built),
        ))  # fmt: skip
