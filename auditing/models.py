"""The auditor's workspace: integrity checks asked for on the panel, and the anomaly thresholds.

The tables keep the names they were created with (workflow_…).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class IntegrityCheck(models.Model):
    """One run of the chain verification asked for on the integrity panel, and its outcome.

    The walk verifies the chain up to the head it found when it started (`events_total`);
    events appended meanwhile, including the one recording this check, are left for the next.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    institution = models.ForeignKey(
        "dossiers.Institution", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        "dossiers.Person", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    events_total = models.PositiveBigIntegerField(_("events to check"), default=0)
    events_checked = models.PositiveBigIntegerField(_("events checked"), default=0)
    head_hash = models.CharField(_("head hash"), max_length=64, blank=True)
    first_broken_sequence = models.PositiveBigIntegerField(
        _("first broken event"), null=True, blank=True
    )
    problem = models.TextField(_("problem"), blank=True)
    decisions_checked = models.PositiveIntegerField(_("decisions compared"), default=0)
    # [{"decision_id", "reference", "chain_head", "problem"}], problem being a code of
    # auditing.integrity.MISMATCHES.
    decisions_mismatched = models.JSONField(_("decisions that disagree"), default=list)

    class Meta:
        db_table = "workflow_integritycheck"
        verbose_name = _("integrity check")
        verbose_name_plural = _("integrity checks")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["institution", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.requested_at:%Y-%m-%d %H:%M} {self.state}"

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def intact(self) -> bool:
        """Finished, and neither the chain nor a printed decision head disagrees."""
        return (
            self.state == self.State.DONE
            and self.first_broken_sequence is None
            and not self.problem
            and not self.decisions_mismatched
        )

    @property
    def percent_done(self) -> int:
        if not self.events_total:
            return 100 if self.state == self.State.DONE else 0
        return min(100, self.events_checked * 100 // self.events_total)


def saturday_and_sunday() -> list[int]:
    return [6, 7]


class AnomalyRules(models.Model):
    """The thresholds of an institution's anomaly hints; without a row the defaults apply."""

    institution = models.OneToOneField(
        "dossiers.Institution", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("institution"),
    )  # fmt: skip
    min_days_submit_to_sign = models.PositiveSmallIntegerField(
        _("minimum days from submission to signing"), default=3
    )
    max_returns = models.PositiveSmallIntegerField(_("returns before a hint"), default=2)
    workday_start = models.TimeField(_("working day starts"), default=datetime.time(7, 0))
    workday_end = models.TimeField(_("working day ends"), default=datetime.time(17, 30))
    weekend_days = models.JSONField(
        _("days off"), default=saturday_and_sunday,
        help_text=_("ISO weekday numbers: 1 is Monday, 7 is Sunday."),
    )  # fmt: skip

    class Meta:
        db_table = "workflow_anomalyrules"
        verbose_name = _("anomaly rules")
        verbose_name_plural = _("anomaly rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(workday_end__gt=models.F("workday_start")),
                name="anomaly_workday_ordered",
                violation_error_message=_("The working day must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.institution)

    def clean(self) -> None:
        days = self.weekend_days
        if not isinstance(days, list) or any(d not in range(1, 8) for d in days):
            raise ValidationError({"weekend_days": _("Give weekday numbers from 1 to 7.")})

    @classmethod
    def of(cls, institution) -> AnomalyRules:
        """The institution's rules, or the defaults (unsaved) when nobody changed them."""
        return cls.objects.filter(institution=institution).first() or cls(institution=institution)
