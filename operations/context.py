"""Where a log line comes from: the request being answered, or the request that queued a task.

A request id is bound for the duration of a request (operations.middleware), of a Celery task
(its `request_id` header, operations.apps) and of an outbox row's handler (the row keeps the id
of the request that wrote it), and every log record is stamped with it (operations.logs).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_request: contextvars.ContextVar = contextvars.ContextVar("request", default=None)


def request_id() -> str:
    """The id of the request this code works for; empty outside any request or task."""
    return _request_id.get()


def current_request():
    return _request.get()


def bind(request_id: str, request=None) -> tuple:
    """Log lines carry `request_id` (and the request's path and user) until `unbind(token)`."""
    return _request_id.set(request_id), _request.set(request)


def unbind(token: tuple) -> None:
    id_token, request_token = token
    _request.reset(request_token)
    _request_id.reset(id_token)


@contextmanager
def bound(request_id: str, request=None) -> Iterator[None]:
    """Within the block, log lines carry `request_id` (and the request's path and user)."""
    token = bind(request_id, request)
    try:
        yield
    finally:
        unbind(token)
