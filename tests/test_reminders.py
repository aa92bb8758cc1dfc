"""Daily reminders: who is reminded of which task, escalation when overdue, once a day at most."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dossiers.models import Dossier, Role, State
from tests.conftest import make_dossier, make_person
from tests.factories import dossier_in, earlier_mail_delivered
from workflow import process
from workflow.background import send_reminders_task
from workflow.models import ReminderSent
from workflow.reminders import send_reminders

TODAY = datetime.date(2026, 5, 10)


def reachable(person, language="vi"):
    person.email = f"{person.user.username}@truong.edu.vn"
    person.language = language
    person.save(update_fields=["email", "language"])
    return person


@pytest.fixture
def people(head_a, head_b, reviewer, principal, auditor, secretary, institution, unit_b):
    """Every role with an email address; the second reviewer (a lead reviewer) is returned."""
    lead = make_person(institution, unit_b, roles=[Role.LEAD_REVIEWER], username="lead")
    for person in (head_a, head_b, reviewer, principal, auditor, secretary, lead):
        reachable(person)
    return lead


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run the reminders as cron does, committing (and so mailing) at the end."""

    def run(today=TODAY, days=3):
        earlier_mail_delivered()
        with django_capture_on_commit_callbacks(execute=True):
            return send_reminders(today=today, days=days)

    return run


def deadlines(period, **fields):
    for name, value in fields.items():
        setattr(period, name, value)
    period.save()


def mailed():
    return sorted(message.to[0] for message in mail.outbox)


def in_days(n):
    return TODAY + datetime.timedelta(days=n)


def test_a_review_due_in_two_days_reminds_every_reviewer_and_nobody_else(
    period, unit_a, people, remind
):
    deadlines(period, review_by=in_days(2))
    dossier_in(State.SUBMITTED, period, unit_a)

    summary = remind(days=3)

    assert mailed() == ["lead@truong.edu.vn", "reviewer@truong.edu.vn"]
    assert (summary.due, summary.overdue, summary.reminders, summary.escalations) == (1, 0, 2, 0)


def test_a_deadline_beyond_the_horizon_reminds_nobody(period, unit_a, people, remind):
    deadlines(period, review_by=in_days(4))
    dossier_in(State.SUBMITTED, period, unit_a)

    remind(days=3)

    assert mail.outbox == []


def test_a_draft_due_soon_reminds_the_head_of_its_own_unit_only(period, unit_a, people, remind):
    deadlines(period, submit_by=in_days(1))
    make_dossier(period, unit_a)

    remind()

    assert mailed() == ["head_a@truong.edu.vn"]


def test_a_task_someone_took_reminds_only_its_owner(period, unit_a, reviewer, people, remind):
    deadlines(period, review_by=in_days(1))
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    with process.open_tasks(dossier).get().activation() as activation:
        activation.assign(reviewer.user)

    remind()

    assert mailed() == ["reviewer@truong.edu.vn"]


def test_an_overdue_review_is_reminded_and_escalated_to_the_council_secretary(
    period, unit_a, people, remind
):
    deadlines(period, review_by=in_days(-1))
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    summary = remind()

    assert [m.to[0] for m in mail.outbox if "Quá hạn" in m.subject or "Overdue" in m.subject] == [
        "secretary@truong.edu.vn"
    ]
    assert mailed() == ["lead@truong.edu.vn", "reviewer@truong.edu.vn", "secretary@truong.edu.vn"]
    kinds = sorted(
        ReminderSent.objects.filter(task__in=process.open_tasks(dossier)).values_list(
            "recipient__username", "kind"
        )
    )
    assert kinds == [("lead", "reminder"), ("reviewer", "reminder"), ("secretary", "escalation")]
    assert (summary.overdue, summary.reminders, summary.escalations) == (1, 2, 1)


def test_a_secretary_late_with_their_own_council_task_gets_one_reminder_not_an_escalation(
    period, unit_a, people, remind
):
    deadlines(period, council_by=in_days(-2))
    dossier_in(State.REVIEWED, period, unit_a)

    summary = remind()

    assert mailed() == ["secretary@truong.edu.vn"]
    assert (summary.reminders, summary.escalations) == (1, 0)


def test_a_second_run_on_the_same_day_mails_nobody_again(period, unit_a, people, remind):
    deadlines(period, review_by=in_days(-1))
    dossier_in(State.SUBMITTED, period, unit_a)
    remind()
    mail.outbox.clear()

    summary = remind()

    assert mail.outbox == []
    assert summary.already_sent == 3


