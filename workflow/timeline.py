"""Turning audit events into readable lines for a dossier's history (pretix's log renderer idea)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from dossiers.models import AwardType, DocumentKind, Person, State, Unit
from workflow.models import AuditEvent

TITLES = {
    "dossier.created": _("Dossier created"),
    "dossier.edited": _("Dossier edited"),
    "dossier.document_added": _("Document added"),
    "dossier.document_removed": _("Document removed"),
    "dossier.submitted": _("Submitted"),
    "dossier.returned": _("Returned for revision"),
    "dossier.resubmitted": _("Resubmitted"),
    "dossier.approved": _("Approved for the council"),
    "dossier.declined": _("Declined"),
    "dossier.withdrawn": _("Withdrawn"),
    "dossier.suspended": _("Suspended"),
    "dossier.resumed": _("Resumed"),
    "dossier.vote_opened": _("Council vote opened"),
    "dossier.vote_closed": _("Council vote closed"),
    "dossier.published": _("Published for public notice"),
    "dossier.signed": _("Decision signed"),
    "dossier.submitted_upward": _("Submitted to a higher authority"),
    "dossier.outcome_recorded": _("Higher authority's decision recorded"),
    "dossier.returned_to_council": _("Returned to the council"),
    "dossier.revoked": _("Award revoked"),
    "task.taken": _("Task taken"),
    "task.released": _("Task put back"),
    "task.reassigned": _("Task handed over"),
    "decision.prepared": _("Decision drafted"),
    "decision.signed": _("Decision signed"),
    "decision.signing_failed": _("Signing failed"),
    "decision.item_removed": _("Removed from a draft decision"),
    "notice.objection_filed": _("Objection filed"),
    "notice.objection_resolved": _("Objection resolved"),
    "proposal_memo.created": _("Proposal memo generated"),
    "ballot.cast": _("Ballot cast"),
    "ballot.recorded_in_writing": _("Written opinion recorded"),
    "meeting.vote_opened": _("Council vote opened"),
    "meeting.vote_closed": _("Council vote closed"),
    "role.assigned": _("Role assigned"),
    "role.changed": _("Role changed"),
    "role.removed": _("Role removed"),
    "delegation.created": _("Delegation given"),
    "delegation.ended": _("Delegation ended"),
    "audit.exported": _("Trail exported"),
    "audit.integrity_checked": _("Chain integrity checked"),
}
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
    to_state: str = ""
    details: list[str] = field(default_factory=list)


def render_timeline(events: list[AuditEvent]) -> list[TimelineEntry]:
    names = _names_in(events)
    return [_entry(event, names) for event in events]


def _entry(event: AuditEvent, names: dict) -> TimelineEntry:
    entry = TimelineEntry(event=event, title=str(TITLES.get(event.action, event.action)))
    if event.to_state and event.to_state != event.from_state:
        entry.to_state = str(State(event.to_state).label)
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
        entry.details.append(str(TITLES.get(change["action"], change["action"])))
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
