"""Taking a task from the shared queue, putting it back, and a lead reviewer handing it out."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task

from audit import log
from audit.models import AuditEvent
from dossiers.models import Delegation, Person, Role, State
from tests.conftest import make_dossier, make_person, make_unit
from tests.factories import dossier_in
from tests.test_concurrency import run_together, unexpected
from workflow import assignment, process, services
from workflow.errors import DossierNotFound, IllegalTransition, NotPermitted

TODAY = timezone.localdate()


@pytest.fixture
def submitted(period, unit_a):
    return dossier_in(State.SUBMITTED, period, unit_a)


@pytest.fixture
def task(submitted):
    return process.open_tasks(submitted).get()


@pytest.fixture
def other_reviewer(institution, unit_a):
    return make_person(institution, unit_a, roles=[Role.REVIEWER], full_name="Lê Thị Duyệt")


@pytest.fixture
def lead(institution, unit_a):
    return make_person(institution, unit_a, roles=[Role.LEAD_REVIEWER], full_name="Trần Văn Trưởng")


def reloaded(task) -> Task:
    return Task.objects.get(pk=task.pk)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_a_reviewer_takes_a_new_task(task, reviewer):
    assignment.take(task_id=task.pk, person=reviewer)

    task = reloaded(task)
    assert (task.status, task.owner, task.assigned is not None) == ("ASSIGNED", reviewer.user, True)


def test_taking_a_task_is_audited_with_the_reviewer_as_actor(task, submitted, reviewer):
    assignment.take(task_id=task.pk, person=reviewer, client_address="10.0.0.7")

    (event,) = events("task.taken")
    assert (event.actor, event.role, event.on_behalf_of) == (reviewer, Role.REVIEWER, None)
    assert (event.object_type, event.object_id) == ("dossier", str(submitted.pk))
    assert event.payload == {"task_id": task.pk, "step": "review"}
    assert event.client_address == "10.0.0.7"


def test_a_second_take_of_the_same_task_is_refused_and_changes_nothing(
    task, reviewer, other_reviewer
):
    assignment.take(task_id=task.pk, person=reviewer)

    with pytest.raises(IllegalTransition, match=reviewer.full_name):
        assignment.take(task_id=task.pk, person=other_reviewer)

    assert reloaded(task).owner == reviewer.user
    assert len(events("task.taken")) == 1


def test_taking_a_task_one_already_has_is_refused(task, reviewer):
    assignment.take(task_id=task.pk, person=reviewer)

    with pytest.raises(IllegalTransition):
        assignment.take(task_id=task.pk, person=reviewer)


@pytest.mark.parametrize("who", ["head_a", "auditor", "secretary", "principal", "staff_a"])
def test_someone_who_does_not_review_cannot_take_a_review_task(request, task, who):
    with pytest.raises(NotPermitted):
        assignment.take(task_id=task.pk, person=request.getfixturevalue(who))

    assert (reloaded(task).status, reloaded(task).owner) == ("NEW", None)
    assert events("task.taken") == []


def test_a_unit_head_cannot_take_another_unit_s_draft(period, unit_a, head_b):
    task = process.open_tasks(make_dossier(period, unit_a)).get()

    with pytest.raises(NotPermitted):
        assignment.take(task_id=task.pk, person=head_b)


def test_a_reviewer_of_another_institution_cannot_find_the_task(task, other_institution):
    unit = make_unit(other_institution, "khoa-x", "Khoa Khác")
    stranger = make_person(other_institution, unit, roles=[Role.REVIEWER])

    with pytest.raises(DossierNotFound):
        assignment.take(task_id=task.pk, person=stranger)
    assert reloaded(task).status == "NEW"


def test_a_task_that_does_not_exist_is_not_found(db, reviewer):
    with pytest.raises(DossierNotFound):
        assignment.take(task_id=999_999, person=reviewer)


def test_a_task_whose_step_is_over_cannot_be_taken(task, submitted, reviewer, other_reviewer):
    services.transition(
        dossier_id=submitted.pk,
        action="approve",
        person=reviewer,
        expected_version=submitted.version,
    )

    with pytest.raises(IllegalTransition):
        assignment.take(task_id=task.pk, person=other_reviewer)


def test_after_a_reviewer_took_a_task_another_reviewer_s_approval_is_refused(
    task, submitted, reviewer, other_reviewer
):
    assignment.take(task_id=task.pk, person=reviewer)

    with pytest.raises(NotPermitted, match=reviewer.full_name):
        services.transition(
            dossier_id=submitted.pk,
            action="approve",
            person=other_reviewer,
            expected_version=submitted.version,
        )
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_after_a_reviewer_took_a_task_their_own_approval_succeeds(task, submitted, reviewer):
    assignment.take(task_id=task.pk, person=reviewer)

    dossier = services.transition(
        dossier_id=submitted.pk,
        action="approve",
        person=reviewer,
        expected_version=submitted.version,
    )

    assert dossier.state == State.REVIEWED
    assert (reloaded(task).status, reloaded(task).owner) == ("DONE", reviewer.user)


def test_the_owner_puts_a_task_back_into_the_queue(task, reviewer):
    assignment.take(task_id=task.pk, person=reviewer)

    assignment.release(task_id=task.pk, person=reviewer)

    task = reloaded(task)
    assert (task.status, task.owner, task.assigned) == ("NEW", None, None)


def test_putting_a_task_back_is_audited(task, submitted, reviewer):
    assignment.take(task_id=task.pk, person=reviewer)

    assignment.release(task_id=task.pk, person=reviewer)

    (event,) = events("task.released")
    assert (event.actor, event.role) == (reviewer, Role.REVIEWER)
    assert event.object_id == str(submitted.pk)
    assert event.payload == {"task_id": task.pk, "step": "review"}


def test_a_task_put_back_can_be_taken_by_another_reviewer(task, reviewer, other_reviewer):
    assignment.take(task_id=task.pk, person=reviewer)
    assignment.release(task_id=task.pk, person=reviewer)

    assignment.take(task_id=task.pk, person=other_reviewer)

    assert reloaded(task).owner == other_reviewer.user


@pytest.mark.parametrize("who", ["other_reviewer", "lead", "head_a"])
def test_only_the_owner_can_put_a_task_back(request, task, reviewer, who):
    assignment.take(task_id=task.pk, person=reviewer)

    with pytest.raises(NotPermitted):
        assignment.release(task_id=task.pk, person=request.getfixturevalue(who))

    assert reloaded(task).owner == reviewer.user
    assert events("task.released") == []


def test_a_task_nobody_took_cannot_be_put_back(task, reviewer):
    with pytest.raises(IllegalTransition):
        assignment.release(task_id=task.pk, person=reviewer)


def test_a_lead_reviewer_hands_a_taken_task_to_another_reviewer(
    task, reviewer, other_reviewer, lead
):
    assignment.take(task_id=task.pk, person=reviewer)

    assignment.reassign(task_id=task.pk, person=lead, to_person=other_reviewer)

    task = reloaded(task)
    assert (task.status, task.owner) == ("ASSIGNED", other_reviewer.user)


def test_handing_a_task_over_is_audited_with_both_people(
    task, submitted, reviewer, other_reviewer, lead
):
    assignment.take(task_id=task.pk, person=reviewer)

    assignment.reassign(task_id=task.pk, person=lead, to_person=other_reviewer)

    (event,) = events("task.reassigned")
    assert (event.actor, event.role, event.object_id) == (
        lead, Role.LEAD_REVIEWER, str(submitted.pk),
    )  # fmt: skip
    assert event.payload == {
        "task_id": task.pk,
        "step": "review",
        "from_person_id": reviewer.pk,
        "from_person": reviewer.full_name,
        "to_person_id": other_reviewer.pk,
        "to_person": other_reviewer.full_name,
    }


def test_a_lead_reviewer_hands_out_a_task_nobody_took(task, other_reviewer, lead):
    assignment.reassign(task_id=task.pk, person=lead, to_person=other_reviewer)

    assert (reloaded(task).status, reloaded(task).owner) == ("ASSIGNED", other_reviewer.user)
    assert events("task.reassigned")[0].payload["from_person_id"] is None


def test_a_plain_reviewer_cannot_hand_a_task_to_someone_else(task, reviewer, other_reviewer):
    assignment.take(task_id=task.pk, person=reviewer)

    with pytest.raises(NotPermitted):
        assignment.reassign(task_id=task.pk, person=reviewer, to_person=other_reviewer)

    assert reloaded(task).owner == reviewer.user
    assert events("task.reassigned") == []


@pytest.mark.parametrize("who", ["head_a", "auditor", "secretary", "staff_a"])
def test_a_task_cannot_be_handed_to_someone_without_its_permission(request, task, lead, who):
    to_person = request.getfixturevalue(who)

    with pytest.raises(NotPermitted, match=to_person.full_name):
        assignment.reassign(task_id=task.pk, person=lead, to_person=to_person)

    assert (reloaded(task).status, reloaded(task).owner) == ("NEW", None)


def test_a_task_cannot_be_handed_to_a_reviewer_of_another_institution(
    task, lead, other_institution
):
    unit = make_unit(other_institution, "khoa-x", "Khoa Khác")
    stranger = make_person(other_institution, unit, roles=[Role.REVIEWER])

    with pytest.raises(NotPermitted):
        assignment.reassign(task_id=task.pk, person=lead, to_person=stranger)


def test_handing_a_task_to_its_owner_is_refused(task, reviewer, lead):
    assignment.take(task_id=task.pk, person=reviewer)

    with pytest.raises(IllegalTransition):
        assignment.reassign(task_id=task.pk, person=lead, to_person=reviewer)
    assert events("task.reassigned") == []


def test_a_lead_reviewer_cannot_hand_out_a_task_of_the_decision_step(
    period, unit_a, lead, principal
):
    task = process.open_tasks(dossier_in(State.RECOMMENDED, period, unit_a)).get()

    with pytest.raises(NotPermitted):
        assignment.reassign(task_id=task.pk, person=lead, to_person=principal)


def test_the_new_owner_of_a_handed_over_task_may_approve_and_the_old_may_not(
    task, submitted, reviewer, other_reviewer, lead
):
    assignment.take(task_id=task.pk, person=reviewer)
    assignment.reassign(task_id=task.pk, person=lead, to_person=other_reviewer)

    with pytest.raises(NotPermitted):
        services.transition(
            dossier_id=submitted.pk,
            action="approve",
            person=reviewer,
            expected_version=submitted.version,
        )
    dossier = services.transition(
        dossier_id=submitted.pk,
        action="approve",
        person=other_reviewer,
        expected_version=submitted.version,
    )
    assert dossier.state == State.REVIEWED


def test_a_delegate_takes_the_principal_s_task_on_the_principal_s_behalf(
    institution, period, unit_a, unit_b, principal
):
    vice = make_person(institution, unit_b, roles=[Role.VICE_PRINCIPAL])
    Delegation.objects.create(
        institution=institution, delegator=principal, delegate=vice, role=Role.PRINCIPAL,
        starts_on=TODAY - datetime.timedelta(days=1), ends_on=TODAY + datetime.timedelta(days=1),
        reason="Hiệu trưởng đi công tác",
    )  # fmt: skip
    task = process.open_tasks(dossier_in(State.RECOMMENDED, period, unit_a)).get()

    assignment.take(task_id=task.pk, person=vice)

    (event,) = events("task.taken")
    assert (event.actor, event.role, event.on_behalf_of) == (vice, Role.PRINCIPAL, principal)
    assert event.payload["step"] == "decide"


def test_a_refused_take_leaves_the_audit_trail_untouched(task, head_a):
    before = AuditEvent.objects.count()

    with pytest.raises(NotPermitted):
        assignment.take(task_id=task.pk, person=head_a)

    assert AuditEvent.objects.count() == before


# Races (PostgreSQL: row locks)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_reviewers_taking_the_same_task_at_once_leave_it_with_exactly_one(
    institution, period, unit_a
):
    reviewers = [make_person(institution, unit_a, roles=[Role.REVIEWER]) for _ in range(8)]
    task = process.open_tasks(dossier_in(State.SUBMITTED, period, unit_a)).get()

    def take(index: int) -> Task:
        person = Person.objects.get(pk=reviewers[index].pk)
        return assignment.take(task_id=task.pk, person=person)

    results = run_together(8, take)

    assert unexpected(results, (IllegalTransition,)) == []
    winners = [r for r in results if isinstance(r, Task)]
    assert len(winners) == 1
    assert reloaded(task).owner == winners[0].owner
    assert len(events("task.taken")) == 1
    assert log.verify_institution(institution).intact


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_take_racing_another_reviewer_s_approval_lets_exactly_one_through(
    institution, period, unit_a
):
    taker, approver = (make_person(institution, unit_a, roles=[Role.REVIEWER]) for _ in "ab")
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    task = process.open_tasks(dossier).get()

    def work(index: int):
        if index == 0:
            return assignment.take(task_id=task.pk, person=Person.objects.get(pk=taker.pk))
        return services.transition(
            dossier_id=dossier.pk, action="approve",
            person=Person.objects.get(pk=approver.pk), expected_version=dossier.version,
        )  # fmt: skip

    results = run_together(2, work)

    assert unexpected(results, (IllegalTransition, NotPermitted)) == []
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert log.verify_institution(institution).intact
