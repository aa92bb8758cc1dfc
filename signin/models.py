"""What an institution asks of its people when they sign in."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models import Institution


class SignInPolicy(models.Model):
    """One per institution at most; none means the defaults (no second factor required)."""

    institution = models.OneToOneField(
        Institution,
        on_delete=models.CASCADE,
        related_name="sign_in_policy",
        verbose_name=_("institution"),
    )
    two_factor_required = models.BooleanField(
        _("second factor required for principal, council secretary and reviewers"),
        default=False,
        help_text=_(
            "People in these roles then set up an authenticator app (a 6-digit code) before "
            "they reach any page, and enter its code after their password."
        ),
    )

    class Meta:
        verbose_name = _("sign-in policy")
        verbose_name_plural = _("sign-in policies")

    def __str__(self) -> str:
        return str(self.institution)
