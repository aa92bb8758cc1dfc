"""`transition_c1_vs_floor`, `transition_c4_vs_floor`, `transition_c1_vs_peer`,
`transition_c4_vs_peer`: audited approvals through HTTP, at 1 and 4 clients for SECONDS each,
against the SQL floor of the same write and against a minimal django-fsm-2 + django-fsm-log
project (bench/peer/), measured in the same run (issue 14; goal: c4 vs peer at most 2).

Ours and the peer run under gunicorn with 2 sync workers, DEBUG off, each on a PostgreSQL
database of its own over TCP, created afresh beside the bench database (never the test
database, which the servers cannot see); each client is logged in with its own session and
approves each object once. Values are milliseconds per approval (1000 / throughput).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from bench import floor, servers
from bench.figures import Figure
from bench.load import Load, drive
from bench.web import Browser
from dossiers.demo import DEMO_PASSWORD

SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", 10))  # shorter only while developing
WARM_UP = 2  # seconds before the measured runs, on objects of their own (checked too)
CLIENTS = (1, 4)
WORKERS = 2
FLOOR_ITEMS = 200_000
PEER_ITEMS = 40_000
OURS_DOSSIERS = 6_000
PEER_USER, PEER_PASSWORD = "reviewer", "peer-bench-password"
REVIEWER = re.compile(r"reviewer (?P<username>[^\s,]+)")  # in bench_data's summary line
# Ours runs as in production, with a broker: the request writes the outbox row of the mail it
# announces and nudges a worker, whose drain (who may take the next task, the mails) is not the
# request's cost; no worker runs, so the rows wait, and each approval is checked to have its row.
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")

pytestmark = [pytest.mark.bench, pytest.mark.postgres]


@pytest.fixture(scope="module")
def bench_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("servers on PostgreSQL: set DATABASE_URL (make bench does)")
    return url


@pytest.fixture(scope="module")
def var_dir():
    with tempfile.TemporaryDirectory(prefix="bench-http-") as folder:
        yield Path(folder)


def measure(operation_for: Callable[[int], Callable], keys) -> dict[int, Load]:
    """A warm-up with the most clients (every server worker then has served), then per number
    of clients the measured run, client i's operation made by `operation_for(i)`. Each load
    returned lists in `.done` the keys its run completed; the warm-up's are in the first."""
    operations = [operation_for(i) for i in range(max(CLIENTS))]
    warm = drive(operations, keys, WARM_UP)
    loads = {}
    for clients in CLIENTS:
        load = drive(operations[:clients], keys, SECONDS)
        assert not warm.failures and not load.failures, warm.failures + load.failures
        loads[clients] = load
        print(f"\n{clients} client(s), {load.operations} in {load.seconds:.1f} s: {load.summary()}")
    loads[CLIENTS[0]].done += warm.done
    return loads


def completed(loads: dict[int, Load]) -> list:
    return [key for load in loads.values() for client in load.done for key in client]


def assert_clean(server: servers.Server) -> None:
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log and "[ERROR]" not in log, server.log_tail()


def assert_in_production(server: servers.Server) -> None:
    """DEBUG is off: an unknown address gets the plain 404, not Django's debug page."""
    browser = Browser(server.host, server.port)
    status, _headers, content = browser.request("GET", "/no-such-page/")
    browser.close()
    assert status == 404 and b"URLconf" not in content, content[:300]


def measure_floor(bench_url: str) -> dict[int, Load]:
    url = servers.database_url(bench_url, f"{servers.database_name(bench_url)}_http_floor")
    servers.recreate_database(url)
    floor.prepare(url, FLOOR_ITEMS)
    connections = []

    def operation_for(_client: int):
        approve, connection = floor.approver(url)
        connections.append(connection)
        return approve

    try:
        loads = measure(operation_for, iter(range(1, FLOOR_ITEMS + 1)))
    finally:
        for connection in connections:
            connection.close()
    assert floor.approved_once(url, completed(loads))
    return loads


def measure_site(application: str, env: dict, *, username: str, password: str, keys,
                 approve: Callable[[Browser, object], None]) -> dict[int, Load]:  # fmt: skip
    """`measure` against `application` under gunicorn, each client a browser logged in as
    `username` doing `approve(browser, key)`."""
    with ExitStack() as stack:
        server = stack.enter_context(servers.gunicorn(application, env, workers=WORKERS))
        assert_in_production(server)
        browsers = []
        stack.callback(lambda: [browser.close() for browser in browsers])

        def operation_for(_client: int):
            browser = Browser(server.host, server.port)
            browsers.append(browser)
            browser.log_in("/login/", username, password)
            return lambda key: approve(browser, key)

        loads = measure(operation_for, keys)
        assert_clean(server)
    return loads


