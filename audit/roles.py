"""Two database roles on PostgreSQL: the owner migrates, the application may not rewrite the trail.

The application's role (DATABASE_URL) may read and append to the trail, and move the chain head
(the triggers decide where to); it may not UPDATE, DELETE or TRUNCATE events or checkpoints, nor
DELETE or TRUNCATE the head. The owner (MIGRATE_DATABASE_URL) runs the migrations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

EVENTS = "workflow_auditevent"
HEAD = "workflow_auditchainhead"
CHECKPOINTS = "audit_checkpoint"
# What the application's role must not hold, table by table.
FORBIDDEN = {
    EVENTS: ("UPDATE", "DELETE", "TRUNCATE"),
    CHECKPOINTS: ("UPDATE", "DELETE", "TRUNCATE"),
    HEAD: ("DELETE", "TRUNCATE"),
}


def grant_statements(role: str, quote) -> list[str]:
    """The GRANT and REVOKE statements giving `role` the application's privileges."""
    name = quote(role)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {name}",
        f"REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM {name}",
    ]
    statements += [
        f"REVOKE {', '.join(privileges)} ON {table} FROM {name}"
        for table, privileges in FORBIDDEN.items()
    ]
    return statements


def grant_app_role(role: str, using: str = "default") -> None:
    """Issue the grants as the owner; run after every migration that adds tables."""
    connection = connections[using]
    with as_owner(connection), connection.cursor() as cursor:
        for statement in grant_statements(role, connection.ops.quote_name):
            cursor.execute(statement)


@contextmanager
def as_owner(connection) -> Iterator[None]:
    """The block runs connected as the owner (MIGRATE_DATABASE_URL), if one is configured."""
    owner = settings.MIGRATE_DATABASE
    if not owner or connection.vendor != "postgresql":
        yield
        return
    saved = {key: connection.settings_dict.get(key) for key in owner}
    connection.close()
    connection.settings_dict.update(owner)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def rewrite_privileges(connection) -> list[str]:
    """The forbidden privileges the connected role holds, as 'TABLE: PRIVILEGE' (PostgreSQL)."""
    held = []
    with connection.cursor() as cursor:
        for table, privileges in FORBIDDEN.items():
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if not cursor.fetchone()[0]:
                continue
            for privilege in privileges:
                cursor.execute(
                    "SELECT has_table_privilege(current_user, %s, %s)", [table, privilege]
                )
                if cursor.fetchone()[0]:
                    held.append(f"{table}: {privilege}")
    return held
