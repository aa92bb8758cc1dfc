"""The staff list and the annual ratings, kept by the personnel officer (an HR system's push).

Each write is checked by the model, then saved and audited as the administrator's screens do
(`admin_changes.save_object`: one `record.*` event with the field diff), in one transaction;
a person who leaves is deactivated through `dossiers.accounts`, never deleted.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit import log
from dossiers import accounts, admin_changes
from dossiers.models import AnnualRating, Period, Person
from workflow import permissions
from workflow.errors import NotFound

# What a personnel officer may set on a person; the account and the roles stay the administrator's.
PERSON_FIELDS = (
    "full_name", "unit", "position", "holds_leadership_post", "gender", "birth_date", "email",
    "language", "employed_since",
)  # fmt: skip


def create_person(*, officer: Person, client_address: str = "", **fields) -> Person:
    """A new member of staff of the officer's institution, without an account."""
    _settable(fields)
    acting = permissions.require(officer, "person.manage")
    person = Person(institution_id=officer.institution_id, **fields)
    person.full_clean()
    actor = log.Actor.acting(officer, acting, client_address)
    return admin_changes.save_object(person, actor=actor, write=person.save)


def change_person(
    *, person_id: int, officer: Person, is_active: bool | None = None, client_address: str = "",
    **changes,
) -> Person:  # fmt: skip
    """Change a person's fields; `is_active=False` takes them off the staff list (deactivation,
    as the admin's action does). Whoever left is not brought back here."""
    _settable(changes)
    with transaction.atomic():
        person = _locked(Person, person_id, officer)
        acting = permissions.require(officer, "person.manage", person)
        if is_active and not person.is_active:
            raise ValidationError(
                {"is_active": _("A deactivated person is reactivated by the administrator only.")}
            )
        for field, value in changes.items():
            setattr(person, field, value)
        person.full_clean()
        actor = log.Actor.acting(officer, acting, client_address)
        admin_changes.save_object(
            person, actor=actor, write=lambda: person.save(update_fields=list(changes))
        )
        if is_active is False:
            person = accounts.deactivate_person(person, actor=actor)
    return person


def record_rating(
    *, person_id: int, period: Period, rating: int, officer: Person, client_address: str = ""
) -> AnnualRating:
    """A person's rating for a period: one per period (change that one instead)."""
    with transaction.atomic():
        # Serialises this person's ratings: two pushes at once cannot both pass the check.
        person = _locked(Person, person_id, officer)
        acting = permissions.require(officer, "rating.manage", person)
        if period.institution_id != person.institution_id:
            raise ValidationError({"period": _("The period belongs to another institution.")})
        record = AnnualRating(
            institution_id=person.institution_id, person=person, period=period, rating=rating
        )
        record.full_clean()
        actor = log.Actor.acting(officer, acting, client_address)
        return admin_changes.save_object(record, actor=actor, write=record.save)


def change_rating(
    *, rating_id: int, rating: int, officer: Person, client_address: str = ""
) -> AnnualRating:
    """Correct a rating. As in the admin, a rating stays correctable after its period's dossiers
    were decided (the model has no rule against it): the event keeps the old and new values."""
    with transaction.atomic():
        record = _locked(AnnualRating, rating_id, officer)
        acting = permissions.require(officer, "rating.manage", record)
        record.rating = rating
        record.full_clean()
        actor = log.Actor.acting(officer, acting, client_address)
        return admin_changes.save_object(
            record, actor=actor, write=lambda: record.save(update_fields=["rating"])
        )


def _locked(model, pk: int, officer: Person):
    """The row of the officer's institution, locked; another institution's is missing."""
    found = (
        model.objects.select_for_update(of=("self",))
        .filter(pk=pk, institution_id=officer.institution_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def _settable(fields: dict) -> None:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"not settable: {', '.join(sorted(unknown))}")
