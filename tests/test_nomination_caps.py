"""Caps an institution sets itself on nominations for an award: the usage is shown to reviewers
and on the agenda with the law's tie-break when over, and nothing is ever refused for it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from council.models import AgendaItem
from dossiers import caps
from dossiers.models import AwardType, NominationCap, Person, State
from tests.conftest import make_person, make_unit
from tests.factories import dossier_in, login


def cap_on(institution, code="advanced_worker", percent=30, name="LĐTT"):
    return NominationCap.objects.create(
        institution=institution, name=name, percent=Decimal(percent),
        award_type=AwardType.objects.get(institution=institution, code=code),
    )  # fmt: skip


def unit_of(institution, size: int):
    unit = make_unit(institution, code=f"u{size}", name=f"Đơn vị {size}")
    Person.objects.bulk_create(
        Person(institution=institution, unit=unit, full_name=f"Người {n}", gender="male")
        for n in range(size)
    )
    return unit


@pytest.mark.parametrize(("members", "allowed"), [(1, 0), (4, 0), (5, 1), (6, 1), (20, 4)])
def test_a_cap_allows_its_share_of_the_members_rounded_down(institution, period, members, allowed):
    cap_on(institution, percent=20)
    unit = unit_of(institution, members)

    (share,) = caps.nomination_shares([unit], period)[unit.pk]

    assert share.allowed == allowed


def test_nominations_from_submission_on_count_and_drafts_do_not(institution, period, unit_a):
    cap_on(institution)
    dossier_in(State.DRAFT, period, unit_a)
    dossier_in(State.SUBMITTED, period, unit_a)
    dossier_in(State.REVIEWED, period, unit_a)
    dossier_in(State.WITHDRAWN, period, unit_a)

    (share,) = caps.nomination_shares([unit_a], period)[unit_a.pk]

    assert share.nominated == 2


def test_a_unit_over_the_cap_is_warned_and_still_submits(institution, period, unit_a, head_a):
    cap_on(institution, percent=10)
    first = dossier_in(State.SUBMITTED, period, unit_a)
    second = dossier_in(State.SUBMITTED, period, unit_a)

    (share,) = caps.nomination_shares([unit_a], period)[unit_a.pk]

    assert share.exceeded and {first.state, second.state} == {State.SUBMITTED}
    assert share.usage == f"LĐTT 2 / {share.allowed}"
    assert share.warning.text("en").startswith("Khoa Toán: 2 nominated for")


def test_no_cap_costs_one_query_and_shows_nothing(period, unit_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert caps.nomination_shares([unit_a], period) == {}


def test_the_shares_of_many_units_take_three_queries(
    institution, period, django_assert_num_queries
):
    cap_on(institution)
    units = [unit_of(institution, size) for size in (3, 7, 12)]

    with django_assert_num_queries(3):
        found = caps.nomination_shares(units, period)

    assert [found[u.pk][0].members for u in units] == [3, 7, 12]


def test_the_dossier_page_shows_the_units_usage_of_the_cap_on_its_award(
    institution, period, unit_a, reviewer
):
    cap_on(institution, percent=10)
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    text = login(reviewer).get(reverse("dossier_detail", args=[dossier.pk])).content.decode()

    assert "LĐTT 1 / 0" in text


def test_the_agenda_lists_the_competing_nominees_in_tie_break_order_when_over(
    institution, period, unit_a, secretary
):
    cap_on(institution, percent=10)
    man = make_person(institution, unit_a, full_name="Giảng viên nam", gender="male")
    woman = make_person(institution, unit_a, full_name="Giảng viên nữ", gender="female")
    leader = make_person(institution, unit_a, full_name="Trưởng bộ môn", gender="female",
                         holds_leadership_post=True)  # fmt: skip
    first = dossier_in(State.VOTING, period, unit_a, nominee=leader)
    meeting = first.agenda_items.get().meeting
    for position, person in enumerate((man, woman), start=2):
        reviewed = dossier_in(State.REVIEWED, period, unit_a, nominee=person)
        AgendaItem.objects.create(meeting=meeting, dossier=reviewed, position=position)

    response = login(secretary).get(reverse("meeting_detail", args=[meeting.pk]))

    rows = [(s, p) for s, p in response.context["excellent_shares"] if hasattr(s, "cap")]
    ((share, priority),) = rows
    assert share.exceeded
    assert [d.nominee_person.full_name for d in priority] == [
        "Giảng viên nữ", "Giảng viên nam", "Trưởng bộ môn",
    ]  # fmt: skip
