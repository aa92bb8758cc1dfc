from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """Background work written in the transaction of the change it follows, then drained."""

    name = "outbox"
    label = "outbox"
    verbose_name = _("Outbox")
