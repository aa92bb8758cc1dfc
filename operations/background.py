"""Celery tasks of operations (found by config/celery.py's autodiscovery of `background`)."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready


@shared_task
def heartbeat() -> str:
    """Beat queues it each minute and a worker runs it: /healthz reports when it last did."""
    from operations import runs
    from operations.models import Run

    return str(runs.record(Run.Job.HEARTBEAT))


@worker_ready.connect
def beat_at_start(**_kwargs) -> None:
    """A worker that has just started is alive: /healthz need not wait a minute for beat."""
    heartbeat.apply()
