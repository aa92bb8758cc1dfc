"""Reading the audit trail for auditors: filters, keyset pages, and streams for exports.

Pages are keyset-paginated on the sequence number (newest first): `WHERE sequence < cursor
ORDER BY sequence DESC LIMIT n` walks the (institution, sequence) index, so page 20,000 costs
what page 1 costs, and events appended meanwhile never shift what a later page shows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import AuditEvent
from dossiers.bounds import DATE_VALIDATORS  # noqa: F401 (the trail's forms take it from here)
from dossiers.models import Dossier, Institution, Person

PAGE_SIZE = 50


@dataclass(frozen=True)
class TrailFilter:
    """What an auditor narrows the trail to; every field optional."""

    period_id: int | None = None
    unit_id: int | None = None
    dossier_id: int | None = None
    actor_id: int | None = None  # matches the actor or the person on whose behalf they acted
    person: str = ""  # as actor_id, for every person whose name contains it
    action: str = ""
    state: str = ""  # matches the from-state or the to-state
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    text: str = ""  # searched in reasons

    def as_query(self) -> dict:
        """The filter as GET parameters (for links, the next page and export URLs)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


def trail(institution: Institution, flt: TrailFilter = TrailFilter()) -> QuerySet[AuditEvent]:
    """The institution's events matching the filter, newest first."""
    events = AuditEvent.objects.filter(institution=institution)
    dossiers = _dossier_scope(institution, flt)
    if dossiers is not None:
        # object_id is text (events name objects of several types): compare with the id as text.
        ids = dossiers.annotate(text_id=Cast("pk", CharField())).values("text_id")
        events = events.filter(object_type="dossier", object_id__in=Subquery(ids))
    if flt.actor_id:
        events = events.filter(Q(actor_id=flt.actor_id) | Q(on_behalf_of_id=flt.actor_id))
    if flt.person:
        ids = _people_in_the_trail(institution, flt.person)
        events = events.filter(Q(actor_id__in=ids) | Q(on_behalf_of_id__in=ids))
    if flt.action:
        events = events.filter(action=flt.action)
    if flt.state:
        events = events.filter(Q(from_state=flt.state) | Q(to_state=flt.state))
    if flt.date_from:
        events = events.filter(created_at__gte=_start_of(flt.date_from))
    if flt.date_to:
        events = events.filter(created_at__lt=_start_of(flt.date_to + datetime.timedelta(days=1)))
    if flt.text:
        events = events.filter(reason__icontains=flt.text)
    return events.order_by("-sequence")


def _people_in_the_trail(institution, name: str) -> list[int]:
    """The people whose name contains `name` and who acted, or were acted for, in the trail.

    Read first (one query, an index probe per person) so that the events are then looked up for
    the few who appear in the trail: most staff never act, and a name common among them would
    otherwise send the planner through every event looking for theirs.
    """
    events = AuditEvent.objects.filter(institution=institution)
    return list(
        Person.objects.of(institution)
        .filter(full_name__icontains=name)
        .filter(
            Exists(events.filter(actor_id=OuterRef("pk")))
            | Exists(events.filter(on_behalf_of_id=OuterRef("pk")))
        )
        .values_list("pk", flat=True)
    )


def _dossier_scope(institution, flt: TrailFilter):
    if not (flt.dossier_id or flt.unit_id or flt.period_id):
        return None
    dossiers = Dossier.objects.of(institution)
    if flt.dossier_id:
        dossiers = dossiers.filter(pk=flt.dossier_id)
    if flt.unit_id:
        dossiers = dossiers.filter(unit_id=flt.unit_id)
    if flt.period_id:
        dossiers = dossiers.filter(period_id=flt.period_id)
    return dossiers


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class TrailPage:
    events: list[AuditEvent]
    next_cursor: int | None  # pass as `before` for the next (older) page


def page(events: QuerySet[AuditEvent], *, before: int | None = None,
         size: int = PAGE_SIZE) -> TrailPage:  # fmt: skip
    """One keyset page of a newest-first trail: events with sequence < `before`."""
    if before is not None:
        events = events.filter(sequence__lt=before)
    rows = list(events[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return TrailPage(events=rows, next_cursor=rows[-1].sequence if more and rows else None)


def stream(events: QuerySet[AuditEvent], chunk_size: int = 2000) -> Iterator[AuditEvent]:
    """Every matching event without holding them all in memory (server-side cursor)."""
    return events.iterator(chunk_size=chunk_size)
