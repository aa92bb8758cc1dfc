"""A mail written while the broker is stopped is delivered once, after the broker restarts.

tests/test_outbox.py points Celery at a closed port and drains in-process; tests/test_celery_worker
uses the Redis that is always up. Neither stops a real broker under a real worker, which is what
an outage in production does: here the test runs its own redis-server, stops it under a connected
worker, commits a mail in another process (with a Redis result backend, as a deployment may
have: its nudge must still fail at once, with a warning), starts the broker again on the same
port and plays beat's drain twice. Without /usr/bin/redis-server it skips, and fails in CI.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import socket
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from celery import Celery
from celery.result import allow_join_result
from kombu.exceptions import OperationalError as BrokerUnreachable

from config.celery import app as celery_app
from tests.test_celery_worker import manage, start_worker, stop

REDIS_SERVER = Path("/usr/bin/redis-server")
TIMEOUT = 60  # seconds, for each wait on a process: connecting, reconnecting, a task's result
PAYLOAD = {"to": "thamdinh@truong.edu.vn", "subject": "[CĐTN] Hồ sơ cần thẩm định", "body": "B"}
# The real service path, as a view does it: the row and the on-commit nudge in one transaction.
WRITE_ONE_MAIL = f"""
from django.db import transaction
from outbox import services
with transaction.atomic():
    services.enqueue("email", [{PAYLOAD!r}])
"""


def redis_server_is_installed() -> None:
    if REDIS_SERVER.exists():
        return
    reason = f"{REDIS_SERVER} is missing (apt-get install redis-server): no broker to stop"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], bool], what: str, *running: subprocess.Popen) -> None:
    """Poll `condition` until it holds; fail after TIMEOUT, or as soon as a process has ended."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        for process in running:
            if process.poll() is not None:
                raise AssertionError(
                    f"{process.args[0]} exited ({process.returncode}) while waiting for {what}"
                )
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {TIMEOUT} s for {what}")
        time.sleep(0.2)


def answers(port: int) -> bool:
    client = redis.Redis(port=port, socket_connect_timeout=1)
    try:
        return client.ping()
    except redis.exceptions.ConnectionError:
        return False
    finally:
        client.close()


def start_redis(port: int, tmp_path: Path) -> subprocess.Popen:
    command = [
        str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", str(tmp_path),
    ]  # fmt: skip
    with (tmp_path / "redis.log").open("a") as log:  # both runs of the server, one after the other
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        wait_until(lambda: answers(port), f"redis-server on port {port}", server)
    except BaseException:
        stop(server)
        raise
    return server


def worker_answers(redis_url: str) -> bool:
    """Whether a worker consumes from this broker: it answers a ping."""
    probe = Celery("test-probe", broker=redis_url)
    try:
        return bool(probe.control.ping(timeout=0.5))
    except (redis.exceptions.ConnectionError, BrokerUnreachable):
        # Kombu keeps one producer pool per broker URL for the whole process: after the restart
        # its first connection is the dead server's, and fails once before a new one is made.
        return False
    finally:
        probe.close()


def drain(producer: Celery, queue: str) -> str:
    """Play beat: publish `drain_outbox` to the worker's queue and wait for its summary."""
    result = producer.signature("outbox.background.drain_outbox").apply_async(queue=queue)
    try:
        with allow_join_result():  # this process is a client, not a task (test_celery_worker)
            return result.get(timeout=TIMEOUT)
    finally:
        result.forget()


def rows(tmp_path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        return database.execute("SELECT state, attempts FROM outbox_outboxmessage").fetchall()


def mails(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "mail"
    return sorted(folder.iterdir()) if folder.exists() else []


@contextlib.contextmanager
def logs_on_failure(tmp_path: Path):
    try:
        yield
    except Exception as error:
        logs = "".join(
            f"\n\n--- {name} ---\n{path.read_text(errors='replace') if path.exists() else '-'}"
            for name, path in (("worker log", tmp_path / "worker.log"),
                               ("redis log", tmp_path / "redis.log"))
        )  # fmt: skip
        pytest.fail(f"{type(error).__name__}: {error}{logs}")


def test_a_mail_written_while_the_broker_is_stopped_is_delivered_once_after_it_restarts(tmp_path):
    redis_server_is_installed()
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    queue = f"test-outage-{uuid.uuid4().hex[:12]}"
    server = worker = producer = None
    try:
        with logs_on_failure(tmp_path):
            server = start_redis(port, tmp_path)
            worker = start_worker(queue, tmp_path, redis_url)
            manage(tmp_path, "migrate", "-v0", redis_url=redis_url)  # while the worker starts
            wait_until(lambda: worker_answers(redis_url), "the worker to connect", worker, server)

            stop(server)
            written = manage(
                tmp_path, "shell", "-c", WRITE_ONE_MAIL, redis_url=redis_url, check=False
            )

            assert written.returncode == 0, written.stderr
            assert "outbox: broker unreachable" in written.stderr, written.stderr
            assert rows(tmp_path) == [("pending", 0)]
            assert mails(tmp_path) == []

            server = start_redis(port, tmp_path)
            wait_until(lambda: worker_answers(redis_url), "the worker to reconnect", worker, server)
            assert "Connection to broker lost" in (tmp_path / "worker.log").read_text()
            producer = Celery("test-producer", broker=redis_url, backend=redis_url)

            assert drain(producer, queue) == "Outbox: 1 done, 0 to retry later, 0 failed."
            (sent,) = mails(tmp_path)
            message = email.message_from_bytes(sent.read_bytes(), policy=email.policy.default)
            assert (message["Subject"], message["To"]) == (PAYLOAD["subject"], PAYLOAD["to"])
            assert rows(tmp_path) == [("sent", 1)]

            assert drain(producer, queue) == "Outbox: 0 done, 0 to retry later, 0 failed."
            assert mails(tmp_path) == [sent]
            assert rows(tmp_path) == [("sent", 1)]
    finally:
        for process in (worker, server):
            if process is not None:
                stop(process)
        if producer is not None:
            producer.close()


def test_a_worker_waits_for_the_broker_however_long_it_is_down():
    # Celery's default, 100 attempts, ends the worker after about 45 minutes without Redis.
    assert celery_app.conf.broker_connection_max_retries is None
    assert celery_app.conf.broker_connection_retry is True
    assert celery_app.conf.broker_connection_retry_on_startup is True
