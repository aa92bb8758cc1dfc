"""Request limits per view: how large a body it takes, and how often one address may call it.

A view declares its limits with `@limited(...)`; `RequestLimitsMiddleware` enforces them before
the view (and before the CSRF check, which reads the form) touches the body, so an oversized
upload is refused from its headers alone, and a flood of anonymous calls is refused from the
cache. Views that declare nothing take at most REQUEST_MAX_BYTES.

Rates count per client address in the cache, with the API's own throttle (api.throttling), so
the page /verify/ and its API share one budget per address (scope "verify").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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


class RequestLimitsMiddleware:
    """Refuse a body over the view's limit (413), a body of unknown length (411) and an address
    past the view's rate (429 with Retry-After), before the view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limits = limits_of(view_func)
        if limits.rate is not None:
            refused = _over_rate(request, limits.rate)
            if refused is not None:
                return refused
        return _over_size(request, limits.body_bytes())


def _over_size(request, limit: int) -> HttpResponse | None:
    length = request.META.get("CONTENT_LENGTH") or ""
    if not length:
        # Django reads no body without a length, so a chunked one would silently vanish: say so.
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return _refusal(request, 411, "length-required",
                            _("Send the request with its length (Content-Length)."))  # fmt: skip
        return None
    if not length.isdigit():
        return _refusal(request, 400, "invalid-input",
                        _("The request's length (Content-Length) is not a number."))  # fmt: skip
    if int(length) > limit + FRAMING_BYTES:
        message = _("The request is larger than the limit of %(limit)s here; nothing was read.")
        return _refusal(request, 413, "payload-too-large",
                        message % {"limit": filesizeformat(limit)})  # fmt: skip
    return None


def _over_rate(request, scope: str) -> HttpResponse | None:
    from api.throttling import PerAddressThrottle

    throttle = PerAddressThrottle.scoped(scope)
    if throttle.allow_request(request, None):
        return None
    wait = int(throttle.wait() or 0) + 1
    response = _refusal(request, 429, "throttled",
                        _("Too many requests from your address; try again in %(seconds)s seconds.")
                        % {"seconds": wait})  # fmt: skip
    response["Retry-After"] = str(wait)
    return response


def _refusal(request, status: int, type_: str, message: str) -> HttpResponse:
    """Problem details for the API, the error page for a page."""
    if request.path.startswith("/api/"):
        from api.problems import problem

        return problem(status, type_, message, request)
    return render(request, "error.html", {"message": message, "status": status}, status=status)
