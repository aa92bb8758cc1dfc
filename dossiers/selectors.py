"""Reads shared by pages and the API, with their joins done once."""

from __future__ import annotations

from dossiers.models import Person, RoleAssignment


def roles_of(person: Person | None) -> list[RoleAssignment]:
    """The person's roles in force today, unit-scoped ones with their unit."""
    if person is None:
        return []
    return list(
        RoleAssignment.objects.active()
        .filter(person=person, institution=person.institution)
        .select_related("unit")
        .order_by("role", "unit__name")
    )
