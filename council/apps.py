from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    name = "council"
    label = "council"
    verbose_name = _("Council meetings and secret ballots")

    def ready(self):
        from council import (
            checks,  # noqa: F401 - registers the ballot key store's check
            lifecycle,  # noqa: F401 - registers its guards with the one door
        )