def test_the_next_day_reminds_again(period, unit_a, people, remind):
    deadlines(period, review_by=in_days(2))
    dossier_in(State.SUBMITTED, period, unit_a)
    remind()
    mail.outbox.clear()

    remind(today=in_days(1))

    assert mailed() == ["lead@truong.edu.vn", "reviewer@truong.edu.vn"]


def test_a_task_that_became_due_later_the_same_day_is_still_reminded(
    period, unit_a, people, remind
):
    deadlines(period, review_by=in_days(1))
    first = dossier_in(State.SUBMITTED, period, unit_a)
    remind()
    mail.outbox.clear()
    second = dossier_in(State.SUBMITTED, period, unit_a)

    remind()

    assert mailed() == ["lead@truong.edu.vn", "reviewer@truong.edu.vn"]
    for message in mail.outbox:
        assert second.nominee.full_name in message.body
        assert first.nominee.full_name not in message.body


def test_each_person_gets_one_mail_listing_all_their_tasks(period, unit_a, people, remind):
    deadlines(period, review_by=in_days(1))
    dossiers = [dossier_in(State.SUBMITTED, period, unit_a) for _ in range(3)]

    remind()

    (message,) = [m for m in mail.outbox if m.to == ["reviewer@truong.edu.vn"]]
    for dossier in dossiers:
        assert dossier.nominee.full_name in message.body


def test_tasks_of_ended_dossiers_are_ignored(period, unit_a, people, remind):
    deadlines(period, review_by=in_days(-1))
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    # Tampering on purpose: a task left open on an ended dossier, which the door never leaves.
    Dossier.objects.filter(pk=dossier.pk).update(state=State.DECLINED)

    summary = remind()

    assert mail.outbox == []
    assert summary.due == 0


def test_suspended_dossiers_have_no_deadline_to_remind_of(period, unit_a, people, remind):
    deadlines(period, submit_by=in_days(-5), review_by=in_days(-5))
    dossier_in(State.SUSPENDED, period, unit_a)

    remind()

    assert mail.outbox == []


def test_each_recipient_reads_the_reminder_in_their_language(
    period, unit_a, reviewer, people, remind
):
    reachable(people, language="en")
    addresses = ["reviewer@truong.edu.vn", "lead@truong.edu.vn"]
    deadlines(period, review_by=datetime.date(2026, 5, 12))
    dossier_in(State.SUBMITTED, period, unit_a)

    remind()

    vietnamese, english = (next(m for m in mail.outbox if m.to == [a]) for a in addresses)
    assert "Lao động tiên tiến" in vietnamese.body
    assert "12/05/2026" in vietnamese.body
    assert english.subject == "[CĐTN] Reminder: 1 dossier awaits your action"
    assert "Advanced Worker" in english.body


def test_reminder_queries_do_not_grow_with_the_number_of_tasks(period, unit_a, people):
    deadlines(period, review_by=in_days(-1))

    def queries_for_new_dossiers(n):
        for _ in range(n):
            dossier_in(State.SUBMITTED, period, unit_a)
        ReminderSent.objects.all().delete()
        earlier_mail_delivered()
        with CaptureQueriesContext(connection) as queries:
            send_reminders(today=TODAY)  # the mails wait in the outbox: their delivery is apart
        return len(queries)

    few, many = queries_for_new_dossiers(1), queries_for_new_dossiers(6)
    assert few == many <= 9  # the last of them records the run (/healthz)


def test_the_command_prints_one_summary_line(
    period, unit_a, people, django_capture_on_commit_callbacks
):
    deadlines(period, review_by=in_days(3))
    dossier_in(State.SUBMITTED, period, unit_a)
    earlier_mail_delivered()
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--today", "2026-05-10", "--days", "3", stdout=out)

    assert out.getvalue() == (
        "Reminders for 2026-05-10 (deadlines up to 2026-05-13): 1 open task due, 0 overdue; "
        "mailed 2 reminders and 0 escalations to 2 people; 0 already mailed today.\n"
    )
    assert len(mail.outbox) == 2


def test_the_command_refuses_a_malformed_date(db):
    with pytest.raises(CommandError, match="use YYYY-MM-DD"):
        call_command("send_reminders", "--today", "10/05/2026")


def test_the_celery_task_sends_todays_reminders(
    period, unit_a, people, django_capture_on_commit_callbacks
):
    deadlines(period, review_by=timezone.localdate() + datetime.timedelta(days=1))
    dossier_in(State.SUBMITTED, period, unit_a)
    earlier_mail_delivered()

    with django_capture_on_commit_callbacks(execute=True):
        line = send_reminders_task.delay().get()

    assert line.startswith(f"Reminders for {timezone.localdate().isoformat()} ")
    assert mailed() == ["lead@truong.edu.vn", "reviewer@truong.edu.vn"]
