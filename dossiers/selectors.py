"""Reads shared by pages and the API, with their joins done once."""

from __future__ import annotations

from dossiers.models import AnnualRating, AwardType, Person, RoleAssignment
from workflow.permissions import active_roles, visible_dossiers


def roles_of(person: Person | None) -> list[RoleAssignment]:
    """The person's roles in force today, unit-scoped ones with their unit."""
    if person is None:
        return []
    return sorted(active_roles(person), key=lambda a: (a.role, a.unit.name if a.unit else ""))


def dossier_list(person, *, state: str = "", period_id=None, unit_id=None, award_id=None):
    """The dossiers a person may see, filtered, with everything a list row shows joined once."""
    dossiers = visible_dossiers(person).select_related(
        "unit", "award_type", "period", "nominee_person", "nominee_unit"
    )
    if state:
        dossiers = dossiers.filter(state=state)
    if period_id:
        dossiers = dossiers.filter(period_id=period_id)
    if unit_id:
        dossiers = dossiers.filter(unit_id=unit_id)
    if award_id:
        dossiers = dossiers.filter(award_type_id=award_id)
    return dossiers


def is_visible(person, pk: int) -> bool:
    """Whether the person may see this dossier: one query, for a view that only needs to know."""
    return visible_dossiers(person).filter(pk=pk).exists()


def visible_dossier(person, pk: int):
    """One dossier the person may see, with its documents; None when absent or not theirs."""
    return (
        visible_dossiers(person)
        .select_related(
            "unit",
            "award_type",
            "period",
            "nominee_person",
            "nominee_unit",
            "created_by",
            "movement",
        )
        .prefetch_related(
            "documents__kind",
            "documents__uploaded_by",
            "documents__superseded_by",
            "documents__replaced_by",
            "award_type__required_document_kinds",
        )
        .filter(pk=pk)
        .first()
    )


def staff_list(institution, *, unit_id: int | None = None, active: bool | None = None):
    """The institution's people, each with their unit, filtered by unit and by being active."""
    people = Person.objects.of(institution).select_related("unit")
    if unit_id is not None:
        people = people.filter(unit_id=unit_id)
    if active is not None:
        people = people.filter(is_active=active)
    return people


def award_catalogue(institution):
    """The institution's award types with the document kinds each requires."""
    return AwardType.objects.of(institution).prefetch_related("required_document_kinds")


def ratings_of(person: Person):
    """A person's annual ratings, with their period."""
    return AnnualRating.objects.filter(person=person).select_related("person", "period")
