"""The hard eligibility rules of an award type, read from its data (../shared/domain.md)."""

from __future__ import annotations

from dataclasses import dataclass
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


RATING = _("Annual rating")
DISCIPLINE = _("Discipline")
EXCELLENCE = _("Excellent rating or recognised initiative")
PREREQUISITE = _("Consecutive years of an earlier title")
SAME_PERIOD = _("Title in the same period")
MEMBERS_DISCIPLINE = _("Members' discipline")
MEMBERS_TITLE = _("Members holding a title")
# Met or not, the same sentence says what the rating is and what the award needs.
_RATED = _("{name} is rated “{rating}” for {period}; the award needs at least “{needed}”.")
_DISCIPLINED = _("{name} was disciplined ({measure}) in {period}.")
_NOT_DISCIPLINED = _("No disciplinary measure at “{measure}” or above in {period}.")


@dataclass(frozen=True)
class Check:
    """One rule of the award applied to the nominee: passed or not, and why (the values found)."""

    rule: str  # a lazy label
    passed: bool
    reason: Reason


def eligibility_problems(dossier: Dossier) -> list[Reason]:
    """The reasons of the rules the nominee fails: the submit guard's refusal."""
    return [check.reason for check in checks(dossier) if not check.passed]


def checks(dossier: Dossier) -> list[Check]:
    """Every rule the dossier's award applies, in the order the refusal lists them."""
    award = dossier.award_type
    if dossier.nominee_person_id:
        return _person_checks(dossier.nominee_person, award, dossier.period)
    return _collective_checks(dossier.nominee_unit, award, dossier.period)


def _person_checks(person: Person, award: AwardType, period) -> list[Check]:
    found = []
    name = person.full_name
    rating = (
        AnnualRating.objects.filter(person=person, period=period)
        .values_list("rating", flat=True)
        .first()
    )
    rated = Rating(rating).label if rating else _("not rated")
    if award.min_rating:
        values = {"name": name, "rating": rated, "period": period.name,
                  "needed": Rating(award.min_rating).label}  # fmt: skip
        passed = rating is not None and rating >= award.min_rating
        found.append(Check(RATING, passed, Reason(_RATED, values)))
    if award.disqualifying_discipline:
        record = (
            DisciplinaryRecord.objects.filter(
                person=person, period=period, level__gte=award.disqualifying_discipline
            )
            .order_by("-level")
            .first()
        )
        if record:
            values = {"name": name, "measure": DisciplineLevel(record.level).label,
                      "period": period.name}  # fmt: skip
            found.append(Check(DISCIPLINE, False, Reason(_DISCIPLINED, values)))
        else:
            values = {"measure": DisciplineLevel(award.disqualifying_discipline).label,
                      "period": period.name}  # fmt: skip
            found.append(Check(DISCIPLINE, True, Reason(_NOT_DISCIPLINED, values)))
    if award.requires_excellence_or_initiative:
        found.append(_excellence_or_initiative(person, period, rating, rated))
    if award.prerequisite_award_id:
        found.append(_prerequisite(person, award, period))
    if award.same_period_award_id:
        found.append(_same_period_title(person, award, period))
    return found


def _excellence_or_initiative(person: Person, period, rating, rated) -> Check:
    if rating == Rating.COMPLETED_EXCELLENTLY:
        return Check(EXCELLENCE, True, Reason(
            _("Rated “{rating}” for {period}."), {"rating": rated, "period": period.name}
        ))  # fmt: skip
    initiatives = RecognisedInitiative.objects.filter(person=person, period=period).count()
    if initiatives:
        return Check(EXCELLENCE, True, Reason(
            _("{count} recognised initiative(s) in {period}."),
            {"count": initiatives, "period": period.name},
        ))  # fmt: skip
    return Check(EXCELLENCE, False, Reason(
        _("{name} needs an excellent rating or a recognised initiative in {period}."),
        {"name": person.full_name, "period": period.name},
    ))  # fmt: skip


def _prerequisite(person: Person, award: AwardType, period) -> Check:
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
    values = {"name": person.full_name, "years": needed, "title": award.prerequisite_award,
              "run": run}  # fmt: skip
    if run >= needed:
        return Check(PREREQUISITE, True, Reason(
            _("{run} consecutive years of “{title}”; {years} needed."), values
        ))  # fmt: skip
    return Check(PREREQUISITE, False, Reason(
        _("{name} needs {years} consecutive years of “{title}”; has {run}."), values
    ))  # fmt: skip


def _same_period_title(person: Person, award: AwardType, period) -> Check:
    """The title of the same period, granted (in force) or in a nomination past its draft."""
    title = award.same_period_award
    values = {"name": person.full_name, "title": title, "period": period.name}
    if titles.active().filter(person=person, award_type=title, year=period.year).exists():
        return Check(SAME_PERIOD, True, Reason(_("Holds “{title}” for {period}."), values))
    nominated = Dossier.objects.filter(
        nominee_person=person, award_type=title, period=period, state__in=NOMINATION_COUNTS
    )
    if nominated.exists():
        return Check(SAME_PERIOD, True, Reason(_("Nominated for “{title}” in {period}."), values))
    return Check(SAME_PERIOD, False, Reason(
        _("{name} needs “{title}” in {period} too: neither held nor nominated "
          "(submit that nomination as well)."),
        values,
    ))  # fmt: skip


def _collective_checks(unit: Unit, award: AwardType, period) -> list[Check]:
    found = []
    members = Person.objects.filter(unit=unit)
    if award.disqualifying_discipline:
        disciplined = DisciplinaryRecord.objects.filter(
            person__in=members, period=period, level__gte=award.disqualifying_discipline
        ).count()
        values = {"count": disciplined, "unit": unit.name,
                  "measure": DisciplineLevel(award.disqualifying_discipline).label}  # fmt: skip
        if disciplined:
            found.append(Check(MEMBERS_DISCIPLINE, False, Reason(
                _("{count} member(s) of {unit} were disciplined at “{measure}” or above."),
                values,
            )))  # fmt: skip
        else:
            found.append(Check(MEMBERS_DISCIPLINE, True, Reason(
                _("No member of {unit} was disciplined at “{measure}” or above."), values
            )))  # fmt: skip
    if award.member_award_id and award.member_award_min_percent is not None:
        found.append(_members_title(members, award, period))
    return found


def _members_title(members, award: AwardType, period) -> Check:
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
    values = {"count": with_title, "total": total, "title": award.member_award,
              "percent": format(award.member_award_min_percent.normalize(), "f")}  # fmt: skip
    template = _(
        "{count} of {total} members hold or are nominated for “{title}”; "
        "at least {percent}% are needed."
    )
    passed = total > 0 and Decimal(with_title) * 100 >= award.member_award_min_percent * total
    return Check(MEMBERS_TITLE, passed, Reason(template, values))
