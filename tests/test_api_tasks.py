"""The inbox through the API: the caller's tasks with the page's filters, taking, putting back and
handing over a task with the page's refusals, and the secretary's undelivered messages."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Task

from audit.models import AuditEvent
from dossiers.models import AwardType, Role, State
from outbox.models import OutboxMessage
from tests.api_helpers import ApiClient, problem
from tests.conftest import make_person, make_unit
from tests.factories import dossier_in, dossiers_in, login
from tests.test_outbox import failed_mail
from tests.test_task_assignment import (  # the page tests' fixtures
    lead as lead,
)
from tests.test_task_assignment import (
    other_reviewer as other_reviewer,
)
from tests.test_task_assignment import (
    submitted as submitted,
)
from tests.test_task_assignment import (
    task as task,
)

TASKS = "/api/v1/tasks/"
TOO_BIG = "99999999999999999999"
TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def listed(response) -> list[int]:
    """The dossiers of the listed tasks."""
    assert response.status_code == 200, response.content[:500]
    return sorted(entry["dossier_id"] for entry in response.json()["results"])


def reloaded(task) -> Task:
    return Task.objects.get(pk=task.pk)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def take(person, task):
    return ApiClient(person).post(f"{TASKS}{task.pk}/take/")


# The inbox


def test_an_anonymous_caller_is_asked_to_sign_in(db):
    problem(ApiClient(None).get(TASKS), 401, "unauthenticated")


def test_a_reviewer_sees_a_new_review_task_they_may_take(reviewer, submitted, task, period):
    period.review_by = TODAY
    period.save()

    (entry,) = ApiClient(reviewer).get(TASKS).json()["results"]

    assert (entry["id"], entry["step"], entry["dossier_id"]) == (task.pk, "review", submitted.pk)
    assert entry["dossier"]["nominee"] == submitted.nominee.full_name
    assert entry["dossier"]["unit"] == {"id": submitted.unit_id, "name": submitted.unit.name}
    assert (entry["takeable"], entry["owner"], entry["mine"]) == (True, None, False)
    assert (entry["deadline"], entry["overdue"]) == (TODAY.isoformat(), False)
    assert entry["reassignable"] is False


def test_a_task_past_its_deadline_says_overdue(reviewer, submitted, period):
    period.review_by = YESTERDAY
    period.save()

    (entry,) = ApiClient(reviewer).get(TASKS).json()["results"]

    assert (entry["deadline"], entry["overdue"]) == (YESTERDAY.isoformat(), True)


def test_a_person_with_nothing_to_do_has_an_empty_inbox(staff_a, submitted):
    assert listed(ApiClient(staff_a).get(TASKS)) == []


def test_a_taken_task_shows_its_owner_and_is_the_takers(reviewer, task):
    take(reviewer, task)

    (entry,) = ApiClient(reviewer).get(TASKS).json()["results"]

    assert entry["owner"] == {"id": reviewer.pk, "name": reviewer.full_name}
    assert (entry["takeable"], entry["mine"]) == (False, True)


def test_a_lead_reviewer_sees_the_tasks_others_took_and_may_hand_them_over(
    reviewer, lead, task, submitted
):
    take(reviewer, task)

    (entry,) = ApiClient(lead).get(TASKS).json()["results"]

    assert (entry["dossier_id"], entry["mine"], entry["reassignable"]) == (
        submitted.pk, False, True,
    )  # fmt: skip


def test_another_institutions_tasks_are_not_listed(submitted, other_institution):
    unit = make_unit(other_institution, "khoa-x", "Khoa Khác")
    stranger = make_person(other_institution, unit, roles=[Role.REVIEWER])

    assert listed(ApiClient(stranger).get(TASKS)) == []


@pytest.fixture
def spread(institution, period, unit_a, unit_b):
    """Review tasks across two units and two awards (all overdue), and a draft to prepare."""
    period.review_by = YESTERDAY
    period.save()
    return {
        "a": dossier_in(State.SUBMITTED, period, unit_a),
        "b": dossier_in(State.SUBMITTED, period, unit_b),
        "collective": dossier_in(State.SUBMITTED, period, unit_b, award="advanced_collective"),
        "draft": dossier_in(State.DRAFT, period, unit_a),
    }


def page_listed(person, query: dict) -> list[int]:
    response = login(person).get("/tasks/", query)
    return sorted(row.dossier.pk for group in response.context["groups"] for row in group["rows"])


def test_each_filter_lists_what_the_inbox_page_lists(institution, unit_a, unit_b, spread):
    person = make_person(institution, unit_a, roles=[Role.REVIEWER, Role.UNIT_HEAD])
    award = AwardType.objects.get(institution=institution, code="advanced_collective")
    api = ApiClient(person)
    for api_query, page_query in (
        ({"unit": unit_b.pk}, {"unit": unit_b.pk}),
        ({"award": award.pk}, {"award": award.pk}),
        ({"step": "prepare"}, {"step": "prepare"}),
        ({"step": "review", "unit": unit_a.pk}, {"step": "review", "unit": unit_a.pk}),
        ({"overdue": "true"}, {"overdue": "1"}),
        ({}, {}),
    ):
        expected = page_listed(person, page_query)
        assert listed(api.get(TASKS, api_query)) == expected, api_query
        assert expected, api_query


@pytest.mark.parametrize(
    "query",
    [
        {"step": "lunch"},
        {"unit": "x"},
        {"unit": TOO_BIG},
        {"award": "0"},
        {"overdue": "maybe"},
    ],
)
def test_a_malformed_filter_is_refused_with_400(reviewer, submitted, query):
    refusal = problem(ApiClient(reviewer).get(TASKS, query), 400, "invalid-input")

    assert list(refusal["errors"]) == list(query)


def test_a_cursor_the_api_did_not_give_names_no_page(reviewer, submitted):
    problem(ApiClient(reviewer).get(TASKS, {"cursor": "not-a-cursor"}), 404, "not-found")


def test_pages_give_every_task_once_oldest_first(reviewer, period, unit_a):
    dossiers_in(State.SUBMITTED, period, unit_a, 7)
    api = ApiClient(reviewer)
    seen, url = [], f"{TASKS}?page_size=3"
    while url:
        body = api.get(url).json()
        seen += [entry["id"] for entry in body["results"]]
        url = body["next"]

    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 7


def test_a_page_of_the_inbox_costs_the_same_queries_however_many_tasks(reviewer, period, unit_a):
    dossiers_in(State.SUBMITTED, period, unit_a, 2)
    api = ApiClient(reviewer)
    with CaptureQueriesContext(connection) as few:
        api.get(TASKS)

    dossiers_in(State.SUBMITTED, period, unit_a, 12)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(TASKS).json()["results"]) == 14

    assert len(many) == len(few)


# Taking and putting back


def test_a_reviewer_takes_a_task(reviewer, task, submitted):
    response = ApiClient(reviewer).post(f"{TASKS}{task.pk}/take/")

    assert response.status_code == 200
    assert response.json() == {
        "id": task.pk,
        "step": "review",
        "step_label": response.json()["step_label"],
        "dossier_id": submitted.pk,
        "owner": {"id": reviewer.pk, "name": reviewer.full_name},
        "takeable": False,
        "mine": True,
    }
    assert reloaded(task).owner == reviewer.user


def test_taking_a_task_is_audited_with_the_callers_address(reviewer, task):
    take(reviewer, task)

    (event,) = events("task.taken")
    assert (event.actor, event.role, event.client_address) == (
        reviewer, Role.REVIEWER, "127.0.0.1",
    )  # fmt: skip


def test_a_task_another_reviewer_took_is_refused_naming_them(reviewer, other_reviewer, task):
    take(reviewer, task)

    refusal = problem(take(other_reviewer, task), 409, "illegal-transition")

    assert reviewer.full_name in refusal["detail"]
    assert reloaded(task).owner == reviewer.user
    assert len(events("task.taken")) == 1


@pytest.mark.parametrize("who", ["head_a", "auditor", "secretary", "staff_a"])
def test_someone_who_does_not_review_may_not_take_a_review_task(request, task, who):
    problem(take(request.getfixturevalue(who), task), 403, "not-permitted")

    assert (reloaded(task).status, reloaded(task).owner) == ("NEW", None)
    assert events("task.taken") == []


def test_a_reviewer_of_another_institution_cannot_find_the_task(task, other_institution):
    unit = make_unit(other_institution, "khoa-x", "Khoa Khác")
    stranger = make_person(other_institution, unit, roles=[Role.REVIEWER])

    problem(take(stranger, task), 404, "not-found")
    assert reloaded(task).status == "NEW"


@pytest.mark.parametrize("task_id", ["999999", TOO_BIG])
def test_a_task_that_does_not_exist_is_not_found(reviewer, task_id):
    problem(ApiClient(reviewer).post(f"{TASKS}{task_id}/take/"), 404, "not-found")


def test_the_owner_puts_a_task_back(reviewer, task):
    take(reviewer, task)

    response = ApiClient(reviewer).post(f"{TASKS}{task.pk}/release/")

    assert response.status_code == 200
    assert (response.json()["owner"], response.json()["takeable"]) == (None, True)
    assert (reloaded(task).status, reloaded(task).owner) == ("NEW", None)
    assert len(events("task.released")) == 1


@pytest.mark.parametrize("who", ["other_reviewer", "lead"])
def test_only_the_owner_may_put_a_task_back(request, reviewer, task, who):
    take(reviewer, task)

    response = ApiClient(request.getfixturevalue(who)).post(f"{TASKS}{task.pk}/release/")

    problem(response, 403, "not-permitted")
    assert reloaded(task).owner == reviewer.user


def test_a_task_nobody_took_cannot_be_put_back(reviewer, task):
    response = ApiClient(reviewer).post(f"{TASKS}{task.pk}/release/")

    problem(response, 409, "illegal-transition")


# Handing over


def reassign(person, task, body):
    return ApiClient(person).post(f"{TASKS}{task.pk}/reassign/", body)


def test_a_lead_reviewer_hands_a_taken_task_to_another_reviewer(
    reviewer, other_reviewer, lead, task
):
    take(reviewer, task)

    response = reassign(lead, task, {"to": other_reviewer.pk})

    assert response.status_code == 200
    assert response.json()["owner"] == {"id": other_reviewer.pk, "name": other_reviewer.full_name}
    assert reloaded(task).owner == other_reviewer.user
    (event,) = events("task.reassigned")
    assert (event.actor, event.payload["from_person_id"], event.payload["to_person_id"]) == (
        lead, reviewer.pk, other_reviewer.pk,
    )  # fmt: skip


def test_a_plain_reviewer_may_not_hand_a_task_over(reviewer, other_reviewer, task):
    take(reviewer, task)

    problem(reassign(reviewer, task, {"to": other_reviewer.pk}), 403, "not-permitted")
    assert reloaded(task).owner == reviewer.user


def test_a_task_cannot_be_handed_to_someone_who_may_not_work_on_it(lead, head_a, task):
    refusal = problem(reassign(lead, task, {"to": head_a.pk}), 403, "not-permitted")

    assert head_a.full_name in refusal["detail"]
    assert reloaded(task).owner is None


def test_handing_a_task_to_its_owner_is_a_conflict(reviewer, lead, task):
    take(reviewer, task)

    problem(reassign(lead, task, {"to": reviewer.pk}), 409, "illegal-transition")
    assert events("task.reassigned") == []


def test_a_task_cannot_be_handed_to_a_person_of_another_institution(lead, task, other_institution):
    unit = make_unit(other_institution, "khoa-x", "Khoa Khác")
    stranger = make_person(other_institution, unit, roles=[Role.REVIEWER])

    refusal = problem(reassign(lead, task, {"to": stranger.pk}), 400, "invalid-input")

    assert list(refusal["errors"]) == ["to"]
    assert reloaded(task).owner is None


@pytest.mark.parametrize("body", [{}, {"to": "abc"}, {"to": 0}, {"to": int(TOO_BIG)}, {"to": None}])
def test_handing_over_without_a_valid_person_is_refused_with_400(lead, task, body):
    problem(reassign(lead, task, body), 400, "invalid-input")

    assert reloaded(task).owner is None


def test_a_lead_reviewer_is_offered_the_people_eligible_for_a_task(
    reviewer, other_reviewer, lead, head_a, task
):
    offered = ApiClient(lead).get(f"{TASKS}{task.pk}/candidates/").json()

    ids = {person["id"] for person in offered}
    assert {reviewer.pk, other_reviewer.pk} <= ids
    assert head_a.pk not in ids


def test_a_plain_reviewer_is_offered_nobody(reviewer, other_reviewer, task):
    assert ApiClient(reviewer).get(f"{TASKS}{task.pk}/candidates/").json() == []


def test_the_people_for_a_task_outside_ones_inbox_are_not_found(head_a, task):
    problem(ApiClient(head_a).get(f"{TASKS}{task.pk}/candidates/"), 404, "not-found")


# Undelivered messages


UNDELIVERED = f"{TASKS}undelivered/"


def test_the_secretary_lists_a_mail_that_failed_with_its_error(institution, secretary, settings):
    row = failed_mail(institution, settings)

    (listed_row,) = ApiClient(secretary).get(UNDELIVERED).json()

    assert (listed_row["id"], listed_row["state"]) == (row.pk, "failed")
    assert "hoa@truong.edu.vn" in listed_row["summary"]
    assert "SMTPServerDisconnected" in listed_row["last_error"]


def test_another_institutions_undelivered_mails_are_not_listed(
    other_institution, secretary, settings
):
    failed_mail(other_institution, settings)

    assert ApiClient(secretary).get(UNDELIVERED).json() == []


@pytest.mark.parametrize("who", ["reviewer", "auditor", "head_a"])
def test_only_the_council_secretary_sees_the_undelivered_messages(request, who):
    problem(ApiClient(request.getfixturevalue(who)).get(UNDELIVERED), 403, "not-permitted")


def test_the_secretary_sends_a_failed_mail_again(
    institution, secretary, settings, django_capture_on_commit_callbacks
):
    row = failed_mail(institution, settings)

    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(secretary).post(f"{UNDELIVERED}{row.pk}/retry/")

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.state == OutboxMessage.State.SENT
    (event,) = events("outbox.retried")
    assert (event.actor, event.object_id) == (secretary, str(row.pk))


def test_a_reviewer_may_not_send_a_mail_again(institution, reviewer, settings):
    row = failed_mail(institution, settings)

    problem(ApiClient(reviewer).post(f"{UNDELIVERED}{row.pk}/retry/"), 403, "not-permitted")
    row.refresh_from_db()
    assert row.state == OutboxMessage.State.FAILED


@pytest.mark.parametrize("mail", ["other", "missing", "too big"])
def test_a_mail_outside_the_institution_is_not_found(other_institution, secretary, settings, mail):
    row_id = {
        "other": lambda: failed_mail(other_institution, settings).pk,
        "missing": lambda: 999_999,
        "too big": lambda: TOO_BIG,
    }[mail]()

    problem(ApiClient(secretary).post(f"{UNDELIVERED}{row_id}/retry/"), 404, "not-found")
