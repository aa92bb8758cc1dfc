"""The council's agenda shows what was let through with a warning, and the law's tie-break where
nominees compete for a capped share (../shared/domain.md, "Quotas and fairness")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from council.models import AgendaItem
from dossiers import caps, eligibility
from dossiers.models import AnnualRating, Person, Rating, Registration, State
from tests.conftest import make_person
from tests.factories import dossier_in, login


def agenda_with(period, unit, count):
    first = dossier_in(State.VOTING, period, unit)
    meeting = first.agenda_items.get().meeting
    dossiers = [first]
    for position in range(2, count + 1):
        dossier = dossier_in(State.REVIEWED, period, unit)
        AgendaItem.objects.create(meeting=meeting, dossier=dossier, position=position)
        dossiers.append(dossier)
    return meeting, dossiers


def test_an_unregistered_nominee_is_warned_about_on_the_agenda(period, unit_a, secretary):
    meeting, _dossiers = agenda_with(period, unit_a, 1)

    response = login(secretary).get(reverse("meeting_detail", args=[meeting.pk]))

    ((_item, warnings),) = response.context["agenda_rows"]
    assert [w.code for w in warnings] == ["registration", "months_worked"]
    assert "không đăng ký danh hiệu" in response.content.decode()


def test_a_registered_nominee_with_known_months_has_no_warning(period, unit_a, secretary):
    meeting, (dossier,) = agenda_with(period, unit_a, 1)
    person = dossier.nominee_person
    person.employed_since = period.starts_on
    person.save()
    Registration.objects.create(
        institution=period.institution, period=period, unit=unit_a, nominee_person=person,
        award_type=dossier.award_type, targets="—", registered_by=person,
    )  # fmt: skip

    response = login(secretary).get(reverse("meeting_detail", args=[meeting.pk]))

    assert response.context["agenda_rows"][0][1] == []


@pytest.mark.parametrize("count", [1, 6])
def test_the_agenda_s_warnings_take_the_same_queries_whatever_its_length(
    period, unit_a, count, django_assert_num_queries
):
    meeting, dossiers = agenda_with(period, unit_a, count)
    loaded = [item.dossier for item in AgendaItem.objects.filter(meeting=meeting).select_related(
        "dossier__award_type", "dossier__nominee_person", "dossier__nominee_unit",
        "dossier__movement")]  # fmt: skip

    with django_assert_num_queries(2):  # the rules in force, the registrations
        found = eligibility.agenda_warnings(loaded, period)

    assert set(found) == {d.pk for d in dossiers}


def person(institution, unit, name, *, gender, leader=False) -> Person:
    return make_person(institution, unit, full_name=name, gender=gender,
                       holds_leadership_post=leader)  # fmt: skip


def test_the_tie_break_puts_frontline_staff_first_then_women(institution, period, unit_a):
    people = [
        person(institution, unit_a, "Trưởng khoa nam", gender="male", leader=True),
        person(institution, unit_a, "Trưởng bộ môn nữ", gender="female", leader=True),
        person(institution, unit_a, "Giảng viên nam", gender="male"),
        person(institution, unit_a, "Giảng viên nữ", gender="female"),
    ]
    dossiers = [dossier_in(State.REVIEWED, period, unit_a, nominee=p) for p in people]

    ordered = [d.nominee_person.full_name for d in caps.tie_break_order(dossiers)]

    assert ordered == ["Giảng viên nữ", "Giảng viên nam", "Trưởng bộ môn nữ", "Trưởng khoa nam"]


def test_the_agenda_notes_the_tie_break_under_a_unit_over_its_cap(
    institution, period, unit_a, secretary
):
    meeting, _dossiers = agenda_with(period, unit_a, 2)
    for n, rating in enumerate([Rating.COMPLETED_EXCELLENTLY] * 2 + [Rating.COMPLETED_WELL] * 3):
        AnnualRating.objects.create(
            institution=institution, period=period, rating=rating,
            person=make_person(institution, unit_a, full_name=f"Viên chức {n}"),
        )  # fmt: skip

    text = login(secretary).get(reverse("meeting_detail", args=[meeting.pk])).content.decode()

    assert "pháp luật ưu tiên người trực tiếp làm việc" in text


def test_the_agenda_has_no_tie_break_note_when_no_unit_is_over_its_cap(period, unit_a, secretary):
    meeting, _dossiers = agenda_with(period, unit_a, 2)

    text = login(secretary).get(reverse("meeting_detail", args=[meeting.pk])).content.decode()

    assert "pháp luật ưu tiên" not in text
