"""Several writes of one move sent as one statement on PostgreSQL, where each round trip counts.

PostgreSQL runs every data-modifying part of a WITH exactly once, in one statement, so the rows a
move writes into several tables can go in one round trip instead of one each. SQLite cannot (no
INSERT or UPDATE inside WITH): callers keep their ORM path there, and the tests hold both paths
to the same rows.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


def in_one_statement() -> bool:
    return connection.vendor == "postgresql"


def insert(obj: Model) -> tuple[str, list]:
    """`INSERT INTO table (columns) VALUES (...) RETURNING pk` of `obj` and its parameters.

    The values are prepared as Django's own insert prepares them (`pre_save` with add, which
    stamps auto_now_add fields, then `get_db_prep_save`); an auto primary key is left to the
    database.
    """
    meta = type(obj)._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not (f.primary_key and _is_auto(f))]
    columns = ", ".join(quote(f.column) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    placeholders = ", ".join(map(_placeholder, values))
    params = [value for value in values if value is not None]
    table, pk_column = quote(meta.db_table), quote(meta.pk.column)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING {pk_column}"  # noqa: S608  # nosec B608
    return sql, params


def update(model: type[Model], pk, values: dict) -> tuple[str, list]:
    """`UPDATE table SET ... WHERE pk = %s` of plain values (no expressions) and its parameters.

    `values` are keyed by attname (`owner_id`, as `QuerySet.update` takes them).
    """
    meta = model._meta
    quote = connection.ops.quote_name
    by_attname = {f.attname: f for f in meta.concrete_fields}
    fields = [by_attname[name] for name in values]
    prepared = [f.get_db_prep_save(values[f.attname], connection) for f in fields]
    assignments = ", ".join(
        f"{quote(f.column)} = {_placeholder(value)}"
        for f, value in zip(fields, prepared, strict=True)
    )
    params = [value for value in prepared if value is not None]
    params.append(meta.pk.get_db_prep_value(pk, connection))
    table, pk_column = quote(meta.db_table), quote(meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608 - our names  # nosec B608
    return sql, params


def _placeholder(value) -> str:
    """NULL in the SQL, not as a parameter: psycopg keeps its parse of a query only up to 50
    parameters, and the door's one statement has 61 with its Nones as parameters, 36 without."""
    return "NULL" if value is None else "%s"


def _is_auto(field) -> bool:
    return field.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")


def update_fields(obj: Model, names: list[str]) -> tuple[str, list]:
    """`obj.save(update_fields=names)` as a statement: auto_now fields stamped on `obj` first."""
    meta = type(obj)._meta
    fields = [meta.get_field(name) for name in names]
    values = {f.attname: f.pre_save(obj, add=False) for f in fields}
    return update(type(obj), obj.pk, values)


class Batch:
    """Writes of one move that nothing reads back before the batch is sent.

    On PostgreSQL they are held, then go with the next statement sent through `with_held` (as
    the first parts of its WITH) or, at `flush`, as one statement of their own. Elsewhere each
    runs when added. Flush before anything reads the rows they write.
    """

    def __init__(self):
        self._held: list[tuple[str, list]] = []

    def add(self, sql: str, params: list) -> None:
        if in_one_statement():
            self._held.append((sql, params))
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    def with_held(self, sql: str, params: list) -> tuple[str, list]:
        """`sql` (a statement starting WITH) with the held writes as its first parts."""
        if not self._held:
            return sql, params
        if not sql.startswith("WITH "):
            raise ValueError("held writes join a statement that starts with WITH")
        held, self._held = self._held, []
        parts = [f"held_{number} AS ({statement})" for number, (statement, _) in enumerate(held)]
        held_params = [value for _, values in held for value in values]
        return f"WITH {', '.join(parts)}, {sql.removeprefix('WITH ')}", [*held_params, *params]

    def flush(self) -> None:
        """Send what is still held, in one statement."""
        if self._held:
            sql, params = self.with_held("WITH nothing AS (SELECT 1) SELECT 1", [])
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
