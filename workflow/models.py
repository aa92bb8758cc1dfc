"""The audit trail: append-only, hash-chained per institution, guarded by database triggers."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from workflow import audit_chain


class AuditEvent(models.Model):
    """One thing that happened, who did it in which role, and the hash linking it to the last."""

    institution = models.ForeignKey(
        "dossiers.Institution", on_delete=models.PROTECT, related_name="+"
    )
    sequence = models.PositiveBigIntegerField(_("sequence number"))
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        "dossiers.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=30, blank=True)
    on_behalf_of = models.ForeignKey(
        "dossiers.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf_of_name = models.CharField(_("on behalf of"), max_length=120, blank=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object"), max_length=40)
    from_state = models.CharField(_("from state"), max_length=20, blank=True)
    to_state = models.CharField(_("to state"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(_("details"), default=dict)
    client_address = models.CharField(_("client address"), max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["institution_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "sequence"], name="audit_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["institution", "prev_hash"], name="audit_chain_never_forks"
            ),
        ]
        # The auditor's trail is keyset-paginated on sequence within each filter.
        indexes = [
            models.Index(fields=["object_type", "object_id", "sequence"]),
            models.Index(fields=["institution", "action", "sequence"]),
            models.Index(fields=["institution", "actor", "sequence"]),
            models.Index(fields=["institution", "on_behalf_of", "sequence"]),
            models.Index(fields=["institution", "to_state", "sequence"]),
            models.Index(fields=["institution", "from_state", "sequence"]),
            models.Index(fields=["institution", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def as_chain_event(self, institution_code: str) -> dict:
        """The event as hashed and exported (see workflow.audit_chain)."""
        return {
            "institution": institution_code,
            "sequence": self.sequence,
            "created_at": audit_chain.format_timestamp(self.created_at),
            "actor_id": self.actor_id,
            "actor": self.actor_name,
            "role": self.role,
            "on_behalf_of_id": self.on_behalf_of_id,
            "on_behalf_of": self.on_behalf_of_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "reason": self.reason,
            "payload": self.payload,
            "client_address": self.client_address,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


class AuditChainHead(models.Model):
    """The last event of an institution's chain; locking this row serialises appends."""

    institution = models.OneToOneField(
        "dossiers.Institution", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=audit_chain.GENESIS)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.institution_id}: #{self.sequence} {self.hash[:12]}"


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


def _saturday_and_sunday() -> list[int]:
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
        _("days off"), default=_saturday_and_sunday,
        help_text=_("ISO weekday numbers: 1 is Monday, 7 is Sunday."),
    )  # fmt: skip

    class Meta:
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
