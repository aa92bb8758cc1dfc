"""Counting working days over the entered calendar (dossiers.models.workdays).

A year whose holidays have not been entered counts Saturdays and Sundays only, and the answer
says so (`Deadline.years_not_entered`), so that whoever sets the deadline is warned rather than
silently given a date a holiday would move.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from dossiers.models.workdays import SATURDAY, CalendarDay, HolidayYear

WINDOW_SLACK_DAYS = 31  # beyond two calendar days per working day: Tết gives nine days in a row


@dataclass(frozen=True)
class Deadline:
    ends_on: datetime.date
    years_not_entered: tuple[int, ...]

    def warning(self) -> str | None:
        """What to tell whoever set the deadline when a year it spans was counted weekends only."""
        if not self.years_not_entered:
            return None
        years = ", ".join(map(str, self.years_not_entered))
        return _(
            "The holidays of %(years)s have not been entered in the working calendar: "
            "the deadline %(date)s counts only Saturdays and Sundays as days off."
        ) % {"years": years, "date": f"{self.ends_on:%d/%m/%Y}"}


def deadline_until(start: datetime.date, ends_on: datetime.date) -> Deadline:
    """A deadline already set (`ends_on`), with the years between not entered in the calendar."""
    if ends_on <= start:
        return Deadline(ends_on, ())
    entered = HolidayYear.objects.filter(year__gte=start.year, year__lte=ends_on.year)
    return _deadline(start, ends_on, set(entered.values_list("year", flat=True)))


@dataclass(frozen=True)
class _Calendar:
    days: dict  # date -> CalendarDay.Kind
    entered: frozenset

    def is_working_day(self, day: datetime.date) -> bool:
        kind = self.days.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKING_DAY
        return day.weekday() < SATURDAY


def add_working_days(start: datetime.date, n: int) -> Deadline:
    """The n-th working day after `start`; `start` itself is not counted (0: `start`)."""
    if n <= 0:
        return Deadline(start, ())
    end = start + datetime.timedelta(days=2 * n + WINDOW_SLACK_DAYS)
    while True:
        calendar = _load(start, end)
        day, left = start, n
        while left > 0 and day < end:
            day += datetime.timedelta(days=1)
            if calendar.is_working_day(day):
                left -= 1
        if left == 0:
            return _deadline(start, day, calendar.entered)
        end += datetime.timedelta(days=2 * left + WINDOW_SLACK_DAYS)  # a calendar all days off


def _deadline(start: datetime.date, ends_on: datetime.date, entered) -> Deadline:
    """The years of the days counted (after `start`, up to `ends_on`) not entered."""
    counted = range((start + datetime.timedelta(days=1)).year, ends_on.year + 1)
    return Deadline(ends_on, tuple(year for year in counted if year not in entered))


def _load(start: datetime.date, end: datetime.date) -> _Calendar:
    days = dict(
        CalendarDay.objects.filter(date__gt=start, date__lte=end).values_list("date", "kind")
    )
    entered = HolidayYear.objects.filter(year__gte=start.year, year__lte=end.year)
    return _Calendar(days, frozenset(entered.values_list("year", flat=True)))
