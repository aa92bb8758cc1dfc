"""Shares against caps, warned about for reviewers and the council, never a refusal
(dossiers.models.caps): a unit's staff rated excellent, and the caps an institution sets on
nominations for an award."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from dossiers import titles
from dossiers.eligibility import NOMINATION_COUNTS
from dossiers.models import (
    AnnualRating,
    Dossier,
    ExcellentShareCap,
    NominationCap,
    Period,
    Person,
    Rating,
    Unit,
)
from dossiers.reasons import Reason


@dataclass(frozen=True)
class ExcellentShare:
    unit: Unit
    rated_excellent: int
    rated_well_or_better: int
    percent: Decimal

    @property
    def allowed(self) -> int:
        """The most who may be rated excellent: the cap's share, rounded down."""
        return int(self.rated_well_or_better * self.percent // 100)

    @property
    def exceeded(self) -> bool:
        return self.rated_excellent > self.allowed

    @property
    def usage(self) -> str:
        return f"HTXS {self.rated_excellent} / {self.allowed}"

    @property
    def warning(self) -> Reason | None:
        if not self.exceeded:
            return None
        return Reason(
            _(
                # xgettext:no-python-format
                "{unit}: {count} rated “completed tasks excellently”, more than the {allowed} "
                "allowed ({percent}% of the {base} rated “completed tasks well” or better)."
            ),
            {"unit": self.unit.name, "count": self.rated_excellent, "allowed": self.allowed,
             "percent": format(self.percent.normalize(), "f"),
             "base": self.rated_well_or_better},
        )  # fmt: skip


def excellent_shares(units: list[Unit], period: Period) -> dict[int, ExcellentShare]:
    """Each unit's share in the period, in three queries whatever the number of units."""
    cap = ExcellentShareCap.objects.filter(institution_id=period.institution_id).first()
    if cap is None or not units:
        return {}
    ratings = AnnualRating.objects.filter(
        period=period, person__unit__in=units, rating__gte=Rating.COMPLETED_WELL
    ).values_list("person__unit_id", "rating")
    excellent, base = Counter(), Counter()
    for unit_id, rating in ratings:
        base[unit_id] += 1
        excellent[unit_id] += rating == Rating.COMPLETED_EXCELLENTLY
    excellent_units = set()
    if cap.excellent_unit_award_id:
        excellent_units = set(
            titles.active()
            .filter(unit__in=units, award_type_id=cap.excellent_unit_award_id,
                    year=period.year - 1)
            .values_list("unit_id", flat=True)
        )  # fmt: skip
    return {
        unit.pk: ExcellentShare(
            unit, excellent[unit.pk], base[unit.pk],
            cap.excellent_unit_percent if unit.pk in excellent_units else cap.percent,
        )
        for unit in units
    }  # fmt: skip


def tie_break_order(dossiers: list[Dossier]) -> list[Dossier]:
    """Individual nominees in the law's order of priority when achievements are equal: staff
    working directly before those in leadership posts (Law 06/2022/QH15 art. 5), then women
    (NĐ 152/2025 [UNVERIFIED article]). Shown where nominees compete for a capped share."""
    people = [d for d in dossiers if d.nominee_person_id]
    return sorted(
        people,
        key=lambda d: (
            d.nominee_person.holds_leadership_post,
            d.nominee_person.gender != Person.Gender.FEMALE,
        ),
    )


@dataclass(frozen=True)
class NominationShare:
    """A unit's nominations for a capped award in the period, against the institution's cap."""

    unit: Unit
    cap: NominationCap
    nominated: int
    members: int

    @property
    def allowed(self) -> int:
        return int(self.members * self.cap.percent // 100)

    @property
    def exceeded(self) -> bool:
        return self.nominated > self.allowed

    @property
    def usage(self) -> str:
        return f"{self.cap.name} {self.nominated} / {self.allowed}"

    @property
    def warning(self) -> Reason | None:
        if not self.exceeded:
            return None
        return Reason(
            _(
                # xgettext:no-python-format
                "{unit}: {count} nominated for “{award}”, more than the {allowed} the "
                "institution's cap allows ({percent}% of its {members} members)."
            ),
            {"unit": self.unit.name, "count": self.nominated, "award": self.cap.award_type,
             "allowed": self.allowed, "percent": format(self.cap.percent.normalize(), "f"),
             "members": self.members},
        )  # fmt: skip


def nomination_shares(units: list[Unit], period: Period, award_type_id: int | None = None):
    """Each unit's shares of the institution's active caps (or the one on `award_type_id`), as
    {unit id: [NominationShare]}, in three queries whatever the number of units (one if no cap).

    Nominations count from submission on (drafts, withdrawn and declined ones do not).
    """
    found = NominationCap.objects.filter(institution_id=period.institution_id, is_active=True)
    if award_type_id is not None:
        found = found.filter(award_type_id=award_type_id)
    nomination_caps = list(found.select_related("award_type"))
    if not nomination_caps or not units:
        return {}
    members = Counter(
        dict(
            Person.objects.filter(unit__in=units, is_active=True)
            .values_list("unit_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    nominated = Counter(
        {
            (unit_id, award_id): n
            for unit_id, award_id, n in Dossier.objects.filter(
                unit__in=units, period=period, state__in=NOMINATION_COUNTS,
                award_type_id__in=[cap.award_type_id for cap in nomination_caps],
            )
            .values_list("unit_id", "award_type_id")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )  # fmt: skip
    return {
        unit.pk: [
            NominationShare(unit, cap, nominated[(unit.pk, cap.award_type_id)], members[unit.pk])
            for cap in nomination_caps
        ]
        for unit in units
    }
