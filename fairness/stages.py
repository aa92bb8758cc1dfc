"""How long dossiers stay in each stage, read from the audit trail.

A stay starts with the event that moves a dossier into a state (its creation, for a draft) and
ends with the event that moves it out; a dossier still in a state has no finished stay there and
is not counted. One query reads the state changes of the period's dossiers, in trail order.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import CharField, F
from django.db.models.functions import Cast

from audit.models import AuditEvent
from dossiers.choices import STATE_LABELS
from dossiers.models import Dossier, Period, State

DAY = datetime.timedelta(days=1)
Event = tuple[str, datetime.datetime, str, str]  # dossier id, time, from state, to state


@dataclass(frozen=True)
class StageTime:
    state: str
    label: str
    stays: int
    median_days: float
    p90_days: float


def stays(events: Iterable[Event]) -> dict[str, list[datetime.timedelta]]:
    """Each state's finished stays, from state changes ordered by dossier, then trail order."""
    found: dict[str, list[datetime.timedelta]] = defaultdict(list)
    current: dict[str, tuple[str, datetime.datetime]] = {}
    for dossier, moment, from_state, to_state in events:
        if not to_state or from_state == to_state:
            continue  # an edit or a document: the dossier stays where it is
        entered = current.get(dossier)
        if entered is not None and entered[0] == from_state:
            found[from_state].append(moment - entered[1])
        current[dossier] = (to_state, moment)
    return found


def median(values: list[float]) -> float:
    return statistics.median(values)


def p90(values: list[float]) -> float:
    """The 90th percentile by nearest rank: the smallest value that 90% of values do not exceed."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.9 * len(ordered)), 1) - 1]


def summarize(found: dict[str, list[datetime.timedelta]]) -> list[StageTime]:
    """Median and p90 in days (one decimal) per state, in the lifecycle's order."""
    rows = []
    for state in State.values:
        durations = [d / DAY for d in found.get(state, ())]
        if durations:
            rows.append(
                StageTime(
                    state=state,
                    label=str(STATE_LABELS[state]),
                    stays=len(durations),
                    median_days=round(median(durations), 1),
                    p90_days=round(p90(durations), 1),
                )
            )
    return rows


def stage_times(institution_id: int, period: Period) -> list[StageTime]:
    """The stage times of the period's dossiers, from one query on the trail."""
    dossier_ids = (
        Dossier.objects.filter(institution_id=institution_id, period=period)
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    events = (
        AuditEvent.objects.filter(
            institution_id=institution_id, object_type="dossier", object_id__in=dossier_ids
        )
        .exclude(to_state="")
        .exclude(to_state=F("from_state"))
        .order_by("object_id", "sequence")
        .values_list("object_id", "created_at", "from_state", "to_state")
    )
    return summarize(stays(events.iterator()))
