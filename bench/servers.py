"""What the HTTP benchmarks run against: databases of their own, Django commands and gunicorn,
each in a subprocess with a production environment (never the test run's settings)."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
# What the test run (pytest-django, config.settings_test) put in the environment, and what each
# server is given afresh.
INHERITED_NOT = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "MIGRATE_DATABASE_URL", "SECRET_KEY",
                 "VAR_DIR", "DEBUG", "ALLOWED_HOSTS", "DB_CONN_MAX_AGE", "PYTEST_CURRENT_TEST",
                 "PYTEST_VERSION")  # fmt: skip
READY_SECONDS = 60
STOP_SECONDS = 15


def database_url(base: str, name: str) -> str:
    """`base` (a PostgreSQL URL) with another database name."""
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def on_server(url: str, statement: str, *names: str, arguments: tuple = ()) -> list[tuple]:
    """Run `statement` on the maintenance database of `url`'s server, `{}` filled with `names`
    (quoted as identifiers); the rows it returns."""
    query = sql.SQL(statement).format(*map(sql.Identifier, names))
    with psycopg.connect(database_url(url, "postgres"), autocommit=True) as maintenance:
        cursor = maintenance.execute(query, arguments)
        return cursor.fetchall() if cursor.description else []


def drop_database(url: str) -> None:
    """Drop the database `url` names, closing its sessions."""
    on_server(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", database_name(url))


def recreate_database(url: str, *, template: str = "template1") -> None:
    """The database `url` names, dropped and created afresh (a copy of `template`)."""
    drop_database(url)
    on_server(url, "CREATE DATABASE {} TEMPLATE {}", database_name(url), template)


def migrated_database(url: str, env: dict[str, str]) -> None:
    """The database `url` names, created afresh and migrated: a copy of a template database
    migrated once per set of migrations (migrating ours takes most of a minute; copying, a
    second). `env` runs `migrate`."""
    prefix = f"{database_name(url)}_tpl_"
    template = prefix + migrations_fingerprint()
    found = on_server(url, "SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                      arguments=(prefix,))  # fmt: skip
    if (template,) not in found:
        for (stale,) in found:
            drop_database(database_url(url, stale))
        building = database_url(url, f"{template}_new")
        recreate_database(building)
        django_command(env | {"DATABASE_URL": building}, "migrate", "--no-input")
        on_server(url, "ALTER DATABASE {} RENAME TO {}", database_name(building), template)
    recreate_database(url, template=template)


def migrations_fingerprint() -> str:
    """Changes whenever a migration of ours or the peer's changes, or a migrating package's
    version does."""
    versions = [metadata.version(name) for name in ("django", "django-viewflow", "django-fsm-log")]
    digest = hashlib.sha256(" ".join(versions).encode())
    files = [*ROOT.glob("*/migrations/*.py"), *ROOT.glob("bench/peer/*/migrations/*.py")]
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def environment(settings: str, database: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """A production environment for a Django process: DEBUG off, its own key, folder, database."""
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_NOT}
    env |= {
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": database,
        "SECRET_KEY": os.urandom(32).hex(),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "VAR_DIR": str(var_dir),
        "PYTHONPATH": str(ROOT),
    }
    return env | extra


def django_command(env: dict[str, str], *arguments: str) -> str:
    """Run `django-admin <arguments>` under `env`; its output, or an error carrying it."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "django", *arguments],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(
            f"django-admin {' '.join(arguments)} exited {done.returncode}:\n"
            f"{done.stdout[-2000:]}{done.stderr[-4000:]}"
        )
    return done.stdout


@dataclass
class Server:
    host: str
    port: int
    log: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(application: str, env: dict[str, str], *, workers: int = 2) -> Iterator[Server]:
    """gunicorn serving `application` with `workers` sync workers on a free port, until the block
    ends (however it ends): then stopped, its process group killed if it does not stop in time."""
    log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    server = Server("127.0.0.1", free_port(), log)
    command = [sys.executable, "-m", "gunicorn", application, "--workers", str(workers),
               "--worker-class", "sync", "--bind", f"{server.host}:{server.port}",
               "--log-level", "warning"]  # fmt: skip
    with open(log, "w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        wait_until_answering(server, process)
        yield server
    finally:
        stop(process)


def wait_until_answering(server: Server, process: subprocess.Popen) -> None:
    """Return once a worker answers HTTP; fail with the server's log if it exits or never does."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited {process.returncode}:\n{server.log_tail()}")
        connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
        try:
            connection.request("GET", "/login/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not answer in {READY_SECONDS} s:\n{server.log_tail()}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's master (it stops its workers), SIGKILL to its group if it lingers."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_SECONDS)
