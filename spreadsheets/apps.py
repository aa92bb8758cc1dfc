from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpreadsheetsConfig(AppConfig):
    """Excel in and out: offices keep their lists in spreadsheets."""

    name = "spreadsheets"
    label = "spreadsheets"
    verbose_name = _("Spreadsheets")
