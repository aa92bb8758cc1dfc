"""Celery tasks of operations (found by config/celery.py's autodiscovery of `background`)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def heartbeat() -> str:
    """Beat queues it each minute and a worker runs it: /healthz reports when it last did."""
    from operations import runs
    from operations.models import Run

    return str(runs.record(Run.Job.HEARTBEAT))
