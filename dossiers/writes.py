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
    placeholders = ", ".join(["%s"] * len(fields))
    params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    table, pk_column = quote(meta.db_table), quote(meta.pk.column)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING {pk_column}"  # noqa: S608
    return sql, params


def update(model: type[Model], pk, values: dict) -> tuple[str, list]:
    """`UPDATE table SET ... WHERE pk = %s` of plain values (no expressions) and its parameters.

    `values` are keyed by attname (`owner_id`, as `QuerySet.update` takes them).
    """
    meta = model._meta
    quote = connection.ops.quote_name
    by_attname = {f.attname: f for f in meta.concrete_fields}
    fields = [by_attname[name] for name in values]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(values[f.attname], connection) for f in fields]
    params.append(meta.pk.get_db_prep_value(pk, connection))
    table, pk_column = quote(meta.db_table), quote(meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608 - our names
    return sql, params


def _is_auto(field) -> bool:
    return field.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")
