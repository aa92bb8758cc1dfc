"""The auditor's pages: the whole trail, filtered and keyset-paginated, and one dossier's story.

Only auditors and the principal see them; anyone else is shown a 404. An auditor reaches any
dossier's story in two clicks: the navigation's trail link, then the dossier's "full story" link
in the object column (or, to narrow the trail to one dossier first, its number in the filter).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from audit.actions import title_of
from audit.models import AuditEvent
from auditing import labels, selectors, trail
from auditing.forms import TrailFilterForm
from council.models import AgendaItem, Meeting
from decisions.models import Decision
from dossiers.models import Dossier
from workflow.timeline import TimelineEntry

PAGE_SIZE = trail.PAGE_SIZE
# The page each kind of object is shown on; the decision page may not exist in every build.
OBJECT_PAGES = {"dossier": "dossier_detail", "meeting": "meeting_detail",
                "decision": "decision_detail"}  # fmt: skip


@dataclass(frozen=True)
class TrailRow:
    event: AuditEvent
    title: str  # the readable action
    actor: str
    role: str
    from_state: str  # labels of the object's own states
    to_state: str
    states: str  # "Submitted → Reviewed", the one state it happened in, or ""
    object_label: str
    object_url: str | None
    dossier: Dossier | None  # for events about a dossier, to name its nominee
    story_url: str | None  # the dossier's full story


@dataclass(frozen=True)
class StoryEntry:
    entry: TimelineEntry  # title and readable field diffs
    actor: str
    role: str
    from_state: str
    to_state: str
    states: str


@login_required
@require_safe
def trail_page(request):
    """Every event of the institution, newest first, narrowed by the GET filter."""
    _require_inspector(request)
    form = TrailFilterForm(request.GET, institution=request.institution)
    events, next_cursor, flt = [], None, None
    if form.is_valid():
        flt = form.trail_filter()
        result = selectors.trail_page(
            request.institution, flt, before=form.cleaned_data["before"], size=PAGE_SIZE
        )
        events, next_cursor = result.events, result.next_cursor
    query = flt.as_query() if flt else {}
    return render(
        request,
        "auditing/trail.html",
        {
            "form": form,
            "rows": _rows(request.institution, events),
            "filter_query": urlencode(query),
            "older_query": urlencode({**query, "before": next_cursor}) if next_cursor else "",
            "deeper": form.is_valid() and form.cleaned_data["before"] is not None,
        },
    )


@login_required
@require_safe
def dossier_trail(request, pk: int):
    """One dossier's whole story, oldest first, with its documents, meetings and decisions."""
    _require_inspector(request)
    story = selectors.dossier_story(request.institution, pk)
    if story is None:
        raise Http404
    return render(
        request,
        "auditing/dossier_trail.html",
        {
            "story": story,
            "dossier": story.dossier,
            "entries": [_story_entry(entry) for entry in story.entries],
            "meetings": [(item, _meeting_url(item)) for item in story.agenda_items],
            "decisions": [(item, _decision_url(item.decision)) for item in story.decision_items],
            "filter_query": urlencode({"dossier_id": pk}),
        },
    )


def _require_inspector(request) -> None:
    if not selectors.may_inspect(request.person):
        raise Http404


def _rows(institution, events: list[AuditEvent]) -> list[TrailRow]:
    dossiers = selectors.dossiers_named(institution, events)
    rows = []
    for event in events:
        dossier = dossiers.get(event.object_id) if event.object_type == "dossier" else None
        rows.append(
            TrailRow(
                event=event,
                title=title_of(event.action),
                actor=labels.actor_label(event.actor_name, event.role),
                role=labels.role_label(event.role),
                from_state=_state(event, event.from_state),
                to_state=_state(event, event.to_state),
                states=labels.state_change(event.object_type, event.from_state, event.to_state),
                object_label=labels.object_label(event.object_type, event.object_id),
                object_url=_object_url(event.object_type, event.object_id),
                dossier=dossier,
                story_url=reverse("audit_dossier", args=[dossier.pk]) if dossier else None,
            )
        )
    return rows


def _story_entry(entry: TimelineEntry) -> StoryEntry:
    event = entry.event
    return StoryEntry(
        entry=entry,
        actor=labels.actor_label(event.actor_name, event.role),
        role=labels.role_label(event.role),
        from_state=_state(event, event.from_state),
        to_state=_state(event, event.to_state),
        states=labels.state_change(event.object_type, event.from_state, event.to_state),
    )


def _state(event: AuditEvent, code: str) -> str:
    return labels.state_label(event.object_type, code) if code else ""


def _object_url(object_type: str, object_id: str) -> str | None:
    name = OBJECT_PAGES.get(object_type)
    if name is None or not object_id.isdigit():
        return None
    return _reverse_or_none(name, int(object_id))


def _meeting_url(item: AgendaItem) -> str | None:
    """The published results of a closed meeting, else the meeting itself."""
    if item.meeting.state == Meeting.State.CLOSED:
        return _reverse_or_none("meeting_results", item.meeting_id)
    return _reverse_or_none("meeting_detail", item.meeting_id)


def _decision_url(decision: Decision) -> str | None:
    """The decision's page, or its signed file where no page exists."""
    url = _reverse_or_none("decision_detail", decision.pk)
    if url is None and decision.state == Decision.State.SIGNED and decision.pdf:
        url = _reverse_or_none("decision_pdf", decision.pk)
    return url


def _reverse_or_none(name: str, pk: int) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None
