"""The inbox selector: after each step exactly the people who must act see the task, nobody else."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone
from viewflow.workflow.models import Task

from dossiers.models import AwardType, Delegation, Role, State
from tests.conftest import make_dossier, make_person, make_unit
from tests.factories import dossier_in, perform
from workflow import assignment, inbox, services
from workflow.errors import DossierNotFound, NotPermitted
from workflow.flows import DossierFlow

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)

# Everyone who could conceivably see a task; each test says who must.
CAST = (
    "head_a", "head_b", "reviewer", "secretary", "principal", "auditor", "council_member",
    "staff_a", "stranger",
)  # fmt: skip

# (action, actor, who must then have the task) along the full path, from a draft.
FULL_PATH = [
    ("submit", "head_a", {"reviewer"}),
    ("approve", "reviewer", {"secretary"}),
    ("open_vote", "secretary", {"secretary"}),
    ("close_vote", "secretary", {"principal"}),
    ("sign", "principal", set()),
]
RETURN_LOOP = [
    ("submit", "head_a", {"reviewer"}),
    ("return_for_revision", "reviewer", {"head_a"}),
    ("resubmit", "head_a", {"reviewer"}),
]


@pytest.fixture
def stranger(other_institution):
    """A reviewer of another institution: holds the same role, never sees our tasks."""
    unit = make_unit(other_institution, "khoa-x", "Khoa Khác")
    return make_person(other_institution, unit, roles=[Role.REVIEWER], username="stranger")


@pytest.fixture
def cast(request, head_a, head_b, reviewer, secretary, principal, auditor, council_member,
         staff_a, stranger):  # fmt: skip
    return {name: request.getfixturevalue(name) for name in CAST}


def holders(dossier, cast) -> set[str]:
    """Who of the cast has the dossier's task in their inbox."""
    return {
        name
        for name, person in cast.items()
        if any(t.process.dossierprocess.dossier_id == dossier.pk for t in inbox.inbox(person))
    }


def act(dossier, action: str, person):
    """The action as people do it: the meeting's, the decision's by their services."""
    reason = "Thiếu minh chứng" if action == "return_for_revision" else ""
    return perform(dossier, action, person, reason=reason)


def walk(dossier, cast, path):
    for action, actor, _ in path:
        dossier = act(dossier, action, cast[actor])
    return dossier


def test_a_new_draft_is_in_the_inbox_of_its_unit_head_only(period, unit_a, cast):
    dossier = make_dossier(period, unit_a)

    assert holders(dossier, cast) == {"head_a"}


@pytest.mark.parametrize("steps_taken", range(1, len(FULL_PATH) + 1))
def test_after_each_transition_of_the_full_path_exactly_the_next_actors_have_the_task(
    period, unit_a, cast, steps_taken
):
    dossier = walk(make_dossier(period, unit_a), cast, FULL_PATH[:steps_taken])

    assert holders(dossier, cast) == FULL_PATH[steps_taken - 1][2]


@pytest.mark.parametrize("steps_taken", range(1, len(RETURN_LOOP) + 1))
def test_after_each_transition_of_the_return_loop_exactly_the_next_actors_have_the_task(
    period, unit_a, cast, steps_taken
):
    dossier = walk(make_dossier(period, unit_a), cast, RETURN_LOOP[:steps_taken])

    assert holders(dossier, cast) == RETURN_LOOP[steps_taken - 1][2]


@pytest.mark.parametrize("steps_taken", range(len(FULL_PATH)))
def test_nobody_but_the_next_actor_can_complete_the_task_of_a_step(
    period, unit_a, cast, steps_taken
):
    dossier = walk(make_dossier(period, unit_a), cast, FULL_PATH[:steps_taken])
    action, actor, _ = FULL_PATH[steps_taken]

    for name in sorted(set(CAST) - {actor}):
        expected = DossierNotFound if name == "stranger" else NotPermitted
        with pytest.raises(expected):
            services.transition(
                dossier_id=dossier.pk, action=action, person=cast[name],
                expected_version=dossier.version, arguments={"recommended": True},
            )  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.version == steps_taken + 1


