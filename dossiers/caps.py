"""The share of a unit's staff rated excellent against its cap: a warning for reviewers and the
council (dossiers.models.caps), never a refusal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from dossiers import titles
from dossiers.models import AnnualRating, Dossier, ExcellentShareCap, Period, Person, Rating, Unit
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
