"""Hot queries compiled once per process, then run with new parameter values.

The one door reads the same few rows on every move (the dossier with its lock, the person's
roles, the dossier's open task) and so does every request (the signed-in account). Building and
compiling those querysets costs Django more time than the database takes to answer them, so a
`PreparedQuery` compiles its queryset once per database and query shape and afterwards only
binds the parameters into the compiled SQL, turning rows into objects exactly as the queryset
would (the same compiler's converters, related objects and annotations).

Parameters are found in the compiled SQL by compiling twice with two sets of stand-in values:
the parameter positions that change are the parameters'. Where that cannot be told apart (a
stand-in value the query holds as a constant, a parameter Django transforms), the query is not
prepared and runs through the ORM every time: slower, never wrong.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

Build = Callable[..., QuerySet]


@dataclass(frozen=True)
class _Plan:
    """A compiled query: its SQL, its parameters with the slots the caller's values fill."""

    sql: str
    params: tuple
    slots: tuple  # (position in params, parameter name, index in a list parameter or None)
    compiler: Any
    locks: bool
    names: tuple  # the attnames of the model's own columns, in the row's order
    populators: list  # select_related objects, as ModelIterable fills them
    converters: dict | None  # the compiler's row converters, found once; None: let it find them

    def rows(self, connection, values: dict) -> list:
        params = list(self.params)
        for position, name, index in self.slots:
            value = values[name] if index is None else values[name][index]
            params[position] = _adapt(connection, value)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.compiler.has_extra_select:  # ordering columns the select adds: not the model's
            rows = [row[: self.compiler.col_count] for row in rows]
        return rows


class PreparedQuery:
    """`build(**parameters)` returns the queryset; `fetch(**parameters)` returns its objects.

    Parameters are ints, strings, dates, datetimes or lists of ints; a list's length is part of
    the query's shape (each length is compiled once; a list longer than LONGEST_LIST goes through
    the ORM, so that bulk actions of every size do not each keep a compiled query).
    """

    LONGEST_LIST = 16

    def __init__(self, build: Build, *, using: str = "default"):
        self._build = build
        self._using = using
        self._plans: dict = {}

    def fetch(self, **values) -> list:
        connection = connections[self._using]
        shape = (connection.alias, connection.vendor, _shape(values))
        plan = self._plans.get(shape)
        if plan is None and self._too_long(values):
            plan = False
        elif plan is None:
            plan = self._plans[shape] = _prepare(self._build, values, connection)
        if plan is False:  # the parameters could not be told apart: the ORM, every time
            return list(self._build(**values).using(self._using))
        if plan.locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        return _objects(plan, plan.rows(connection, values), connection.alias)

    def _too_long(self, values: dict) -> bool:
        lists = (v for v in values.values() if isinstance(v, list | tuple))
        return any(len(v) > self.LONGEST_LIST for v in lists)


def _shape(values: dict) -> tuple:
    return tuple(
        (name, len(value) if isinstance(value, list | tuple) else type(value).__name__)
        for name, value in sorted(values.items())
    )


def _prepare(build: Build, values: dict, connection) -> _Plan | bool:
    """Compile with two sets of stand-ins; the positions that differ are the parameters'."""
    first, second = _stand_ins(values, 1), _stand_ins(values, 2)
    queryset = build(**first).using(connection.alias)
    compiler = queryset.query.get_compiler(using=connection.alias)
    try:
        sql, params = compiler.as_sql()
        other = build(**second).query.get_compiler(using=connection.alias).as_sql()
    except EmptyResultSet:  # e.g. an empty list: nothing to prepare
        return False
    other_sql, other_params = other
    if sql != other_sql or len(params) != len(other_params):
        return False
    wanted = {}
    for name, value in first.items():
        for index, item in enumerate(value) if isinstance(value, list) else [(None, value)]:
            wanted[_adapt(connection, item)] = (name, index)
    slots = []
    for position, (one, two) in enumerate(zip(params, other_params, strict=True)):
        if one == two:
            continue
        if one not in wanted:
            return False
        slots.append((position, *wanted[one]))
    if {(name, index) for _, name, index in slots} != set(wanted.values()):
        return False  # a parameter that never reached the SQL as itself
    locks = bool(queryset.query.select_for_update) and connection.features.has_select_for_update
    select, klass_info = compiler.select, compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = tuple(column[0].target.attname for column in select[start:end])
    populators = get_related_populators(klass_info, select, connection.alias)
    fields = [column[0] for column in select[: compiler.col_count]]
    converters = None if compiler.has_composite_fields(fields) else compiler.get_converters(fields)
    return _Plan(sql, tuple(params), tuple(slots), compiler, locks, names, populators, converters)


_numbers = itertools.count(1)


def _stand_ins(values: dict, round_: int) -> dict:
    """Values no real query holds: ids far below zero (within a 32-bit column's range, outside
    which Django answers nothing without asking), dates in the first millennium."""
    stand_ins = {}
    for name, value in values.items():
        if isinstance(value, list | tuple):
            stand_ins[name] = [_stand_in(item, round_) for item in value]
        else:
            stand_ins[name] = _stand_in(value, round_)
    return stand_ins


def _stand_in(value, round_: int):
    number = next(_numbers)
    if isinstance(value, datetime.datetime):
        moment = datetime.datetime(round_, 1, 1, tzinfo=datetime.UTC)
        return moment + datetime.timedelta(seconds=number % 10**9)
    if isinstance(value, datetime.date):
        return datetime.date(round_, 1, 1) + datetime.timedelta(days=number % 300_000)
    if isinstance(value, int) and not isinstance(value, bool):
        return -(10**9) * round_ - number % 100_000_000
    if isinstance(value, str):
        return f"prepared stand-in {round_}.{number}"
    raise TypeError(f"a prepared query takes ints, strings, dates or lists of ints, not {value!r}")


def _adapt(connection, value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _objects(plan: _Plan, rows: list, db: str) -> list:
    """The rows as the queryset's ModelIterable makes them (see django.db.models.query)."""
    compiler = plan.compiler
    klass_info = compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    annotations = compiler.annotation_col_map
    if plan.converters is None:
        rows = compiler.results_iter([rows])
    elif plan.converters:
        rows = compiler.apply_converters(rows, plan.converters)
    objects = []
    for row in rows:
        obj = model.from_db(db, plan.names, row[start:end])
        for populator in plan.populators:
            populator.populate(row, obj)
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        objects.append(obj)
    return objects
