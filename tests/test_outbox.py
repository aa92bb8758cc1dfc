"""The outbox: background work written in the change's transaction, drained, retried, listed.

`django_capture_on_commit_callbacks(execute=True)` plays the commit; without a broker (the
tests' setting) the nudge after it drains in-process, as `make run` does.
"""

from __future__ import annotations

import datetime
import smtplib
import uuid
from unittest import mock

import pytest
import redis
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from audit.models import AuditEvent
from auditing.models import IntegrityCheck
from config.celery import app as celery_app
from outbox import registry, services
from outbox.background import drain_outbox
from outbox.models import OutboxMessage
from tests.conftest import make_dossier
from tests.factories import earlier_mail_delivered, login
from tests.test_notifications import act, reachable, recipients

UNREACHABLE_BROKER = "redis://127.0.0.1:6390/0"
REDIS_URL = "redis://127.0.0.1:6379/12"
SMTP_DOWN = smtplib.SMTPServerDisconnected("try later")


@pytest.fixture
def broker(monkeypatch):
    """Point Celery at a broker (a worker is configured), so nudges are published, not run."""

    def use(url):
        monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    yield use
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def due_now():
    """Time passes: every waiting row falls due."""
    OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).update(
        next_attempt_at=timezone.now()
    )


# Mails


def test_a_mail_written_while_the_broker_is_down_is_delivered_once_when_it_returns(
    period, unit_a, head_a, reviewer, broker, django_capture_on_commit_callbacks
):
    reachable(reviewer)
    dossier = make_dossier(period, unit_a)
    earlier_mail_delivered()
    broker(UNREACHABLE_BROKER)

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "submit", head_a)

    assert mail.outbox == []
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).count() == 1
    drain_outbox.apply()  # the worker is back: beat's drain runs
    drain_outbox.apply()
    assert recipients() == ["reviewer@truong.edu.vn"]


@pytest.fixture
def redis_queue(broker, monkeypatch):
    """A Redis broker with a queue of its own; yields (client, queue name)."""
    queue = f"test-outbox-{uuid.uuid4().hex[:12]}"
    broker(REDIS_URL)
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        yield client, queue
    finally:
        client.delete(queue, f"thidua:outbox:drain-waiting:{queue}")
        client.close()


def test_after_commit_the_drain_is_nudged_through_a_reachable_broker(
    period, unit_a, head_a, redis_queue, django_capture_on_commit_callbacks
):
    queued, queue = redis_queue
    dossier = make_dossier(period, unit_a)

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "submit", head_a)

    assert queued.llen(queue) == 1


def test_commits_while_a_drain_waits_in_the_queue_publish_no_second_drain(
    period, unit_a, head_a, redis_queue, django_capture_on_commit_callbacks
):
    queued, queue = redis_queue
    first, second = make_dossier(period, unit_a), make_dossier(period, unit_a)

    with django_capture_on_commit_callbacks(execute=True):
        act(first, "submit", head_a)
    with django_capture_on_commit_callbacks(execute=True):
        act(second, "submit", head_a)

    assert queued.llen(queue) == 1
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).count() == 2


def test_a_commit_after_the_waiting_drain_started_queues_the_next_one(
    period, unit_a, head_a, redis_queue, django_capture_on_commit_callbacks
):
    queued, queue = redis_queue
    first, second = make_dossier(period, unit_a), make_dossier(period, unit_a)
    with django_capture_on_commit_callbacks(execute=True):
        act(first, "submit", head_a)
    queued.delete(queue)  # a worker took the task ...
    drain_outbox.apply()  # ... and ran it

    with django_capture_on_commit_callbacks(execute=True):
        act(second, "submit", head_a)

    assert queued.llen(queue) == 1


def test_the_flag_of_a_waiting_drain_expires_so_a_lost_task_holds_nothing_up(
    period, unit_a, head_a, redis_queue, django_capture_on_commit_callbacks
):
    queued, queue = redis_queue
    with django_capture_on_commit_callbacks(execute=True):
        act(make_dossier(period, unit_a), "submit", head_a)

    assert 0 < queued.ttl(f"thidua:outbox:drain-waiting:{queue}") <= 30


def test_a_publish_the_broker_refused_leaves_no_flag_so_the_next_commit_tries_again(
    period, unit_a, head_a, redis_queue, django_capture_on_commit_callbacks
):
    queued, queue = redis_queue
    refused = BrokerUnreachable("connection refused")
    publishing = mock.patch.object(drain_outbox, "apply_async", side_effect=refused)
    with publishing as publish, django_capture_on_commit_callbacks(execute=True):
        act(make_dossier(period, unit_a), "submit", head_a)

    with django_capture_on_commit_callbacks(execute=True):  # the broker is back
        act(make_dossier(period, unit_a), "submit", head_a)

    assert publish.call_count == 1
    assert queued.llen(queue) == 1


