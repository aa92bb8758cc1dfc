"""Who inspects the trail, and the reads its pages share, each in a constant number of queries.

The trail itself (filters, keyset pages, streams) lives in `auditing.trail`; this module
adds what the pages show around it: the choices of the filter form, the dossiers a page of events
names, and the whole story of one dossier.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from audit.actions import title_of
from audit.models import AuditEvent
from auditing.trail import TrailFilter, TrailPage, page, trail
from council.models import AgendaItem
from decisions.models import DecisionItem
from dossiers.models import Document, DocumentKind, Dossier, Institution, Person, Role
from workflow import permissions
from workflow.selectors import timeline
from workflow.timeline import TimelineEntry, render_timeline


def may_inspect(person: Person | None) -> bool:
    """Whether the person may open the trail pages (others are shown nothing, as a 404)."""
    return permissions.may(person, "trail.read") is not None


def is_read_only(person: Person | None) -> bool:
    """Whether every role the person may act in today (own or delegated) is auditor."""
    return permissions.is_only(person, Role.AUDITOR)


def actions_present(institution: Institution) -> list[str]:
    """The distinct action codes of the institution's trail, for the filter's select.

    A plain DISTINCT reads every event; this walks the (institution, action, sequence) index
    from one action to the next (a "loose index scan"), so a trail of millions of events costs
    one index probe per distinct action, on PostgreSQL and SQLite alike.
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = f"""
        WITH RECURSIVE present(action) AS (
            SELECT MIN(action) FROM {table} WHERE institution_id = %s
            UNION ALL
            SELECT (SELECT MIN(action) FROM {table}
                    WHERE institution_id = %s AND action > present.action)
            FROM present WHERE present.action IS NOT NULL
        )
        SELECT action FROM present WHERE action IS NOT NULL ORDER BY action
    """  # noqa: S608 - the table name is ours; the institution is a parameter  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, [institution.pk, institution.pk])
        return [action for (action,) in cursor.fetchall()]


def trail_page(institution: Institution, flt: TrailFilter, *, before: int | None,
               size: int) -> TrailPage:  # fmt: skip
    """One keyset page of the filtered trail, newest first."""
    return page(trail(institution, flt), before=before, size=size)


def event(institution: Institution, sequence: int) -> AuditEvent | None:
    """One event of the institution's trail, by its sequence number in the chain."""
    return AuditEvent.objects.filter(institution=institution, sequence=sequence).first()


def dossiers_named(institution: Institution, events: list[AuditEvent]) -> dict[str, Dossier]:
    """The dossiers a page of events is about, by the events' object id, in one query."""
    ids = {e.object_id for e in events if e.object_type == "dossier" and e.object_id.isdigit()}
    if not ids:
        return {}
    dossiers = (
        Dossier.objects.of(institution)
        .filter(pk__in=[int(pk) for pk in ids])
        .select_related("nominee_person", "nominee_unit", "award_type")
    )
    return {str(d.pk): d for d in dossiers}


@dataclass(frozen=True)
class HistoryDocument:
    """A document as an added or removed event recorded it, with the hash taken at upload."""

    event: AuditEvent
    name: str
    kind: str
    sha256: str
    size: int | None
    is_current: bool
    title: str = ""  # what happened to it: added, removed, superseded


@dataclass(frozen=True)
class DossierStory:
    dossier: Dossier
    entries: list[TimelineEntry]  # oldest first, field diffs readable
    documents: list[Document]  # the documents the dossier has now
    history_documents: list[HistoryDocument]  # every document added or removed, in order
    agenda_items: list[AgendaItem]  # the meetings it went through, with the outcome
    decision_items: list[DecisionItem]  # the decisions that include it


def dossier_story(institution: Institution, dossier_id: int) -> DossierStory | None:
    """The full story of one dossier of the institution; None when it is not theirs."""
    dossier = (
        Dossier.objects.of(institution)
        .select_related("unit", "period", "award_type", "nominee_person", "nominee_unit")
        .prefetch_related("documents__kind")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        return None
    events = timeline(dossier)
    documents = dossier.current_documents()
    return DossierStory(
        dossier=dossier,
        entries=render_timeline(events),
        documents=documents,
        history_documents=_history_documents(events, documents),
        agenda_items=list(
            AgendaItem.objects.filter(dossier=dossier)
            .select_related("meeting")
            .order_by("meeting__held_on", "meeting_id")
        ),
        decision_items=list(
            DecisionItem.objects.filter(dossier=dossier)
            .select_related("decision")
            .order_by("decision__created_at", "decision_id")
        ),
    )


def _history_documents(events: list[AuditEvent], current: list[Document]) -> list[HistoryDocument]:
    recorded = [(e, (e.payload or {}).get("document")) for e in events]
    recorded = [(e, d) for e, d in recorded if d]
    kinds = {d["kind"] for _e, d in recorded}
    names = {k.code: str(k) for k in DocumentKind.objects.filter(code__in=kinds)} if kinds else {}
    now = {(doc.pk, doc.sha256) for doc in current}
    return [
        HistoryDocument(
            event=event,
            name=document.get("name", ""),
            kind=names.get(document.get("kind"), document.get("kind", "")),
            sha256=document.get("sha256", ""),
            size=document.get("size"),
            is_current=(document.get("id"), document.get("sha256")) in now,
            title=title_of(event.action),
        )
        for event, document in recorded
    ]
