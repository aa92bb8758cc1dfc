"""The inbox page, its buttons, the home page summary and the navigation badge."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from viewflow.workflow.models import Task

from audit.models import AuditEvent
from dossiers.models import AwardType, Role, State
from tests.conftest import make_dossier, make_person, make_unit
from tests.factories import dossier_in, dossiers_in, login
from workflow import assignment, inbox, process

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
# session, user, person, roles, delegations, page count, page rows, counts per step, units,
# awards, and for a lead reviewer the people a review task can be handed to.
INBOX_PAGE_QUERIES = 11


def vi(text: str) -> str:
    with translation.override("vi"):
        return str(translation.gettext(text))


def task_of(dossier) -> Task:
    return process.open_tasks(dossier).get()


def many_submitted(period, unit, count: int) -> None:
    """`count` submitted dossiers with their review tasks, each submitted through the door."""
    dossiers_in(State.SUBMITTED, period, unit, count)


@pytest.fixture
def lead(institution, unit_a):
    return make_person(institution, unit_a, roles=[Role.LEAD_REVIEWER], full_name="Trần Văn Trưởng")


@pytest.fixture
def submitted(period, unit_a):
    return dossier_in(State.SUBMITTED, period, unit_a)


# The page


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get("/tasks/")

    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_the_inbox_lists_a_task_under_its_step_with_unit_award_and_nominee(reviewer, submitted):
    content = login(reviewer).get("/tasks/").content.decode()

    assert f"<h2>{vi('Review')}</h2>" in content
    assert f'href="/dossiers/{submitted.pk}/"' in content
    assert submitted.nominee.full_name in content
    assert submitted.unit.name in content
    assert str(submitted.award_type) in content


def test_the_inbox_groups_tasks_by_step_in_process_order(institution, period, unit_a, head_a):
    person = make_person(institution, unit_a, roles=[Role.REVIEWER, Role.UNIT_HEAD])
    dossier_in(State.SUBMITTED, period, unit_a)
    make_dossier(period, unit_a)

    content = login(person).get("/tasks/").content.decode()

    assert content.index(f"<h2>{vi('Prepare and submit')}</h2>") < content.index(
        f"<h2>{vi('Review')}</h2>"
    )


def test_a_person_with_nothing_to_do_is_told_so(staff_a):
    response = login(staff_a).get("/tasks/")

    assert response.status_code == 200
    assert vi("Nothing is waiting for you.") in response.content.decode()


def test_an_overdue_task_is_highlighted_and_says_overdue(reviewer, period, submitted):
    period.review_by = YESTERDAY
    period.save()

    content = login(reviewer).get("/tasks/").content.decode()

    assert '<tr class="overdue">' in content
    assert vi("Overdue") in content
    assert YESTERDAY.strftime("%d/%m/%Y") in content


def test_a_task_within_its_deadline_is_not_highlighted(reviewer, period, submitted):
    period.review_by = TODAY
    period.save()

    content = login(reviewer).get("/tasks/").content.decode()

    assert 'class="overdue"' not in content
    assert TODAY.strftime("%d/%m/%Y") in content


@pytest.fixture
def spread(institution, period, unit_a, unit_b):
    """Review tasks across two units and two awards, one of them overdue."""
    period.review_by = YESTERDAY
    period.save()
    return {
        "a": dossier_in(State.SUBMITTED, period, unit_a),
        "b": dossier_in(State.SUBMITTED, period, unit_b),
        "collective": dossier_in(State.SUBMITTED, period, unit_b, award="advanced_collective"),
    }


def shown(response) -> list[int]:
    return sorted(row.dossier.pk for group in response.context["groups"] for row in group["rows"])


def test_filtering_the_page_by_unit_shows_only_that_unit_s_tasks(reviewer, spread, unit_b):
    response = login(reviewer).get("/tasks/", {"unit": unit_b.pk})

    assert shown(response) == sorted([spread["b"].pk, spread["collective"].pk])


def test_filtering_the_page_by_award_shows_only_that_award_s_tasks(reviewer, spread, institution):
    award = AwardType.objects.get(institution=institution, code="advanced_collective")

    response = login(reviewer).get("/tasks/", {"award": award.pk})

    assert shown(response) == [spread["collective"].pk]


def test_filtering_the_page_by_step_shows_only_that_step_s_tasks(
    institution, period, unit_a, spread
):
    person = make_person(institution, unit_a, roles=[Role.REVIEWER, Role.UNIT_HEAD])
    draft = make_dossier(period, unit_a)

    response = login(person).get("/tasks/", {"step": "prepare"})

    assert shown(response) == [draft.pk]


def test_filtering_the_page_to_overdue_tasks_shows_only_those(institution, period, unit_a, spread):
    person = make_person(institution, unit_a, roles=[Role.REVIEWER, Role.UNIT_HEAD])
    make_dossier(period, unit_a)  # prepare step: no deadline set, never overdue

    response = login(person).get("/tasks/", {"overdue": "1"})

    assert shown(response) == sorted(d.pk for d in spread.values())


def test_an_unknown_step_in_the_address_shows_every_task(reviewer, spread):
    response = login(reviewer).get("/tasks/", {"step": "lunch", "unit": "x"})

    assert shown(response) == sorted(d.pk for d in spread.values())


def test_the_inbox_shows_twenty_five_tasks_a_page(reviewer, period, unit_a):
    many_submitted(period, unit_a, 30)
    client = login(reviewer)

    first = client.get("/tasks/")
    second = client.get("/tasks/", {"page": 2})

    assert (len(shown(first)), len(shown(second))) == (25, 5)
    assert set(shown(first)).isdisjoint(shown(second))


# Buttons


def test_a_task_nobody_took_offers_the_take_button(reviewer, submitted):
    content = login(reviewer).get("/tasks/").content.decode()

    assert f'action="/tasks/{task_of(submitted).pk}/take/"' in content
    assert vi("Take") in content


def test_a_task_one_took_offers_to_put_it_back(reviewer, submitted):
    task = task_of(submitted)
    assignment.take(task_id=task.pk, person=reviewer)

    content = login(reviewer).get("/tasks/").content.decode()

    assert f'action="/tasks/{task.pk}/release/"' in content
    assert f'action="/tasks/{task.pk}/take/"' not in content
    assert vi("Put back in the queue") in content


def test_a_plain_reviewer_gets_no_reassign_form(reviewer, submitted):
    content = login(reviewer).get("/tasks/").content.decode()

    assert "/reassign/" not in content


def test_a_lead_reviewer_sees_who_took_a_task_and_can_hand_it_to_another_reviewer(
    reviewer, lead, submitted
):
    task = task_of(submitted)
    assignment.take(task_id=task.pk, person=reviewer)

    content = login(lead).get("/tasks/").content.decode()

    assert f'action="/tasks/{task.pk}/reassign/"' in content
    assert f'<option value="{lead.pk}">{lead.full_name}</option>' in content
    assert f'<option value="{reviewer.pk}">{reviewer.full_name}</option>' not in content  # has it
    assert reviewer.full_name in content


def test_taking_a_task_by_post_returns_to_the_page_with_a_message(reviewer, submitted):
    task = task_of(submitted)
    client = login(reviewer)

    response = client.post(f"/tasks/{task.pk}/take/", {"next": "/tasks/?step=review"})

    assert (response.status_code, response.url) == (302, "/tasks/?step=review")
    assert Task.objects.get(pk=task.pk).owner == reviewer.user
    assert vi("You have taken the task.") in client.get(response.url).content.decode()


def test_a_refused_take_by_post_shows_why_and_changes_nothing(head_a, submitted):
    task = task_of(submitted)
    client = login(head_a)

    response = client.post(f"/tasks/{task.pk}/take/", follow=True)

    assert response.redirect_chain == [("/tasks/", 302)]
    assert vi("You are not permitted to do this.") in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == "NEW"


def test_putting_a_task_back_by_post_returns_it_to_the_queue(reviewer, submitted):
    task = task_of(submitted)
    assignment.take(task_id=task.pk, person=reviewer)

    response = login(reviewer).post(f"/tasks/{task.pk}/release/", follow=True)

    assert vi("The task is back in the shared queue.") in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == "NEW"


def test_a_lead_reviewer_hands_a_task_over_by_post(reviewer, lead, submitted):
    task = task_of(submitted)

    response = login(lead).post(f"/tasks/{task.pk}/reassign/", {"to": reviewer.pk}, follow=True)

    assert Task.objects.get(pk=task.pk).owner == reviewer.user
    assert reviewer.full_name in response.content.decode()
    assert AuditEvent.objects.get(action="task.reassigned").client_address == "127.0.0.1"


def test_handing_a_task_to_nobody_shows_an_error(lead, submitted):
    task = task_of(submitted)

    response = login(lead).post(f"/tasks/{task.pk}/reassign/", {"to": ""}, follow=True)

    assert vi("Choose the person to hand the task to.") in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == "NEW"


def test_handing_a_task_to_a_person_of_another_institution_is_refused(
    lead, submitted, other_institution
):
    stranger = make_person(
        other_institution, make_unit(other_institution, "khoa-x"), roles=[Role.REVIEWER]
    )

    login(lead).post(f"/tasks/{task_of(submitted).pk}/reassign/", {"to": stranger.pk})

    assert task_of(submitted).status == "NEW"


def test_a_button_never_sends_you_off_the_site(reviewer, submitted):
    response = login(reviewer).post(
        f"/tasks/{task_of(submitted).pk}/take/", {"next": "https://evil.example/"}
    )

    assert response.url == "/tasks/"


@pytest.mark.parametrize("button", ["take", "release", "reassign"])
def test_the_buttons_do_nothing_on_get(reviewer, submitted, button):
    response = login(reviewer).get(f"/tasks/{task_of(submitted).pk}/{button}/")

    assert response.status_code == 405
    assert task_of(submitted).status == "NEW"


# Who may open a dossier


@pytest.mark.parametrize(
    "state, hidden_from",
    [
        (State.DRAFT, ["head_b", "staff_a", "council_member", "stranger"]),
        (State.SUBMITTED, ["head_b", "staff_a", "council_member", "stranger"]),
        (State.REVIEWED, ["head_b", "staff_a", "stranger"]),
        (State.RECOMMENDED, ["head_b", "staff_a", "stranger"]),
    ],
)
def test_the_dossier_page_is_not_found_for_those_who_may_not_see_it(
    request, period, unit_a, other_institution, state, hidden_from
):
    dossier = dossier_in(state, period, unit_a)
    stranger = make_person(
        other_institution, make_unit(other_institution, "khoa-x"), roles=[Role.REVIEWER]
    )
    for name in hidden_from:
        person = stranger if name == "stranger" else request.getfixturevalue(name)
        client = login(person)
        assert client.get(f"/dossiers/{dossier.pk}/").status_code == 404, name


# Home and navigation


def test_home_summarises_the_inbox_by_step_with_a_link_to_it(reviewer, period, unit_a):
    dossier_in(State.SUBMITTED, period, unit_a)
    dossier_in(State.SUBMITTED, period, unit_a)

    response = login(reviewer).get("/")

    assert response.context["inbox_summary"] == [("review", vi("Review"), 2)]
    content = response.content.decode()
    assert 'href="/tasks/?step=review"' in content
    assert vi("Open your task list") in content


def test_home_keeps_the_roles_and_work_sections_next_to_the_summary(reviewer, submitted):
    content = login(reviewer).get("/").content.decode()

    assert vi(Role.REVIEWER.label) in content
    assert vi("Waiting for review") in content


def test_home_shows_no_inbox_summary_when_nothing_waits(staff_a):
    response = login(staff_a).get("/")

    assert response.context["inbox_summary"] == []
    assert vi("Open your task list") not in response.content.decode()


def test_the_navigation_links_to_the_inbox_with_the_number_of_tasks(reviewer, period, unit_a):
    many_submitted(period, unit_a, 3)

    content = login(reviewer).get("/dossiers/").content.decode()

    assert (
        f'<a href="/tasks/" class="nav-inbox">{vi("Your work")} <span class="badge">3</span></a>'
        in content
    )


def test_the_navigation_badge_shows_a_plus_past_the_tasks_it_counts(
    reviewer, period, unit_a, monkeypatch
):
    many_submitted(period, unit_a, 3)
    monkeypatch.setattr(inbox, "COUNT_LIMIT", 2)

    content = login(reviewer).get("/dossiers/").content.decode()

    assert '<span class="badge">2+</span></a>' in content


def test_the_inbox_step_counts_show_a_plus_past_the_tasks_they_count(
    reviewer, period, unit_a, monkeypatch
):
    many_submitted(period, unit_a, 3)
    monkeypatch.setattr(inbox, "COUNT_LIMIT", 2)

    content = login(reviewer).get("/tasks/").content.decode()

    assert f'<a href="?step=review">{vi("Review")}</a> <span class="badge">2+</span>' in content


def test_the_navigation_shows_no_badge_when_nothing_waits(staff_a):
    content = login(staff_a).get("/dossiers/").content.decode()

    assert f'<a href="/tasks/" class="nav-inbox">{vi("Your work")}</a>' in content


def test_an_account_without_a_staff_record_has_no_inbox_link(db):
    user = get_user_model().objects.create_user(username="it-admin", password="pw-for-tests")

    content = login(user).get("/").content.decode()

    assert "nav-inbox" not in content


# Query counts


# 10 and 100: a page and four pages of tasks (each submitted through the door, which 1000 would
# make a minute's work).
@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize("who", ["reviewer", "lead"])
def test_the_inbox_page_needs_the_same_number_of_queries_however_many_tasks(
    request, period, unit_a, django_assert_max_num_queries, who, count
):
    client = login(request.getfixturevalue(who))
    many_submitted(period, unit_a, count)

    with django_assert_max_num_queries(INBOX_PAGE_QUERIES):
        response = client.get("/tasks/")

    assert response.status_code == 200
    assert response.context["inbox_count"] == count
    assert len(shown(response)) == min(count, 25)


def without_the_badge() -> list[dict]:
    templates = [dict(engine, OPTIONS=dict(engine["OPTIONS"])) for engine in settings.TEMPLATES]
    processors = templates[0]["OPTIONS"]["context_processors"]
    templates[0]["OPTIONS"]["context_processors"] = [
        p for p in processors if p != "workflow.context_processors.inbox"
    ]
    return templates


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/dossiers/", "/"])
def test_the_navigation_badge_adds_at_most_one_query_to_a_page(reviewer, period, unit_a, url):
    many_submitted(period, unit_a, 3)
    client = login(reviewer)
    with_badge = queries_of(client, url)

    with override_settings(TEMPLATES=without_the_badge()):
        without_badge = queries_of(client, url)

    assert with_badge - without_badge == (1 if url == "/dossiers/" else 0)
