"""Request limits per view: how large a body it takes, and how often one address may call it.

A view declares its limits with `@limited(...)`; `operations.limits.RequestLimitsMiddleware`
enforces them before
the view (and before the CSRF check, which reads the form) touches the body, so an oversized
upload is refused from its headers alone, and a flood of anonymous calls is refused from the
cache. Views that declare nothing take at most REQUEST_MAX_BYTES.

Rates count per client address in the cache, with the API's own throttle (api.throttling), so
the page /verify/ and its API share one budget per address (scope "verify").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

# Room for the multipart framing and the small fields around the largest file a view takes.
FRAMING_BYTES = 64 * 1024


@dataclass(frozen=True)
class Limits:
    body: int | str | None = None  # bytes, or the name of the setting that holds them
    rate: str | None = None  # a scope of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]

    def body_bytes(self) -> int:
        body = settings.REQUEST_MAX_BYTES if self.body is None else self.body
        return getattr(settings, body) if isinstance(body, str) else body


def limited(*, body: int | str | None = None, rate: str | None = None):
    """Declare a view's limits: the largest file it takes (`body`, bytes or a setting's name)
    and the rate scope counting anonymous calls per address (`rate`). Works on a function view
    and on a DRF view class."""

    def declare(view):
        view.request_limits = Limits(body=body, rate=rate)
        return view

    return declare


def limits_of(view_func) -> Limits:
    declared = getattr(view_func, "request_limits", None)
    if declared is None:  # a class-based view: as_view() keeps its class
        declared = getattr(getattr(view_func, "cls", getattr(view_func, "view_class", None)),
                           "request_limits", None)  # fmt: skip
    return declared or Limits()
