"""What the movement and registration pages read, with their joins done once."""

from __future__ import annotations

from django.db.models import QuerySet

from dossiers.models import Movement, Period, Person, Registration, Unit
from workflow import permissions


def movements(person: Person) -> QuerySet[Movement]:
    return (
        Movement.objects.of(person.institution)
        .select_related("period", "launched_by")
        .prefetch_related("award_types")
    )


def registration_units(person: Person) -> list[Unit]:
    """The units whose registrations the person sees: all of them for an officer, else their own."""
    units = Unit.objects.of(person.institution).filter(is_active=True)
    if permissions.may(person, "registration.view_all"):
        return list(units)
    return list(units.filter(pk__in=permissions.units_where(person, "registration.manage")))


def registrations(period: Period, units: list[Unit]) -> QuerySet[Registration]:
    return (
        Registration.objects.active()
        .filter(period=period, unit__in=units)
        .select_related("unit", "nominee_person", "nominee_unit", "award_type", "movement")
        .order_by("unit__name", "award_type__code", "nominee_person__full_name")
    )
