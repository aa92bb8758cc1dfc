"""Password validation of our own, beside Django's (AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dossiers.demo import DEMO_PASSWORD


class DemoPasswordValidator:
    """The demo's password is printed in the README: outside DEBUG no account may have it."""

    def validate(self, password, user=None) -> None:
        if not settings.DEBUG and password == DEMO_PASSWORD:
            raise ValidationError(
                _("This is the demo's published password: choose another one."),
                code="password_is_the_demo_password",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be the demo's published password.")
