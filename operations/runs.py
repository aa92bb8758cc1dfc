"""Recording the last run of a periodic job (one row a job, overwritten)."""

from __future__ import annotations

from django.utils import timezone

from operations.models import Run

SUMMARY_CHARS = 300


def record(job: str, summary: str = "") -> Run:
    """One statement (an upsert): the job's row, now."""
    run = Run(job=job, finished_at=timezone.now(), summary=summary[:SUMMARY_CHARS])
    Run.objects.bulk_create(
        [run],
        update_conflicts=True,
        unique_fields=["job"],
        update_fields=["finished_at", "summary"],
    )
    return run


def last(job: str) -> Run | None:
    return Run.objects.filter(job=job).first()
