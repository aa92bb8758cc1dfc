"""The eligibility rules of an award type, read from its data (../shared/domain.md).

Each rule gives pass, fail or cannot tell, with the values found. What failing does (block the
submission or warn the reviewer and the council), the text it comes from and when it is in force
are the institution's `EligibilityRule` rows; a rule out of force for the period is not applied.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from dossiers import titles
from dossiers.models import (
    DEFAULT_SEVERITY,
    AnnualRating,
    AwardType,
    DisciplinaryRecord,
    DisciplineLevel,
    Dossier,
    EligibilityRule,
    Person,
    Rating,
    RecognisedInitiative,
    Registration,
    RuleCode,
    Severity,
    State,
    Unit,
)
from dossiers.reasons import Reason

# A member counts towards a collective's share when granted the title, or nominated for it.
NOMINATION_COUNTS = (
    State.SUBMITTED, State.REVIEWED, State.VOTING, State.RECOMMENDED, State.PUBLIC_NOTICE,
    State.SUBMITTED_UPWARD, State.SIGNED,
)  # fmt: skip
SCOPE_RANK = {"grassroots": 1, "province": 2, "national": 3}

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
OUTCOME_LABELS = {PASS: _("Met"), FAIL: _("Not met"), UNKNOWN: _("Cannot tell")}

# Met or not, the same sentence says what the rating is and what the award needs.
_RATED = _("{name} is rated “{rating}” for {period}; the award needs at least “{needed}”.")
_DISCIPLINED = _("{name} was disciplined ({measure}) in {period}.")
_NOT_DISCIPLINED = _("No disciplinary measure at “{measure}” or above in {period}.")


@dataclass(frozen=True)
class Finding:
    """What one rule found for the nominee, before the institution says what it means."""

    code: str
    outcome: str
    reason: Reason


@dataclass(frozen=True)
class Check:
    """One rule applied to the nominee: its outcome, why, and what failing it does."""

    code: str
    outcome: str
    reason: Reason
    severity: str
    basis: str = ""

    @property
    def rule(self) -> str:
        return RuleCode(self.code).label

    @property
    def passed(self) -> bool:
        return self.outcome == PASS

    @property
    def blocks(self) -> bool:
        """A hard failure: the submission is refused."""
        return self.outcome == FAIL and self.severity == Severity.BLOCK

    @property
    def warns(self) -> bool:
        """Shown to the reviewer and the council, who decide: a soft failure or cannot tell."""
        return not self.passed and not self.blocks

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


@dataclass(frozen=True)
class Standing:
    severity: str
    basis: str


def rules_in_force(institution_id: int, day: datetime.date) -> dict[str, Standing]:
    """Each rule applied on `day`, with what failing it does: one query.

    A rule the institution never recorded applies as the law's default; one it recorded applies
    only while a version of it is in force.
    """
    recorded = EligibilityRule.objects.filter(institution_id=institution_id).select_related(
        "legal_basis"
    )
    versions: dict[str, list[EligibilityRule]] = {}
    for rule in recorded:
        versions.setdefault(rule.code, []).append(rule)
    standing = {}
    for code in RuleCode.values:
        if code not in versions:
            standing[code] = Standing(DEFAULT_SEVERITY[code], "")
            continue
        current = [rule for rule in versions[code] if rule.in_force_on(day)]
        if current:
            rule = max(current, key=lambda r: r.valid_from)
            standing[code] = Standing(rule.severity, rule.basis)
    return standing


def eligibility_problems(dossier: Dossier) -> list[Reason]:
    """The reasons of the blocking rules the nominee fails: the submit guard's refusal."""
    return [check.reason for check in checks(dossier) if check.blocks]


def checks(dossier: Dossier) -> list[Check]:
    """Every rule in force that the dossier's award applies, in the order a refusal lists them."""
    period = dossier.period
    standing = rules_in_force(dossier.institution_id, period.ends_on)
    award = dossier.award_type
    if dossier.nominee_person_id:
        findings = _person_findings(dossier.nominee_person, award, period, standing)
    else:
        findings = _collective_findings(dossier.nominee_unit, award, period, standing)
    # Nobody registers for a sudden achievement: an ad hoc award skips the registration rule.
    if RuleCode.REGISTRATION in standing and not dossier.is_ad_hoc:
        findings.append(_registration(dossier))
    return [
        Check(f.code, f.outcome, f.reason, standing[f.code].severity, standing[f.code].basis)
        for f in findings
        if f.code in standing
    ]