def measure_peer(bench_url: str, var_dir: Path) -> dict[int, Load]:
    url = servers.database_url(bench_url, f"{servers.database_name(bench_url)}_http_peer")
    env = servers.environment("bench.peer.settings", url, var_dir / "peer")
    servers.migrated_database(url, env)
    servers.django_command(env, "peer_data", "--objects", str(PEER_ITEMS),
                           "--username", PEER_USER, "--password", PEER_PASSWORD)  # fmt: skip
    with psycopg.connect(url) as connection:
        ids = [pk for (pk,) in connection.execute("SELECT id FROM approvals_item ORDER BY id")]
    loads = measure_site(
        "bench.peer.wsgi:application", env, username=PEER_USER, password=PEER_PASSWORD,
        keys=iter(ids), approve=lambda browser, pk: browser.post(f"/objects/{pk}/approve/", {}),
    )  # fmt: skip
    assert peer_approved_once(url, completed(loads))
    return loads


def peer_approved_once(url: str, pks: list[int]) -> bool:
    """Each item approved, with one StateLog row by the reviewer; nothing else approved."""
    with psycopg.connect(url) as connection:
        approved = connection.execute(
            "SELECT count(*) FROM approvals_item WHERE state = 'approved'"
        ).fetchone()[0]
        rows, items = connection.execute(
            "SELECT count(*), count(DISTINCT log.object_id) FROM django_fsm_log_statelog log "
            "JOIN auth_user u ON u.id = log.by_id WHERE u.username = %s "
            "AND log.transition = 'approve' AND log.source_state = 'submitted' "
            "AND log.state = 'approved' AND log.object_id = ANY(%s)",
            (PEER_USER, pks),
        ).fetchone()
    return approved == len(pks) == rows == items


def measure_ours(bench_url: str, var_dir: Path) -> dict[int, Load]:
    url = servers.database_url(bench_url, f"{servers.database_name(bench_url)}_http_ours")
    env = servers.environment(
        "config.settings", url, var_dir / "ours", CELERY_BROKER_URL=BROKER_URL,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )  # fmt: skip
    purge_broker()
    servers.migrated_database(url, env)
    summary = servers.django_command(
        env, "bench_data", "--dossiers", str(OURS_DOSSIERS), "--state", "submitted"
    )
    found = REVIEWER.search(summary)
    assert found, summary
    print(f"\n{summary.strip()}")
    with psycopg.connect(url) as connection:
        dossiers = connection.execute(
            "SELECT id, version FROM dossiers_dossier WHERE state = 'submitted' ORDER BY id"
        ).fetchall()
    loads = measure_site(
        "config.wsgi:application", env, username=found["username"], password=DEMO_PASSWORD,
        keys=iter(dossiers), approve=lambda browser, dossier: browser.post(
            f"/dossiers/{dossier[0]}/act/approve/", {"version": dossier[1]}
        ),
    )  # fmt: skip
    assert ours_approved_once(url, [pk for pk, _version in completed(loads)])
    purge_broker()
    assert announced_once(url, len(completed(loads)))
    verified = servers.django_command(env, "verify_audit")
    print(verified.strip())
    return loads


def purge_broker() -> None:
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()


def announced_once(url: str, approvals: int) -> bool:
    """Each approval left the worker one pending "task opened" notification."""
    with psycopg.connect(url) as connection:
        pending = connection.execute(
            "SELECT count(*) FROM outbox_outboxmessage WHERE state = 'pending'"
            " AND kind = 'notification' AND payload->>'event' = 'task_opened'"
        ).fetchone()[0]
    return pending == approvals


def ours_approved_once(url: str, pks: list[int]) -> bool:
    """Each dossier reviewed, with one approval in the audit trail; nothing else reviewed."""
    with psycopg.connect(url) as connection:
        reviewed = connection.execute(
            "SELECT count(*) FROM dossiers_dossier WHERE state = 'reviewed'"
        ).fetchone()[0]
        events, dossiers = connection.execute(
            "SELECT count(*), count(DISTINCT object_id) FROM workflow_auditevent "
            "WHERE action = 'dossier.approved' AND object_type = 'dossier'"
            " AND object_id = ANY(%s)",
            ([str(pk) for pk in pks],),
        ).fetchone()
    return reviewed == len(pks) == events == dossiers


def test_approvals_through_http_against_the_sql_floor_and_the_peer(bench_url, var_dir, figures):
    references = {
        "floor": ("SQL floor: psycopg, lock + 2 UPDATE + 2 INSERT", measure_floor(bench_url)),
        "peer": ("django-fsm-2 + django-fsm-log under gunicorn", measure_peer(bench_url, var_dir)),
    }
    ours = measure_ours(bench_url, var_dir)
    for against, (reference, theirs) in references.items():
        for clients in CLIENTS:
            figures.record(Figure(
                f"transition_c{clients}_vs_{against}", ours[clients].ms_per_operation,
                "ms per approval", reference, theirs[clients].ms_per_operation,
                note=f"{clients} client(s), {SECONDS} s, {WORKERS} sync gunicorn workers: "
                     f"ours {ours[clients].summary()}; {against} {theirs[clients].summary()}",
            ))  # fmt: skip
