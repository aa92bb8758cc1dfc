"""Shared fixtures: a small institution with one person per role, built through the real models."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from dossiers.catalogue_defaults import install_award_catalogue
from dossiers.models import Institution, Period, Person, Role, RoleAssignment, Unit

_counter = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need row locks and real concurrency; SQLite cannot give them."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in CI's PostgreSQL pass)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def institution(db):
    inst = Institution.objects.create(
        code="test-college",
        name="Trường Cao đẳng Thử nghiệm",
        short_name="CĐTN",
        parent_body="UBND TỈNH BẮC NINH",
        place="Bắc Ninh",
        decision_series="QĐ-CĐTN",
    )
    install_award_catalogue(inst)
    return inst


@pytest.fixture
def other_institution(db):
    inst = Institution.objects.create(
        code="other-college",
        name="Trường Cao đẳng Khác",
        short_name="CĐK",
        parent_body="UBND TỈNH BẮC NINH",
        place="Bắc Ninh",
        decision_series="QĐ-CĐK",
    )
    install_award_catalogue(inst)
    return inst


@pytest.fixture
def period(institution):
    return Period.objects.create(
        institution=institution,
        name="Năm 2026",
        kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        is_current=True,
    )


def make_unit(institution, code="khoa-a", name="Khoa A", kind=Unit.Kind.FACULTY) -> Unit:
    return Unit.objects.create(institution=institution, code=code, name=name, kind=kind)


def make_person(institution, unit, *, roles=(), role_unit=None, username=None, **fields) -> Person:
    """A person with a login account and the given roles (unit-scoped ones scoped to role_unit)."""
    n = next(_counter)
    user = get_user_model().objects.create_user(
        username=username or f"user{n}", password="pw-for-tests"
    )
    fields.setdefault("full_name", f"Người Thử {n}")
    fields.setdefault("gender", Person.Gender.FEMALE)
    person = Person.objects.create(institution=institution, unit=unit, user=user, **fields)
    for role in roles:
        RoleAssignment.objects.create(
            institution=institution,
            person=person,
            role=role,
            unit=(role_unit or unit) if role in Role.UNIT_SCOPED else None,
            valid_from=datetime.date(2020, 1, 1),
        )
    return person


@pytest.fixture
def unit_a(institution):
    return make_unit(institution, "khoa-a", "Khoa Toán")


@pytest.fixture
def unit_b(institution):
    return make_unit(institution, "khoa-b", "Khoa Văn")


@pytest.fixture
def head_a(institution, unit_a):
    return make_person(institution, unit_a, roles=[Role.UNIT_HEAD], username="head_a")


@pytest.fixture
def head_b(institution, unit_b):
    return make_person(institution, unit_b, roles=[Role.UNIT_HEAD], username="head_b")


@pytest.fixture
def reviewer(institution, unit_b):
    return make_person(institution, unit_b, roles=[Role.REVIEWER], username="reviewer")


@pytest.fixture
def principal(institution, unit_b):
    return make_person(
        institution, unit_b, roles=[Role.PRINCIPAL, Role.COUNCIL_MEMBER], username="principal"
    )


@pytest.fixture
def auditor(institution, unit_b):
    return make_person(institution, unit_b, roles=[Role.AUDITOR], username="auditor")


@pytest.fixture
def staff_a(institution, unit_a):
    return make_person(institution, unit_a, username="staff_a")
