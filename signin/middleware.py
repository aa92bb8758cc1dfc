"""No page before the second factor: a session that owes one is sent to set it up or enter it."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from signin import second_factor

# Reachable while a second factor is owed: its own pages, logging out, choosing a language.
OPEN_URL_NAMES = ("two_factor_setup", "two_factor_code", "logout", "set_language")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def __call__(self, request):
        if request.user.is_authenticated and not self._is_open(request.path_info):
            owed = second_factor.pending(request)
            if owed is not None:
                page = "two_factor_setup" if owed == second_factor.SETUP else "two_factor_code"
                return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _is_open(self, path: str) -> bool:
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in OPEN_URL_NAMES)
        return path in self._open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
