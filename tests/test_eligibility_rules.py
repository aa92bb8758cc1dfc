"""The rules the commendation year adds, at their edges (../shared/domain.md): months worked,
registration (warning by default, a block when the institution says so), a rule's validity
dates, an initiative's scope, a collective's every member rated and one member with a title,
and the repealed CSTĐCS cap that must not come back."""

import datetime

import pytest

from dossiers import eligibility
from dossiers.models import (
    AnnualRating,
    AwardType,
    DocumentKind,
    EligibilityRule,
    LegalBasis,
    Movement,
    Period,
    Rating,
    RecognisedInitiative,
    Registration,
    RuleCode,
    Severity,
    State,
    TitleRecord,
)
from tests.conftest import make_dossier, make_person, make_unit
from tests.factories import Cast, act
from workflow.errors import GuardFailed

D = datetime.date


@pytest.fixture
def nominee(institution, unit_a):
    return make_person(institution, unit_a, full_name="Trần Thị Mai")


def check_of(dossier, code):
    found = [c for c in eligibility.checks(dossier) if c.code == code]
    return found[0] if found else None


def register(person, period, award="advanced_worker"):
    return Registration.objects.create(
        institution=period.institution, period=period, unit=person.unit, nominee_person=person,
        award_type=AwardType.objects.get(institution=period.institution, code=award),
        targets="Hoàn thành xuất sắc nhiệm vụ giảng dạy", registered_by=person,
    )  # fmt: skip


def submit(dossier):
    return act(dossier, "submit", Cast(dossier.institution).head_of(dossier.unit))


def set_rule(institution, code, **fields):
    EligibilityRule.objects.filter(institution=institution, code=code).update(**fields)


# --- months worked ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "months"),
    [(D(2025, 6, 1), 12), (D(2026, 1, 1), 12), (D(2026, 3, 1), 10), (D(2026, 3, 2), 9),
     (D(2026, 12, 31), 0), (D(2027, 1, 5), 0)],
)  # fmt: skip
def test_months_worked_count_whole_months_to_the_end_of_the_period(period, since, months):
    assert eligibility.months_in_period(since, period) == months


def test_months_worked_in_a_school_year_count_from_september(institution):
    school_year = Period(starts_on=D(2025, 9, 1), ends_on=D(2026, 8, 31))
    assert eligibility.months_in_period(D(2025, 11, 1), school_year) == 10


def test_a_nominee_who_worked_ten_months_may_be_submitted(period, unit_a, nominee):
    nominee.employed_since = D(2026, 3, 1)
    nominee.save()
    dossier = make_dossier(period, unit_a, nominee=nominee)

    assert check_of(dossier, RuleCode.MONTHS_WORKED).passed
    assert submit(dossier).state == State.SUBMITTED


def test_a_nominee_who_worked_nine_months_is_refused_with_the_months_found(period, unit_a, nominee):
    nominee.employed_since = D(2026, 3, 2)
    nominee.save()
    dossier = make_dossier(period, unit_a, nominee=nominee)

    with pytest.raises(GuardFailed) as refusal:
        submit(dossier)

    assert refusal.value.reasons_en == [
        "Trần Thị Mai worked 9 months in Năm 2026; the award needs 10."
    ]


def test_months_worked_cannot_tell_without_a_start_date_and_only_warn(period, unit_a, nominee):
    dossier = make_dossier(period, unit_a, nominee=nominee)

    check = check_of(dossier, RuleCode.MONTHS_WORKED)

    assert check.outcome == eligibility.UNKNOWN and check.warns and not check.blocks
    assert submit(dossier).state == State.SUBMITTED


# --- validity dates -----------------------------------------------------------------------------


def test_a_rule_out_of_force_for_the_period_is_not_applied(institution, period, unit_a, nominee):
    set_rule(institution, RuleCode.MONTHS_WORKED, valid_to=D(2025, 12, 31))
    nominee.employed_since = D(2026, 6, 1)
    nominee.save()
    dossier = make_dossier(period, unit_a, nominee=nominee)

    assert check_of(dossier, RuleCode.MONTHS_WORKED) is None
    assert submit(dossier).state == State.SUBMITTED


