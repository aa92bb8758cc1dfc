"""Two web servers and two workers on one PostgreSQL and one Redis, as a province runs it.

Each server is gunicorn with 2 workers and each Celery worker a process of its own, all with the
same environment except their local folder (VAR_DIR: another machine's disk), on a database of
their own, created and migrated as its owner for this test, which they reach as the
application's role. Reviewers log in through the login page and approve dossiers with no
sticky session: each approval is posted to one server and its result page read from the other.
Two reviewers also race on the same dossiers, one through each server. Afterwards each approval
is stored once, the trail's chain verifies, and every mail the approvals announced is delivered
once, whichever worker sent it.

Needs Redis at 127.0.0.1:6379 (database 12 is used and flushed); without it the test skips,
and fails in CI, which starts Redis.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import secrets
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from django.utils import translation
from django.utils.html import escape

from bench import servers
from bench.web import Browser
from dossiers.demo import DEMO_PASSWORD
from tests.test_broker_outage import wait_until, worker_answers
from tests.test_celery_worker import CELERY, PROJECT, stop
from workflow.errors import IllegalTransition, StaleVersion

pytestmark = pytest.mark.postgres

REDIS_URL = "redis://127.0.0.1:6379/12"
REVIEWERS = ("bench.thamdinh", "bench.thamdinh2")  # bench_data's two reviewers
CLIENTS = 4  # two sessions of each reviewer
EACH = 6  # dossiers each client approves alone
RACES = 4  # dossiers two clients approve at the same moment, through different servers
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # between messages in a filebased backend's file


def redis_is_up() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        reason = f"Redis is not reachable at {REDIS_URL} ({error}): start redis-server"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def flush_redis() -> None:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()


def database_urls() -> tuple[str, str]:
    """The application's and the owner's URLs of a database of this test's own, on the server
    (and as the roles) of the test run's database."""
    app = os.environ["DATABASE_URL"]
    name = f"{servers.database_name(app)}_two_servers"
    owner = os.environ.get("MIGRATE_DATABASE_URL") or app
    return servers.database_url(app, name), servers.database_url(owner, name)


def environment(app_url: str, tmp_path: Path) -> dict[str, str]:
    """What every process gets: DEBUG off, one strong key, Redis, mail into one folder."""
    static = tmp_path / "static"  # what collectstatic would fill: no page here needs a file
    static.mkdir()
    return servers.environment(
        "config.settings", app_url, tmp_path / "setup",
        SECRET_KEY=secrets.token_urlsafe(64), DJANGO_ENV="development",
        CACHE_URL=REDIS_URL, CELERY_BROKER_URL=REDIS_URL,
        BALLOT_KEY_STORE="redis", BALLOT_KEY_REDIS_URL=REDIS_URL,
        MEDIA_ROOT=str(tmp_path / "shared-media"), STATIC_ROOT=str(static),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
    )  # fmt: skip


def on_machine(env: dict[str, str], tmp_path: Path, machine: str) -> dict[str, str]:
    return env | {"VAR_DIR": str(tmp_path / machine)}


def prepare_database(env: dict[str, str], owner_url: str) -> None:
    """Created and migrated as the owner; the institution written as the application."""
    servers.recreate_database(owner_url)
    servers.django_command(env | {"MIGRATE_DATABASE_URL": owner_url}, "migrate", "--no-input")
    servers.django_command(
        env, "bench_data", "--dossiers", str(CLIENTS * EACH + RACES), "--state", "submitted"
    )


def start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen:
    command = [
        str(CELERY), "-A", "config", "worker", "--pool=solo", "--concurrency=1",
        "--without-gossip", "--without-mingle", "--loglevel=INFO", "--hostname", f"{name}@%h",
    ]  # fmt: skip
    with log.open("w") as output:  # the worker keeps its own descriptor
        return subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT
        )


class Reviewer:
    """One person's browser, its session valid on every server (no sticky sessions)."""

    def __init__(self, username: str, web: list[servers.Server], home: int):
        self.browsers = [Browser(s.host, s.port, ignored=()) for s in web]
        for browser in self.browsers[1:]:
            browser.cookies = self.browsers[0].cookies
        self.browsers[home].log_in("/login/", username, DEMO_PASSWORD)

    def approve(self, dossier: tuple[int, int], server: int) -> str:
        """POST the approval to one server, read the page it redirects to from the other."""
        pk, version = dossier
        target = self.browsers[server].post(f"/dossiers/{pk}/act/approve/", {"version": version})
        status, _headers, page = self.browsers[1 - server].request("GET", target)
        assert status == 200, (target, status, page[:300])
        return page.decode()

    def close(self) -> None:
        for browser in self.browsers:
            browser.close()


def submitted_dossiers(app_url: str) -> list[tuple[int, int]]:
    with psycopg.connect(app_url) as connection:
        return connection.execute(
            "SELECT id, version FROM dossiers_dossier WHERE state = 'submitted' ORDER BY id"
        ).fetchall()


def approve_apart(reviewers: list[Reviewer], dossiers: list[tuple[int, int]]) -> None:
    """Each reviewer approves its own share, all at once, alternating between the servers."""

    def work(i: int) -> None:
        for n, dossier in enumerate(dossiers[i::CLIENTS]):
            reviewers[i].approve(dossier, server=(i + n) % 2)

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(work, range(CLIENTS)))


def race(first: Reviewer, second: Reviewer, dossier: tuple[int, int]) -> list[str]:
    """Both reviewers approve the same dossier at the same moment, through different servers;
    the pages they are shown next."""
    start = threading.Barrier(2)

    def attempt(reviewer: Reviewer, server: int) -> str:
        start.wait(timeout=30)
        return reviewer.approve(dossier, server)

    with ThreadPoolExecutor(2) as pool:
        pages = [pool.submit(attempt, first, 0), pool.submit(attempt, second, 1)]
        return [page.result() for page in pages]


