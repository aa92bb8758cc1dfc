"""The process of each dossier and the reminders sent about its tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class DossierProcess(Process):
    """The viewflow process of one dossier: its tasks say who must act next and since when."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="process"
    )

    class Meta:
        verbose_name = _("dossier process")
        verbose_name_plural = _("dossier processes")


class ReminderSent(models.Model):
    """A reminder or escalation mailed about one task to one person on one day.

    The unique constraint makes send_reminders idempotent: a second run the same day finds the
    row and mails nobody again, even when two runs overlap.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminder")
        ESCALATION = "escalation", _("escalation")

    task = models.ForeignKey("viewflow.Task", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "recipient", "sent_on"], name="one_reminder_per_task_recipient_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sent_on} {self.kind} task {self.task_id} → user {self.recipient_id}"


def _saturday_and_sunday() -> list[int]:
    """Kept for migration 0006, which names it; auditing.models has the living copy."""
    return [6, 7]


class SeparationRule(models.Model):
    """How one institution applies one separation-of-duties rule: block it, or warn and record.

    A rule without a row applies its default (workflow.separation.RULES); admin changes go through
    workflow.separation.save_rule, which audits them.
    """

    class Mode(models.TextChoices):
        BLOCK = "block", _("Block")
        WARN = "warn", _("Warn and record")

    institution = models.ForeignKey(
        "dossiers.Institution", on_delete=models.PROTECT, related_name="+"
    )
    rule = models.CharField(_("rule"), max_length=40)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    basis = models.CharField(_("basis"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("separation-of-duties rule")
        verbose_name_plural = _("separation-of-duties rules")
        ordering = ["institution", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "rule"], name="one_mode_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.mode}"
