"""Role changes made in the admin are audited: who may act is itself part of the history."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audit import log
from audit.models import AuditEvent
from dossiers.models import Role, RoleAssignment
from dossiers.roles import administrator, save_role_assignment
from tests.conftest import make_person
from tests.factories import login


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("quantri", password="pw-for-tests")


@pytest.fixture
def admin_client(superuser):
    return login(superuser)


@pytest.fixture
def staff(institution, unit_a):
    return make_person(institution, unit_a, full_name="Lê Văn Cán Bộ")


@pytest.fixture
def assignment(institution, staff):
    return RoleAssignment.objects.create(
        institution=institution,
        person=staff,
        role=Role.REVIEWER,
        valid_from=datetime.date(2026, 1, 1),
    )


def form_data(assignment_or_none=None, **fields) -> dict:
    data = {}
    if assignment_or_none is not None:
        a = assignment_or_none
        data = {
            "institution": a.institution_id,
            "person": a.person_id,
            "role": a.role,
            "unit": a.unit_id or "",
            "valid_from": a.valid_from.isoformat(),
            "valid_to": a.valid_to.isoformat() if a.valid_to else "",
        }
    data.update({k: "" if v is None else v for k, v in fields.items()})
    return data


def test_adding_a_role_in_the_admin_records_role_assigned(admin_client, institution, staff):
    response = admin_client.post(
        reverse("admin:dossiers_roleassignment_add"),
        form_data(
            institution=institution.pk,
            person=staff.pk,
            role=Role.REVIEWER,
            unit="",
            valid_from="2026-02-01",
            valid_to="",
        ),
    )

    assert response.status_code == 302
    created = RoleAssignment.objects.get(person=staff)
    event = AuditEvent.objects.get()
    assert event.action == "role.assigned"
    assert (event.object_type, event.object_id) == ("role_assignment", str(created.pk))
    assert event.institution == institution
    assert event.payload["before"] is None
    assert event.payload["after"]["role"] == Role.REVIEWER
    assert event.payload["after"]["person_id"] == staff.pk
    assert event.payload["after"]["valid_from"] == "2026-02-01"


def test_the_admin_is_recorded_as_the_actor_with_their_address(
    admin_client, institution, staff, superuser
):
    admin_client.post(
        reverse("admin:dossiers_roleassignment_add"),
        form_data(
            institution=institution.pk,
            person=staff.pk,
            role=Role.AUDITOR,
            valid_from="2026-02-01",
        ),
        REMOTE_ADDR="192.0.2.44",
    )

    event = AuditEvent.objects.get()
    assert (event.actor_name, event.role, event.client_address) == (
        superuser.username,
        "administrator",
        "192.0.2.44",
    )


def test_changing_a_roles_end_date_in_the_admin_records_before_and_after(admin_client, assignment):
    response = admin_client.post(
        reverse("admin:dossiers_roleassignment_change", args=[assignment.pk]),
        form_data(assignment, valid_to="2026-06-30"),
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.valid_to == datetime.date(2026, 6, 30)
    event = AuditEvent.objects.get()
    assert event.action == "role.changed"
    assert event.object_id == str(assignment.pk)
    assert event.payload["before"]["valid_to"] is None
    assert event.payload["after"]["valid_to"] == "2026-06-30"
    assert event.payload["before"]["role"] == event.payload["after"]["role"] == Role.REVIEWER


def test_saving_a_role_unchanged_in_the_admin_records_nothing(admin_client, assignment):
    response = admin_client.post(
        reverse("admin:dossiers_roleassignment_change", args=[assignment.pk]),
        form_data(assignment),
    )

    assert response.status_code == 302
    assert not AuditEvent.objects.exists()


def test_deleting_a_role_in_the_admin_records_role_removed(admin_client, assignment):
    response = admin_client.post(
        reverse("admin:dossiers_roleassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    event = AuditEvent.objects.get()
    assert event.action == "role.removed"
    assert event.object_id == str(assignment.pk)
    assert event.payload["before"]["role"] == Role.REVIEWER
    assert event.payload["before"]["person"] == "Lê Văn Cán Bộ"
    assert event.payload["after"] is None


def test_the_role_list_offers_no_bulk_delete_that_would_escape_the_audit(admin_client, assignment):
    response = admin_client.post(
        reverse("admin:dossiers_roleassignment_changelist"),
        {"action": "delete_selected", "_selected_action": [assignment.pk], "post": "yes"},
    )

    assert response.status_code in (200, 302)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert not AuditEvent.objects.exists()


def test_a_unit_head_without_a_unit_is_refused_by_the_form_and_records_nothing(
    admin_client, institution, staff
):
    response = admin_client.post(
        reverse("admin:dossiers_roleassignment_add"),
        form_data(
            institution=institution.pk,
            person=staff.pk,
            role=Role.UNIT_HEAD,
            unit="",
            valid_from="2026-02-01",
        ),
    )

    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert not RoleAssignment.objects.filter(person=staff).exists()
    assert not AuditEvent.objects.exists()


def test_adding_a_role_inline_on_the_persons_page_is_recorded_too(
    admin_client, institution, staff, unit_a
):
    prefix = "role_assignments"
    data = {
        "institution": institution.pk,
        "unit": unit_a.pk,
        "user": staff.user_id,
        "full_name": staff.full_name,
        "gender": staff.gender,
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-person": staff.pk,
        f"{prefix}-0-role": Role.UNIT_HEAD,
        f"{prefix}-0-unit": unit_a.pk,
        f"{prefix}-0-valid_from": "2026-03-01",
        f"{prefix}-0-valid_to": "",
    }
    page = admin_client.get(reverse("admin:dossiers_person_change", args=[staff.pk]))
    form = page.context["adminform"].form
    for name, field in form.fields.items():
        if name not in data:
            value = form.initial.get(name, field.initial)
            data[name] = "" if value is None else value
    data = {k: v for k, v in data.items() if v is not False}

    response = admin_client.post(reverse("admin:dossiers_person_change", args=[staff.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get()
    assert event.action == "role.assigned"
    assert event.payload["after"]["role"] == Role.UNIT_HEAD
    assert event.payload["after"]["unit_id"] == unit_a.pk


def test_every_role_change_leaves_the_chain_intact(admin_client, institution, assignment):
    admin_client.post(
        reverse("admin:dossiers_roleassignment_change", args=[assignment.pk]),
        form_data(assignment, valid_to="2026-06-30"),
    )
    admin_client.post(
        reverse("admin:dossiers_roleassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )

    report = log.verify_institution(institution)

    assert report.intact
    assert report.events == 2


# The service directly


def test_saving_an_unchanged_assignment_writes_no_event(assignment):
    save_role_assignment(
        RoleAssignment.objects.get(pk=assignment.pk), actor=log.Actor(None, name="x")
    )

    assert not AuditEvent.objects.exists()


def test_saving_a_changed_role_through_the_service_records_the_change(assignment, superuser):
    changed = RoleAssignment.objects.get(pk=assignment.pk)
    changed.role = Role.LEAD_REVIEWER

    save_role_assignment(changed, actor=administrator(superuser, "198.51.100.1"))

    event = AuditEvent.objects.get()
    assert event.action == "role.changed"
    assert (event.payload["before"]["role"], event.payload["after"]["role"]) == (
        Role.REVIEWER,
        Role.LEAD_REVIEWER,
    )


def test_an_invalid_assignment_saved_through_the_service_is_refused_and_not_recorded(
    institution, staff
):
    from django.core.exceptions import ValidationError

    invalid = RoleAssignment(institution=institution, person=staff, role=Role.UNIT_HEAD, unit=None)

    with pytest.raises(ValidationError):
        save_role_assignment(invalid, actor=log.Actor(None, name="x"))

    assert not RoleAssignment.objects.filter(person=staff).exists()
    assert not AuditEvent.objects.exists()
