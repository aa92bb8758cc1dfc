"""Log lines stamped with their request, as text for a terminal or one JSON object per line.

LOG_FORMAT=json (for a log collector): each line is an object with `time` (UTC, ISO 8601),
`level`, `logger`, `message`, `request_id`, and when known `path`, `user_id`, `status`,
`duration_ms`, `task` and `exception`. The default, `text`, is for a person at `make run`.
"""

from __future__ import annotations

import datetime
import json
import logging

from celery import current_task
from django.utils.functional import SimpleLazyObject, empty

from operations import context

# Fields a record may carry (from `extra=` or the context filter), in the order they are written.
OPTIONAL_FIELDS = ("path", "user_id", "status", "duration_ms", "task")


class RequestContextFilter(logging.Filter):
    """Stamps every record with the request id, and the request's path and user when known."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = context.request_id()
        request = context.current_request()
        if request is not None:
            if getattr(record, "path", None) is None:
                record.path = request.path
            if getattr(record, "user_id", None) is None:
                record.user_id = user_id(request)
        if getattr(record, "task", None) is None and current_task and current_task.request.id:
            record.task = current_task.name
        return True


def user_id(request, *, resolve: bool = False) -> int | None:
    """The signed-in account's id; without `resolve`, only when the request already read it.

    A log line never costs a session lookup of its own (`resolve=True`: the request is over).
    """
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject) and not resolve:
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not user.is_authenticated:
        return None
    return user.pk


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a message or traceback with newlines stays on its line."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        entry = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
        }
        for field in OPTIONAL_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting for LOG_FORMAT `text` or `json`."""
    formatter = (
        {"()": "operations.logs.JsonFormatter"} if log_format == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": "operations.logs.RequestContextFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request"],
                "formatter": "default",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # SQL is never logged: the statements of one cast would line a member up with a ballot.
        "loggers": {
            "django.db.backends": {"level": "WARNING", "propagate": False},
            # pyHanko logs every self-signed or unknown certificate with a traceback; the
            # verification page reports trust itself.
            "pyhanko.sign.validation": {"level": "ERROR"},
        },
    }
