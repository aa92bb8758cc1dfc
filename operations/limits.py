"""Enforcing the limits views declare (dossiers.limits.limited): bodies over the view's limit
refused from their headers, anonymous addresses past their rate refused from the cache, before
the view (and the CSRF check, which reads the form) touches the body.

Here, above the apps and the API, since a refusal to the API is a problem response
(api.problems) and rates count with the API's own throttle (api.throttling)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from api.problems import problem
from api.throttling import PerAddressThrottle
from dossiers.limits import FRAMING_BYTES, limits_of


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
        return problem(status, type_, message, request)
    return render(request, "error.html", {"message": message, "status": status}, status=status)
