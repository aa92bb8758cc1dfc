"""Destroy ballot keys left behind for meetings whose vote is not open.

Closing destroys its key after the commit; a process killed between the two, or an opening rolled
back after the key was made, leaves a key the database no longer needs. Run it from cron (it is
idempotent) and after a crash.
"""

from django.core.management.base import BaseCommand

from council.keystore import key_store
from council.models import Meeting


class Command(BaseCommand):
    help = "Destroy the ballot keys of meetings that are not open for voting."

    def handle(self, *args, **options):
        store = key_store()
        held = store.meeting_ids()
        open_ids = set(
            Meeting.objects.filter(pk__in=held, state=Meeting.State.OPEN).values_list(
                "pk", flat=True
            )
        )
        stale = [pk for pk in held if pk not in open_ids]
        for meeting_id in stale:
            store.destroy(meeting_id)
        self.stdout.write(
            f"{len(stale)} ballot key(s) destroyed, {len(open_ids)} kept for open votes."
        )
