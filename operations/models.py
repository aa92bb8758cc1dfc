"""When periodic work last ran, for /healthz and the operator."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Run(models.Model):
    """The last run of one job: the worker's heartbeat, the reminders. One row a job."""

    class Job(models.TextChoices):
        HEARTBEAT = "heartbeat", _("Worker heartbeat")
        REMINDERS = "reminders", _("Reminders")

    job = models.CharField(_("job"), max_length=40, choices=Job.choices, primary_key=True)
    finished_at = models.DateTimeField(_("finished at"))
    summary = models.CharField(_("summary"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("last run")
        verbose_name_plural = _("last runs")

    def __str__(self) -> str:
        return f"{self.job} at {self.finished_at:%Y-%m-%d %H:%M:%S}"