def _person_findings(person: Person, award: AwardType, period, standing) -> list[Finding]:
    found = []
    name = person.full_name
    rating = None
    if award.min_rating or award.requires_excellence_or_initiative:
        rating = (
            AnnualRating.objects.filter(person=person, period=period)
            .values_list("rating", flat=True)
            .first()
        )
    if award.min_rating and RuleCode.RATING in standing:
        rated = Rating(rating).label if rating else _("not rated")
        values = {"name": name, "rating": rated, "period": period.name,
                  "needed": Rating(award.min_rating).label}  # fmt: skip
        passed = rating is not None and rating >= award.min_rating
        found.append(Finding(RuleCode.RATING, PASS if passed else FAIL, Reason(_RATED, values)))
    if award.disqualifying_discipline and RuleCode.DISCIPLINE in standing:
        found.append(_discipline(person, award, period))
    if award.min_months_worked and RuleCode.MONTHS_WORKED in standing:
        found.append(months_worked_finding(person, award, period))
    if award.requires_excellence_or_initiative and RuleCode.EXCELLENCE in standing:
        found.append(_excellence_or_initiative(person, period, rating))
    if award.required_initiative_scope and RuleCode.INITIATIVE_SCOPE in standing:
        found.append(_initiative_scope(person, award, period))
    if award.prerequisite_award_id and RuleCode.PREREQUISITE in standing:
        found.append(_prerequisite(person, award, period))
    if award.same_period_award_id and RuleCode.SAME_PERIOD in standing:
        found.append(_same_period_title(person, award, period))
    return found


def _discipline(person: Person, award: AwardType, period) -> Finding:
    record = (
        DisciplinaryRecord.objects.filter(
            person=person, period=period, level__gte=award.disqualifying_discipline
        )
        .order_by("-level")
        .first()
    )
    if record:
        values = {"name": person.full_name, "measure": DisciplineLevel(record.level).label,
                  "period": period.name}  # fmt: skip
        return Finding(RuleCode.DISCIPLINE, FAIL, Reason(_DISCIPLINED, values))
    values = {"measure": DisciplineLevel(award.disqualifying_discipline).label,
              "period": period.name}  # fmt: skip
    return Finding(RuleCode.DISCIPLINE, PASS, Reason(_NOT_DISCIPLINED, values))


def months_in_period(employed_since: datetime.date, period) -> int:
    """Whole months worked from `employed_since` (or the period's start) to the period's end."""
    start = max(employed_since, period.starts_on)
    after = period.ends_on + datetime.timedelta(days=1)
    if start >= after:
        return 0
    months = (after.year - start.year) * 12 + after.month - start.month
    return months - (1 if after.day < start.day else 0)


def months_worked_finding(person: Person, award: AwardType, period) -> Finding:
    """Maternity leave and training count as worked, so only the start of work matters here."""
    values = {"name": person.full_name, "needed": award.min_months_worked, "period": period.name}
    if person.employed_since is None:
        return Finding(RuleCode.MONTHS_WORKED, UNKNOWN, Reason(
            _("Cannot tell: no start date of work is recorded for {name}; the award needs "
              "{needed} months worked in {period}."), values,
        ))  # fmt: skip
    months = months_in_period(person.employed_since, period)
    values["months"] = months
    if months >= award.min_months_worked:
        return Finding(RuleCode.MONTHS_WORKED, PASS, Reason(
            _("{months} months worked in {period}; {needed} needed."), values
        ))  # fmt: skip
    return Finding(RuleCode.MONTHS_WORKED, FAIL, Reason(
        _("{name} worked {months} months in {period}; the award needs {needed}."), values
    ))  # fmt: skip


def _excellence_or_initiative(person: Person, period, rating) -> Finding:
    if rating == Rating.COMPLETED_EXCELLENTLY:
        return Finding(RuleCode.EXCELLENCE, PASS, Reason(
            _("Rated “{rating}” for {period}."),
            {"rating": Rating(rating).label, "period": period.name},
        ))  # fmt: skip
    initiatives = RecognisedInitiative.objects.filter(person=person, period=period).count()
    if initiatives:
        return Finding(RuleCode.EXCELLENCE, PASS, Reason(
            _("{count} recognised initiative(s) in {period}."),
            {"count": initiatives, "period": period.name},
        ))  # fmt: skip
    return Finding(RuleCode.EXCELLENCE, FAIL, Reason(
        _("{name} needs an excellent rating or a recognised initiative in {period}."),
        {"name": person.full_name, "period": period.name},
    ))  # fmt: skip


