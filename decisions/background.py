"""Celery tasks of the decisions app (discovered by config.celery)."""

from celery import shared_task

from decisions import checkpoints


@shared_task(name="decisions.background.sign_checkpoints_task")
def sign_checkpoints_task() -> int:
    """Daily: sign each institution's chain head that moved since its last checkpoint."""
    return checkpoints.sign_daily()
