"""Celery tasks of the workflow (found by config/celery.py's autodiscovery of `background`).

With a broker configured they run on the worker; without one, in-process (CELERY_TASK_ALWAYS_EAGER).
Mails are not tasks: they are outbox rows (workflow.notifications), drained by outbox.background.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task
def send_reminders_task() -> str:
    """The daily reminders (beat runs it at 07:00); the same as `manage.py send_reminders`."""
    from workflow.reminders import send_reminders  # reminders mails through this module

    return str(send_reminders(today=timezone.localdate()))
