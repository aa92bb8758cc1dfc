"""The year before the nomination: emulation movements and what units register for."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dossiers.models.catalogue import AwardType, MovementKind
from dossiers.models.organisation import Period, Person, Unit
from dossiers.models.tenancy import InstitutionOwned, InstitutionQuerySet


class Movement(InstitutionOwned):
    """An emulation movement (phong trào thi đua) the principal launches, with its plan."""

    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    name = models.CharField(_("name"), max_length=200)
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="movements", verbose_name=_("period")
    )
    theme = models.TextField(_("theme"), max_length=2000, blank=True)
    targets = models.TextField(_("targets"), max_length=4000)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    award_types = models.ManyToManyField(
        AwardType, related_name="movements", verbose_name=_("awards it leads to")
    )
    plan = models.FileField(_("plan"), upload_to="movements/%Y/", max_length=300)
    plan_name = models.CharField(_("plan file name"), max_length=200)
    plan_sha256 = models.CharField(max_length=64)
    launched_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("launched by")
    )
    launched_at = models.DateTimeField(_("launched at"), auto_now_add=True)

    class Meta:
        verbose_name = _("emulation movement")
        verbose_name_plural = _("emulation movements")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="movement_dates_ordered",
                violation_error_message=_("The end date is before the start date."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date is before the start date.")})


class RegistrationQuerySet(InstitutionQuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class Registration(InstitutionOwned):
    """A unit registers one of its people, or itself, for a title of the period (đăng ký thi
    đua), with the targets it will be judged against. Withdrawn, never deleted."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("period")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("unit")
    )
    nominee_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations",
        verbose_name=_("person"),
    )  # fmt: skip
    nominee_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("the unit itself"),
    )  # fmt: skip
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, related_name="+", verbose_name=_("title")
    )
    movement = models.ForeignKey(
        Movement, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations",
        verbose_name=_("movement"),
    )  # fmt: skip
    targets = models.TextField(_("targets"), max_length=2000)
    registered_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["unit__name", "nominee_person__full_name", "award_type__code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(nominee_person__isnull=False, nominee_unit__isnull=True)
                           | Q(nominee_person__isnull=True, nominee_unit__isnull=False)),
                name="registration_has_one_nominee",
            ),
            models.UniqueConstraint(
                fields=["period", "nominee_person", "award_type"],
                condition=Q(withdrawn_at__isnull=True, nominee_person__isnull=False),
                name="one_registration_per_person_title",
                violation_error_message=_("Already registered for this title in this period."),
            ),
            models.UniqueConstraint(
                fields=["period", "nominee_unit", "award_type"],
                condition=Q(withdrawn_at__isnull=True, nominee_unit__isnull=False),
                name="one_registration_per_unit_title",
                violation_error_message=_("Already registered for this title in this period."),
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["institution", "period", "unit"])]

    def __str__(self) -> str:
        return f"{self.nominee_person or self.nominee_unit}: {self.award_type} ({self.period})"

    @property
    def nominee(self):
        return self.nominee_person or self.nominee_unit
