"""Mail reminders of tasks due soon and escalate overdue ones; safe to run more than once a day.

Cron: `0 7 * * * cd /srv/thidua && .venv/bin/python manage.py send_reminders`
(or let Celery beat run workflow.background.send_reminders_task).
"""

import argparse
import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from workflow.reminders import DEFAULT_DAYS, send_reminders


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from None


def _days(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days (0 or more)")
    return int(value)


class Command(BaseCommand):
    help = (
        "Mail a reminder of every open task whose step deadline is within --days days or past, "
        "and escalate overdue ones to the council secretaries; at most once per task, "
        "recipient and day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=_days,
            default=DEFAULT_DAYS,
            help=f"remind of deadlines this many days ahead (default {DEFAULT_DAYS})",
        )
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="the day to act as if it were, YYYY-MM-DD (default: today in TIME_ZONE)",
        )

    def handle(self, *args, days: int, today: datetime.date | None, **options):
        summary = send_reminders(today=today or timezone.localdate(), days=days)
        self.stdout.write(str(summary))
