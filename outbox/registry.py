"""Who does each kind of outbox work: registered by the app that owns it, in its AppConfig.ready."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Handler:
    """`run(payload)` does the work (raising to have it retried); `on_failure(payload, error)`
    runs once, in the same transaction, when the last attempt has failed.

    A `long` handler (an integrity check of a large trail) runs outside the claim's transaction,
    committing its own progress; its row is leased meanwhile and run again if the lease ends
    before it reports (the worker died), so it must pick up or restart abandoned work.
    """

    kind: str
    run: Callable[[dict], object]
    on_failure: Callable[[dict, str], None] | None = None
    long: bool = False


_HANDLERS: dict[str, Handler] = {}


def register(kind: str, run: Callable[[dict], object], *, on_failure=None, long=False) -> None:
    """Name the function that does `kind` work; registering a second one is a mistake."""
    handler = Handler(kind, run, on_failure, long)
    if _HANDLERS.setdefault(kind, handler) != handler:
        raise ImproperlyConfigured(f"outbox kind {kind!r} already has a handler")


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)
