"""The hard eligibility rules of an award type, read from its data (../shared/domain.md)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from dossiers import titles
from dossiers.models import (
    AnnualRating,
    AwardType,
    DisciplinaryRecord,
    DisciplineLevel,
    Dossier,
    Person,
    Rating,
    RecognisedInitiative,
    State,
    Unit,
)
from dossiers.reasons import Reason

# A member counts towards a collective's share when granted the title, or nominated for it.
NOMINATION_COUNTS = (
    State.SUBMITTED, State.REVIEWED, State.VOTING, State.RECOMMENDED, State.PUBLIC_NOTICE,
    State.SUBMITTED_UPWARD, State.SIGNED,
)  # fmt: skip


def eligibility_problems(dossier: Dossier) -> list[Reason]:
    award = dossier.award_type
    if dossier.nominee_person_id:
        return _person_problems(dossier.nominee_person, award, dossier.period)
    return _collective_problems(dossier.nominee_unit, award, dossier.period)


def _person_problems(person: Person, award: AwardType, period) -> list[Reason]:
    problems = []
    rating = (
        AnnualRating.objects.filter(person=person, period=period)
        .values_list("rating", flat=True)
        .first()
    )
    if award.min_rating and (rating is None or rating < award.min_rating):
        problems.append(
            Reason(
                _("{name} is rated “{rating}” for {period}; the award needs at least “{needed}”."),
                {
                    "name": person.full_name,
                    "rating": Rating(rating).label if rating else _("not rated"),
                    "period": period.name,
                    "needed": Rating(award.min_rating).label,
                },
            )
        )
    if award.disqualifying_discipline:
        record = (
            DisciplinaryRecord.objects.filter(
                person=person, period=period, level__gte=award.disqualifying_discipline
            )
            .order_by("-level")
            .first()
        )
        if record:
            problems.append(
                Reason(
                    _("{name} was disciplined ({measure}) in {period}."),
                    {
                        "name": person.full_name,
                        "measure": DisciplineLevel(record.level).label,
                        "period": period.name,
                    },
                )
            )
    if award.requires_excellence_or_initiative and rating != Rating.COMPLETED_EXCELLENTLY:
        has_initiative = RecognisedInitiative.objects.filter(person=person, period=period).exists()
        if not has_initiative:
            problems.append(
                Reason(
                    _("{name} needs an excellent rating or a recognised initiative in {period}."),
                    {"name": person.full_name, "period": period.name},
                )
            )
    if award.prerequisite_award_id:
        problems += _prerequisite_problems(person, award, period)
    if award.same_period_award_id and not _holds_or_is_nominated(person, award, period):
        problems.append(
            Reason(
                _(
                    "{name} needs “{title}” in {period} too: neither held nor nominated "
                    "(submit that nomination as well)."
                ),
                {"name": person.full_name, "title": award.same_period_award, "period": period.name},
            )
        )
    return problems


def _holds_or_is_nominated(person: Person, award: AwardType, period) -> bool:
    """The title of the same period, granted (in force) or in a nomination past its draft."""
    title = award.same_period_award_id
    held = titles.active().filter(person=person, award_type_id=title, year=period.year)
    nominated = Dossier.objects.filter(
        nominee_person=person, award_type_id=title, period=period, state__in=NOMINATION_COUNTS
    )
    return held.exists() or nominated.exists()


def _prerequisite_problems(person: Person, award: AwardType, period) -> list[Reason]:
    """N consecutive years of the prerequisite, ending this year (if already held) or last year."""
    years = set(
        titles.active()
        .filter(person=person, award_type=award.prerequisite_award)
        .values_list("year", flat=True)
    )
    needed = award.prerequisite_consecutive_years
    end = period.year if period.year in years else period.year - 1
    run = 0
    while end - run in years:
        run += 1
    if run >= needed:
        return []
    return [
        Reason(
            _("{name} needs {years} consecutive years of “{title}”; has {run}."),
            {
                "name": person.full_name,
                "years": needed,
                "title": award.prerequisite_award,
                "run": run,
            },
        )
    ]


def _collective_problems(unit: Unit, award: AwardType, period) -> list[Reason]:
    problems = []
    members = Person.objects.filter(unit=unit)
    if award.disqualifying_discipline:
        disciplined = DisciplinaryRecord.objects.filter(
            person__in=members, period=period, level__gte=award.disqualifying_discipline
        ).count()
        if disciplined:
            problems.append(
                Reason(
                    _("{count} member(s) of {unit} were disciplined at “{measure}” or above."),
                    {
                        "count": disciplined,
                        "unit": unit.name,
                        "measure": DisciplineLevel(award.disqualifying_discipline).label,
                    },
                )
            )
    if award.member_award_id and award.member_award_min_percent is not None:
        total = members.count()
        with_title = (
            (
                members.filter(
                    titles__award_type=award.member_award,
                    titles__year=period.year,
                    titles__revoked_at__isnull=True,
                )
                | members.filter(
                    nominations__award_type=award.member_award,
                    nominations__period=period,
                    nominations__state__in=NOMINATION_COUNTS,
                )
            )
            .distinct()
            .count()
        )
        if total == 0 or Decimal(with_title) * 100 < award.member_award_min_percent * total:
            problems.append(
                Reason(
                    _(
                        "{count} of {total} members hold or are nominated for “{title}”; "
                        "at least {percent}% are needed."
                    ),
                    {
                        "count": with_title,
                        "total": total,
                        "title": award.member_award,
                        "percent": format(award.member_award_min_percent.normalize(), "f"),
                    },
                )
            )
    return problems
