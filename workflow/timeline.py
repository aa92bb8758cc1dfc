"""Turning audit events into readable lines for a dossier's history (pretix's log renderer idea)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from audit.actions import title_of
from audit.models import AuditEvent
from dossiers.choices import STATE_LABELS
from dossiers.models import AwardType, DocumentKind, Person, Unit

FIELD_LABELS = {
    "achievement_summary": _("summary of achievements"),
    "award_type_id": _("award"),
    "nominee_person_id": _("nominated person"),
    "nominee_unit_id": _("nominated collective"),
}


@dataclass
class TimelineEntry:
    event: AuditEvent
    title: str
    to_state: str = ""  # the label of the state it moved to; empty when the state did not change
    details: list[str] = field(default_factory=list)


def render_timeline(events: list[AuditEvent]) -> list[TimelineEntry]:
    names = _names_in(events)
    return [_entry(event, names) for event in events]


def _entry(event: AuditEvent, names: dict) -> TimelineEntry:
    entry = TimelineEntry(event=event, title=title_of(event.action))
    if event.to_state and event.to_state != event.from_state:
        # A dossier's events carry its states; a code of an older release reads as itself.
        code = event.to_state
        entry.to_state = str(STATE_LABELS.get(code, code))
    payload = event.payload or {}
    for field_name, (old, new) in payload.get("changes", {}).items():
        label = FIELD_LABELS.get(field_name, field_name)
        entry.details.append(
            f"{label}: «{_name(names, field_name, old)}» → «{_name(names, field_name, new)}»"
        )
    document = payload.get("document")
    if document:
        kind = names["kind"].get(document["kind"], document["kind"])
        entry.details.append(f"{document['name']} ({kind}, SHA-256 {document['sha256']})")
    for change in payload.get("changes_since_return", []):
        entry.details.append(title_of(change["action"]))
    return entry


def _names_in(events) -> dict:
    """Names of the people, units, awards and document kinds the events refer to, in few queries."""
    ids = {"nominee_person_id": set(), "nominee_unit_id": set(), "award_type_id": set()}
    for event in events:
        for field_name, values in (event.payload or {}).get("changes", {}).items():
            if field_name in ids:
                ids[field_name].update(v for v in values if v)
    models = {"nominee_person_id": Person, "nominee_unit_id": Unit, "award_type_id": AwardType}
    kinds = {(e.payload or {}).get("document", {}).get("kind") for e in events} - {None}
    names = {"kind": {k.code: str(k) for k in DocumentKind.objects.filter(code__in=kinds)}}
    for field_name, pks in ids.items():
        if pks:
            objects = models[field_name].objects.filter(pk__in=pks)
            names[field_name] = {o.pk: str(o) for o in objects}
    return names


def _name(names: dict, field_name: str, value) -> str:
    if value in (None, ""):
        return "—"
    return names.get(field_name, {}).get(value, str(value))
