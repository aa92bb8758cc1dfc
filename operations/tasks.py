"""A Celery task carries the id of the request that queued it, in a `request_id` header."""

from __future__ import annotations

from operations import context

HEADER = "request_id"
_tokens: dict[str, tuple] = {}


def add_request_id_header(*, headers: dict, **_) -> None:
    """before_task_publish: the publishing request's id goes with the message."""
    request_id = context.request_id()
    if request_id and HEADER not in headers:
        headers[HEADER] = request_id


def queued_by(task) -> str:
    """The request id the task's message carries (a worker), or the one bound here (eager)."""
    request = task.request
    given = getattr(request, HEADER, None) or (request.headers or {}).get(HEADER)
    return given or context.request_id()


def bind_request_id(*, task_id: str, task, **_) -> None:
    """task_prerun: the task's log lines carry the request id that queued it."""
    _tokens[task_id] = context.bind(queued_by(task))


def unbind_request_id(*, task_id: str, **_) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        context.unbind(token)
