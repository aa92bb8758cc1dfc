"""Signing in and the home page: in Vietnamese by default, showing who you are and your roles."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from dossiers.models import Role, RoleAssignment
from tests.conftest import make_person, make_unit
from tests.factories import login

PASSWORD = "pw-for-tests"  # what conftest.make_person gives every account


def vi(text: str) -> str:
    with translation.override("vi"):
        return translation.gettext(text)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_page_is_in_vietnamese(client, db):
    response = client.get("/login/")

    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()


def test_the_login_page_is_in_english_for_who_chose_english(client, db):
    client.cookies["django_language"] = "en"

    content = client.get("/login/").content.decode()

    assert "Log in" in content
    assert "Đăng nhập" not in content


def test_a_wrong_password_keeps_you_on_the_login_page_with_an_error(client, head_a):
    response = client.post("/login/", {"username": "head_a", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'class="errors"' in response.content.decode()
    assert not is_logged_in(client)


def test_the_right_password_takes_you_home(client, head_a):
    response = client.post("/login/", {"username": "head_a", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/"
    assert is_logged_in(client)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_home_greets_the_person_by_name(head_a):
    client = login(head_a)

    response = client.get("/")

    assert response.status_code == 200
    assert head_a.full_name in response.content.decode()


def test_home_shows_a_unit_heads_role_with_the_unit_it_applies_to(head_a, unit_a):
    client = login(head_a)

    content = client.get("/").content.decode()

    assert vi(Role.UNIT_HEAD.label) in content
    assert f"— {unit_a.name}" in content


def test_home_leaves_out_a_role_that_has_ended(institution, unit_a):
    person = make_person(institution, unit_a, roles=[Role.AUDITOR])
    RoleAssignment.objects.filter(person=person).update(valid_to="2020-12-31")
    client = login(person)

    response = client.get("/")

    assert list(response.context["roles"]) == []
    assert vi(Role.AUDITOR.label) not in response.content.decode()


def test_logging_out_by_post_ends_the_session(head_a):
    client = login(head_a)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert not is_logged_in(client)
    assert client.get("/").status_code == 302


def test_an_account_without_a_staff_record_sees_a_page_saying_so(db):
    user = get_user_model().objects.create_user(username="it-admin", password=PASSWORD)
    client = login(user)

    response = client.get("/")

    assert response.status_code == 200
    assert vi("No staff record") in response.content.decode()


def give_roles(person, count: int) -> None:
    """`count` roles: unit head of their unit, then institution-wide roles, then more units."""
    institution = person.institution
    wide = [r for r in Role if r not in Role.UNIT_SCOPED][: count - 1]
    for role in wide:
        RoleAssignment.objects.create(institution=institution, person=person, role=role)
    for n in range(count - 1 - len(wide)):
        unit = make_unit(institution, code=f"extra-{n}", name=f"Phòng {n}")
        RoleAssignment.objects.create(
            institution=institution, person=person, role=Role.UNIT_HEAD, unit=unit
        )


@pytest.mark.parametrize("role_count", [1, 10])
def test_home_takes_as_many_queries_with_ten_roles_as_with_one(
    institution, unit_a, django_assert_max_num_queries, role_count
):
    person = make_person(institution, unit_a, roles=[Role.UNIT_HEAD])
    give_roles(person, role_count)
    assert person.active_roles().count() == role_count
    client = login(person)

    # session, user, person, roles, delegations, dossier counts, task counts, and for an auditor
    # holding other roles the institution's rule on auditors
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200
