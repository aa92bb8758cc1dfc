"""The fairness statistics equal counts made by hand from a known year of dossiers.

The dossiers reach their states through the real services (tests.factories), so every count the
page reads from the trail (submitted, returned, recommended) is there as people leave it.
"""

from __future__ import annotations

import datetime

import pytest

from dossiers.models import AnnualRating, Period, Person, Rating, State
from fairness import awards as shares
from fairness import report, selectors
from tests.conftest import make_person, make_unit
from tests.factories import act, dossier_in

MEASURES = [m.key for m in selectors.measures()]


def row(counts_rows, label) -> dict[str, int]:
    """A counts table's line, by its label, as {measure: count}."""
    (found,) = [r for r in counts_rows if r.label == label]
    return dict(zip(MEASURES, found.counts, strict=True))


def zero(**counts) -> dict[str, int]:
    return dict.fromkeys(MEASURES, 0) | counts


def counts_of(institution, period, periods):
    return selectors.counts(institution.pk, period, periods, selectors.units(institution.pk))


@pytest.fixture
def earlier(institution):
    return Period.objects.create(
        institution=institution, name="Năm 2025", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
    )  # fmt: skip


@pytest.fixture
def leader(institution, unit_a):
    return make_person(
        institution, unit_a, holds_leadership_post=True, gender=Person.Gender.MALE,
        position="Trưởng bộ môn",
    )  # fmt: skip


@pytest.fixture
def frontline_woman(institution, unit_b):
    return make_person(institution, unit_b, gender=Person.Gender.FEMALE, position="Giảng viên")


@pytest.fixture
def year(period, earlier, unit_a, unit_b, leader, frontline_woman):
    """Khoa Toán: a leader awarded, one returned and resubmitted, one declined, one draft, one
    award revoked. Khoa Văn: one recommended, a frontline woman awarded. 2025: one award."""
    dossier_in(State.SIGNED, period, unit_a, nominee=leader)
    returned = dossier_in(State.RETURNED, period, unit_a)
    act(returned, "resubmit", returned.created_by)
    dossier_in(State.DECLINED, period, unit_a)
    dossier_in(State.DRAFT, period, unit_a)
    dossier_in(State.REVOKED, period, unit_a)
    dossier_in(State.RECOMMENDED, period, unit_b)
    dossier_in(State.SIGNED, period, unit_b, nominee=frontline_woman)
    dossier_in(State.SIGNED, earlier, unit_a)


def test_the_counts_per_unit_are_those_of_the_dossiers_trail(institution, period, year):
    counts = counts_of(institution, period, [period])

    assert row(counts.per_unit, "Khoa Toán") == zero(
        nominated=4, returned=1, declined=1, recommended=2, signed=2, revoked=1
    )
    assert row(counts.per_unit, "Khoa Văn") == zero(nominated=2, recommended=2, signed=1)


def test_a_returned_dossier_resubmitted_is_still_counted_as_returned(institution, period, unit_a):
    returned = dossier_in(State.RETURNED, period, unit_a)
    act(returned, "resubmit", returned.created_by)

    counts = counts_of(institution, period, [period])

    assert row(counts.per_unit, "Khoa Toán") == zero(nominated=1, returned=1)


def test_a_draft_or_a_dossier_withdrawn_before_submission_is_no_nomination(
    institution, period, unit_a
):
    dossier_in(State.DRAFT, period, unit_a)
    dossier_in(State.WITHDRAWN, period, unit_a)

    assert row(counts_of(institution, period, [period]).per_unit, "Khoa Toán") == zero()


def test_a_unit_without_dossiers_is_listed_with_zeros(institution, period, unit_a, unit_b):
    dossier_in(State.SUBMITTED, period, unit_a)

    counts = counts_of(institution, period, [period])

    assert row(counts.per_unit, "Khoa Văn") == zero()


def test_the_trends_give_each_periods_totals_oldest_first(institution, period, earlier, year):
    counts = counts_of(institution, period, [period, earlier])

    assert [r.label for r in counts.per_period] == ["Năm 2025", "Năm 2026"]
    assert row(counts.per_period, "Năm 2025") == zero(nominated=1, recommended=1, signed=1)
    assert row(counts.per_period, "Năm 2026") == zero(
        nominated=6, returned=1, declined=1, recommended=4, signed=3, revoked=1
    )


