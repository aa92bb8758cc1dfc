"""Reads of the workflow that pages, the API and the service share."""

from __future__ import annotations

from audit.models import AuditEvent
from dossiers.models import Dossier

# Audit actions that change a dossier's content (as opposed to its state).
CONTENT_ACTIONS = (
    "dossier.edited",
    "dossier.document_added",
    "dossier.document_removed",
    "dossier.document_superseded",
)


def timeline(dossier: Dossier) -> list[AuditEvent]:
    """The dossier's whole history, oldest first."""
    return list(
        AuditEvent.objects.filter(
            institution_id=dossier.institution_id, object_type="dossier", object_id=str(dossier.pk)
        ).order_by("sequence")
    )


def last_return(events: list[AuditEvent]) -> AuditEvent | None:
    """The latest return for revision in a dossier's history."""
    returns = [e for e in events if e.action == "dossier.returned"]
    return returns[-1] if returns else None


def content_changes_since_return(events: list[AuditEvent]) -> list[AuditEvent]:
    """The unit's edits after the last return: field diffs and documents added or removed."""
    returned = last_return(events)
    if returned is None:
        return []
    return [e for e in events if e.sequence > returned.sequence and e.action in CONTENT_ACTIONS]


def changes_since_return(dossier: Dossier) -> list[dict]:
    """The same changes as plain data, recorded in the resubmission's audit event."""
    return [
        {"action": e.action, **e.payload} for e in content_changes_since_return(timeline(dossier))
    ]
