"""Fast inserts for bench_data: COPY on PostgreSQL, executemany on SQLite, ids reserved first.

Rows are tuples in the order of the columns named; values are plain Python (datetimes, dates),
JSON columns already as JSON text (`as_json`). Nothing here knows the domain.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable

from django.db import connection


def reserve_ids(table: str, count: int) -> list[int]:
    """`count` primary keys for `table` that no other insert will take."""
    if not count:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - our tables  # nosec B608
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def insert(table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Insert every row; returns how many."""
    if connection.vendor == "postgresql":
        return _copy(table, columns, rows)
    return _executemany(table, columns, rows)


def _copy(table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _executemany(table: str, columns: tuple[str, ...], rows: Iterable[tuple], batch=5000) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - our tables  # nosec B608
    count, pending = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            pending.append(tuple(_sqlite_value(v) for v in row))
            if len(pending) == batch:
                cursor.executemany(sql, pending)
                count, pending = count + len(pending), []
        if pending:
            cursor.executemany(sql, pending)
            count += len(pending)
    return count


def _sqlite_value(value):
    ops = connection.ops
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return ops.adapt_datefield_value(value)
    return value
