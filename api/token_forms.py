"""The forms of the API tokens page; they parse input and leave every rule to api.tokens."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.formats.vi.formats import DATE_INPUT_FORMATS
from dossiers.bounds import DATE_VALIDATORS
from dossiers.delegation_forms import DATE_WIDGET

DEFAULT_DAYS = 90


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script that will use it."),
    )
    expires_on = forms.DateField(
        validators=DATE_VALIDATORS,
        label=_("Expires on"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DATE_WIDGET,
    )

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        latest = today + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
        default = min(today + datetime.timedelta(days=DEFAULT_DAYS), latest)
        kwargs.setdefault("initial", {}).setdefault("expires_on", default)
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].help_text = _(
            "The token stops working after this date; the latest you may choose is %(date)s."
        ) % {"date": latest.strftime("%d/%m/%Y")}


class RevokeForm(forms.Form):
    confirmed = forms.BooleanField(
        error_messages={"required": _("Tick the box to confirm revoking the token.")}
    )
