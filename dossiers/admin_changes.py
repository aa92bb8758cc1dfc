"""Changes the administrator makes to the catalogue, the staff list and the eligibility records,
each audited (the personnel officer's writes through the API too, in dossiers.people).

The admin screens call these services instead of saving or deleting rows themselves: the change
and its audit event (a field diff, `{"changes": {field: [old, new]}}`) commit together or not at
all. An entry shared by every institution (a legal basis, a document kind) is recorded in every
institution's chain, since any of them may cite it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import log
from dossiers.models import (
    AnnualRating,
    AwardType,
    CalendarDay,
    DisciplinaryRecord,
    DocumentKind,
    EligibilityRule,
    ExcellentShareCap,
    HolidayYear,
    Institution,
    LegalBasis,
    NominationCap,
    Period,
    Person,
    RecognisedInitiative,
    TitleRecord,
)
from workflow.errors import Conflict

# The audit group of each model whose admin changes are recorded: `<group>.created` etc.
GROUPS = {
    AwardType: "catalogue",
    LegalBasis: "catalogue",
    DocumentKind: "catalogue",
    Period: "catalogue",
    HolidayYear: "catalogue",
    ExcellentShareCap: "catalogue",
    CalendarDay: "catalogue",
    EligibilityRule: "catalogue",
    NominationCap: "catalogue",
    Person: "record",
    AnnualRating: "record",
    DisciplinaryRecord: "record",
    RecognisedInitiative: "record",
    TitleRecord: "record",
}


def save_object(obj: models.Model, *, actor: log.Actor, write: Callable[[], None]) -> models.Model:
    """Create or change `obj` by calling `write` (which saves it and its relations); audit the diff.

    Nothing is recorded when nothing changed.
    """
    model = type(obj)
    with transaction.atomic():
        before = snapshot(model.objects.select_for_update().get(pk=obj.pk)) if obj.pk else None
        write()
        after = snapshot(model.objects.get(pk=obj.pk))
        changes = diff(before or {}, after)
        if changes:
            action = "created" if before is None else "changed"
            _record(obj, actor=actor, action=action, changes=changes)
    return obj


def archive_legal_basis(basis: LegalBasis, *, actor: log.Actor) -> LegalBasis:
    """Take a legal text out of use for new decisions; it stays, with every citation of it."""
    with transaction.atomic():
        basis = LegalBasis.objects.select_for_update().get(pk=basis.pk)
        if basis.archived_at is not None:
            return basis
        before = snapshot(basis)
        basis.archived_at = timezone.now()
        basis.save(update_fields=["archived_at"])
        _record(basis, actor=actor, action="archived", changes=diff(before, snapshot(basis)))
    return basis


def delete_object(obj: models.Model, *, actor: log.Actor) -> None:
    """Delete an entry nothing refers to; its last values go into the audit event."""
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        links = blocking_links(obj)
        if links:
            raise Conflict(
                _("“%(object)s” is still referred to (%(links)s): it cannot be deleted.")
                % {"object": obj, "links": ", ".join(links)}
            )
        changes = diff(snapshot(obj), {})
        _record(obj, actor=actor, action="deleted", changes=changes)
        obj.delete()  # a PROTECT reference raises here and rolls the event back


def blocking_links(obj: models.Model) -> list[str]:
    """Why `obj` may not be deleted: links a deletion would silently drop or a record it is.

    Many-to-many links from other rows (award types citing a legal basis or requiring a document
    kind) would vanish with it; a title granted by a signed decision is history.
    """
    found = []
    for relation in obj._meta.related_objects:
        if not relation.many_to_many:
            continue  # a foreign key from another row PROTECTs or is the admin's to show
        model = relation.related_model
        if model._default_manager.filter(**{relation.field.name: obj}).exists():
            found.append(str(model._meta.verbose_name_plural))
    if isinstance(obj, TitleRecord) and obj.source == TitleRecord.Source.GRANTED:
        found.append(str(_("a title granted by a signed decision")))
    return found


def snapshot(obj: models.Model) -> dict:
    """Every field's value, JSON-safe: related rows by primary key, many-to-many sorted."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        values[field.name] = json_safe(field.value_from_object(obj))
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return values


def diff(before: dict, after: dict) -> dict:
    """`{field: [old, new]}` for each field that changed; a missing or empty value is `None`."""
    keys = [*before, *(k for k in after if k not in before)]
    pairs = {key: [_or_none(before.get(key)), _or_none(after.get(key))] for key in keys}
    return {key: pair for key, pair in pairs.items() if pair[0] != pair[1]}


def _or_none(value):
    return None if value in ("", []) else value


def json_safe(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return sorted(json_safe(v) for v in value)
    return value


def record_change(obj: models.Model, *, actor: log.Actor, changes: dict) -> None:
    """Audit a change a service (not the admin) made to a catalogue entry or record."""
    _record(obj, actor=actor, action="changed", changes=changes)


def object_type(model) -> str:
    """`AwardType` → `award_type`: the object type the trail names it by."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def _record(obj, *, actor: log.Actor, action: str, changes: dict) -> None:
    model = type(obj)
    institutions = (
        [obj.institution] if hasattr(obj, "institution_id") else Institution.objects.order_by("pk")
    )
    for institution in institutions:
        log.append(
            institution=institution,
            actor=actor,
            action=f"{GROUPS[model]}.{action}",
            object_type=object_type(model),
            object_id=obj.pk,
            payload={"object": str(obj), "changes": changes},
        )
