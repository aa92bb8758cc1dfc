from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail: append-only, hash-chained per institution, verifiable offline."""

    name = "audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from audit import checks  # noqa: F401 - registers the audit action check
