"""Celery tasks of the outbox (found by config/celery.py's autodiscovery of `background`)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def drain_outbox() -> str:
    """Run the due outbox rows: nudged after a commit that wrote some, and by beat each minute."""
    from outbox import wakeup
    from outbox.services import drain  # services nudges through this task

    wakeup.release()  # before reading: a row committed from now on queues the next drain
    return str(drain())
