"""Fill an institution with benchmark volumes: `manage.py bench_data --dossiers N --events M`.

Builds (or, with --append, adds to) institution `--institution` (default `bench`): ~30 units,
the demo's named accounts and unit heads with their roles (usernames `<code>.<demo username>`,
the demo password), at least 300 people (more when N needs more nominees), five calendar-year
periods and the award catalogue; then N dossiers in the states given (or a realistic mix), each
with its viewflow process and open task, and M audit events chained onto the institution's
trail: the dossiers' histories plus edits of their drafts. Refuses an existing institution
without --append. Prints one summary line.
"""

from __future__ import annotations

import argparse
import time

from django.core.management.base import BaseCommand, CommandError

from dossiers import bench_data, demo
from dossiers.bench_data import organisation
from dossiers.models import Institution


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


class Command(BaseCommand):
    help = "Write N dossiers and M audit events into a benchmark institution, fast."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=count, required=True, help="how many dossiers")
        parser.add_argument(
            "--events", type=count, default=None,
            help="audit events in all (default: the dossiers' histories alone)",
        )  # fmt: skip
        parser.add_argument(
            "--state", choices=bench_data.STATES, default=None,
            help="every dossier in this state (default: a realistic mix)",
        )  # fmt: skip
        parser.add_argument("--institution", default="bench", help="institution code")
        parser.add_argument(
            "--append", action="store_true", help="add to the institution if it exists"
        )

    def handle(self, *args, dossiers, events, state, institution, append, **options):
        if not append and Institution.objects.filter(code=institution).exists():
            raise CommandError(
                f"Institution {institution!r} already exists: pass --append to add to it, or "
                "another --institution."
            )
        started = time.perf_counter()
        try:
            summary = bench_data.build(
                dossiers=dossiers, events=events, state=state, code=institution
            )
        except bench_data.NotEnoughEvents as error:
            if not dossiers:
                message = "--events must be 0 without dossiers: the events are the dossiers'."
                raise CommandError(message) from None
            raise CommandError(
                f"--events {events} is too few: the histories of these {dossiers} dossiers "
                f"alone are {error.args[0]} events."
            ) from None
        seconds = time.perf_counter() - started
        name = organisation.username
        inst = Institution.objects.get(code=institution)
        how = "created" if summary.created else "added to"
        self.stdout.write(
            f"bench_data: institution {institution} ({how}): "
            f"{summary.dossiers} dossiers, {summary.events} audit events, {summary.people} people "
            f"in {seconds:.1f} s; password {demo.DEMO_PASSWORD} for every account; reviewer "
            f"{name(inst, organisation.REVIEWER)}, unit head {name(inst, organisation.UNIT_HEAD)}, "
            f"auditor {name(inst, organisation.AUDITOR)}"
        )