def _initiative_scope(person: Person, award: AwardType, period) -> Finding:
    needed = SCOPE_RANK[award.required_initiative_scope]
    wide_enough = [
        scope
        for scope in RecognisedInitiative.objects.filter(person=person, period=period).values_list(
            "scope", flat=True
        )
        if SCOPE_RANK.get(scope, 0) >= needed
    ]
    scope = RecognisedInitiative.Scope(award.required_initiative_scope).label
    values = {"name": person.full_name, "period": period.name, "count": len(wide_enough),
              "scope": scope}  # fmt: skip
    if wide_enough:
        return Finding(RuleCode.INITIATIVE_SCOPE, PASS, Reason(
            _("{count} recognised initiative(s) of scope “{scope}” or wider in {period}."), values
        ))  # fmt: skip
    return Finding(RuleCode.INITIATIVE_SCOPE, FAIL, Reason(
        _("{name} needs a recognised initiative of scope “{scope}” or wider in {period}."), values
    ))  # fmt: skip


def _prerequisite(person: Person, award: AwardType, period) -> Finding:
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
        return Finding(RuleCode.PREREQUISITE, PASS, Reason(
            _("{run} consecutive years of “{title}”; {years} needed."), values
        ))  # fmt: skip
    return Finding(RuleCode.PREREQUISITE, FAIL, Reason(
        _("{name} needs {years} consecutive years of “{title}”; has {run}."), values
    ))  # fmt: skip


def _same_period_title(person: Person, award: AwardType, period) -> Finding:
    """The title of the same period, granted (in force) or in a nomination past its draft."""
    title = award.same_period_award
    values = {"name": person.full_name, "title": title, "period": period.name}
    if titles.active().filter(person=person, award_type=title, year=period.year).exists():
        return Finding(
            RuleCode.SAME_PERIOD, PASS, Reason(_("Holds “{title}” for {period}."), values)
        )
    nominated = Dossier.objects.filter(
        nominee_person=person, award_type=title, period=period, state__in=NOMINATION_COUNTS
    )
    if nominated.exists():
        return Finding(
            RuleCode.SAME_PERIOD, PASS, Reason(_("Nominated for “{title}” in {period}."), values)
        )
    return Finding(RuleCode.SAME_PERIOD, FAIL, Reason(
        _("{name} needs “{title}” in {period} too: neither held nor nominated "
          "(submit that nomination as well)."),
        values,
    ))  # fmt: skip


def _collective_findings(unit: Unit, award: AwardType, period, standing) -> list[Finding]:
    found = []
    members = Person.objects.filter(unit=unit)
    if award.disqualifying_discipline and RuleCode.MEMBERS_DISCIPLINE in standing:
        found.append(_members_discipline(unit, members, award, period))
    if award.members_min_rating and RuleCode.MEMBERS_RATING in standing:
        found.append(_members_rating(members, award, period))
    if (
        award.member_award_id
        and award.member_award_min_percent is not None
        and RuleCode.MEMBERS_TITLE in standing
    ):
        found.append(_members_title(members, award, period))
    if award.member_one_award_id and RuleCode.MEMBERS_ONE_TITLE in standing:
        found.append(_members_one_title(members, award, period))
    return found


def _members_discipline(unit: Unit, members, award: AwardType, period) -> Finding:
    disciplined = DisciplinaryRecord.objects.filter(
        person__in=members, period=period, level__gte=award.disqualifying_discipline
    ).count()
    values = {"count": disciplined, "unit": unit.name,
              "measure": DisciplineLevel(award.disqualifying_discipline).label}  # fmt: skip
    if disciplined:
        return Finding(RuleCode.MEMBERS_DISCIPLINE, FAIL, Reason(
            _("{count} member(s) of {unit} were disciplined at “{measure}” or above."), values
        ))  # fmt: skip
    return Finding(RuleCode.MEMBERS_DISCIPLINE, PASS, Reason(
        _("No member of {unit} was disciplined at “{measure}” or above."), values
    ))  # fmt: skip


def _members_rating(members, award: AwardType, period) -> Finding:
    """Every member rated at least the level; members not yet rated leave it undecided."""
    ratings = dict(
        AnnualRating.objects.filter(person__in=members, period=period).values_list(
            "person_id", "rating"
        )
    )
    total = members.count()
    below = sum(1 for rating in ratings.values() if rating < award.members_min_rating)
    values = {"total": total, "below": below, "unrated": total - len(ratings),
              "needed": Rating(award.members_min_rating).label, "period": period.name}  # fmt: skip
    if below:
        return Finding(RuleCode.MEMBERS_RATING, FAIL, Reason(
            _("{below} of {total} members are rated below “{needed}” for {period}."), values
        ))  # fmt: skip
    if total == 0 or len(ratings) < total:
        return Finding(RuleCode.MEMBERS_RATING, UNKNOWN, Reason(
            _("Cannot tell: {unrated} of {total} members are not rated for {period} yet."), values
        ))  # fmt: skip
    return Finding(RuleCode.MEMBERS_RATING, PASS, Reason(
        _("All {total} members are rated “{needed}” or better for {period}."), values
    ))  # fmt: skip