def conflict_messages() -> list[str]:
    with translation.override("vi"):
        return [escape(str(error.default_message)) for error in (StaleVersion, IllegalTransition)]


def approvals(app_url: str) -> tuple[Counter, int]:
    """How many approval events each dossier has, and how many dossiers are reviewed."""
    with psycopg.connect(app_url) as connection:
        rows = connection.execute(
            "SELECT object_id FROM workflow_auditevent WHERE action = 'dossier.approved'"
        ).fetchall()
        (reviewed,) = connection.execute(
            "SELECT count(*) FROM dossiers_dossier WHERE state = 'reviewed'"
        ).fetchone()
    return Counter(int(object_id) for (object_id,) in rows), reviewed


def trail_length(app_url: str) -> int:
    with psycopg.connect(app_url) as connection:
        return connection.execute("SELECT count(*) FROM workflow_auditevent").fetchone()[0]


def outbox(app_url: str) -> list[tuple[str, str, dict]]:
    with psycopg.connect(app_url) as connection:
        return connection.execute(
            "SELECT kind, state, payload FROM outbox_outboxmessage ORDER BY id"
        ).fetchall()


def delivered(folder: Path) -> list[tuple[str, str, str]]:
    """Every message the workers wrote: recipient, subject, body. A file may hold several (the
    backend names files by the second and an object's address, which processes can share)."""
    found = []
    for path in sorted(folder.iterdir()) if folder.exists() else ():
        for raw in path.read_bytes().split(MAIL_SEPARATOR):
            if raw.strip():
                message = email.message_from_bytes(raw, policy=email.policy.default)
                found.append((message["To"], message["Subject"].strip(), message.get_content()))
    return found


def all_delivered(app_url: str, mail: Path) -> bool:
    rows = outbox(app_url)
    mails = [row for row in rows if row[0] == "email"]
    return all(state != "pending" for _, state, _ in rows) and len(delivered(mail)) >= len(mails)


@contextlib.contextmanager
def logs_on_failure(logs: list[Path]):
    try:
        yield
    except Exception as error:
        shown = "".join(
            f"\n\n--- {path.name} ---\n{path.read_text(errors='replace')[-3000:]}"
            for path in logs
            if path.exists()
        )
        pytest.fail(f"{type(error).__name__}: {error}{shown}")


@dataclass
class Cluster:
    env: dict[str, str]
    app_url: str
    web: list[servers.Server]
    workers: list[subprocess.Popen]
    mail: Path


@contextlib.contextmanager
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """Its database made and filled, two workers and two servers started; all of it stopped and
    removed afterwards, and the processes' logs shown if anything in the block failed."""
    app_url, owner_url = database_urls()
    env = environment(app_url, tmp_path)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    flush_redis()
    with contextlib.ExitStack() as stack:
        stack.callback(flush_redis)
        stack.callback(servers.drop_database, owner_url)
        stack.enter_context(logs_on_failure(logs))
        prepare_database(env, owner_url)
        workers = []
        for n, log in enumerate(logs, start=1):
            workers.append(start_worker(on_machine(env, tmp_path, f"worker-{n}"), f"w{n}", log))
            stack.callback(stop, workers[-1])
        web = []
        for n in (1, 2):
            machine = on_machine(env, tmp_path, f"web-{n}")
            web.append(stack.enter_context(servers.gunicorn("config.wsgi:application", machine)))
            logs.append(web[-1].log)
        wait_until(lambda: worker_answers(REDIS_URL), "the workers to connect", *workers)
        yield Cluster(env, app_url, web, workers, tmp_path / "mail")
        for server in web:
            assert "Traceback" not in server.log.read_text(errors="replace"), server.log_tail()


def test_two_servers_and_two_workers_approve_once_keep_the_chain_and_deliver_each_mail_once(
    tmp_path,
):
    redis_is_up()
    with cluster(tmp_path) as running, contextlib.ExitStack() as stack:
        dossiers = submitted_dossiers(running.app_url)
        raced, apart = dossiers[:RACES], dossiers[RACES:]
        reviewers = [Reviewer(REVIEWERS[i % 2], running.web, home=i % 2) for i in range(CLIENTS)]
        stack.callback(lambda: [reviewer.close() for reviewer in reviewers])

        approve_apart(reviewers, apart)
        pairs = [reviewers[2 * (k % 2) : 2 * (k % 2) + 2] for k in range(RACES)]
        pages = [race(*pair, dossier) for pair, dossier in zip(pairs, raced, strict=True)]

        conflicts = conflict_messages()
        refused = [[any(m in page for m in conflicts) for page in pair] for pair in pages]
        assert all(sorted(pair) == [False, True] for pair in refused), refused
        events, reviewed = approvals(running.app_url)
        assert events == Counter({pk: 1 for pk, _version in dossiers})
        assert reviewed == len(dossiers)
        verified = servers.django_command(running.env, "verify_audit")  # exits 1 when broken
        assert f": {trail_length(running.app_url)} events verified" in verified, verified

        wait_until(
            lambda: all_delivered(running.app_url, running.mail), "the mail", *running.workers
        )
        rows = outbox(running.app_url)
        mails = [(p["to"], p["subject"], p["body"]) for kind, _, p in rows if kind == "email"]
        assert [kind for kind, _, _ in rows].count("notification") == len(dossiers)
        assert mails and {state for _, state, _ in rows} == {"sent"}
        assert Counter(delivered(running.mail)) == Counter(mails)
