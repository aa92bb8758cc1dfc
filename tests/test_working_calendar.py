"""Working days over the entered calendar: holidays skipped, make-up Saturdays counted, a year
not entered counted by weekends only and said so; the calendar is audited data."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from decisions import notices
from dossiers import workdays
from dossiers.models import CalendarDay, HolidayYear, State
from tests.factories import dossier_in, login

D = datetime.date
OFF, WORKED = CalendarDay.Kind.DAY_OFF, CalendarDay.Kind.WORKING_DAY


def entered(year: int, *days: tuple[datetime.date, str]) -> HolidayYear:
    for date, kind in days:
        CalendarDay.objects.create(date=date, kind=kind, name_vi="Ngày nghỉ")
    return HolidayYear.objects.create(year=year, announcement="Thông báo số 1/TB-BNV")


def ends(start: datetime.date, n: int) -> datetime.date:
    return workdays.add_working_days(start, n).ends_on


def test_an_entered_day_off_is_not_counted(db):
    # Fri 24/4/2026; days off Mon 27/4 (compensatory), Thu 30/4, Fri 1/5.
    entered(2026, (D(2026, 4, 27), OFF), (D(2026, 4, 30), OFF), (D(2026, 5, 1), OFF))

    assert ends(D(2026, 4, 24), 3) == D(2026, 5, 4)  # Tue 28, Wed 29, Mon 4


def test_a_notice_over_tet_ends_after_the_whole_holiday(db):
    tet = [(D(2026, 2, 16) + datetime.timedelta(days=i), OFF) for i in range(5)]  # Mon-Fri
    entered(2026, *tet)

    assert ends(D(2026, 2, 13), 5) == D(2026, 2, 27)


def test_a_weekend_day_worked_in_exchange_is_counted(db):
    entered(2026, (D(2026, 1, 3), WORKED))  # a Saturday

    assert ends(D(2026, 1, 2), 1) == D(2026, 1, 3)


def test_a_deadline_in_an_entered_year_carries_no_warning(db):
    entered(2026)

    assert workdays.add_working_days(D(2026, 3, 6), 5).warning() is None


def test_a_deadline_reaching_a_year_not_entered_warns_naming_that_year(db):
    entered(2026)

    deadline = workdays.add_working_days(D(2026, 12, 28), 5)

    assert deadline.ends_on == D(2027, 1, 4)  # Tue 29 .. Thu 31, Fri 1/1 (not entered), Mon 4
    assert deadline.years_not_entered == (2027,)
    assert "2027" in deadline.warning() and "04/01/2027" in deadline.warning()


def test_a_day_off_on_a_sunday_is_refused_pointing_to_the_compensatory_day(db):
    day = CalendarDay(date=D(2026, 4, 26), kind=OFF, name_vi="Giỗ Tổ Hùng Vương")

    with pytest.raises(ValidationError) as refused:
        day.full_clean()

    assert "nghỉ bù" in str(refused.value.message_dict["date"])


def test_a_weekday_cannot_be_a_make_up_working_day(db):
    day = CalendarDay(date=D(2026, 1, 7), kind=WORKED, name_vi="Làm bù")

    with pytest.raises(ValidationError) as refused:
        day.full_clean()

    assert "kind" in refused.value.message_dict


def test_counting_reads_the_calendar_in_two_queries(db, django_assert_num_queries):
    entered(2026, *[(D(2026, 2, 16) + datetime.timedelta(days=i), OFF) for i in range(5)])

    with django_assert_num_queries(2):
        workdays.add_working_days(D(2026, 2, 1), 40)


# Publishing a notice


def test_a_published_notice_ends_after_the_entered_holidays(period, unit_a, secretary):
    entered(2026, (D(2026, 4, 27), OFF), (D(2026, 4, 30), OFF), (D(2026, 5, 1), OFF))
    dossier = dossier_in(State.RECOMMENDED, period, unit_a, award="grassroots_emulation_fighter")

    (notice,) = notices.publish(dossier_ids=[dossier.pk], person=secretary, today=D(2026, 4, 24))

    assert notice.ends_on == D(2026, 5, 6)  # five working days: 28, 29, 4, 5, 6
    event = AuditEvent.objects.get(action="dossier.published", object_id=str(dossier.pk))
    assert event.payload["ends_on"] == "2026-05-06"


def published_through_the_page(period, unit_a, secretary):
    dossier = dossier_in(State.RECOMMENDED, period, unit_a, award="grassroots_emulation_fighter")
    return login(secretary).post(reverse("notice_publish"), {"dossiers": [dossier.pk]}, follow=True)


def test_the_publish_page_warns_when_the_year_of_the_notice_is_not_entered(
    period, unit_a, secretary
):
    response = published_through_the_page(period, unit_a, secretary)

    text = response.content.decode()
    assert "chưa được nhập vào lịch làm việc" in text


def test_the_publish_page_does_not_warn_when_the_calendar_is_entered(period, unit_a, secretary):
    today = datetime.date.today()
    for year in (today.year, today.year + 1):
        entered(year)

    response = published_through_the_page(period, unit_a, secretary)

    assert "lịch làm việc" not in response.content.decode()


# The calendar is audited data


@pytest.fixture
def admin_client(db, django_user_model):
    return login(django_user_model.objects.create_superuser("admin", password="pw-for-tests"))


def test_a_day_entered_in_the_admin_is_audited_in_every_institutions_chain(
    admin_client, institution, other_institution
):
    response = admin_client.post(
        reverse("admin:dossiers_calendarday_add"),
        {"date": "30/04/2026", "kind": OFF, "name_vi": "Ngày Chiến thắng", "name_en": ""},
    )

    assert response.status_code == 302
    day = CalendarDay.objects.get()
    events = AuditEvent.objects.filter(action="catalogue.created", object_type="calendar_day")
    assert {e.institution_id for e in events} == {institution.pk, other_institution.pk}
    assert events.first().payload["changes"]["date"] == [None, day.date.isoformat()]


def test_a_refused_day_in_the_admin_stores_nothing_and_audits_nothing(admin_client, institution):
    response = admin_client.post(
        reverse("admin:dossiers_calendarday_add"),
        {"date": "26/04/2026", "kind": OFF, "name_vi": "Giỗ Tổ Hùng Vương", "name_en": ""},
    )

    assert response.status_code == 200
    assert "26/04/2026" in response.content.decode()
    assert not CalendarDay.objects.exists()
    assert not AuditEvent.objects.filter(object_type="calendar_day").exists()


def test_a_deadline_already_set_names_the_years_it_spans_that_are_not_entered(db):
    entered(2026)

    assert workdays.deadline_until(D(2026, 12, 30), D(2027, 1, 6)).years_not_entered == (2027,)
    assert workdays.deadline_until(D(2026, 3, 2), D(2026, 3, 9)).warning() is None
