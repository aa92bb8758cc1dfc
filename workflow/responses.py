"""Domain errors as page responses, decided once.

A view calls a service through `perform`: a domain error (or a model's ValidationError) becomes
a message on the form, or a page message, and the outcome carries the error's status for a
re-rendered page. An error a view lets escape (a missing meeting, a refused read) is rendered by
`DomainErrorMiddleware` as an error page with the status the error class carries
(workflow.errors). The API maps the same classes to problem details.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render

from workflow.errors import DomainError, describe


@dataclass
class Outcome:
    """What a service call gave: its result, or the error a person was told about."""

    result: Any = None
    error: DomainError | ValidationError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """The status of a page that shows the outcome again (a form with its errors)."""
        if self.error is None:
            return 200
        return getattr(self.error, "http_status", 400)


def perform(
    request,
    service: Callable,
    /,
    *,
    form=None,
    success: str = "",
    visible: Callable[[], bool] | None = None,
    **arguments,
) -> Outcome:
    """Call one service; tell the person how it went, on the form when there is one.

    `visible` says whether the person may see what they acted on: a refusal of something they
    may not see is a 404, never a message about it. It is asked only when the service refuses,
    so a success costs no query for it.
    """
    try:
        result = service(**arguments)
    except (DomainError, ValidationError) as error:
        if visible is not None and not visible():
            raise Http404 from None
        _report(request, error, form)
        return Outcome(error=error)
    if success:
        messages.success(request, success)
    return Outcome(result=result)


def page_status(request, form, outcome: Outcome | None) -> int:
    """The status of a form page: 200 when first shown, the refusal's status after a failed POST
    (400 for a form that did not validate), so a failed submission never looks like a success."""
    if request.method != "POST":
        return 200
    if outcome is not None:
        return outcome.status
    return 400 if form is not None and form.errors else 200


def perform_then_redirect(
    request, service: Callable, /, *, to: HttpResponse, success: str = "", **arguments
) -> HttpResponse:
    """`perform` for a button: the message is shown on the page `to` leads back to."""
    perform(request, service, success=success, **arguments)
    return to


def _report(request, error, form) -> None:
    if form is not None:
        form.add_error(None, error if isinstance(error, ValidationError) else describe(error))
        return
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, describe(error))


def error_page(request, error: DomainError) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"message": describe(error), "status": error.http_status},
        status=error.http_status,
    )


class DomainErrorMiddleware:
    """Render a domain error no view handled as an error page with the error's own status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return error_page(request, exception)
        return None