def test_a_lead_reviewer_has_the_review_task_in_their_inbox_too(institution, period, unit_a):
    lead = make_person(institution, unit_a, roles=[Role.LEAD_REVIEWER])
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    assert [t.process.dossierprocess.dossier_id for t in inbox.inbox(lead)] == [dossier.pk]


def test_a_task_someone_took_leaves_the_inbox_of_the_other_reviewers(
    institution, period, unit_a, reviewer
):
    other = make_person(institution, unit_a, roles=[Role.REVIEWER])
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    (task,) = inbox.inbox(reviewer)
    assignment.take(task_id=task.pk, person=reviewer)

    assert list(inbox.inbox(other)) == []
    assert [t.pk for t in inbox.inbox(reviewer)] == [task.pk]
    assert dossier.pk == task.process.dossierprocess.dossier_id


def test_a_lead_reviewer_sees_a_task_another_reviewer_took(institution, period, unit_a, reviewer):
    lead = make_person(institution, unit_a, roles=[Role.LEAD_REVIEWER])
    dossier_in(State.SUBMITTED, period, unit_a)
    (task,) = inbox.inbox(reviewer)
    assignment.take(task_id=task.pk, person=reviewer)

    (row,) = inbox.entries(inbox.inbox(lead), lead)

    assert (row.task.pk, row.mine, row.takeable) == (task.pk, False, False)
    assert row.owner_name == reviewer.full_name


def test_a_lead_reviewer_does_not_see_a_taken_task_of_a_step_they_cannot_hand_out(
    institution, period, unit_a, principal
):
    lead = make_person(institution, unit_a, roles=[Role.LEAD_REVIEWER])
    dossier_in(State.SUSPENDED, period, unit_a)
    (task,) = inbox.inbox(principal)
    assignment.take(task_id=task.pk, person=principal)

    assert list(inbox.inbox(lead)) == []


def test_the_inbox_is_oldest_first(period, unit_a, reviewer):
    first = dossier_in(State.SUBMITTED, period, unit_a)
    second = dossier_in(State.SUBMITTED, period, unit_a)
    third = dossier_in(State.SUBMITTED, period, unit_a)

    dossiers = [t.process.dossierprocess.dossier_id for t in inbox.inbox(reviewer)]

    assert dossiers == [first.pk, second.pk, third.pk]


def test_a_row_knows_its_dossier_step_and_age(period, unit_a, reviewer):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    task = inbox.inbox(reviewer).get()
    later = task.created + datetime.timedelta(days=3, hours=2)

    (row,) = inbox.entries([task], reviewer, now=later)

    assert (row.dossier, row.step, row.age_days) == (dossier, "review", 3)


def test_a_person_of_another_institution_does_not_see_our_tasks(period, unit_a, stranger):
    dossier_in(State.SUBMITTED, period, unit_a)

    assert list(inbox.inbox(stranger)) == []
    assert inbox.inbox_count(stranger) == 0


def test_a_delegate_of_the_principal_sees_the_decide_step_task(
    institution, period, unit_a, unit_b, principal
):
    vice = make_person(institution, unit_b, roles=[Role.VICE_PRINCIPAL])
    Delegation.objects.create(
        institution=institution, delegator=principal, delegate=vice, role=Role.PRINCIPAL,
        starts_on=YESTERDAY, ends_on=TOMORROW, reason="Hiệu trưởng đi công tác",
    )  # fmt: skip
    dossier = dossier_in(State.RECOMMENDED, period, unit_a)

    assert [t.process.dossierprocess.dossier_id for t in inbox.inbox(vice)] == [dossier.pk]


