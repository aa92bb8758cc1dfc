"""The test harness's way past the audit trail's protections, which the application never has.

Two-role runs (MIGRATE_DATABASE_URL set, CI's PostgreSQL pass): the test database is created and
migrated as the owner, then the tests connect as the application's role. Transactional tests
end with a flush: as the owner, with the user triggers of the trail's tables switched off for
that one transaction (PostgreSQL), or dropped and recreated around it (SQLite).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections, transaction

from audit import roles

PROTECTED = (roles.EVENTS, roles.HEAD, roles.CHECKPOINTS)
_app_credentials: dict = {}


def two_roles() -> bool:
    return bool(settings.MIGRATE_DATABASE) and connections["default"].vendor == "postgresql"


def connect_as_owner() -> None:
    connection = connections["default"]
    if not two_roles():
        return
    _app_credentials.update({k: connection.settings_dict.get(k) for k in settings.MIGRATE_DATABASE})
    connection.close()
    connection.settings_dict.update(settings.MIGRATE_DATABASE)


def connect_as_application() -> None:
    """Grant the application's role its privileges on the test database, then connect as it."""
    connection = connections["default"]
    if not two_roles():
        return
    with connection.cursor() as cursor:
        for statement in roles.grant_statements(
            _app_credentials["USER"], connection.ops.quote_name
        ):
            cursor.execute(statement)
    connection.close()
    connection.settings_dict.update(_app_credentials)


def owner_connection():
    """A new connection to the test database as the owner (the caller closes it)."""
    connection = connections["default"]
    owner = {**connection.settings_dict, **(settings.MIGRATE_DATABASE or {})}
    return connection.__class__(owner, alias="test-harness-owner")


def flush_past_triggers(original):
    """Wraps DatabaseOperations.execute_sql_flush for the test session."""

    def execute_sql_flush(ops, sql_list):
        if ops.connection.vendor == "postgresql":
            return _flush_postgresql(sql_list)
        if ops.connection.vendor == "sqlite":
            return _flush_sqlite(ops, sql_list, original)
        return original(ops, sql_list)

    return execute_sql_flush


def _flush_postgresql(sql_list) -> None:
    owner = owner_connection()
    try:
        owner.ensure_connection()
        owner.set_autocommit(False)
        with owner.cursor() as cursor:
            for table in PROTECTED:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for sql in sql_list:
                cursor.execute(sql)
            for table in PROTECTED:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        owner.commit()
    finally:
        owner.close()


def _flush_sqlite(ops, sql_list, original) -> None:
    connection = ops.connection
    names = ", ".join(f"'{table}'" for table in PROTECTED)
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "  # noqa: S608
                f"WHERE type = 'trigger' AND tbl_name IN ({names})"
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        original(ops, sql_list)
        with connection.cursor() as cursor:
            for _, sql in triggers:
                cursor.execute(sql)
