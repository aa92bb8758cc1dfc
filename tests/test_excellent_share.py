"""The share of a unit rated "completed tasks excellently" against its cap: shown with its usage,
warned about when exceeded, never a refusal."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from council.models import AgendaItem
from dossiers import caps
from dossiers.models import (
    AnnualRating,
    AwardType,
    ExcellentShareCap,
    Rating,
    State,
    TitleRecord,
)
from tests.conftest import make_dossier, make_person
from tests.factories import dossier_in, login
from tests.test_lifecycle_matrix import act

WELL, EXCELLENT = Rating.COMPLETED_WELL, Rating.COMPLETED_EXCELLENTLY


def rate(unit, period, *ratings):
    for rating in ratings:
        person = make_person(unit.institution, unit)
        AnnualRating.objects.create(
            institution=unit.institution, person=person, period=period, rating=rating
        )


def share_of(unit, period) -> caps.ExcellentShare:
    return caps.excellent_shares([unit], period)[unit.pk]


@pytest.mark.parametrize(
    ("rated", "allowed"), [(1, 0), (4, 0), (5, 1), (6, 1), (20, 4)], ids=lambda v: str(v)
)
def test_the_cap_allows_a_fifth_of_those_rated_well_or_better_rounded_down(
    period, unit_a, rated, allowed
):
    rate(unit_a, period, *[EXCELLENT] * (allowed + 1), *[WELL] * (rated - allowed - 1))

    share = share_of(unit_a, period)

    assert share.rated_well_or_better == rated and share.allowed == allowed
    assert share.exceeded  # one more than allowed


def test_a_unit_at_its_cap_is_not_warned(period, unit_a):
    rate(unit_a, period, EXCELLENT, WELL, WELL, WELL, WELL)

    share = share_of(unit_a, period)

    assert share.usage == "HTXS 1 / 1"
    assert not share.exceeded and share.warning is None


def test_staff_rated_below_well_are_not_counted_in_the_base(period, unit_a):
    rate(unit_a, period, EXCELLENT, WELL, WELL, WELL, WELL, Rating.COMPLETED, Rating.COMPLETED)

    assert share_of(unit_a, period).rated_well_or_better == 5


def unit_title_last_year(unit, period, code="excellent_collective"):
    TitleRecord.objects.create(
        institution=unit.institution, unit=unit, year=period.year - 1,
        award_type=AwardType.objects.get(institution=unit.institution, code=code),
        source=TitleRecord.Source.IMPORTED,
    )  # fmt: skip


def test_a_unit_excellent_last_year_may_have_a_quarter_rated_excellent(period, unit_a):
    unit_title_last_year(unit_a, period)
    rate(unit_a, period, EXCELLENT, WELL, WELL, WELL)

    share = share_of(unit_a, period)

    assert share.allowed == 1 and not share.exceeded


def test_the_cap_is_data_the_institution_can_change(period, unit_a):
    ExcellentShareCap.objects.filter(institution=unit_a.institution).update(percent=50)
    rate(unit_a, period, EXCELLENT, EXCELLENT, WELL, WELL)

    assert not share_of(unit_a, period).exceeded


def test_the_shares_of_many_units_take_three_queries(
    period, unit_a, unit_b, django_assert_num_queries
):
    rate(unit_a, period, EXCELLENT, WELL)
    rate(unit_b, period, WELL)

    with django_assert_num_queries(3):
        shares = caps.excellent_shares([unit_a, unit_b], period)

    assert [shares[unit_a.pk].usage, shares[unit_b.pk].usage] == ["HTXS 1 / 0", "HTXS 0 / 0"]


def test_the_dossier_page_warns_of_a_unit_over_its_cap_with_the_usage(period, unit_a, head_a):
    rate(unit_a, period, EXCELLENT, EXCELLENT, WELL, WELL, WELL)
    dossier = make_dossier(period, unit_a)

    text = login(head_a).get(f"/dossiers/{dossier.pk}/").content.decode()

    assert "HTXS 2 / 1" in text
    assert "nhiều hơn 1 người được phép" in text


def test_a_unit_over_its_cap_may_still_submit(period, unit_a, head_a):
    rate(unit_a, period, EXCELLENT, EXCELLENT, WELL)
    dossier = make_dossier(period, unit_a)

    assert act(dossier, "submit", head_a).state == "submitted"


def test_an_institution_installed_before_the_cap_gets_the_default(institution):
    ExcellentShareCap.objects.filter(institution=institution).delete()
    migration = importlib.import_module("dossiers.migrations.0012_excellent_share_cap")

    migration.law_default(apps, None)

    cap = ExcellentShareCap.objects.get(institution=institution)
    assert (cap.percent, cap.excellent_unit_percent) == (20, 25)
    assert cap.excellent_unit_award.code == "excellent_collective"


def test_the_agenda_shows_each_units_share_and_warns_of_one_over_its_cap(
    period, unit_a, unit_b, secretary
):
    rate(unit_a, period, EXCELLENT, EXCELLENT, WELL, WELL, WELL)
    rate(unit_b, period, EXCELLENT, WELL, WELL, WELL, WELL)
    meeting = dossier_in(State.VOTING, period, unit_a).agenda_items.get().meeting
    reviewed = dossier_in(State.REVIEWED, period, unit_b)
    AgendaItem.objects.create(meeting=meeting, dossier=reviewed, position=2)

    response = login(secretary).get(reverse("meeting_detail", args=[meeting.pk]))

    shares = {s.unit.pk: s for s, _priority in response.context["excellent_shares"]}
    assert shares[unit_a.pk].exceeded and not shares[unit_b.pk].exceeded
    text = response.content.decode()
    assert "HTXS 2 / 1" in text and "HTXS 1 / 1" in text
