from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairnessConfig(AppConfig):
    """Who is nominated and awarded, per unit and period: public inside the institution."""

    name = "fairness"
    label = "fairness"
    verbose_name = _("Fairness statistics")
