"""The working calendar: public holidays and make-up working days, entered year by year.

Notice periods and deadlines count working days. Saturdays and Sundays are days off; the public
holidays of the Labour Code 2019 (art. 112) are too, but Tết and Giỗ Tổ Hùng Vương follow the
lunar calendar, and each year's announcement fixes the days actually given (the compensatory day
for a holiday on a weekend, art. 111.3, and any weekend day worked in exchange). So the days are
data, entered from the announcement, and a year is marked entered once its announcement is in.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models.catalogue import localised

SATURDAY = 5  # date.weekday(): Monday is 0


class HolidayYear(models.Model):
    """A year whose days off have all been entered, from the announcement it names."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    announcement = models.CharField(
        _("announcement"),
        max_length=300,
        help_text=_("The government's announcement of the year's holidays, e.g. its number."),
    )

    class Meta:
        verbose_name = _("holiday calendar year")
        verbose_name_plural = _("holiday calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A weekday off (a holiday, a compensatory day) or a weekend day worked in exchange."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Holiday or day off")
        WORKING_DAY = "working_day", _("Make-up working day (a weekend day worked)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DAY_OFF)
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {localised(self.name_vi, self.name_en)}"

    def clean(self) -> None:
        if self.date is None:
            return
        weekend = self.date.weekday() >= SATURDAY
        if self.kind == self.Kind.DAY_OFF and weekend:
            raise ValidationError(
                {
                    "date": _(
                        "%(date)s is a Saturday or Sunday, already a day off: enter the "
                        "compensatory working day the announcement gives instead."
                    )
                    % {"date": f"{self.date:%d/%m/%Y}"}
                }
            )
        if self.kind == self.Kind.WORKING_DAY and not weekend:
            raise ValidationError(
                {
                    "kind": _(
                        "%(date)s is a weekday, already a working day: only a Saturday or "
                        "Sunday can be a make-up working day."
                    )
                    % {"date": f"{self.date:%d/%m/%Y}"}
                }
            )
