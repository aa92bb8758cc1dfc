"""Two database roles: the owner migrates, the application's role cannot rewrite the trail."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction

from audit import roles
from audit.checks import the_application_cannot_rewrite_the_trail
from config.env import database_config, owner_credentials
from tests import harness

APP = database_config("postgres://thidua_app@db:5432/thidua", default_sqlite=None)  # type: ignore[arg-type]


def test_without_migrate_database_url_migrations_run_as_the_application():
    assert owner_credentials(None, APP) is None
    assert owner_credentials("", APP) is None


def test_migrate_database_url_gives_the_owners_credentials():
    owner = owner_credentials("postgres://owner:secret@db:5432/thidua", APP)

    assert owner == {"USER": "owner", "PASSWORD": "secret", "HOST": "db", "PORT": 5432}


def test_migrate_database_url_naming_another_database_is_refused():
    with pytest.raises(ImproperlyConfigured, match="same database"):
        owner_credentials("postgres://owner@db:5432/other", APP)


def test_the_grants_leave_the_trail_append_only_for_the_application():
    statements = roles.grant_statements("thidua_app", lambda name: f'"{name}"')

    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON workflow_auditevent FROM "thidua_app"' in statements
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoint FROM "thidua_app"' in statements
    assert 'REVOKE DELETE, TRUNCATE ON workflow_auditchainhead FROM "thidua_app"' in statements


two_roles_only = pytest.mark.skipif(
    "not __import__('tests.harness').harness.two_roles()",
    reason="needs the two-role PostgreSQL run (MIGRATE_DATABASE_URL, as in CI)",
)


@pytest.mark.postgres
@two_roles_only
def test_the_application_role_holds_no_privilege_to_rewrite_the_trail(db):
    assert roles.rewrite_privileges(connection) == []
    assert the_application_cannot_rewrite_the_trail(databases=["default"]) == []


@pytest.mark.postgres
@two_roles_only
@pytest.mark.parametrize(
    "sql",
    [
        f"ALTER TABLE {roles.EVENTS} DISABLE TRIGGER USER",
        f"TRUNCATE {roles.EVENTS}",
        f"DELETE FROM {roles.HEAD}",  # noqa: S608
        f"UPDATE {roles.CHECKPOINTS} SET sequence = 0",  # noqa: S608
    ],
)
def test_the_application_role_is_refused_by_privileges_not_only_by_triggers(db, sql):
    with (
        pytest.raises(DatabaseError, match=r"permission denied|must be owner"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


@pytest.mark.postgres
def test_the_owner_is_warned_that_it_may_rewrite_the_trail(db):
    """Connected as the owner (the single-role setup), `manage.py check` says so."""
    owner = harness.owner_connection()
    try:
        held = roles.rewrite_privileges(owner)
    finally:
        owner.close()

    assert f"{roles.EVENTS}: TRUNCATE" in held
