from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    label = "decisions"
    verbose_name = _("Decisions and signatures")

    def ready(self):
        from decisions import (
            checks,  # noqa: F401 - registers the deploy checks
            head_references,  # noqa: F401 - printed heads for verify_audit
            lifecycle,  # noqa: F401 - registers its guards with the one door
        )
