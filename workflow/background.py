"""Celery tasks of the workflow (found by config/celery.py's autodiscovery of `background`).

With a broker configured they run on the worker; without one, in-process (CELERY_TASK_ALWAYS_EAGER).
"""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.mail import EmailMessage
from django.utils import timezone

# Mail servers refuse or drop connections for a while (greylisting, restarts, network): retry
# six times, waiting a random time up to 30 s, then up to 1, 2, 4, 8 and 16 minutes.
SMTP_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(
    autoretry_for=SMTP_ERRORS,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=6,
)
def send_email_task(to: str, subject: str, body: str) -> int:
    """Send one plain-text message to one address; returns the number sent (1)."""
    # RFC 3834: tells mail servers not to answer with out-of-office replies.
    headers = {"Auto-Submitted": "auto-generated"}
    return EmailMessage(subject=subject, body=body, to=[to], headers=headers).send()


@shared_task
def send_reminders_task() -> str:
    """The daily reminders (beat runs it at 07:00); the same as `manage.py send_reminders`."""
    from workflow.reminders import send_reminders  # reminders mails through this module

    return str(send_reminders(today=timezone.localdate()))
