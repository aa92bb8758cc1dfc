"""One piece of background work (a mail, a fan-out of mails, a check), written as a row."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """Work to do after a change commits: pending until a drain runs its handler.

    Written in the transaction of the change, so a change that rolls back leaves no row. A
    handler that fails is retried with back-off; after the last attempt the row is failed and
    stays listed for the council secretary with its last error.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Done")
        FAILED = "failed", _("Failed")

    institution = models.ForeignKey(
        "dossiers.Institution", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # The request that wrote the row: its handler's log lines carry it (operations.context).
    request_id = models.CharField(_("request id"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["next_attempt_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state="pending"),
                name="outbox_due",
            ),
            models.Index(fields=["institution", "state", "created_at"], name="outbox_listed"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def summary(self) -> str:
        """What the row is about, for the secretary's list: a mail's recipient and subject."""
        if "to" in self.payload:
            return f"{self.payload['to']}: {self.payload.get('subject', '')}"
        return ", ".join(f"{key}={value}" for key, value in sorted(self.payload.items()))
