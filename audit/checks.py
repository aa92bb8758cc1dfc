"""System check: every audit action has a translated title (the trail never shows a code)."""

from __future__ import annotations

from django.core import checks
from django.db.migrations.recorder import MigrationRecorder
from django.utils.functional import Promise

from audit.actions import AuditAction


@checks.register()
def every_audit_action_has_a_title(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A title given as a translatable string; Django makes one up from the name otherwise."""
    return [
        checks.Error(
            f"The audit action {action.value!r} has no translated title.",
            obj="audit.actions",
            id="workflow.E009",
        )
        for action in AuditAction
        if not isinstance(action.label, Promise)
    ]


@checks.register(checks.Tags.database)
def the_application_cannot_rewrite_the_trail(databases=None, **kwargs) -> list:
    """On PostgreSQL the application's role must hold no UPDATE, DELETE, TRUNCATE on the trail."""
    from django.db import connections

    from audit import roles

    messages = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        held = roles.rewrite_privileges(connection)
        if held:
            messages.append(
                checks.Warning(
                    f"The database role {connection.settings_dict['USER']!r} may rewrite the "
                    f"audit trail ({'; '.join(held)}).",
                    hint="Connect as an application role (README, 'Database roles'): set "
                    "MIGRATE_DATABASE_URL to the owner and run manage.py grant_app_role.",
                    id="audit.W001",
                )
            )
    return messages


# The triggers that make the trail append-only (audit and workflow migrations), per database.
REQUIRED_TRIGGERS = {
    "workflow_audit_no_update", "workflow_audit_no_delete",
    "audit_head_forward_only", "audit_head_no_delete", "audit_head_starts_at_genesis",
    "audit_checkpoint_no_update", "audit_checkpoint_no_delete",
}  # fmt: skip
VENDOR_TRIGGERS = {
    "postgresql": {"audit_event_no_truncate", "audit_head_no_truncate",
                   "audit_checkpoint_no_truncate"},
    "sqlite": {"audit_event_no_replace", "audit_checkpoint_no_replace"},
}  # fmt: skip


# The migrations that install them: before they ran (a database being migrated) there is no
# trail to protect yet, and `migrate` itself must not be refused.
INSTALLED_BY = {
    ("workflow", "0002_audit_append_only"),
    ("audit", "0002_truncate_and_head_guards"),
    ("audit", "0003_checkpoint"),
}


def installed_triggers(connection) -> set[str]:
    """The enabled triggers of the database (a disabled one protects nothing)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


@checks.register(checks.Tags.database)
def the_trail_is_protected_by_its_triggers(databases=None, **kwargs) -> list:
    """Every trigger refusing UPDATE, DELETE, TRUNCATE and REPLACE on the trail is in place."""
    from django.db import connections

    messages = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor not in VENDOR_TRIGGERS:
            continue
        if not set(MigrationRecorder(connection).applied_migrations()) >= INSTALLED_BY:
            continue
        missing = REQUIRED_TRIGGERS | VENDOR_TRIGGERS[connection.vendor]
        missing -= installed_triggers(connection)
        if missing:
            messages.append(
                checks.Error(
                    f"The audit trail's protecting triggers are missing or disabled: "
                    f"{', '.join(sorted(missing))}.",
                    hint="Run manage.py migrate as the tables' owner; never disable them.",
                    id="audit.E002",
                )
            )
    return messages
