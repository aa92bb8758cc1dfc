from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail: append-only, hash-chained per institution, verifiable offline."""

    name = "audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from audit import (
            checks,  # noqa: F401 - registers the audit checks
            references,
        )

        references.register(references.checkpoints)

        connection_created.connect(recursive_triggers_on, dispatch_uid="audit.recursive_triggers")


def recursive_triggers_on(sender, connection, **kwargs):
    """SQLite: a REPLACE that removes a row must fire its DELETE trigger (the trail refuses it)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers = ON")
