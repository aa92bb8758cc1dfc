"""Each eligibility rule's standing: whether it blocks or warns, its legal basis, when in force.

What a rule checks for an award (the minimum rating, the consecutive years...) is on the award
type; here the institution records, per rule, what failing it does and under which text. A rule
with no row applies as the law's default (`RuleCode.DEFAULT_SEVERITY`), always in force.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dossiers.models.catalogue import LegalBasis
from dossiers.models.tenancy import InstitutionOwned


class RuleCode(models.TextChoices):
    RATING = "rating", _("Annual rating")
    DISCIPLINE = "discipline", _("Discipline")
    EXCELLENCE = "excellence", _("Excellent rating or recognised initiative")
    INITIATIVE_SCOPE = "initiative_scope", _("Initiative of the required scope")
    PREREQUISITE = "prerequisite", _("Consecutive years of an earlier title")
    SAME_PERIOD = "same_period", _("Title in the same period")
    MONTHS_WORKED = "months_worked", _("Months worked in the period")
    REGISTRATION = "registration", _("Registered for the title")
    MEMBERS_DISCIPLINE = "members_discipline", _("Members' discipline")
    MEMBERS_TITLE = "members_title", _("Members holding a title")
    MEMBERS_ONE_TITLE = "members_one_title", _("At least one member with a title")
    MEMBERS_RATING = "members_rating", _("Every member's rating")


class Severity(models.TextChoices):
    BLOCK = "block", _("blocks submission")
    WARN = "warn", _("warns the reviewer and the council")


# The law's default when an institution has not recorded the rule: registration is kept by the
# 2022 law without saying whether it is a condition [UNVERIFIED], so it only warns.
DEFAULT_SEVERITY = {code: Severity.BLOCK for code in RuleCode.values} | {
    RuleCode.REGISTRATION: Severity.WARN
}


class EligibilityRule(InstitutionOwned):
    """One rule's standing at an institution for a span of time (texts change, rules follow)."""

    code = models.CharField(_("rule"), max_length=30, choices=RuleCode.choices)
    severity = models.CharField(_("when not met"), max_length=10, choices=Severity.choices)
    legal_basis = models.ForeignKey(
        LegalBasis, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("legal basis"),
    )  # fmt: skip
    article = models.CharField(
        _("article"), max_length=120, blank=True, help_text=_("e.g. Điều 24 khoản 1")
    )
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        ordering = ["code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "code", "valid_from"], name="one_rule_version_per_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="eligibility_rule_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} — {self.get_severity_display()}"

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date is before the start date.")})

    def in_force_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def basis(self) -> str:
        """The text and article, as a reviewer cites it: "Điều 24 khoản 1, 06/2022/QH15"."""
        parts = [self.article, self.legal_basis.code if self.legal_basis_id else ""]
        return ", ".join(p for p in parts if p)