def test_another_institutions_dossiers_and_people_are_never_counted(
    institution, other_institution, period, unit_a
):
    their_unit = make_unit(other_institution, "khoa-x", "Khoa X")
    their_period = Period.objects.create(
        institution=other_institution, name="Năm 2026", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31), is_current=True,
    )  # fmt: skip
    boss = make_person(other_institution, their_unit, holds_leadership_post=True)
    dossier_in(State.SIGNED, their_period, their_unit, nominee=boss)
    ours = list(Person.objects.filter(institution=institution))

    counts = counts_of(institution, period, [period])
    awards = shares.awards(institution.pk, period, selectors.units(institution.pk))

    assert "Khoa X" not in [r.label for r in counts.per_unit]
    assert row(counts.per_period, "Năm 2026") == zero()
    assert [(s.people, s.awarded) for s in awards.by_post] == [(0, 0), (len(ours), 0)]


def test_awards_in_force_split_leaders_from_frontline_staff(
    institution, period, year, leader, frontline_woman
):
    staff = list(Person.objects.filter(institution=institution, is_active=True))

    leaders, frontline = shares.awards(
        institution.pk, period, selectors.units(institution.pk)
    ).by_post

    assert (leaders.people, leaders.awarded, leaders.awards, leaders.share) == (1, 1, 1, 100.0)
    expected_frontline = len([p for p in staff if not p.holds_leadership_post])
    assert (frontline.people, frontline.awarded, frontline.awards) == (expected_frontline, 1, 1)
    assert frontline.share == round(100 / expected_frontline, 1)


def test_a_revoked_award_and_an_award_of_another_period_are_not_in_force(
    institution, period, earlier, unit_a
):
    dossier_in(State.REVOKED, period, unit_a)
    dossier_in(State.SIGNED, earlier, unit_a)

    awards = shares.awards(institution.pk, period, selectors.units(institution.pk))

    assert sum(s.awarded for s in awards.by_post) == 0
    assert sum(s.awards for s in awards.by_post) == 0


def test_two_awards_of_one_person_count_one_person_awarded_and_two_awards(
    institution, period, unit_a, leader
):
    AnnualRating.objects.create(
        institution=institution, person=leader, period=period, rating=Rating.COMPLETED_EXCELLENTLY
    )
    dossier_in(State.SIGNED, period, unit_a, nominee=leader)
    dossier_in(State.SIGNED, period, unit_a, award="grassroots_emulation_fighter", nominee=leader)

    leaders, _frontline = shares.awards(
        institution.pk, period, selectors.units(institution.pk)
    ).by_post

    assert (leaders.awarded, leaders.awards) == (1, 2)


def test_awards_split_by_gender(institution, period, year):
    from django.utils import translation

    staff = list(Person.objects.filter(institution=institution, is_active=True))

    with translation.override("en"):
        women, men = shares.awards(
            institution.pk, period, selectors.units(institution.pk)
        ).by_gender

    assert (women.label, men.label) == ("Female", "Male")
    assert (men.people, men.awarded) == (1, 1)
    assert (women.people, women.awarded) == (len(staff) - 1, 1)


def test_a_person_who_left_after_their_award_is_still_counted(
    institution, period, unit_b, frontline_woman
):
    dossier_in(State.SIGNED, period, unit_b, nominee=frontline_woman)
    Person.objects.filter(pk=frontline_woman.pk).update(is_active=False)
    active = Person.objects.filter(institution=institution, is_active=True).count()

    women, _men = shares.awards(institution.pk, period, selectors.units(institution.pk)).by_gender

    assert (women.people, women.awarded) == (active + 1, 1)


def test_awards_split_by_the_size_of_the_unit(institution, period, unit_a, unit_b, leader):
    for _n in range(6):
        make_person(institution, unit_b)
    dossier_in(State.SIGNED, period, unit_a, nominee=leader)
    members = {
        unit: Person.objects.filter(unit=unit, is_active=True).count() for unit in (unit_a, unit_b)
    }
    assert members[unit_a] <= 5 < members[unit_b] <= 10  # the head and the leader; 6 and more

    small, middle, large, largest = shares.awards(
        institution.pk, period, selectors.units(institution.pk)
    ).by_unit_size

    assert (middle.units, middle.people, middle.awarded) == (1, members[unit_b], 0)
    assert small.awarded == 1 and small.people >= members[unit_a]
    assert (large.units, largest.units, large.share) == (0, 0, None)