def test_a_rule_in_force_from_after_the_period_is_not_applied(institution, period, unit_a, nominee):
    set_rule(institution, RuleCode.MONTHS_WORKED, valid_from=D(2027, 1, 1))
    dossier = make_dossier(period, unit_a, nominee=nominee)

    assert check_of(dossier, RuleCode.MONTHS_WORKED) is None


def test_the_version_in_force_at_the_period_end_decides(institution, period, unit_a, nominee):
    set_rule(institution, RuleCode.REGISTRATION, valid_to=D(2026, 6, 30))
    EligibilityRule.objects.create(
        institution=institution, code=RuleCode.REGISTRATION, severity=Severity.BLOCK,
        valid_from=D(2026, 7, 1),
    )  # fmt: skip
    dossier = make_dossier(period, unit_a, nominee=nominee)

    assert check_of(dossier, RuleCode.REGISTRATION).blocks


def test_each_rule_cites_its_legal_basis_and_article(period, unit_a, nominee):
    dossier = make_dossier(period, unit_a, nominee=nominee)

    assert check_of(dossier, RuleCode.RATING).basis == "Điều 24 khoản 1, 06/2022/QH15"


def test_an_institution_without_recorded_rules_applies_the_laws_defaults(
    institution, period, unit_a, nominee
):
    EligibilityRule.objects.filter(institution=institution).delete()
    dossier = make_dossier(period, unit_a, nominee=nominee)

    assert check_of(dossier, RuleCode.RATING).severity == Severity.BLOCK
    assert check_of(dossier, RuleCode.REGISTRATION).severity == Severity.WARN


# --- registration -------------------------------------------------------------------------------


def test_an_unregistered_nominee_is_warned_about_and_may_be_submitted(period, unit_a, nominee):
    dossier = make_dossier(period, unit_a, nominee=nominee)

    check = check_of(dossier, RuleCode.REGISTRATION)

    assert check.outcome == eligibility.FAIL and check.warns
    assert check.reason.text("en") == (
        "Trần Thị Mai did not register for “Advanced Worker” at the start of Năm 2026."
    )
    assert submit(dossier).state == State.SUBMITTED


def test_an_unregistered_nominee_is_refused_where_the_rule_blocks(
    institution, period, unit_a, nominee
):
    set_rule(institution, RuleCode.REGISTRATION, severity=Severity.BLOCK)
    dossier = make_dossier(period, unit_a, nominee=nominee)

    with pytest.raises(GuardFailed) as refusal:
        submit(dossier)

    assert "did not register" in refusal.value.reasons_en[0]


def test_a_registered_nominee_passes_the_registration_rule(period, unit_a, nominee):
    register(nominee, period)
    dossier = make_dossier(period, unit_a, nominee=nominee)

    assert check_of(dossier, RuleCode.REGISTRATION).passed


def test_a_registration_for_another_title_does_not_count(period, unit_a, nominee):
    register(nominee, period, award="certificate_of_merit")
    dossier = make_dossier(period, unit_a, nominee=nominee)

    assert not check_of(dossier, RuleCode.REGISTRATION).passed


def test_a_withdrawn_registration_does_not_count(period, unit_a, nominee):
    registration = register(nominee, period)
    registration.withdrawn_at = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
    registration.save()
    dossier = make_dossier(period, unit_a, nominee=nominee)

    assert not check_of(dossier, RuleCode.REGISTRATION).passed


# --- an initiative's scope, and the repealed cap ------------------------------------------------