def test_a_change_that_rolls_back_writes_nothing_to_the_outbox(period, unit_a, head_a, reviewer):
    reachable(reviewer)
    dossier = make_dossier(period, unit_a)
    before = OutboxMessage.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        act(dossier, "submit", head_a)
        raise RuntimeError("the server died before the commit")

    assert OutboxMessage.objects.count() == before


def test_a_mail_the_mail_server_refused_is_retried_after_a_back_off(db):
    services.enqueue("email", [{"to": "hoa@truong.edu.vn", "subject": "S", "body": "B"}])
    before = timezone.now()

    with mock.patch("django.core.mail.EmailMessage.send", side_effect=SMTP_DOWN):
        summary = services.drain()

    row = OutboxMessage.objects.get()
    assert (summary["retry"], row.state, row.attempts) == (1, OutboxMessage.State.PENDING, 1)
    assert row.last_error == "SMTPServerDisconnected: try later"
    assert before + datetime.timedelta(seconds=15) <= row.next_attempt_at
    assert row.next_attempt_at <= timezone.now() + datetime.timedelta(seconds=30)
    assert services.drain()["sent"] == 0  # not due yet
    due_now()
    assert services.drain()["sent"] == 1
    assert [m.to for m in mail.outbox] == [["hoa@truong.edu.vn"]]


@pytest.mark.parametrize(
    ("attempts", "low", "high"), [(1, 15, 30), (2, 30, 60), (5, 240, 480), (12, 1800, 3600)]
)
def test_the_wait_doubles_after_each_failure_up_to_an_hour(attempts, low, high, settings):
    settings.OUTBOX_RETRY_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS = 30, 3600

    waits = {services.retry_delay(attempts).total_seconds() for _ in range(50)}

    assert low <= min(waits) and max(waits) <= high
    assert len(waits) > 1  # jittered, so that retries after an outage do not all come at once


