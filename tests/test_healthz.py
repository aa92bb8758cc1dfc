"""/healthz: 200 when the installation can serve, 503 naming what failed; no personal data."""

from __future__ import annotations

import datetime
from unittest import mock

from django.db import OperationalError
from django.utils import timezone

from auditing.models import IntegrityCheck
from operations import health
from operations.background import heartbeat
from operations.models import Run
from outbox.models import OutboxMessage
from tests.conftest import make_person, make_unit
from workflow.reminders import send_reminders


def healthz(client):
    response = client.get("/healthz")
    return response.status_code, response.json()


def ran(job, minutes_ago):
    Run.objects.create(
        job=job, finished_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )


def pending_mail(minutes_ago, to="someone@example.org"):
    return OutboxMessage.objects.create(
        kind="mail",
        payload={"to": to, "subject": "Nhắc việc"},
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_healthz_answers_200_without_login_when_every_check_passes(client, db):
    status, body = healthz(client)

    assert status == 200
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True


def test_without_a_broker_neither_the_broker_nor_the_heartbeat_is_checked(client, db):
    _, body = healthz(client)

    assert body["checks"]["broker"]["ok"] is None
    assert body["checks"]["heartbeat"]["ok"] is None


def test_a_fresh_worker_heartbeat_and_a_reachable_broker_are_healthy(client, db, settings):
    settings.CELERY_BROKER_URL = "memory://"
    ran(Run.Job.HEARTBEAT, minutes_ago=1)

    status, body = healthz(client)

    assert status == 200
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["heartbeat"]["ok"] is True


def test_a_stale_worker_heartbeat_answers_503(client, db, settings):
    settings.CELERY_BROKER_URL = "memory://"
    settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS = 300
    ran(Run.Job.HEARTBEAT, minutes_ago=10)

    status, body = healthz(client)

    assert status == 503
    assert body["failed"] == ["heartbeat"]


def test_a_worker_never_heard_from_answers_503(client, db, settings):
    settings.CELERY_BROKER_URL = "memory://"

    status, body = healthz(client)

    assert (status, body["failed"]) == (503, ["heartbeat"])


def test_an_unreachable_broker_answers_503(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    ran(Run.Job.HEARTBEAT, minutes_ago=0)

    status, body = healthz(client)

    assert status == 503
    assert body["failed"] == ["broker"]


def test_an_unreachable_database_answers_503(client, db):
    with mock.patch.object(health.connection, "cursor", side_effect=OperationalError("down")):
        status, body = healthz(client)

    assert status == 503
    assert "database" in body["failed"]


def test_an_outbox_backlog_answers_503_with_its_size(client, db, settings):
    settings.HEALTH_OUTBOX_BACKLOG_MINUTES = 15
    pending_mail(minutes_ago=30)
    pending_mail(minutes_ago=20)

    status, body = healthz(client)

    assert (status, body["failed"]) == (503, ["outbox_backlog"])
    assert body["checks"]["outbox_backlog"]["count"] == 2


def test_rows_pending_for_less_than_the_backlog_age_are_healthy(client, db, settings):
    settings.HEALTH_OUTBOX_BACKLOG_MINUTES = 15
    pending_mail(minutes_ago=5)

    status, _ = healthz(client)

    assert status == 200


def test_the_heartbeat_task_records_when_a_worker_ran_it(db):
    heartbeat.delay()

    assert timezone.now() - Run.objects.get(job=Run.Job.HEARTBEAT).finished_at < (
        datetime.timedelta(minutes=1)
    )


def test_healthz_reports_the_last_reminders_and_integrity_check(client, institution):
    person = make_person(institution, make_unit(institution))
    finished = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
    IntegrityCheck.objects.create(
        institution=institution, requested_by=person, state="done", finished_at=finished
    )
    send_reminders(today=timezone.localdate())

    _, body = healthz(client)

    assert body["last_runs"]["integrity_check"] == finished.isoformat().replace("+00:00", "Z")
    assert body["last_runs"]["reminders"] is not None


def test_reminders_never_run_are_reported_as_null(client, db):
    _, body = healthz(client)

    assert body["last_runs"] == {"integrity_check": None, "reminders": None}


def test_healthz_shows_no_personal_data(client, institution, settings):
    settings.HEALTH_OUTBOX_BACKLOG_MINUTES = 15
    person = make_person(institution, make_unit(institution), full_name="Nguyễn Thị Bí Mật")
    pending_mail(minutes_ago=60, to="bi.mat@example.org")

    response = client.get("/healthz")

    text = response.content.decode()
    for secret in (
        "Bí Mật",
        "B\\u00ed M\\u1eadt",
        "bi.mat",
        person.user.username,
        institution.code,
    ):
        assert secret not in text
