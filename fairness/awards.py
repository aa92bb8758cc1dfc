"""Awards to individuals, as shares of the people concerned: do they reach frontline staff?

The law gives priority to staff who work directly over managers, and to women when
achievements are equal (domain.md, "Quotas and fairness"): these splits show whether the awards
follow. An award counts while in force: a signed dossier, not revoked. The people concerned are
the institution's active staff, and anyone awarded in the period who has left since.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from dossiers.models import Dossier, Period, Person, State, Unit

# Presentation, not law: how units are grouped by their number of active members.
UNIT_SIZES: tuple[tuple[int, int | None], ...] = ((0, 5), (6, 10), (11, 20), (21, None))


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
class UnitPosts:
    """A unit's leaders and frontline staff, and how many of each were awarded."""

    label: str
    leaders: Share
    frontline: Share


@dataclass(frozen=True)
class PeriodPosts:
    """A period's awards in force to leaders and to frontline staff."""

    label: str
    leaders: int
    frontline: int

    @property
    def leaders_share(self) -> float | None:
        """The leaders' part of the period's awards to individuals, in percent."""
        total = self.leaders + self.frontline
        return round(100 * self.leaders / total, 1) if total else None


@dataclass(frozen=True)
class Awards:
    by_post: list[Share]
    by_gender: list[Share]
    by_unit_size: list[Share]
    by_unit_and_post: list[UnitPosts]


def awards(institution_id: int, period: Period, units: Sequence[Unit]) -> Awards:
    """The period's awards to individuals split by post, gender, unit size, and unit and post.

    Two queries: the people concerned grouped by unit, post and gender; their awards alike.
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
        key = (row["unit_id"], row["holds_leadership_post"], row["gender"])
        row["awards"] = award_count.get(key, 0)
    return Awards(
        by_post=_by_post(people),
        by_gender=_by_gender(people),
        by_unit_size=_by_unit_size(people),
        by_unit_and_post=_by_unit_and_post(people, units),
    )


def posts_per_period(institution_id: int, periods: Sequence[Period]) -> list[PeriodPosts]:
    """Awards in force to leaders and to frontline staff in every period, oldest first (one
    query; a person's post is the one they hold now)."""
    rows = (
        Dossier.objects.of(institution_id)
        .filter(state=State.SIGNED, nominee_person__isnull=False)
        .values_list("period_id", "nominee_person__holds_leadership_post")
        .annotate(awards=Count("pk"))
        .order_by()
    )
    found = {(period_id, leader): n for period_id, leader, n in rows}
    return [
        PeriodPosts(p.name, found.get((p.pk, True), 0), found.get((p.pk, False), 0))
        for p in sorted(periods, key=lambda p: p.starts_on)
    ]


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
        in_size = [r for r in rows if r["unit_id"] in units]
        shares.append(_share(size_label(low, high), in_size, units=len(units)))
    return shares


def _by_unit_and_post(rows, units: Sequence[Unit]) -> list[UnitPosts]:
    """Each unit with people concerned: its leaders and its frontline staff."""
    of_unit: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        of_unit[row["unit_id"]].append(row)
    return [
        UnitPosts(unit.name, *_by_post(of_unit[unit.pk])) for unit in units if unit.pk in of_unit
    ]


def size_label(low: int, high: int | None) -> str:
    if low == 0:
        return _("up to %(high)d members") % {"high": high}
    if high is None:
        return _("more than %(low)d members") % {"low": low - 1}
    return _("%(low)d–%(high)d members") % {"low": low, "high": high}
