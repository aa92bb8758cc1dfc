"""People and accounts with a history are deactivated, never deleted; deactivation is audited."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from viewflow.workflow.models import Task

from dossiers import accounts
from dossiers.models import Person, State
from tests.factories import audit_mark, dossier_in, events_after, login
from workflow import assignment, inbox

User = get_user_model()


@pytest.fixture
def client(db):
    return login(User.objects.create_superuser("admin", password="pw-for-tests"))


@pytest.fixture
def task_owner(institution, period, unit_a, reviewer):
    """A reviewer's old account owning a task, after their person was moved to a new account."""
    dossier_in(State.SUBMITTED, period, unit_a)
    (task,) = inbox.inbox(reviewer)
    assignment.take(task_id=task.pk, person=reviewer)
    old = reviewer.user
    reviewer.user = User.objects.create_user("reviewer-new", password="pw-for-tests")
    reviewer.save()
    return old


def test_deleting_an_account_that_owns_tasks_is_refused_and_the_tasks_stay(task_owner, client):
    owned = list(Task.objects.filter(owner=task_owner).values_list("pk", flat=True))

    response = client.post(reverse("admin:auth_user_delete", args=[task_owner.pk]), {"post": "yes"})

    assert response.status_code == 200  # the admin's "cannot delete" page, with the reason
    assert User.objects.filter(pk=task_owner.pk).exists()
    assert list(Task.objects.filter(owner=task_owner).values_list("pk", flat=True)) == owned


def test_the_refusal_offers_deactivation(task_owner, client):
    response = client.post(reverse("admin:auth_user_delete", args=[task_owner.pk]), {"post": "yes"})

    shown = [str(m) for m in response.context["messages"]]
    assert any("Deactivate" in m or "Vô hiệu hóa" in m for m in shown)


def test_the_delete_all_action_refuses_an_account_with_tasks(task_owner, client):
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [task_owner.pk], "post": "yes"},
    )

    assert User.objects.filter(pk=task_owner.pk).exists()


def test_deactivating_an_account_keeps_its_tasks_stops_its_sign_in_and_is_audited(
    task_owner, client
):
    mark = audit_mark()

    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate", "_selected_action": [task_owner.pk]},
    )

    task_owner.refresh_from_db()
    assert task_owner.is_active is False
    assert Task.objects.filter(owner=task_owner).exists()
    assert {e.action for e in events_after(mark)} == {"account.deactivated"}


def test_deleting_a_person_with_a_history_is_refused(institution, period, unit_a, head_a, client):
    dossier_in(State.DRAFT, period, unit_a)

    client.post(reverse("admin:dossiers_person_delete", args=[head_a.pk]), {"post": "yes"})

    assert Person.objects.filter(pk=head_a.pk).exists()


def test_deactivating_a_person_deactivates_their_account_and_is_audited(
    institution, unit_a, head_a
):
    mark = audit_mark()
    actor = accounts.log.Actor(person=None, role="administrator", name="admin")

    accounts.deactivate_person(head_a, actor=actor)

    head_a.refresh_from_db()
    assert (head_a.is_active, head_a.user.is_active) == (False, False)
    event = events_after(mark).get()
    assert (event.action, event.object_type, event.object_id) == (
        "account.deactivated", "person", str(head_a.pk),
    )  # fmt: skip


def test_a_deactivated_person_can_no_longer_sign_in(institution, unit_a, head_a):
    actor = accounts.log.Actor(person=None, role="administrator", name="admin")
    accounts.deactivate_person(head_a, actor=actor)

    client = login(head_a)

    assert client.get(reverse("dossier_list")).status_code == 302


def test_an_account_without_history_may_still_be_deleted(institution, client):
    spare = User.objects.create_user("spare", password="pw-for-tests")

    client.post(reverse("admin:auth_user_delete", args=[spare.pk]), {"post": "yes"})

    assert not User.objects.filter(pk=spare.pk).exists()


def test_an_account_with_a_linked_person_with_history_is_refused(
    institution, period, unit_a, head_a
):
    dossier_in(State.DRAFT, period, unit_a)
    actor = accounts.log.Actor(person=None, role="administrator", name="admin")

    with pytest.raises(accounts.Conflict):
        accounts.delete_user(head_a.user, actor=actor)

    assert User.objects.filter(pk=head_a.user_id).exists()


def test_deleting_an_account_that_owns_tasks_outside_the_admin_is_refused(task_owner):
    owned = Task.objects.filter(owner=task_owner).count()

    with pytest.raises(ProtectedError), transaction.atomic():
        User.objects.filter(pk=task_owner.pk).delete()

    assert User.objects.filter(pk=task_owner.pk).exists()
    assert Task.objects.filter(owner=task_owner).count() == owned > 0
