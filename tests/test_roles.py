"""Roles: who may do what, for which unit, and when; the database refuses impossible ones."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dossiers.models import Period, Person, Role, RoleAssignment
from tests.conftest import make_person, make_unit

ONE_DAY = datetime.timedelta(days=1)


def test_unit_head_role_applies_to_its_own_unit(head_a, unit_a):
    assert head_a.has_role(Role.UNIT_HEAD, unit=unit_a)


def test_unit_head_role_does_not_apply_to_another_unit(head_a, unit_b):
    assert not head_a.has_role(Role.UNIT_HEAD, unit=unit_b)


def test_unit_head_role_without_a_unit_named_applies_to_nothing(head_a):
    assert not head_a.has_role(Role.UNIT_HEAD)


def test_an_institution_wide_role_needs_no_unit(reviewer):
    assert reviewer.has_role(Role.REVIEWER)


def test_a_role_that_ended_yesterday_is_no_longer_held(institution, unit_a):
    person = make_person(institution, unit_a, roles=[Role.REVIEWER])
    RoleAssignment.objects.filter(person=person).update(valid_to=timezone.localdate() - ONE_DAY)

    assert not person.has_role(Role.REVIEWER)


def test_a_role_is_held_through_its_last_day(institution, unit_a):
    person = make_person(institution, unit_a, roles=[Role.REVIEWER])
    RoleAssignment.objects.filter(person=person).update(valid_to=timezone.localdate())

    assert person.has_role(Role.REVIEWER)


def test_a_role_starting_tomorrow_is_not_held_yet(institution, unit_a):
    person = make_person(institution, unit_a, roles=[Role.REVIEWER])
    tomorrow = timezone.localdate() + ONE_DAY
    RoleAssignment.objects.filter(person=person).update(valid_from=tomorrow)

    assert not person.has_role(Role.REVIEWER)
    assert person.has_role(Role.REVIEWER, on=tomorrow)


def test_the_database_refuses_a_unit_head_without_a_unit(institution, staff_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(institution=institution, person=staff_a, role=Role.UNIT_HEAD)


def test_the_database_refuses_an_institution_wide_role_tied_to_a_unit(institution, staff_a, unit_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            institution=institution, person=staff_a, role=Role.REVIEWER, unit=unit_a
        )


def test_a_unit_head_of_another_institutions_unit_is_refused(
    institution, other_institution, staff_a
):
    foreign_unit = make_unit(other_institution, "khoa-x", "Khoa Ngoài")
    assignment = RoleAssignment(
        institution=institution, person=staff_a, role=Role.UNIT_HEAD, unit=foreign_unit
    )

    with pytest.raises(ValidationError) as error:
        assignment.full_clean()
    assert "unit" in error.value.message_dict


def test_a_person_cannot_belong_to_another_institutions_unit(institution, other_institution):
    foreign_unit = make_unit(other_institution, "khoa-x", "Khoa Ngoài")
    person = Person(
        institution=institution, unit=foreign_unit, full_name="Nguyễn Văn Lạc", gender="male"
    )

    with pytest.raises(ValidationError) as error:
        person.clean()
    assert "unit" in error.value.message_dict


def test_an_institution_has_only_one_current_period(institution, period):
    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.create(
            institution=institution,
            name="Năm 2027",
            kind=Period.Kind.CALENDAR_YEAR,
            starts_on=datetime.date(2027, 1, 1),
            ends_on=datetime.date(2027, 12, 31),
            is_current=True,
        )


def test_two_institutions_may_each_have_a_current_period(period, other_institution):
    other = Period.objects.create(
        institution=other_institution,
        name=period.name,
        kind=period.kind,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        is_current=True,
    )

    assert Period.objects.filter(is_current=True).count() == 2
    assert other.pk != period.pk
