"""Every API error as RFC 9457 problem details, decided once from the domain's error table.

A domain error (workflow.errors) carries its status and stable `type`; DRF's own refusals
(authentication, throttling, parsing) and Django's (404, oversized bodies) are given theirs
here. Nothing else in the API builds an error response.
"""

from __future__ import annotations

import logging

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions as drf

from dossiers.uploads import TOO_LARGE
from workflow import errors

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"
logger = logging.getLogger(__name__)

# The types the API answers besides the domain's own, with their status and title.
HTTP_PROBLEMS: dict[str, tuple[int, object]] = {
    "unauthenticated": (401, gettext_lazy("Sign in, or send a valid API token.")),
    "method-not-allowed": (405, gettext_lazy("This method is not allowed here.")),
    "not-acceptable": (406, gettext_lazy("The API answers in JSON (or the file asked for).")),
    "unsupported-media-type": (
        415, gettext_lazy("Send JSON, or multipart/form-data for a file."),
    ),
    "length-required": (411, gettext_lazy("Send the request with its length.")),
    "payload-too-large": (413, gettext_lazy("The request or its file is too large.")),
    "throttled": (429, gettext_lazy("Too many requests; wait and try again.")),
    "server-error": (500, gettext_lazy("Something went wrong on our side; nothing was changed.")),
}  # fmt: skip


def catalogue() -> dict[str, tuple[int, object]]:
    """Every problem type with its status and title: the domain's table, then HTTP's."""
    found: dict[str, tuple[int, object]] = {}
    pending = [errors.DomainError]
    while pending:
        cls = pending.pop(0)
        pending.extend(cls.__subclasses__())
        if cls is errors.BulkTransitionFailed or cls.type in found:
            continue
        found[cls.type] = (cls.http_status, cls.default_message)
    return {**found, **HTTP_PROBLEMS}


def problem(status: int, type_: str, detail, request=None, **extensions) -> JsonResponse:
    title = catalogue().get(type_, (status, ""))[1]
    body = {
        "type": TYPE_BASE + type_,
        "title": str(title),
        "status": status,
        "detail": str(detail),
        **({"instance": request.path} if request is not None else {}),
        **extensions,
    }
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})  # fmt: skip


def exception_handler(exc, context):
    """DRF's hook: any exception of a view becomes problem details (unknown ones 500, logged)."""
    request = context.get("request")
    response = for_exception(exc, request)
    if isinstance(exc, drf.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait) + 1)
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        view = context.get("view")
        header = view.get_authenticate_header(request) if view is not None else None
        if header:
            response["WWW-Authenticate"] = header
    return response


def for_exception(exc, request=None) -> JsonResponse:
    if isinstance(exc, errors.DomainError):
        return _domain(exc, request)
    if isinstance(exc, ValidationError):
        return _validation(exc, request)
    if isinstance(exc, Http404 | drf.NotFound):
        return _domain(errors.NotFound(), request)
    if isinstance(exc, PermissionDenied | drf.PermissionDenied):
        return _domain(errors.NotPermitted(), request)
    if isinstance(exc, RequestDataTooBig):
        return problem(413, "payload-too-large", HTTP_PROBLEMS["payload-too-large"][1], request)
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return problem(401, "unauthenticated", exc.detail, request)
    if isinstance(exc, drf.Throttled):
        return problem(429, "throttled", exc.detail, request)
    if isinstance(exc, drf.MethodNotAllowed):
        return problem(405, "method-not-allowed", exc.detail, request)
    if isinstance(exc, drf.NotAcceptable):
        return problem(406, "not-acceptable", exc.detail, request)
    if isinstance(exc, drf.UnsupportedMediaType):
        return problem(415, "unsupported-media-type", exc.detail, request)
    if isinstance(exc, drf.ValidationError):
        return problem(400, "invalid-input", _("The request was malformed."), request,
                       errors=_field_errors(exc.detail))  # fmt: skip
    if isinstance(exc, drf.ParseError):
        return problem(400, "invalid-input", exc.detail, request)
    if isinstance(exc, drf.APIException):
        return problem(exc.status_code, "invalid-input", exc.detail, request)
    logger.exception("API error", exc_info=exc)
    return problem(500, "server-error", HTTP_PROBLEMS["server-error"][1], request)


def _domain(error: errors.DomainError, request) -> JsonResponse:
    extensions = {}
    inner = error.error if isinstance(error, errors.BulkTransitionFailed) else error
    if isinstance(error, errors.BulkTransitionFailed):
        extensions["dossier"] = error.dossier_id
    if isinstance(inner, errors.GuardFailed | errors.SeparationRefused):
        extensions["reasons"] = [r.text() for r in inner.reasons]
        extensions["reasons_vi"] = inner.reasons_vi
        extensions["reasons_en"] = inner.reasons_en
    return problem(error.http_status, error.type, errors.describe(error), request, **extensions)


def _validation(error: ValidationError, request) -> JsonResponse:
    """A model's or a service's ValidationError: 400 with the messages by field (413 for size)."""
    codes = [e.code for e in error.error_list] if not hasattr(error, "error_dict") else []
    if TOO_LARGE in codes:
        return problem(413, "payload-too-large", " ".join(error.messages), request)
    if hasattr(error, "error_dict"):
        # A model's non-field errors ("__all__") are named as DRF names its own.
        fields = {("non_field_errors" if field == NON_FIELD_ERRORS else field):
                  [str(m) for m in ValidationError(e).messages]
                  for field, e in error.error_dict.items()}  # fmt: skip
    else:
        fields = {"non_field_errors": list(error.messages)}
    detail = " ".join(error.messages) if len(error.messages) <= 3 else _("The input was refused.")
    return problem(400, "invalid-input", detail, request, errors=fields)


def _field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def _flatten(detail) -> list:
    if isinstance(detail, list):
        out = []
        for item in detail:
            out.extend(_flatten(item) if isinstance(item, list | dict) else [str(item)])
        return out
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    return [str(detail)]
