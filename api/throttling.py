"""Rates per token (or per signed-in person) and per anonymous address, on the shared cache."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    """Each token has its own budget; a browser session counts per person."""

    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"t{request.auth.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PerAddressThrottle(SimpleRateThrottle):
    """Callers without credentials (the public endpoints, failed sign-ins) per client address."""

    scope = "anonymous"

    def get_cache_key(self, request, view):
        if request.user is not None and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    @classmethod
    def scoped(cls, scope: str) -> PerAddressThrottle:
        """A budget of its own (the scope's rate in DEFAULT_THROTTLE_RATES, read now), for the
        anonymous pages and API views that declare one (dossiers.limits)."""
        throttle = cls.__new__(cls)
        throttle.scope = scope
        throttle.rate = api_settings.DEFAULT_THROTTLE_RATES[scope]
        throttle.num_requests, throttle.duration = throttle.parse_rate(throttle.rate)
        return throttle
