from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditingConfig(AppConfig):
    """The auditor's workspace: trail pages, exports, integrity checks, anomaly hints."""

    name = "auditing"
    label = "auditing"
    verbose_name = _("Auditor's workspace")

    def ready(self):
        from auditing import integrity
        from outbox import registry

        registry.register(
            "integrity_check", integrity.run_queued, on_failure=integrity.give_up, long=True
        )