@pytest.mark.parametrize(
    ("low", "high", "label"),
    [(0, 5, "up to 5 members"), (6, 10, "6–10 members"), (21, None, "more than 20 members")],
)
def test_the_unit_sizes_are_named_by_their_bounds(low, high, label):
    from django.utils import translation

    with translation.override("en"):
        assert shares.size_label(low, high) == label


def test_the_total_line_adds_up_the_units(institution, period, year):
    tables = report.build(institution.pk, period, [period])
    units = report.by_key(tables, "units").sheet.rows

    *lines, total = units

    assert total[1:] == [sum(line[i] for line in lines) for i in range(1, len(total))]
    assert total[2] == 6  # nominations (after the registrations)


def test_each_unit_shows_its_leaders_and_frontline_staff_awarded(
    institution, period, year, unit_a, unit_b
):
    in_unit = {
        unit.name: list(Person.objects.filter(unit=unit, is_active=True))
        for unit in (unit_a, unit_b)
    }

    rows = shares.awards(institution.pk, period, selectors.units(institution.pk)).by_unit_and_post

    by_unit = {r.label: r for r in rows}
    toan, van = by_unit["Khoa Toán"], by_unit["Khoa Văn"]
    assert (toan.leaders.people, toan.leaders.awarded, toan.leaders.share) == (1, 1, 100.0)
    assert (toan.frontline.people, toan.frontline.awarded) == (len(in_unit["Khoa Toán"]) - 1, 0)
    assert (van.leaders.people, van.leaders.share) == (0, None)
    assert (van.frontline.people, van.frontline.awarded) == (len(in_unit["Khoa Văn"]), 1)


def test_the_awards_to_leaders_and_frontline_staff_over_the_periods(
    institution, period, earlier, year
):
    rows = shares.posts_per_period(institution.pk, [period, earlier])

    assert [(r.label, r.leaders, r.frontline, r.leaders_share) for r in rows] == [
        ("Năm 2025", 0, 1, 0.0),
        ("Năm 2026", 1, 1, 50.0),
    ]


def drafts_per_period_and_unit(institution_id):
    """A count from another table than the trail, as a registrations column will be."""
    from django.db.models import Count

    from dossiers.models import Dossier

    rows = (
        Dossier.objects.of(institution_id)
        .filter(state=State.DRAFT)
        .values_list("period_id", "unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(period_id, unit_id): {"drafts": n} for period_id, unit_id, n in rows}


def test_one_more_source_adds_its_column_to_the_unit_and_trend_tables(
    monkeypatch, institution, period, unit_a
):
    dossier_in(State.DRAFT, period, unit_a)
    dossier_in(State.SUBMITTED, period, unit_a)
    drafts = selectors.Source(
        (selectors.Measure("drafts", "Nháp", "Hồ sơ còn là bản nháp."),), drafts_per_period_and_unit
    )
    monkeypatch.setattr(selectors, "SOURCES", [*selectors.SOURCES, drafts])

    tables = report.build(institution.pk, period, [period])

    units, trends = report.by_key(tables, "units"), report.by_key(tables, "trends")
    assert [str(c.header) for c in units.sheet.columns][-1] == "Nháp"
    (toan,) = [line for line in units.sheet.rows if line[0] == "Khoa Toán"]
    assert (toan[2], toan[-1]) == (1, 1)  # one nomination, one draft
    assert trends.sheet.rows[0][-1] == 1
    assert ("Nháp", "Hồ sơ còn là bản nháp.") in units.legend


def test_registrations_are_counted_per_unit_withdrawn_ones_aside(
    institution, period, unit_a, unit_b
):
    from django.utils import timezone

    from dossiers.models import AwardType, Registration

    award = AwardType.objects.get(institution=institution, code="advanced_worker")
    people = [make_person(institution, unit_a, full_name=f"GV {n}") for n in range(3)]
    for person in people:
        Registration.objects.create(
            institution=institution, period=period, unit=unit_a, nominee_person=person,
            award_type=award, targets="—", registered_by=person,
        )  # fmt: skip
    Registration.objects.filter(nominee_person=people[0]).update(withdrawn_at=timezone.now())

    tables = report.build(institution.pk, period, [period])

    units = report.by_key(tables, "units")
    assert str(units.sheet.columns[1].header) == "Đăng ký thi đua"
    rows = {line[0]: line for line in units.sheet.rows}
    assert (rows[unit_a.name][1], rows[unit_b.name][1]) == (2, 0)
