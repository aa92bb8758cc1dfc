"""`manage.py demo`: a fictional college to try the product with, loaded as often as wanted."""

from __future__ import annotations

import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from dossiers.models import (
    AnnualRating,
    Institution,
    Period,
    Person,
    Role,
    RoleAssignment,
    TitleRecord,
    Unit,
)


def run_demo() -> str:
    out = StringIO()
    with override_settings(DEBUG=True):  # a laptop's setting: the demo refuses to run without it
        call_command("demo", stdout=out)
    return out.getvalue()


def test_the_demo_refuses_to_run_without_debug_and_creates_no_account(db):
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("demo", stdout=StringIO())

    assert not get_user_model().objects.filter(username="admin").exists()
    assert not Institution.objects.filter(code="cdngt").exists()


@pytest.fixture
def demo_output(db) -> str:
    return run_demo()


@pytest.fixture
def college(demo_output) -> Institution:
    return Institution.objects.get(code="cdngt")


def row_counts() -> dict[str, int]:
    models = [Person, Unit, RoleAssignment, AnnualRating, TitleRecord, get_user_model()]
    return {model.__name__: model.objects.count() for model in models}


def test_loading_the_demo_twice_adds_nothing_the_second_time(demo_output):
    before = row_counts()

    run_demo()

    assert row_counts() == before


def test_the_demo_college_has_about_150_staff(college):
    assert 140 <= Person.objects.of(college).count() <= 160


def test_demo_staff_have_distinct_vietnamese_names(college):
    names = list(Person.objects.of(college).values_list("full_name", flat=True))

    assert len(set(names)) == len(names)
    assert all(not name.isascii() and len(name.split()) >= 3 for name in names)


def test_the_demo_college_has_its_faculties_offices_and_centres(college):
    units = Unit.objects.of(college)

    assert units.count() >= 12
    assert {Unit.Kind.FACULTY, Unit.Kind.OFFICE, Unit.Kind.CENTRE} <= set(
        units.values_list("kind", flat=True)
    )


def test_every_role_is_held_by_somebody_in_the_demo(college):
    held = set(RoleAssignment.objects.of(college).active().values_list("role", flat=True))

    assert held == set(Role.values)


def test_every_demo_unit_with_staff_has_exactly_one_unit_head(college):
    heads = Counter(
        RoleAssignment.objects.of(college)
        .active()
        .filter(role=Role.UNIT_HEAD)
        .values_list("unit__code", flat=True)
    )
    staffed = Unit.objects.of(college).filter(members__isnull=False).distinct()

    assert {unit.code: heads.get(unit.code, 0) for unit in staffed} == {
        unit.code: 1 for unit in staffed
    }


def test_the_demo_has_exactly_one_current_period(college):
    assert Period.objects.of(college).filter(is_current=True).count() == 1


def test_the_demo_command_prints_the_password_and_the_main_accounts(demo_output):
    assert "thidua-demo-2026" in demo_output
    for username in ["hieutruong", "thamdinh", "thuky", "kiemtra"]:
        assert re.search(rf"^\s+{username}\s", demo_output, re.MULTILINE), username


def test_the_principal_of_the_demo_logs_in_with_the_printed_password(demo_output, client):
    password = re.search(r"password for all: (\S+?)\)", demo_output).group(1)
    principal = Person.objects.get(user__username="hieutruong")

    assert client.login(username="hieutruong", password=password)
    response = client.get("/")

    assert response.status_code == 200
    assert principal.full_name in response.content.decode()
