"""Exports of the filtered audit trail: CSV for Excel, JSON Lines to verify offline, a PDF report.

CSV and JSON Lines stream: rows are written as the database cursor walks the events
(QuerySet.iterator), so a million events export in the memory of one chunk, never a list. A PDF
cannot stream (WeasyPrint lays out the whole document), so it is capped by
settings.AUDIT_PDF_EXPORT_LIMIT.

Every export is a snapshot: it covers the matching events up to the chain head read when it
starts, in chain order (oldest first, so a whole-chain JSON Lines export verifies as a chain),
and it is itself recorded in the trail as "audit.exported" with its format, filter and count.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit import hashchain, log
from audit.actions import title_of
from audit.models import AuditChainHead, AuditEvent
from auditing import labels
from auditing.trail import TrailFilter, stream, trail
from documents.rendering import SERIF_STACK
from dossiers.models import Dossier, Institution, Period, Person, Unit
from dossiers.reasons import Reason

EXPORTED = "audit.exported"
LANGUAGE = "vi"  # of the CSV's titles and labels and of the PDF report, whoever exports
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CHUNK_SIZE = 2000  # events fetched per round trip of the server-side cursor
ROWS_PER_WRITE = 500  # rows joined into one chunk of the response
BOM = b"\xef\xbb\xbf"  # lets Excel read the CSV as UTF-8 (Vietnamese diacritics)

CSV_COLUMNS = (
    _("Sequence"),
    _("Time"),
    _("Actor"),
    _("Role"),
    _("On behalf of"),
    _("Action"),
    _("Object type"),
    _("Object ID"),
    _("From state"),
    _("To state"),
    _("Reason"),
    _("Payload (JSON)"),
    _("Client address"),
    _("Previous hash"),
    _("Hash"),
)
# A spreadsheet runs a cell starting with one of these as a formula; such text gets a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Snapshot:
    """What one export covers: the matching events up to the chain head when it started."""

    institution: Institution
    filter: TrailFilter
    head_sequence: int
    head_hash: str
    count: int
    taken_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def events(self) -> QuerySet[AuditEvent]:
        """The covered events in chain order (oldest first)."""
        return _covered(self.institution, self.filter, self.head_sequence)


def snapshot(institution: Institution, flt: TrailFilter) -> Snapshot:
    """Read the chain head, then count the matching events up to it (one COUNT query).

    Events only ever append, with rising sequence numbers, so the events up to the head read
    here are the same whenever the stream reaches them.
    """
    head_sequence, head_hash = (
        AuditChainHead.objects.filter(institution=institution)
        .values_list("sequence", "hash")
        .first()
    ) or (0, hashchain.GENESIS)
    count = _covered(institution, flt, head_sequence).count()
    return Snapshot(institution, flt, head_sequence=head_sequence, head_hash=head_hash, count=count)


def _covered(institution: Institution, flt: TrailFilter, head_sequence: int):
    return trail(institution, flt).filter(sequence__lte=head_sequence).order_by("sequence")


def filter_payload(flt: TrailFilter) -> dict:
    """The filter as JSON values, as recorded in the trail and in export links."""
    return {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in flt.as_query().items()
    }


def record(snap: Snapshot, actor: log.Actor, export_format: str, status: str) -> AuditEvent:
    """The export's own event in the trail, in a short transaction of its own."""
    with transaction.atomic():
        return log.append(
            institution=snap.institution,
            actor=actor,
            action=EXPORTED,
            object_type="audit_trail",
            object_id=snap.institution.code,
            payload={
                "format": export_format,
                "filter": filter_payload(snap.filter),
                "count": snap.count,
                "through_sequence": snap.head_sequence,
                "head_hash": snap.head_hash,
                "status": status,
            },
        )


def filename(snap: Snapshot, extension: str) -> str:
    stamp = snap.taken_at.astimezone(ZONE).strftime("%Y-%m-%d-%H%M")
    return f"nhat-ky-{snap.institution.code}-{stamp}.{extension}"


def download_headers(snap: Snapshot, extension: str) -> dict[str, str]:
    """The attachment's name, and what the export covers, for scripts that download it."""
    return {
        "Content-Disposition": f'attachment; filename="{filename(snap, extension)}"',
        "X-Audit-Event-Count": str(snap.count),
        "X-Audit-Head-Sequence": str(snap.head_sequence),
        "X-Audit-Head-Hash": snap.head_hash,
    }


# CSV


def csv_header() -> list[str]:
    """Column titles, in Vietnamese like every document the product hands out."""
    with translation.override(LANGUAGE):
        return [str(title) for title in CSV_COLUMNS]


def csv_row(event: AuditEvent) -> list:
    """One event as people read it, in the active language: the action's title, the labels of
    the role, the object type and the states (the codes are in the JSON Lines export, which is
    the chain itself); the payload stays the recorded JSON."""
    payload = json.dumps(event.payload, ensure_ascii=False, sort_keys=True)
    texts = (
        labels.actor_label(event.actor_name, event.role), labels.role_label(event.role),
        event.on_behalf_of_name, title_of(event.action),
        labels.object_type_label(event.object_type), event.object_id,
        _state(event, event.from_state), _state(event, event.to_state), event.reason, payload,
        event.client_address,
    )  # fmt: skip
    moment = event.created_at.astimezone(ZONE).isoformat(timespec="microseconds")
    return [event.sequence, moment, *(_cell(t) for t in texts), event.prev_hash, event.hash]