def test_a_grassroots_initiative_is_not_enough_where_a_province_one_is_needed(
    period, unit_a, nominee
):
    for year in (2023, 2024, 2025):
        TitleRecord.objects.create(
            institution=period.institution, person=nominee, year=year,
            award_type=AwardType.objects.get(code="grassroots_emulation_fighter"),
            source=TitleRecord.Source.IMPORTED,
        )  # fmt: skip
    RecognisedInitiative.objects.create(
        institution=period.institution, person=nominee, period=period, scope="grassroots",
        kind="initiative", title="Sáng kiến cấp cơ sở", recognised_on=D(2026, 5, 1),
    )  # fmt: skip
    dossier = make_dossier(period, unit_a, nominee=nominee, award="provincial_emulation_fighter",
                           rating=Rating.COMPLETED_EXCELLENTLY)  # fmt: skip

    check = check_of(dossier, RuleCode.INITIATIVE_SCOPE)

    assert check.blocks
    assert check.reason.text("en") == (
        "Trần Thị Mai needs a recognised initiative of scope “Province” or wider in Năm 2026."
    )


def test_more_grassroots_fighters_than_fifteen_percent_are_all_submitted(institution, period):
    """The old cap "CSTĐCS ≤ 15% of LĐTT" was repealed by the 2022 law: it must not refuse."""
    unit = make_unit(institution, code="khoa-d", name="Khoa D")
    make_person(institution, unit, roles=["unit_head"], role_unit=unit, username="head-d")
    fighters = [make_person(institution, unit, full_name=f"Giảng viên {n}") for n in range(3)]
    for person in fighters:
        make_dossier(period, unit, nominee=person, rating=Rating.COMPLETED_EXCELLENTLY)
    dossiers = [
        make_dossier(period, unit, nominee=person, award="grassroots_emulation_fighter",
                     rating=Rating.COMPLETED_EXCELLENTLY)
        for person in fighters
    ]  # fmt: skip
    for person in fighters:
        submit(person.nominations.get(award_type__code="advanced_worker"))

    assert [submit(d).state for d in dossiers] == [State.SUBMITTED] * 3


# --- collectives: every member rated, one member with a title -----------------------------------


@pytest.fixture
def collective(institution):
    unit = make_unit(institution, code="phong-x", name="Phòng X")
    make_person(institution, unit, roles=["unit_head"], role_unit=unit, username="head-x")
    members = [make_person(institution, unit, full_name=f"Thành viên {n}") for n in range(4)]
    return unit, members


def rate_all(members, period, rating=Rating.COMPLETED_WELL):
    for member in members:
        AnnualRating.objects.update_or_create(
            institution=member.institution, person=member, period=period,
            defaults={"rating": rating},
        )  # fmt: skip


def test_a_collective_with_a_member_who_did_not_complete_tasks_fails(period, collective):
    unit, members = collective
    rate_all(members, period)
    rate_all(members[:1], period, Rating.NOT_COMPLETED)
    dossier = make_dossier(period, unit, nominee=unit, award="excellent_collective")

    check = check_of(dossier, RuleCode.MEMBERS_RATING)

    assert check.blocks
    expected = "1 of 5 members are rated below “Completed tasks” for Năm 2026."
    assert check.reason.text("en") == expected


def test_a_collective_with_unrated_members_cannot_be_told(period, collective):
    unit, members = collective
    rate_all(members[:2], period)
    dossier = make_dossier(period, unit, nominee=unit, award="excellent_collective")

    check = check_of(dossier, RuleCode.MEMBERS_RATING)

    assert check.outcome == eligibility.UNKNOWN and not check.blocks


def test_a_collective_without_a_grassroots_fighter_fails_the_one_member_rule(period, collective):
    unit, _members = collective
    dossier = make_dossier(period, unit, nominee=unit, award="excellent_collective")

    check = check_of(dossier, RuleCode.MEMBERS_ONE_TITLE)

    assert check.blocks


