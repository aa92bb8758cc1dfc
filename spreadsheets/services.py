"""The writes of an import: the staff list and ratings through dossiers.people, as the API
writes them, and discipline, initiatives and title history as the admin's screens record them
(one `record.*` event with the field diff per record, `dossiers.admin_changes`).

Every function takes the record's values as parsed cells give them; each checks the officer's
capability, the model's rules and audits inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from audit import log
from dossiers import admin_changes, people
from dossiers.models import AnnualRating, Person, TitleRecord
from workflow import permissions
from workflow.errors import NotFound

CAPABILITY = "records.import"


def create_person(*, officer: Person, client_address: str = "", person=None, **fields) -> Person:
    return people.create_person(officer=officer, client_address=client_address, **fields)


def change_person(*, record: Person, officer: Person, client_address: str = "", **changes):
    return people.change_person(
        person_id=record.pk, officer=officer, client_address=client_address, **changes
    )


def record_rating(*, officer: Person, client_address: str = "", person, period, rating):
    return people.record_rating(
        person_id=person.pk,
        period=period,
        rating=rating,
        officer=officer,
        client_address=client_address,
    )


def change_rating(*, record: AnnualRating, officer: Person, client_address: str = "", rating):
    return people.change_rating(
        rating_id=record.pk, rating=rating, officer=officer, client_address=client_address
    )


def create_record(model) -> Callable[..., object]:
    """The service that adds one record of `model` (discipline, initiative) for a person."""

    def create(*, officer: Person, client_address: str = "", **values):
        record = model(institution_id=officer.institution_id, **values)
        return _save_new(record, officer=officer, client_address=client_address)

    return create


def create_title(*, officer: Person, client_address: str = "", **values) -> TitleRecord:
    """A title of a past year entered as imported history (the "N consecutive years" rule)."""
    record = TitleRecord(
        institution_id=officer.institution_id, source=TitleRecord.Source.IMPORTED, **values
    )
    return _save_new(record, officer=officer, client_address=client_address)


def _save_new(record, *, officer: Person, client_address: str):
    acting = permissions.require(officer, CAPABILITY, record)
    record.full_clean()
    actor = log.Actor.acting(officer, acting, client_address)
    return admin_changes.save_object(record, actor=actor, write=record.save)


def change_record(model) -> Callable[..., object]:
    """The service that corrects fields of one record of `model`, audited with both values."""

    def change(*, record, officer: Person, client_address: str = "", **changes):
        with transaction.atomic():
            found = (
                model.objects.select_for_update(of=("self",))
                .filter(pk=record.pk, institution_id=officer.institution_id)
                .first()
            )
            if found is None:
                raise NotFound()
            acting = permissions.require(officer, CAPABILITY, found)
            for name, value in changes.items():
                setattr(found, name, value)
            found.full_clean()
            actor = log.Actor.acting(officer, acting, client_address)
            return admin_changes.save_object(
                found, actor=actor, write=lambda: found.save(update_fields=list(changes))
            )

    return change


# Checking a row against the model before anything is written
# ---------------------------------------------------------------------------------------------


def person_as_changed(institution_id: int, existing: Person | None, values: dict) -> Person:
    """The person as the row would leave them (unsaved), for the model's own checks."""
    fields = {name: value for name, value in values.items() if name in people.PERSON_FIELDS}
    if existing is None:
        return Person(institution_id=institution_id, **fields)
    changed = Person(**{f.attname: getattr(existing, f.attname) for f in Person._meta.fields})
    for name, value in fields.items():
        setattr(changed, name, value)
    return changed


def model_errors(obj) -> list[tuple[str, str]]:
    """(field, message) of what the model refuses in `obj`, uniqueness left to the natural key."""
    try:
        obj.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [
            ("" if name == NON_FIELD_ERRORS else name, message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []
