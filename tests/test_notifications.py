"""Workflow emails: who is told of a new task, a return, a vote and a signature, in which language.

Mails go out after the commit: `django_capture_on_commit_callbacks(execute=True)` plays the commit.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from dossiers.models import Delegation, Role, State
from tests.conftest import make_dossier, make_person
from tests.factories import dossier_in, earlier_mail_delivered
from workflow import notifications, services
from workflow.backends import StepPermissionBackend
from workflow.errors import GuardFailed

REASON = "Thiếu minh chứng về sáng kiến kinh nghiệm"


def reachable(person, email=None, language="vi"):
    """Give the person an email address (and a language), as the administrator would."""
    person.email = email or f"{person.user.username}@truong.edu.vn"
    person.language = language
    person.save(update_fields=["email", "language"])
    return person


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def act(dossier, action, person, reason=""):
    return services.transition(
        dossier_id=dossier.pk, action=action, person=person,
        expected_version=dossier.version, reason=reason,
    )  # fmt: skip


@pytest.fixture
def everyone(head_a, head_b, reviewer, principal, auditor, secretary, institution, unit_b):
    """Every role of the institution, all with an email address."""
    lead = make_person(institution, unit_b, roles=[Role.LEAD_REVIEWER], username="lead")
    for person in (head_a, head_b, reviewer, principal, auditor, secretary, lead):
        reachable(person)
    return lead


def test_submitting_a_dossier_mails_the_reviewers_and_nobody_else(
    period, unit_a, head_a, reviewer, everyone, django_capture_on_commit_callbacks
):
    dossier = make_dossier(period, unit_a)

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "submit", head_a)

    assert recipients() == ["lead@truong.edu.vn", "reviewer@truong.edu.vn"]


def test_the_new_task_mail_names_the_dossier_and_its_deadline(
    period, unit_a, head_a, reviewer, django_capture_on_commit_callbacks
):
    reachable(reviewer)
    period.review_by = datetime.date(2026, 5, 15)
    period.save()
    dossier = make_dossier(period, unit_a)

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "submit", head_a)

    (message,) = mail.outbox
    assert message.subject.startswith("[CĐTN] ")
    assert dossier.nominee.full_name in message.subject
    assert f"{dossier.pk}" in message.body
    assert "Lao động tiên tiến" in message.body
    assert "Trạng thái: Đã nộp" in message.body
    assert "15/05/2026" in message.body


def test_returning_a_dossier_mails_the_unit_head_the_reason_in_vietnamese(
    period, unit_a, reviewer, head_a, everyone, django_capture_on_commit_callbacks
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "return_for_revision", reviewer, reason=REASON)

    (message,) = mail.outbox
    assert message.to == ["head_a@truong.edu.vn"]
    assert f"Lý do: {REASON}" in message.body
    assert "Trạng thái: Trả lại để bổ sung" in message.body
    assert "Lao động tiên tiến" in message.body


def test_a_unit_head_who_reads_english_gets_the_return_in_english(
    period, unit_a, reviewer, head_a, django_capture_on_commit_callbacks
):
    reachable(head_a, language="en")
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "return_for_revision", reviewer, reason=REASON)

    (message,) = mail.outbox
    assert message.subject.startswith("[CĐTN] Dossier returned for revision: ")
    assert message.body.startswith(f"Dear {head_a.full_name},")
    assert f"Reason: {REASON}" in message.body
    assert "State: Returned for revision" in message.body
    assert "Advanced Worker" in message.body


def test_each_recipient_reads_the_same_event_in_their_own_language(
    period, unit_a, head_a, reviewer, everyone, django_capture_on_commit_callbacks
):
    reachable(everyone, language="en")
    dossier = make_dossier(period, unit_a)

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "submit", head_a)

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "State: Submitted" in bodies["lead@truong.edu.vn"]
    assert "Trạng thái: Đã nộp" in bodies["reviewer@truong.edu.vn"]


def test_a_refused_transition_mails_nobody(
    period, unit_a, reviewer, everyone, django_capture_on_commit_callbacks
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(GuardFailed),
    ):
        act(dossier, "return_for_revision", reviewer, reason="  ")

    assert callbacks == []
    assert mail.outbox == []


def test_nothing_is_mailed_before_the_transition_commits(
    period, unit_a, head_a, everyone, django_capture_on_commit_callbacks
):
    dossier = make_dossier(period, unit_a)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        act(dossier, "submit", head_a)

    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_reviewer_without_an_email_address_is_skipped(
    period, unit_a, head_a, reviewer, institution, unit_b, django_capture_on_commit_callbacks
):
    reachable(make_person(institution, unit_b, roles=[Role.REVIEWER], username="has_mail"))
    dossier = make_dossier(period, unit_a)

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "submit", head_a)

    assert recipients() == ["has_mail@truong.edu.vn"]


def test_the_person_who_opened_the_task_is_not_told_of_it(
    period, unit_a, reviewer, principal, everyone, django_capture_on_commit_callbacks
):
    dossier = dossier_in(State.REVIEWED, period, unit_a)
    earlier_mail_delivered()

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "suspend", principal, reason="Đang xem xét đơn khiếu nại")

    assert recipients() == ["lead@truong.edu.vn", "reviewer@truong.edu.vn"]


def test_a_move_to_an_end_state_mails_nobody(
    period, unit_a, head_a, everyone, django_capture_on_commit_callbacks
):
    dossier = make_dossier(period, unit_a)

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "withdraw", head_a)

    assert mail.outbox == []


def test_the_delegate_of_a_unit_head_hears_of_the_return_too(
    period, unit_a, reviewer, head_a, staff_a, institution, django_capture_on_commit_callbacks
):
    reachable(head_a)
    reachable(staff_a)
    Delegation.objects.create(
        institution=institution, delegator=head_a, delegate=staff_a, role=Role.UNIT_HEAD,
        starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2099, 1, 1), reason="Nghỉ phép",
    )  # fmt: skip
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    earlier_mail_delivered()

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "return_for_revision", reviewer, reason=REASON)

    assert recipients() == ["head_a@truong.edu.vn", "staff_a@truong.edu.vn"]


def test_the_people_told_of_a_task_are_those_the_permission_backend_lets_take_it(
    period, unit_a, head_a, head_b, reviewer, principal, auditor, secretary, staff_a, institution
):
    Delegation.objects.create(
        institution=institution, delegator=head_a, delegate=staff_a, role=Role.UNIT_HEAD,
        starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2099, 1, 1), reason="Nghỉ phép",
    )  # fmt: skip
    people = [head_a, head_b, reviewer, principal, auditor, secretary, staff_a]
    for person in people:
        reachable(person)
    backend = StepPermissionBackend()
    for state, step in [
        (State.DRAFT, "prepare"),
        (State.SUBMITTED, "review"),
        (State.REVIEWED, "council"),
        (State.RECOMMENDED, "decide"),
    ]:
        dossier = dossier_in(state, period, unit_a)
        task = dossier.process.task_set.get(status="NEW", flow_task_type="HUMAN")
        allowed = {p.pk for p in people if backend.has_perm(p.user, task.owner_permission)}
        told = {p.pk for p in notifications.people_who_can_take(step, dossier)}
        assert told == allowed, step


def test_names_are_written_as_they_are_not_html_escaped(
    period, unit_a, reviewer, head_a, django_capture_on_commit_callbacks
):
    reachable(head_a)
    nominee = make_person(period.institution, unit_a, full_name='Lê Thị "Hoa" & O\'Neil')
    dossier = dossier_in(State.SUBMITTED, period, unit_a, nominee=nominee)

    with django_capture_on_commit_callbacks(execute=True):
        act(dossier, "return_for_revision", reviewer, reason="Thiếu <bản sao> & bằng khen")

    (message,) = mail.outbox
    assert 'Lê Thị "Hoa" & O\'Neil' in message.subject
    assert "Thiếu <bản sao> & bằng khen" in message.body


def test_the_vote_opened_mail_goes_once_to_each_council_member_listing_the_agenda(
    period, unit_a, unit_b, principal, secretary, council_member, reviewer,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    for person in (principal, secretary, council_member, reviewer):
        reachable(person)
    agenda = [dossier_in(State.VOTING, period, unit_a) for _ in range(2)]
    earlier_mail_delivered()

    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_vote_opened(agenda)

    assert recipients() == [
        "member@truong.edu.vn", "principal@truong.edu.vn", "secretary@truong.edu.vn",
    ]  # fmt: skip
    for message in mail.outbox:
        for dossier in agenda:
            assert dossier.nominee.full_name in message.body


def test_the_decision_signed_mail_tells_each_unit_head_of_their_own_dossiers_only(
    period, unit_a, unit_b, head_a, head_b, principal, django_capture_on_commit_callbacks
):
    reachable(head_a)
    reachable(head_b)
    of_a = dossier_in(State.SIGNED, period, unit_a)
    of_b = dossier_in(State.SIGNED, period, unit_b)

    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_decision_signed([of_a, of_b])

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert sorted(bodies) == ["head_a@truong.edu.vn", "head_b@truong.edu.vn"]
    assert of_a.nominee.full_name in bodies["head_a@truong.edu.vn"]
    assert of_b.nominee.full_name not in bodies["head_a@truong.edu.vn"]


def test_opening_a_meeting_mails_each_council_member_the_agenda(
    period, unit_a, secretary, council_member, reviewer, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from council import services as council

    for person in (secretary, council_member, reviewer):
        reachable(person)
    dossier = dossier_in(State.REVIEWED, period, unit_a)
    meeting = council.create_meeting(
        person=secretary, period=period, title="Họp xét", held_on=timezone.now(),
        place="Phòng họp", chair=secretary,
    )  # fmt: skip
    council.set_agenda(meeting_id=meeting.pk, person=secretary, dossier_ids=[dossier.pk])
    earlier_mail_delivered()

    with django_capture_on_commit_callbacks(execute=True):
        council.open_meeting(meeting_id=meeting.pk, person=secretary)

    assert recipients() == ["member@truong.edu.vn", "secretary@truong.edu.vn"]
    assert all(dossier.nominee.full_name in m.body for m in mail.outbox)
