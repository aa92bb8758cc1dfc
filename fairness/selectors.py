"""Counts of dossiers per unit and period: aggregates only, never a nominee's name.

Every number is counted in the database (grouped, with conditional counts), so the page costs
the same few queries whatever the number of dossiers. Counts per unit and period come from
`SOURCES`, each a list of named measures and one function counting them for every (period,
unit) at once (the registrations, then the dossiers); a new column is one more source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction
from audit.models import AuditEvent
from dossiers.models import Dossier, Period, Registration, State, Unit

Key = tuple[int, int]  # (period id, unit id)


@dataclass(frozen=True)
class Measure:
    """A count shown per unit and period: its column header and what exactly it counts."""

    key: str
    label: str
    legend: str


@dataclass(frozen=True)
class Source:
    """Measures counted together: `count(institution_id)` gives {(period, unit): {key: n}}."""

    measures: tuple[Measure, ...]
    count: Callable[[int], dict[Key, dict[str, int]]]


def _ever(*actions: str, to_state: str | None = None) -> Exists:
    """Whether the dossier's trail holds one of these events (a returned dossier may since
    have been resubmitted: its state no longer says it was returned, its trail does)."""
    events = AuditEvent.objects.filter(
        institution_id=OuterRef("institution_id"),
        object_type="dossier",
        object_id=Cast(OuterRef("pk"), CharField()),
        action__in=actions,
    )
    if to_state:
        events = events.filter(to_state=to_state)
    return Exists(events)


def dossier_counts(institution_id: int) -> dict[Key, dict[str, int]]:
    """The dossier measures of every period and unit, in one grouped query."""
    rows = (
        Dossier.objects.of(institution_id)
        .values("period_id", "unit_id")
        .annotate(
            nominated=Count("pk", filter=Q(_ever(AuditAction.DOSSIER_SUBMITTED))),
            returned=Count("pk", filter=Q(_ever(AuditAction.DOSSIER_RETURNED))),
            declined=Count("pk", filter=Q(state=State.DECLINED)),
            recommended=Count(
                "pk",
                filter=Q(_ever(AuditAction.DOSSIER_VOTE_CLOSED, to_state=State.RECOMMENDED)),
            ),
            # Only a signed dossier can be revoked, and nothing else leaves either state.
            signed=Count("pk", filter=Q(state__in=[State.SIGNED, State.REVOKED])),
            revoked=Count("pk", filter=Q(state=State.REVOKED)),
        )
        .order_by()
    )
    return {
        (row.pop("period_id"), row.pop("unit_id")): row  # the rest are the measures
        for row in rows
    }


DOSSIER_MEASURES = (
    Measure(
        "nominated",
        _("Nominations"),
        _("Dossiers submitted to the reviewers at least once; drafts are not counted."),
    ),
    Measure(
        "returned",
        _("Returned"),
        _("Dossiers returned for revision at least once, including those resubmitted since."),
    ),
    Measure("declined", _("Declined"), _("Dossiers the reviewers declined.")),
    Measure(
        "recommended",
        _("Recommended"),
        _("Dossiers the council's vote recommended (at least once)."),
    ),
    Measure(
        "signed",
        _("Awarded"),
        _(
            "Dossiers awarded by a signed decision of the institution or of the higher "
            "authority, including awards revoked since."
        ),
    ),
    Measure("revoked", _("Revoked"), _("Awards revoked since by a revocation decision.")),
)


def registration_counts(institution_id: int) -> dict[Key, dict[str, int]]:
    """Registrations in force (withdrawn ones aside) of every period and unit, in one query."""
    rows = (
        Registration.objects.of(institution_id)
        .active()
        .values("period_id", "unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["period_id"], row["unit_id"]): {"registrations": row["n"]} for row in rows}


REGISTRATION_MEASURES = (
    Measure(
        "registrations",
        _("Registrations"),
        _("People and units the unit registered for a title at the start of the period "
          "(withdrawn registrations aside)."),
    ),
)  # fmt: skip
SOURCES: list[Source] = [
    Source(REGISTRATION_MEASURES, registration_counts),
    Source(DOSSIER_MEASURES, dossier_counts),
]


def measures() -> tuple[Measure, ...]:
    return tuple(m for source in SOURCES for m in source.measures)


@dataclass(frozen=True)
class CountsRow:
    """One line of a counts table (a unit, or a period) with the measures in `measures()` order."""

    label: str
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Counts:
    per_unit: list[CountsRow]  # the selected period
    per_period: list[CountsRow]  # every period, oldest first: the trends


def units(institution_id: int) -> list[Unit]:
    """The institution's units by name (the lines of the per-unit tables)."""
    return list(Unit.objects.of(institution_id).order_by("name", "pk").only("name", "is_active"))


def counts(
    institution_id: int, period: Period, periods: Sequence[Period], units: Sequence[Unit]
) -> Counts:
    """The measures per unit for `period`, and their totals per period for every period."""
    keys = [m.key for m in measures()]
    merged: dict[Key, dict[str, int]] = defaultdict(dict)
    for source in SOURCES:
        for key, values in source.count(institution_id).items():
            merged[key].update(values)
    per_unit = [
        CountsRow(unit.name, tuple(merged.get((period.pk, unit.pk), {}).get(k, 0) for k in keys))
        for unit in units
        if unit.is_active or (period.pk, unit.pk) in merged
    ]
    totals: dict[int, list[int]] = defaultdict(lambda: [0] * len(keys))
    for (period_id, _unit_id), values in merged.items():
        for index, k in enumerate(keys):
            totals[period_id][index] += values.get(k, 0)
    per_period = [
        CountsRow(p.name, tuple(totals[p.pk])) for p in sorted(periods, key=lambda p: p.starts_on)
    ]
    return Counts(per_unit=per_unit, per_period=per_period)
