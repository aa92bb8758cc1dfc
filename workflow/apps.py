from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Workflow and audit trail")

    def ready(self):
        from outbox import registry
        from workflow import (
            checks,  # noqa: F401 - registers the lifecycle checks
            notifications,
        )

        registry.register("email", notifications.deliver)
        registry.register("notification", notifications.announce)