def test_a_collective_with_one_grassroots_fighter_passes_the_one_member_rule(period, collective):
    unit, members = collective
    TitleRecord.objects.create(
        institution=period.institution, person=members[0], year=period.year,
        award_type=AwardType.objects.get(code="grassroots_emulation_fighter"),
        source=TitleRecord.Source.IMPORTED,
    )  # fmt: skip
    dossier = make_dossier(period, unit, nominee=unit, award="excellent_collective")

    assert check_of(dossier, RuleCode.MEMBERS_ONE_TITLE).passed


# --- the short path of an ad hoc award ----------------------------------------------------------


@pytest.fixture
def ad_hoc(institution, period, principal):
    return Movement.objects.create(
        institution=institution, kind="ad_hoc", name="Khen thưởng đột xuất cứu người",
        period=period, targets="—", starts_on=D(2026, 5, 1), ends_on=D(2026, 5, 31),
        plan="movements/plan.pdf", plan_name="plan.pdf", plan_sha256="0" * 64,
        launched_by=principal,
    )  # fmt: skip


def test_an_ad_hoc_award_needs_only_its_short_path_documents(period, unit_a, nominee, ad_hoc):
    from dossiers import services
    from tests.conftest import pdf_upload

    award = AwardType.objects.get(code="certificate_of_merit")
    dossier = services.create_dossier(
        person=Cast(period.institution).head_of(unit_a), unit=unit_a, period=period,
        award_type=award, achievement_summary="Cứu người đuối nước", nominee_person=nominee,
        movement=ad_hoc,
        documents=[(DocumentKind.objects.get(code="proposal_memo"), pdf_upload())],
    )  # fmt: skip

    assert submit(dossier).state == State.SUBMITTED


def test_an_ad_hoc_award_skips_the_registration_rule(period, unit_a, nominee, ad_hoc):
    dossier = make_dossier(period, unit_a, nominee=nominee, award="certificate_of_merit")
    dossier.movement = ad_hoc
    dossier.save()

    assert check_of(dossier, RuleCode.REGISTRATION) is None


def test_an_award_not_given_ad_hoc_is_refused_in_an_ad_hoc_movement(
    period, unit_a, nominee, ad_hoc
):
    from django.core.exceptions import ValidationError

    from dossiers import services

    with pytest.raises(ValidationError) as refusal:
        services.create_dossier(
            person=Cast(period.institution).head_of(unit_a), unit=unit_a, period=period,
            award_type=AwardType.objects.get(code="advanced_worker"), nominee_person=nominee,
            achievement_summary="—", movement=ad_hoc,
        )  # fmt: skip

    assert "movement" in refusal.value.message_dict
    assert not nominee.nominations.exists()


def test_the_law_basis_of_a_rule_is_a_legal_text_of_the_catalogue(institution):
    rule = EligibilityRule.objects.get(institution=institution, code=RuleCode.MONTHS_WORKED)
    assert rule.legal_basis == LegalBasis.objects.get(code="152/2025/NĐ-CP")


@pytest.mark.parametrize(("holders", "passed"), [(69, False), (70, True)])
def test_a_collective_needs_seventy_percent_of_its_members_advanced_workers(
    institution, period, holders, passed
):
    from dossiers.models import Person

    unit = make_unit(institution, code="khoa-lon", name="Khoa Lớn")
    head = make_person(institution, unit, roles=["unit_head"], role_unit=unit, username="head-l")
    members = Person.objects.bulk_create(
        Person(institution=institution, unit=unit, full_name=f"Viên chức {n:03d}", gender="female")
        for n in range(99)
    )  # with the head, 100 members
    worker = AwardType.objects.get(institution=institution, code="advanced_worker")
    TitleRecord.objects.bulk_create(
        TitleRecord(institution=institution, person=person, award_type=worker, year=period.year,
                    source=TitleRecord.Source.IMPORTED)
        for person in [head, *members][:holders]
    )  # fmt: skip
    dossier = make_dossier(period, unit, nominee=unit, award="advanced_collective")

    check = check_of(dossier, RuleCode.MEMBERS_TITLE)

    assert check.passed is passed
    assert check.reason.text("en").startswith(f"{holders} of 100 members hold")
