"""The fairness statistics of one institution: aggregates only, never a nominee's name.

Every number is counted in the database (grouped, with conditional counts), so the page costs
the same few queries whatever the number of dossiers. Counts per unit and period come from
`SOURCES`, each a list of named measures and one function counting them for every (period,
unit) at once; a new column (registrations, say) is one more source.
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
from dossiers.models import Dossier, Period, Person, State, Unit

# Presentation, not law: how units are grouped by their number of active members.
UNIT_SIZES: tuple[tuple[int, int | None], ...] = ((0, 5), (6, 10), (11, 20), (21, None))

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
SOURCES: list[Source] = [Source(DOSSIER_MEASURES, dossier_counts)]


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


def counts(institution_id: int, period: Period, periods: Sequence[Period]) -> Counts:
    """The measures per unit for `period`, and their totals per period for every period."""
    keys = [m.key for m in measures()]
    merged: dict[Key, dict[str, int]] = defaultdict(dict)
    for source in SOURCES:
        for key, values in source.count(institution_id).items():
            merged[key].update(values)
    units = Unit.objects.of(institution_id).order_by("name", "pk").only("name", "is_active")
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


# Awards to individuals: who among the people concerned was awarded.


@dataclass(frozen=True)
class Share:
    """A group of people (leaders, women, members of small units...) and their awards."""

    label: str
    people: int
    awarded: int  # people of the group with at least one award in force
    awards: int  # awards in force (a person may hold two: LĐTT and CSTĐCS)
    units: int | None = None  # for groups of units

    @property
    def share(self) -> float | None:
        """Percent of the group's people awarded, one decimal; None for an empty group."""
        return round(100 * self.awarded / self.people, 1) if self.people else None


@dataclass(frozen=True)
class Awards:
    by_post: list[Share]
    by_gender: list[Share]
    by_unit_size: list[Share]


def awards(institution_id: int, period: Period) -> Awards:
    """Awards in force of the period to individuals, split by post, gender and unit size.

    The people concerned: the institution's active staff, and anyone awarded in the period who
    has left since. Two queries: people grouped by unit, post and gender; awards grouped alike.
    """
    in_force = Dossier.objects.filter(
        institution_id=institution_id, period=period, state=State.SIGNED
    )
    awarded = Exists(in_force.filter(nominee_person_id=OuterRef("pk")))
    people = list(
        Person.objects.of(institution_id)
        .filter(Q(is_active=True) | Q(awarded))
        .values("unit_id", "holds_leadership_post", "gender")
        .annotate(
            people=Count("pk"),
            active=Count("pk", filter=Q(is_active=True)),
            awarded=Count("pk", filter=Q(awarded)),
        )
        .order_by()
    )
    award_rows = (
        in_force.filter(nominee_person__isnull=False)
        .values_list(
            "nominee_person__unit_id",
            "nominee_person__holds_leadership_post",
            "nominee_person__gender",
        )
        .annotate(awards=Count("pk"))
        .order_by()
    )
    award_count = {(unit, post, gender): n for unit, post, gender, n in award_rows}
    for row in people:
        row["awards"] = award_count.get(
            (row["unit_id"], row["holds_leadership_post"], row["gender"]), 0
        )
    return Awards(
        by_post=_by_post(people),
        by_gender=_by_gender(people),
        by_unit_size=_by_unit_size(people),
    )


def _share(label, rows, units=None) -> Share:
    return Share(
        label=str(label),
        people=sum(r["people"] for r in rows),
        awarded=sum(r["awarded"] for r in rows),
        awards=sum(r["awards"] for r in rows),
        units=units,
    )


def _by_post(rows) -> list[Share]:
    return [
        _share(_("Leadership posts"), [r for r in rows if r["holds_leadership_post"]]),
        _share(_("Frontline staff"), [r for r in rows if not r["holds_leadership_post"]]),
    ]


def _by_gender(rows) -> list[Share]:
    return [
        _share(label, [r for r in rows if r["gender"] == gender])
        for gender, label in Person.Gender.choices
    ]


def _by_unit_size(rows) -> list[Share]:
    members: dict[int, int] = defaultdict(int)
    for row in rows:
        members[row["unit_id"]] += row["active"]
    shares = []
    for low, high in UNIT_SIZES:
        units = {u for u, n in members.items() if n >= low and (high is None or n <= high)}
        shares.append(
            _share(
                size_label(low, high), [r for r in rows if r["unit_id"] in units], units=len(units)
            )
        )
    return shares


def size_label(low: int, high: int | None) -> str:
    if low == 0:
        return _("up to %(high)d members") % {"high": high}
    if high is None:
        return _("more than %(low)d members") % {"low": low - 1}
    return _("%(low)d–%(high)d members") % {"low": low, "high": high}
