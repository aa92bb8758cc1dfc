"""Celery tasks of decisions (found by config/celery.py's autodiscovery of `background`)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="decisions.background.sign_checkpoints_task")
def sign_checkpoints_task() -> int:
    """Daily: sign each institution's chain head that moved since its last checkpoint."""
    from decisions import checkpoints  # checkpoints imports the models; tasks load before them

    return checkpoints.sign_daily()


@shared_task
def sweep_orphans_task() -> str:
    """Beat's hourly `manage.py sweep_orphans`."""
    from decisions.files import sweep  # files imports the models; tasks load before them

    return str(sweep())