def test_after_the_last_attempt_the_row_is_failed_and_not_tried_again(db, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    services.enqueue("email", [{"to": "x@truong.edu.vn", "subject": "S", "body": "B"}])

    with mock.patch("django.core.mail.EmailMessage.send", side_effect=SMTP_DOWN) as send:
        services.drain()
        due_now()
        summary = services.drain()
        due_now()
        services.drain()

    (row,) = OutboxMessage.objects.filter(kind="email")
    assert (summary["failed"], row.state, row.attempts) == (1, OutboxMessage.State.FAILED, 2)
    assert send.call_count == 2


def test_a_row_of_an_unknown_kind_is_retried_with_the_reason(db):
    services.enqueue("fax", [{"to": "0123"}])

    services.drain()

    (row,) = OutboxMessage.objects.all()
    assert row.state == OutboxMessage.State.PENDING
    assert "no handler is registered for 'fax'" in row.last_error


def test_a_handler_that_fails_leaves_none_of_its_writes(db, monkeypatch):
    def half_done(payload):
        OutboxMessage.objects.create(kind="email", payload={"to": "a@b.c"})
        raise RuntimeError("died half way")

    monkeypatch.setitem(registry._HANDLERS, "half", registry.Handler("half", half_done))
    services.enqueue("half", [{}])

    services.drain()

    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == ["half"]


def test_the_command_drains_the_outbox_and_prints_one_line(db, capsys):
    services.enqueue("email", [{"to": "a@truong.edu.vn", "subject": "S", "body": "B"}])

    call_command("drain_outbox")

    assert capsys.readouterr().out == "Outbox: 1 done, 0 to retry later, 0 failed.\n"
    assert len(mail.outbox) == 1


# Integrity checks


def test_a_check_requested_while_the_broker_is_down_answers_and_runs_on_the_next_drain(
    institution, auditor, broker, django_capture_on_commit_callbacks
):
    broker(UNREACHABLE_BROKER)
    client = login(auditor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integrity_request"))

    check = IntegrityCheck.objects.get()
    assert response.status_code == 302
    assert check.state == IntegrityCheck.State.QUEUED
    drain_outbox.apply()
    check.refresh_from_db()
    assert check.state == IntegrityCheck.State.DONE


def test_a_check_whose_outbox_row_failed_is_shown_failed_with_the_reason(
    institution, auditor, monkeypatch, settings
):
    from auditing import integrity

    settings.OUTBOX_MAX_ATTEMPTS = 1

    def lost(*args, **kwargs):
        raise ConnectionError("connection to the database lost")

    monkeypatch.setattr(integrity, "walk", lost)
    check = integrity.request_check(institution=institution, person=auditor)

    services.drain()

    check.refresh_from_db()
    assert check.state == IntegrityCheck.State.FAILED
    assert "connection to the database lost" in check.problem
    page = login(auditor).get(reverse("integrity_detail", args=[check.pk])).content.decode()
    assert "connection to the database lost" in page


def abandoned(check, *, started_ago: datetime.timedelta) -> None:
    """What a worker that died while checking leaves: its row leased, the check running."""
    OutboxMessage.objects.filter(kind="integrity_check").update(
        attempts=1, next_attempt_at=timezone.now() + services.lease()
    )
    IntegrityCheck.objects.filter(pk=check.pk).update(
        state=IntegrityCheck.State.RUNNING, started_at=timezone.now() - started_ago
    )


def test_a_check_whose_worker_died_runs_again_once_its_lease_has_ended(
    institution, auditor, settings
):
    from auditing import integrity

    check = integrity.request_check(institution=institution, person=auditor)
    abandoned(check, started_ago=services.lease() + datetime.timedelta(minutes=1))

    assert services.drain()["sent"] == 0  # leased: not due yet
    due_now()
    services.drain()

    check.refresh_from_db()
    assert check.state == IntegrityCheck.State.DONE
    assert OutboxMessage.objects.get(kind="integrity_check").state == OutboxMessage.State.SENT


def test_a_check_still_within_its_lease_is_not_started_twice(institution, auditor):
    from auditing import integrity

    check = integrity.request_check(institution=institution, person=auditor)
    abandoned(check, started_ago=datetime.timedelta(minutes=1))
    due_now()

    services.drain()

    check.refresh_from_db()
    assert check.state == IntegrityCheck.State.RUNNING


def test_a_long_handler_runs_with_its_row_leased_not_locked(db, monkeypatch):
    seen = {}

    def look(payload):
        row = OutboxMessage.objects.get(kind="long_work")
        seen.update(attempts=row.attempts, leased=row.next_attempt_at > timezone.now())

    monkeypatch.setitem(registry._HANDLERS, "long_work", registry.Handler("long_work", look,
                                                                          long=True))  # fmt: skip
    services.enqueue("long_work", [{}])

    services.drain()

    assert seen == {"attempts": 1, "leased": True}
    assert OutboxMessage.objects.get(kind="long_work").state == OutboxMessage.State.SENT


# The council secretary's page


def failed_mail(institution, settings) -> OutboxMessage:
    settings.OUTBOX_MAX_ATTEMPTS = 1
    services.enqueue(
        "email", [{"to": "hoa@truong.edu.vn", "subject": "Hồ sơ cần thẩm định", "body": "B"}],
        institution_id=institution.pk,
    )  # fmt: skip
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=SMTP_DOWN):
        services.drain()
    return OutboxMessage.objects.get(kind="email")


def test_a_mail_that_failed_for_good_is_listed_for_the_secretary_with_its_error(
    institution, secretary, settings
):
    failed_mail(institution, settings)

    page = login(secretary).get(reverse("undelivered")).content.decode()

    assert "hoa@truong.edu.vn" in page
    assert "SMTPServerDisconnected: try later" in page


def test_a_mail_waiting_for_long_is_listed_and_a_fresh_one_is_not(institution, secretary, settings):
    settings.OUTBOX_STALE_MINUTES = 15
    for to, age in (("old@truong.edu.vn", 20), ("new@truong.edu.vn", 1)):
        services.enqueue("email", [{"to": to, "subject": "S", "body": "B"}],
                         institution_id=institution.pk)  # fmt: skip
        OutboxMessage.objects.filter(payload__to=to).update(
            created_at=timezone.now() - datetime.timedelta(minutes=age)
        )

    page = login(secretary).get(reverse("undelivered")).content.decode()

    assert "old@truong.edu.vn" in page
    assert "new@truong.edu.vn" not in page


def test_another_institutions_failures_are_not_listed(
    institution, other_institution, secretary, settings
):
    failed_mail(other_institution, settings)

    page = login(secretary).get(reverse("undelivered")).content.decode()

    assert "hoa@truong.edu.vn" not in page


def test_retry_now_sends_a_failed_mail_and_records_who_asked(
    institution, secretary, settings, django_capture_on_commit_callbacks
):
    row = failed_mail(institution, settings)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(secretary).post(reverse("undelivered_retry", args=[row.pk]))

    row.refresh_from_db()
    assert response.status_code == 302
    assert row.state == OutboxMessage.State.SENT
    assert [m.to for m in mail.outbox] == [["hoa@truong.edu.vn"]]
    event = AuditEvent.objects.filter(action="outbox.retried").get()
    assert (event.actor, event.object_id) == (secretary, str(row.pk))


@pytest.mark.parametrize("who", ["reviewer", "auditor", "head_a"])
def test_only_the_council_secretary_sees_the_undelivered_page(who, request):
    response = login(request.getfixturevalue(who)).get(reverse("undelivered"))

    assert response.status_code == 403


def test_a_reviewer_may_not_retry_a_mail(institution, reviewer, settings):
    row = failed_mail(institution, settings)

    response = login(reviewer).post(reverse("undelivered_retry", args=[row.pk]))

    row.refresh_from_db()
    assert response.status_code == 403
    assert row.state == OutboxMessage.State.FAILED


def test_a_mail_of_another_institution_cannot_be_retried(other_institution, secretary, settings):
    row = failed_mail(other_institution, settings)

    response = login(secretary).post(reverse("undelivered_retry", args=[row.pk]))

    row.refresh_from_db()
    assert response.status_code == 404
    assert row.state == OutboxMessage.State.FAILED
