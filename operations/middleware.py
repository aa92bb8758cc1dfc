"""Each request gets an id: returned in X-Request-ID, on its log lines and on the work it queues."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings

from operations import context, logs

logger = logging.getLogger("thidua.requests")
HEADER = "X-Request-ID"
# What an id taken from a proxy may look like (a UUID, a hex digest, nginx's $request_id ...).
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_of(request) -> str:
    """The proxy's X-Request-ID when REQUEST_ID_TRUSTED and well formed; otherwise a new one."""
    if settings.REQUEST_ID_TRUSTED:
        given = request.headers.get(HEADER, "")
        if ACCEPTED.fullmatch(given):
            return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Binds the request's id for its duration and logs one line when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_of(request)
        started = time.monotonic()
        with context.bound(request.request_id, request):
            response = self.get_response(request)
            response[HEADER] = request.request_id
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            logger.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": logs.user_id(request, resolve=True),
                },
            )
        return response