@pytest.mark.parametrize(
    "starts_on, ends_on",
    [(TODAY - datetime.timedelta(days=9), YESTERDAY), (TOMORROW, TOMORROW)],
    ids=["ended", "not-yet-started"],
)
def test_a_delegate_outside_the_delegation_s_dates_does_not_see_the_task(
    institution, period, unit_a, unit_b, principal, starts_on, ends_on
):
    vice = make_person(institution, unit_b, roles=[Role.VICE_PRINCIPAL])
    Delegation.objects.create(
        institution=institution, delegator=principal, delegate=vice, role=Role.PRINCIPAL,
        starts_on=starts_on, ends_on=ends_on, reason="Hiệu trưởng đi công tác",
    )  # fmt: skip
    dossier_in(State.RECOMMENDED, period, unit_a)

    assert list(inbox.inbox(vice)) == []


def test_a_task_whose_step_deadline_has_passed_is_overdue(period, unit_a, reviewer):
    period.review_by = YESTERDAY
    period.save()
    dossier_in(State.SUBMITTED, period, unit_a)

    (task,) = inbox.inbox(reviewer)

    assert (task.deadline, task.overdue) == (YESTERDAY, True)


def test_a_task_due_today_is_not_overdue(period, unit_a, reviewer):
    period.review_by = TODAY
    period.save()
    dossier_in(State.SUBMITTED, period, unit_a)

    (task,) = inbox.inbox(reviewer)

    assert (task.deadline, task.overdue) == (TODAY, False)


def test_a_task_of_a_period_without_that_deadline_is_not_overdue(period, unit_a, reviewer):
    period.submit_by = YESTERDAY  # another step's deadline
    period.save()
    dossier_in(State.SUBMITTED, period, unit_a)

    (task,) = inbox.inbox(reviewer)

    assert (task.deadline, task.overdue) == (None, False)


def test_each_step_takes_its_own_deadline_from_the_period(period, unit_a, head_a, reviewer):
    period.submit_by, period.review_by = YESTERDAY, TOMORROW
    period.save()
    make_dossier(period, unit_a)
    dossier_in(State.SUBMITTED, period, unit_a)

    assert [t.deadline for t in inbox.inbox(head_a)] == [YESTERDAY]
    assert [t.deadline for t in inbox.inbox(reviewer)] == [TOMORROW]


@pytest.fixture
def mixed(institution, period, unit_a, unit_b):
    """Tasks a lead reviewer who also heads unit A sees, across steps, units, awards and dates."""
    lead = make_person(institution, unit_a, roles=[Role.LEAD_REVIEWER, Role.UNIT_HEAD])
    period.review_by = YESTERDAY
    period.save()
    return lead, {
        "draft_a": make_dossier(period, unit_a),
        "submitted_a": dossier_in(State.SUBMITTED, period, unit_a),
        "submitted_b": dossier_in(State.SUBMITTED, period, unit_b),
        "collective_b": dossier_in(State.SUBMITTED, period, unit_b, award="advanced_collective"),
        "draft_b": make_dossier(period, unit_b),  # not lead's unit: never in the inbox
    }


def dossier_names(tasks, dossiers) -> set[str]:
    by_id = {d.pk: name for name, d in dossiers.items()}
    return {by_id[t.process.dossierprocess.dossier_id] for t in tasks}


def test_the_inbox_unfiltered_holds_every_task_of_the_person(mixed):
    lead, dossiers = mixed

    assert dossier_names(inbox.inbox(lead), dossiers) == {
        "draft_a", "submitted_a", "submitted_b", "collective_b",
    }  # fmt: skip


def test_filtering_by_step_returns_only_that_step_s_tasks(mixed):
    lead, dossiers = mixed

    assert dossier_names(inbox.inbox(lead, step="prepare"), dossiers) == {"draft_a"}


def test_filtering_by_unit_returns_only_that_unit_s_tasks(mixed, unit_b):
    lead, dossiers = mixed

    tasks = inbox.inbox(lead, unit_id=unit_b.pk)

    assert dossier_names(tasks, dossiers) == {"submitted_b", "collective_b"}


def test_filtering_by_award_returns_only_that_award_s_tasks(mixed, institution):
    lead, dossiers = mixed
    award = AwardType.objects.get(institution=institution, code="advanced_collective")

    assert dossier_names(inbox.inbox(lead, award_id=award.pk), dossiers) == {"collective_b"}