def _holding(members, title: AwardType, period):
    """Members granted `title` for the period's year (in force) or nominated for it."""
    return (
        members.filter(
            titles__award_type=title, titles__year=period.year, titles__revoked_at__isnull=True
        )
        | members.filter(
            nominations__award_type=title,
            nominations__period=period,
            nominations__state__in=NOMINATION_COUNTS,
        )
    ).distinct()


def _members_title(members, award: AwardType, period) -> Finding:
    total = members.count()
    with_title = _holding(members, award.member_award, period).count()
    values = {"count": with_title, "total": total, "title": award.member_award,
              "percent": format(award.member_award_min_percent.normalize(), "f")}  # fmt: skip
    template = _(
        "{count} of {total} members hold or are nominated for “{title}”; "
        "at least {percent}% are needed."
    )
    passed = total > 0 and Decimal(with_title) * 100 >= award.member_award_min_percent * total
    return Finding(RuleCode.MEMBERS_TITLE, PASS if passed else FAIL, Reason(template, values))


def _members_one_title(members, award: AwardType, period) -> Finding:
    count = _holding(members, award.member_one_award, period).count()
    values = {"count": count, "title": award.member_one_award, "period": period.name}
    if count:
        return Finding(RuleCode.MEMBERS_ONE_TITLE, PASS, Reason(
            _("{count} member(s) hold or are nominated for “{title}” in {period}."), values
        ))  # fmt: skip
    return Finding(RuleCode.MEMBERS_ONE_TITLE, FAIL, Reason(
        _("No member holds or is nominated for “{title}” in {period}; at least one is needed."),
        values,
    ))  # fmt: skip


def _registration(dossier: Dossier) -> Finding:
    registered = Registration.objects.active().filter(
        period=dossier.period, award_type=dossier.award_type
    )
    if dossier.nominee_person_id:
        registered = registered.filter(nominee_person_id=dossier.nominee_person_id)
    else:
        registered = registered.filter(nominee_unit_id=dossier.nominee_unit_id)
    return registration_finding(dossier, registered.exists(), dossier.period)


def registration_finding(dossier: Dossier, registered: bool, period) -> Finding:
    values = {"name": dossier.nominee, "title": dossier.award_type, "period": period.name}
    if registered:
        return Finding(RuleCode.REGISTRATION, PASS, Reason(
            _("Registered for “{title}” in {period}."), values
        ))  # fmt: skip
    return Finding(RuleCode.REGISTRATION, FAIL, Reason(
        _("{name} did not register for “{title}” at the start of {period}."), values
    ))  # fmt: skip


def agenda_warnings(dossiers: list[Dossier], period) -> dict[int, list[Check]]:
    """The warnings of each dossier of `period` on a council's agenda, in two queries whatever
    their number.

    Rules that block were met when the dossier was submitted; the council is shown what was let
    through with a warning: a nominee who did not register, and months worked it cannot tell or
    that a warning-only rule found short. Nominees and movements must be loaded with the dossiers.
    """
    if not dossiers:
        return {}
    standing = rules_in_force(period.institution_id, period.ends_on)
    registered = set()
    if RuleCode.REGISTRATION in standing:
        registered = set(
            Registration.objects.active()
            .filter(period=period, award_type_id__in={d.award_type_id for d in dossiers})
            .values_list("nominee_person_id", "nominee_unit_id", "award_type_id")
        )
    found: dict[int, list[Check]] = {}
    for dossier in dossiers:
        findings = []
        if RuleCode.REGISTRATION in standing and not dossier.is_ad_hoc:
            key = (dossier.nominee_person_id, dossier.nominee_unit_id, dossier.award_type_id)
            findings.append(registration_finding(dossier, key in registered, period))
        award = dossier.award_type
        months_apply = award.min_months_worked and RuleCode.MONTHS_WORKED in standing
        if months_apply and dossier.nominee_person_id:
            findings.append(months_worked_finding(dossier.nominee_person, award, period))
        checks_ = [
            Check(f.code, f.outcome, f.reason, standing[f.code].severity, standing[f.code].basis)
            for f in findings
        ]
        found[dossier.pk] = [check for check in checks_ if check.warns]
    return found