def _cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _state(event: AuditEvent, code: str) -> str:
    return labels.state_label(event.object_type, code) if code else ""


def csv_stream(events: QuerySet[AuditEvent]) -> Iterator[bytes]:
    """BOM, header, one row per event; CRLF line ends (the csv module's default, as Excel wants)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_header())
    yield BOM + _take(buffer)
    for n, event in enumerate(stream(events, CHUNK_SIZE), start=1):
        # Per row: the language must not stay switched while the response waits between chunks.
        with translation.override(LANGUAGE):
            writer.writerow(csv_row(event))
        if n % ROWS_PER_WRITE == 0:
            yield _take(buffer)
    yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


# JSON Lines


def jsonl_stream(events: QuerySet[AuditEvent], institution_code: str) -> Iterator[bytes]:
    """One canonical event per line, exactly as hashed: `verify_audit --file` checks it."""
    lines: list[str] = []
    for event in stream(events, CHUNK_SIZE):
        lines.append(hashchain.to_jsonl(event.as_chain_event(institution_code)))
        if len(lines) == ROWS_PER_WRITE:
            yield "".join(lines).encode("utf-8")
            lines.clear()
    if lines:
        yield "".join(lines).encode("utf-8")


# PDF


def describe_filter(institution: Institution, flt: TrailFilter) -> list[tuple[str, str]]:
    """The filter as (label, value) lines a reader understands: names rather than numbers."""
    lines = []

    def name_of(queryset, pk) -> str:
        found = queryset.filter(pk=pk).first()
        return f"{found} (#{pk})" if found else f"#{pk}"

    if flt.period_id:
        lines.append((_("Period"), name_of(Period.objects.of(institution), flt.period_id)))
    if flt.unit_id:
        lines.append((_("Unit"), name_of(Unit.objects.of(institution), flt.unit_id)))
    if flt.dossier_id:
        dossiers = Dossier.objects.of(institution).select_related(
            "nominee_person", "nominee_unit", "award_type"
        )
        lines.append((_("Dossier"), name_of(dossiers, flt.dossier_id)))
    if flt.actor_id:
        people = Person.objects.filter(institution=institution)
        lines.append((_("Actor or on behalf of"), name_of(people, flt.actor_id)))
    if flt.person:
        lines.append((_("Person's name contains (acting or on whose behalf)"), flt.person))
    if flt.action:
        lines.append((_("Action"), title_of(flt.action)))
    if flt.state:
        lines.append((_("State (from or to)"), labels.state_label("dossier", flt.state)))
    if flt.date_from:
        lines.append((_("From date"), flt.date_from.strftime("%d/%m/%Y")))
    if flt.date_to:
        lines.append((_("To date"), flt.date_to.strftime("%d/%m/%Y")))
    if flt.text:
        lines.append((_("Reason contains"), flt.text))
    return [(str(label), value) for label, value in lines]


@dataclass
class ReportRow:
    event: AuditEvent
    time: str
    title: str
    actor: str
    role: str
    object_label: str
    states: str  # "Submitted → Reviewed", the one state it happened in, or ""


def report_rows(events: Iterable[AuditEvent]) -> Iterator[ReportRow]:
    for event in events:
        yield ReportRow(
            event=event,
            time=event.created_at.astimezone(ZONE).strftime("%d/%m/%Y %H:%M:%S"),
            title=title_of(event.action),
            actor=labels.actor_label(event.actor_name, event.role),
            role=labels.role_label(event.role),
            object_label=labels.object_label(event.object_type, event.object_id),
            states=labels.state_change(event.object_type, event.from_state, event.to_state),
        )


def pdf_refusal(snap: Snapshot) -> Reason | None:
    """Why the snapshot is too long for a PDF report (settings.AUDIT_PDF_EXPORT_LIMIT), or None."""
    limit = settings.AUDIT_PDF_EXPORT_LIMIT
    if snap.count <= limit:
        return None
    return Reason(
        _(
            "These {count} events are too many for a PDF report (at most {limit}). Narrow the "
            "filter, or export them as CSV or JSON Lines, which have no limit."
        ),
        {"count": snap.count, "limit": limit},
    )


def pdf_report(snap: Snapshot, exported_by: log.Actor) -> bytes:
    """The report of a snapshot as PDF, in Vietnamese whatever the reader's language.

    Not cached (each report carries its own time and head), unlike decisions and minutes.
    """
    with translation.override(LANGUAGE):
        html = render_to_string(
            "auditing/export_report.html",
            {
                "institution": snap.institution,
                "filter_lines": describe_filter(snap.institution, snap.filter),
                "rows": report_rows(stream(snap.events, CHUNK_SIZE)),
                "count": snap.count,
                "head_sequence": snap.head_sequence,
                "head_hash": snap.head_hash,
                "exported_at": snap.taken_at.astimezone(ZONE).strftime("%d/%m/%Y %H:%M:%S"),
                "exported_by": exported_by.display_name,
                "exported_role": labels.role_label(exported_by.role),
                "serif": SERIF_STACK,
            },
        )
    from weasyprint import HTML  # heavy import, needed only here

    return HTML(string=html).write_pdf()
