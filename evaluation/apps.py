from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """The unit's evaluation meeting (họp bình xét); its minutes go into each nominee's dossier."""

    name = "evaluation"
    label = "evaluation"
    verbose_name = _("Unit evaluation meetings")
