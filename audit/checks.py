"""System check: every audit action has a translated title (the trail never shows a code)."""

from __future__ import annotations

from django.core import checks
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
