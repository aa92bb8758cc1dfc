"""The dates a form, filter or API call may name: a sane range, so that no day at the edge of
the calendar (01/01/0001, 31/12/9999) reaches a computation that cannot hold it (a day's start in
another time zone, the day after). A birth date of the oldest staff and a plan decades ahead
both fit."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
DATE_VALIDATORS = (MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE))
DATETIME_VALIDATORS = (
    MinValueValidator(datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)),
    MaxValueValidator(datetime.datetime(2100, 12, 31, 23, 59, tzinfo=datetime.UTC)),
)

# The largest primary key a database column holds: a bigger id in a filter is bad input.
MAX_ID = 2**63 - 1


def id_or_none(value) -> int | None:
    """An id from a query string, or None for anything that cannot be one (an id of the size
    no column holds reached SQLite as an OverflowError, a 500)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None
