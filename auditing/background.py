"""Celery tasks of the auditor's workspace (found by config/celery.py's autodiscovery)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def run_integrity_check(check_id: int) -> str:
    """Verify the audit chain for a check asked for on the integrity panel; returns its state."""
    from auditing.integrity import run_check  # integrity queues this task

    return run_check(check_id=check_id).state
