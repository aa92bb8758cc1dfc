"""Caps on shares that are warned about, never enforced (../shared/domain.md, "Quotas")."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models.catalogue import PERCENT_VALIDATORS, AwardType
from dossiers.models.tenancy import InstitutionOwned


class ExcellentShareCap(InstitutionOwned):
    """How many of a unit's staff may be rated "completed tasks excellently": at most `percent`
    of those rated "completed tasks well" or better (`excellent_unit_percent` in a unit that
    holds `excellent_unit_award` for the year before). Reviewers and the council are warned."""

    percent = models.DecimalField(
        _("share rated excellent, percent"), max_digits=5, decimal_places=2,
        default=Decimal(20), validators=PERCENT_VALIDATORS,
        help_text=_("Of those rated “completed tasks well” or better in the unit."),
    )  # fmt: skip
    excellent_unit_percent = models.DecimalField(
        _("share in an excellent unit, percent"), max_digits=5, decimal_places=2,
        default=Decimal(25), validators=PERCENT_VALIDATORS,
    )  # fmt: skip
    excellent_unit_award = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("title that makes a unit excellent"),
        help_text=_("A unit holding this title for the year before gets the higher share."),
    )  # fmt: skip
    basis = models.CharField(
        _("basis"), max_length=300, blank=True,
        help_text=_("The rule this cap comes from (the staff evaluation rules)."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("cap on the share rated excellent")
        verbose_name_plural = _("caps on the share rated excellent")
        constraints = [
            models.UniqueConstraint(fields=["institution"], name="one_excellent_share_cap")
        ]

    def __str__(self) -> str:
        return f"{format(self.percent.normalize(), 'f')}% / {self.institution}"


class NominationCap(InstitutionOwned):
    """A cap an institution sets itself on how many of a unit's staff are nominated for an award
    in a period (say, Grassroots Emulation Fighters at most 30% of the unit's members). Never a
    refusal: reviewers and the council see the usage, and the law's tie-break, when it is over."""

    name = models.CharField(_("name"), max_length=120, help_text=_("e.g. CSTĐCS"))
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, related_name="+", verbose_name=_("award capped")
    )
    percent = models.DecimalField(
        _("at most, percent of the unit's members"), max_digits=5, decimal_places=2,
        validators=PERCENT_VALIDATORS,
    )  # fmt: skip
    basis = models.CharField(_("basis"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cap on nominations")
        verbose_name_plural = _("caps on nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "award_type"], name="one_nomination_cap_per_award"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ≤ {format(self.percent.normalize(), 'f')}%"
