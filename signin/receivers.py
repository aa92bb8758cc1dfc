"""Django's sign-in signals, recorded in the trail (signin.trail) and read by the second factor.

Connected in SigninConfig.ready, after django-axes' own receivers (axes precedes signin in
INSTALLED_APPS): when ours runs, axes has counted the failure and flagged a lock it began.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed

from dossiers.views import client_address
from signin import second_factor, trail
from signin.backends import CREDENTIALS_CHECKED, REFUSED_LOCKED


def connect() -> None:
    user_login_failed.connect(password_refused, dispatch_uid="signin.password_refused")
    user_logged_in.connect(signed_in, dispatch_uid="signin.signed_in")


def password_refused(sender, credentials, request=None, **kwargs) -> None:
    """A wrong password (counted), the one that locks the account, or a refusal while locked."""
    if request is None:
        return
    username = credentials.get("username") or ""
    person = trail.person_of_username(username)
    where = {"username": username, "client_address": client_address(request)}
    if getattr(request, REFUSED_LOCKED, False):
        trail.record(person, "login.refused_locked", by_the_person=False, **where)
        return
    trail.record(person, "login.failed", by_the_person=False, **where)
    if getattr(request, "axes_locked_out", False):
        trail.record(
            person,
            "login.locked_out",
            by_the_person=False,
            failures=getattr(request, "axes_failures_since_start", None),
            minutes=settings.LOGIN_LOCKOUT_MINUTES,
            **where,
        )


def signed_in(sender, request, user, **kwargs) -> None:
    """Audit a sign-in by password; decide, for any sign-in, what second factor it owes."""
    if request is None:
        return
    second_factor.start(request, user)
    if getattr(request, CREDENTIALS_CHECKED, False):
        trail.record(
            trail.person_of_user(user),
            "login.succeeded",
            username=user.get_username(),
            client_address=client_address(request),
        )
