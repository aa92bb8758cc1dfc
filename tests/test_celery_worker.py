"""A real Celery worker on Redis drains the outbox: it sends a mail another process wrote there.

Needs Redis at 127.0.0.1:6379 (database 9 is used); the test fails, rather than skips, without
it, because then background mail would silently never leave a production deployment either.
"""

from __future__ import annotations

import email
import email.policy
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from celery.result import allow_join_result

REDIS_URL = "redis://127.0.0.1:6379/9"
CELERY = Path(sys.executable).with_name("celery")
PROJECT = Path(__file__).resolve().parent.parent


def redis_is_up() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({error}); start redis-server.")


def worker_env(tmp_path: Path, redis_url: str = REDIS_URL) -> dict:
    # Its own SQLite database: the owner's URL of a two-role PostgreSQL run does not apply.
    inherited = {k: v for k, v in os.environ.items() if k != "MIGRATE_DATABASE_URL"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "DEBUG": "true",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


def manage(
    tmp_path: Path, *arguments: str, redis_url: str = REDIS_URL, check: bool = True
) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (a fixed command line)
        [sys.executable, "manage.py", *arguments], cwd=PROJECT,
        env=worker_env(tmp_path, redis_url), check=check, capture_output=True, encoding="utf-8",
    )  # fmt: skip


def start_worker(queue: str, tmp_path: Path, redis_url: str = REDIS_URL) -> subprocess.Popen:
    env = worker_env(tmp_path, redis_url)
    command = [
        str(CELERY), "-A", "config", "worker", "--pool=solo", "--concurrency=1", "-Q", queue,
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        "--hostname", f"{queue}@%h",
    ]  # fmt: skip
    with (tmp_path / "worker.log").open("w") as log:  # the worker keeps its own descriptor
        return subprocess.Popen(  # noqa: S603 (a fixed command line)
            command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def stop(process: subprocess.Popen) -> None:
    """Terminate a process this test started, and kill it if it does not end within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_a_real_worker_drains_a_mail_another_process_wrote_to_the_outbox(tmp_path):
    redis_is_up()
    queue = f"test-mail-{uuid.uuid4().hex[:12]}"
    subject = "[CĐTN] Hồ sơ cần thẩm định"
    manage(tmp_path, "migrate", "-v0")
    payload = {"to": "thamdinh@truong.edu.vn", "subject": subject, "body": "Kính gửi đồng chí,"}
    manage(
        tmp_path, "shell", "-c",
        f"from outbox.models import OutboxMessage; "
        f"OutboxMessage.objects.create(kind='email', payload={payload!r})",
    )  # fmt: skip
    producer = Celery("test-producer", broker=REDIS_URL, backend=REDIS_URL)
    worker = start_worker(queue, tmp_path)
    try:
        result = producer.signature("outbox.background.drain_outbox").apply_async(queue=queue)
        try:
            # This process is a client, not a task: an eager task another thread of the suite
            # ran can leave Celery's process-wide "inside a task" flag set, which refuses get().
            with allow_join_result():
                summary = result.get(timeout=60)
        except Exception as error:
            log = (tmp_path / "worker.log").read_text()
            pytest.fail(f"no result from the worker ({error!r}); its log:\n{log}")
        assert summary == "Outbox: 1 done, 0 to retry later, 0 failed."
        (written,) = (tmp_path / "mail").iterdir()
        message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
        assert message["Subject"] == subject
        assert message["To"] == "thamdinh@truong.edu.vn"
        assert message["Auto-Submitted"] == "auto-generated"
        with sqlite3.connect(tmp_path / "db.sqlite3") as database:
            (state,) = database.execute("SELECT state FROM outbox_outboxmessage").fetchone()
        assert state == "sent"
        result.forget()
    finally:
        stop(worker)
        producer.close()