def test_filtering_overdue_only_returns_only_overdue_tasks(mixed):
    lead, dossiers = mixed

    tasks = inbox.inbox(lead, overdue_only=True)

    assert dossier_names(tasks, dossiers) == {"submitted_a", "submitted_b", "collective_b"}


def test_filters_combine(mixed, unit_a):
    lead, dossiers = mixed

    tasks = inbox.inbox(lead, step="review", unit_id=unit_a.pk, overdue_only=True)

    assert dossier_names(tasks, dossiers) == {"submitted_a"}


def test_an_unknown_step_is_refused_rather_than_ignored(reviewer):
    with pytest.raises(ValueError):
        inbox.inbox(reviewer, step="lunch")


def test_the_counts_per_step_match_the_inbox(mixed):
    lead, _ = mixed

    assert inbox.inbox_counts(lead) == {"prepare": 1, "review": 3}
    assert inbox.inbox_count(lead) == 4


def test_the_counts_stop_one_past_the_limit_of_counting(mixed, monkeypatch):
    lead, _ = mixed
    monkeypatch.setattr(inbox, "COUNT_LIMIT", 1)

    assert inbox.inbox_counts(lead) == {"prepare": 1, "review": 2}
    assert inbox.inbox_count(lead) == 2


def test_a_count_past_the_limit_is_shown_as_the_limit_and_a_plus(monkeypatch):
    monkeypatch.setattr(inbox, "COUNT_LIMIT", 999)

    assert (inbox.shown_count(999), inbox.shown_count(1000)) == ("999", "999+")


def test_counting_the_inbox_takes_one_query(mixed, django_assert_num_queries):
    lead, _ = mixed
    inbox.step_permissions(lead)  # roles are loaded once per request, before

    with django_assert_num_queries(1):
        inbox.inbox_count(lead)
    with django_assert_num_queries(1):
        inbox.inbox_counts(lead)


def test_a_person_without_roles_has_an_empty_inbox(period, unit_a, staff_a):
    dossier_in(State.SUBMITTED, period, unit_a)

    assert list(inbox.inbox(staff_a)) == []
    assert inbox.inbox_counts(staff_a) == {}


def test_nobody_is_an_empty_inbox(db):
    assert list(inbox.inbox(None)) == []
    assert inbox.inbox_count(None) == 0


def test_the_people_offered_for_a_review_task_are_those_who_may_review(
    institution, period, unit_a, unit_b, reviewer, head_a, auditor, principal
):
    lead = make_person(institution, unit_a, roles=[Role.LEAD_REVIEWER])
    helper = make_person(institution, unit_b)
    Delegation.objects.create(
        institution=institution, delegator=reviewer, delegate=helper, role=Role.REVIEWER,
        starts_on=YESTERDAY, ends_on=TOMORROW, reason="Nghỉ phép",
    )  # fmt: skip

    people = set(inbox.eligible_people(institution.pk, "review"))

    assert people == {reviewer, lead, helper}


def test_the_inbox_is_what_viewflow_s_user_queue_offers_each_person(
    institution, period, unit_a, unit_b, cast
):
    """Our query is user_queue's condition on our step permissions; they must never drift."""
    for state in (State.DRAFT, State.SUBMITTED, State.SUBMITTED, State.REVIEWED, State.RECOMMENDED):
        dossier_in(state, period, unit_a)
    dossier_in(State.SUBMITTED_UPWARD, period, unit_b, award="provincial_certificate_of_merit")
    taken = inbox.inbox(cast["reviewer"]).filter(status="NEW").first()
    assignment.take(task_id=taken.pk, person=cast["reviewer"])

    for name, person in cast.items():
        queue = Task.objects.user_queue(person.user, flow_class=DossierFlow).filter(
            Q(status="NEW") | Q(status="ASSIGNED", owner=person.user)
        )
        assert set(inbox.inbox(person)) == set(queue), name
