"""A real Celery worker on Redis sends a mail queued by a separate producer.

Needs Redis at 127.0.0.1:6379 (database 9 is used); the test fails, rather than skips, without
it, because then background mail would silently never leave a production deployment either.
"""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery

from workflow.background import send_email_task

REDIS_URL = "redis://127.0.0.1:6379/9"
CELERY = Path(sys.executable).with_name("celery")
PROJECT = Path(__file__).resolve().parent.parent


def redis_is_up() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({error}); start redis-server.")


def start_worker(queue: str, tmp_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "DEBUG": "true",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    command = [
        str(CELERY), "-A", "config", "worker", "--pool=solo", "--concurrency=1", "-Q", queue,
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        "--hostname", f"{queue}@%h",
    ]  # fmt: skip
    with (tmp_path / "worker.log").open("w") as log:  # the worker keeps its own descriptor
        return subprocess.Popen(  # noqa: S603 (a fixed command line)
            command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def test_a_real_worker_sends_the_mail_a_producer_queued_on_redis(tmp_path):
    redis_is_up()
    queue = f"test-mail-{uuid.uuid4().hex[:12]}"
    producer = Celery("test-producer", broker=REDIS_URL, backend=REDIS_URL)
    subject = "[CĐTN] Hồ sơ cần thẩm định"
    worker = start_worker(queue, tmp_path)
    try:
        result = producer.signature(
            send_email_task.name, args=("thamdinh@truong.edu.vn", subject, "Kính gửi đồng chí,")
        ).apply_async(queue=queue)
        try:
            sent = result.get(timeout=60)
        except Exception as error:
            log = (tmp_path / "worker.log").read_text()
            pytest.fail(f"no result from the worker ({error!r}); its log:\n{log}")
        assert sent == 1
        (written,) = (tmp_path / "mail").iterdir()
        message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
        assert message["Subject"] == subject
        assert message["To"] == "thamdinh@truong.edu.vn"
        assert message["Auto-Submitted"] == "auto-generated"
        result.forget()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        producer.close()
