from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmulationConfig(AppConfig):
    """Movements the principal launches, and what units register for at the start of a period."""

    name = "emulation"
    label = "emulation"
    verbose_name = _("Emulation movements and registration")
