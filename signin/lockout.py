"""The answer to a sign-in refused by the lockout: the login page, with why and for how long."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _

from signin.backends import REFUSED_LOCKED

STATUS = 429  # Too Many Requests


def lockout_message() -> str:
    return _(
        "This account is locked after %(limit)d wrong passwords in a row. Try again in "
        "%(minutes)d minutes, or ask an administrator to unlock it."
    ) % {"limit": settings.LOGIN_FAILURE_LIMIT, "minutes": settings.LOGIN_LOCKOUT_MINUTES}


def lockout_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE. The wrong password that reaches the limit is answered as any
    wrong password; every attempt after it, right or wrong, gets the lockout page."""
    if not getattr(request, REFUSED_LOCKED, False):
        return original_response
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username")})
    context = {"form": form, "lockout_message": lockout_message(), "next": _next(request)}
    return render(request, "registration/login.html", context, status=STATUS)


def _next(request) -> str:
    """Where the login page was to lead (echoed back in its form; LoginView checks it)."""
    return request.POST.get("next") or request.GET.get("next") or ""
