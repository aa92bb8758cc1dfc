"""What /healthz checks: the services a web server needs and the background work behind it.

Each check answers ok (True), failed (False) or not applicable (None), with counts and times
only: nothing here names a person, a dossier or a server's address.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils import timezone
from kombu import Connection
from kombu.exceptions import OperationalError as BrokerError
from redis import RedisError

from auditing.models import IntegrityCheck
from operations import runs
from operations.models import Run
from outbox.models import OutboxMessage

BROKER_TIMEOUT_SECONDS = 2


@dataclass
class Check:
    ok: bool | None
    details: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"ok": self.ok, **self.details}


def database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return Check(True)


def cache_check() -> Check:
    key, value = "thidua:healthz", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        return Check(cache.get(key) == value)
    except (RedisError, OSError) as error:
        return Check(False, {"error": type(error).__name__})


def broker() -> Check:
    url = settings.CELERY_BROKER_URL
    if not url:
        return Check(None, {"detail": "no broker: background work runs in-process"})
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except (BrokerError, OSError) as error:
        return Check(False, {"error": type(error).__name__})
    return Check(True)


def heartbeat() -> Check:
    """The worker ran beat's heartbeat task lately (only with a broker: else there is no worker)."""
    limit = settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS
    if not settings.CELERY_BROKER_URL:
        return Check(None, {"detail": "no broker: no worker to hear from"})
    run = runs.last(Run.Job.HEARTBEAT)
    age = _seconds_since(run.finished_at) if run else None
    details = {"last": _iso(run.finished_at) if run else None, "max_age_seconds": limit}
    return Check(age is not None and age <= limit, details)


def outbox_backlog() -> Check:
    """At most HEALTH_OUTBOX_BACKLOG_MAX rows pending for HEALTH_OUTBOX_BACKLOG_MINUTES."""
    minutes = settings.HEALTH_OUTBOX_BACKLOG_MINUTES
    before = timezone.now() - datetime.timedelta(minutes=minutes)
    count = OutboxMessage.objects.filter(
        state=OutboxMessage.State.PENDING, created_at__lt=before
    ).count()
    limit = settings.HEALTH_OUTBOX_BACKLOG_MAX
    return Check(count <= limit, {"count": count, "older_than_minutes": minutes, "max": limit})


CHECKS = {
    "database": database,
    "cache": cache_check,
    "broker": broker,
    "heartbeat": heartbeat,
    "outbox_backlog": outbox_backlog,
}


def run_checks() -> dict[str, Check]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except DatabaseError as error:
            results[name] = Check(False, {"error": type(error).__name__})
    return results


def last_runs() -> dict[str, str | None]:
    """When the integrity check and the reminders last finished (reported, never failing)."""
    try:
        check = (
            IntegrityCheck.objects.filter(finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        reminders = runs.last(Run.Job.REMINDERS)
    except DatabaseError:
        return {"integrity_check": None, "reminders": None}
    return {
        "integrity_check": _iso(check) if check else None,
        "reminders": _iso(reminders.finished_at) if reminders else None,
    }


def report() -> tuple[bool, dict]:
    """(healthy, the JSON body): healthy when no check failed."""
    results = run_checks()
    failed = [name for name, result in results.items() if result.ok is False]
    body = {
        "status": "unhealthy" if failed else "ok",
        "failed": failed,
        "checks": {name: result.as_json() for name, result in results.items()},
        "last_runs": last_runs(),
    }
    return not failed, body


def _seconds_since(moment: datetime.datetime) -> float:
    return (timezone.now() - moment).total_seconds()


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
