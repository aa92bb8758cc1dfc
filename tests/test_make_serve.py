"""`make serve` on a fresh PostgreSQL database: it migrates, collects the static files, passes
`check --deploy`, starts a worker with beat and gunicorn, and answers like a production server."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from dossiers.demo_certificate import create_demo_certificate

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parent.parent
READY_SECONDS = 240
REDIS = "redis://127.0.0.1:6379/14"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, **headers):
    request = urllib.request.Request(  # noqa: S310 - http to our own server
        url, headers={"X-Forwarded-Proto": "https", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def database():
    """A database of its own on the suite's PostgreSQL server, as its superuser."""
    server = settings.DATABASES["default"]
    name = f"thidua_serve_{secrets.token_hex(4)}"
    admin = f"postgres://postgres@{server['HOST']}:{server['PORT']}"
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"{admin}/{name}"
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def served(database, tmp_path_factory):
    """`make serve`, running for this module's tests; its address, process and output."""
    tmp_path = tmp_path_factory.mktemp("serve")
    key = tmp_path / "system.p12"
    create_demo_certificate(key, passphrase="", common_name="Khóa hệ thống")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO", "DATABASE", "MIGRATE", "SECRET", "DEBUG", "PYTEST"))},
        "DJANGO_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": database, "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://thidua.example.edu.vn", "TRUST_PROXY_HEADERS": "true",
        "CACHE_URL": REDIS, "CELERY_BROKER_URL": REDIS, "BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "1", "VAR_DIR": str(tmp_path), "SIGNING_PKCS12_PATH": str(key),
    }  # fmt: skip
    log = (tmp_path / "serve.log").open("w")
    make = shutil.which("make") or "/usr/bin/make"
    process = subprocess.Popen(  # noqa: S603 - our Makefile
        [make, "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            try:
                get(f"{base}/healthz")  # any answer: gunicorn is up
                break
            except OSError:
                time.sleep(1)
        yield base, process, tmp_path / "serve.log"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_make_serve_answers_its_health_check(served):
    base, process, log = served
    assert process.poll() is None, log.read_text()

    deadline = time.monotonic() + 90  # the worker starts beside gunicorn, and beats at start
    status, _headers, body = get(f"{base}/healthz")
    while status != 200 and time.monotonic() < deadline:
        time.sleep(2)
        status, _headers, body = get(f"{base}/healthz")

    assert status == 200, body
    assert json.loads(body)["status"] == "ok"


def test_make_serve_serves_hashed_static_files_cached_for_a_year(served):
    base, _process, log = served
    status, _headers, page = get(f"{base}/login/")
    assert status == 200, log.read_text()
    stylesheet = re.search(rb'href="(/static/css/app\.[0-9a-f]+\.css)"', page)

    status, headers, _body = get(base + stylesheet.group(1).decode())

    assert status == 200
    assert "max-age=315360000" in headers.get("Cache-Control", "")


def test_under_make_serve_plain_http_is_redirected_to_https(served):
    base, _process, _log = served
    request = urllib.request.Request(f"{base}/login/")  # noqa: S310 - our own server
    opener = urllib.request.build_opener(NoRedirect)

    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(request, timeout=10)

    with redirected.value as response:
        assert response.code == 301
        assert response.headers["Location"].startswith("https://")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
