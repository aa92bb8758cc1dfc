"""Writing outbox rows and draining them.

Delivery is at least once: a row is claimed, handled and marked done in one transaction, so the
database effects of a handler (rows it writes, a check's result) happen exactly once, but a mail
handed to the mail server just before a crash is sent again when the row is retried. Handlers
are therefore written to be harmless when repeated (an integrity check already run is not run
again).
"""

from __future__ import annotations

import contextvars
import datetime
import logging
import random
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from dossiers import writes
from operations import context
from outbox import registry, wakeup
from outbox.background import drain_outbox
from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)
DRAIN_LIMIT = 500
ERROR_CHARS = 2000

# Set while a drain runs: rows its handlers write are picked up by the same drain, not nudged.
_draining = contextvars.ContextVar("outbox_draining", default=False)


def enqueue(
    kind: str,
    payloads: Iterable[dict],
    *,
    institution_id: int | None = None,
    batch: writes.Batch | None = None,
) -> int:
    """Write one row per payload in the caller's transaction; a drain is nudged once it commits.

    `batch`: the caller's held writes (the door's), which the rows join (dossiers.writes).
    """
    request_id = context.request_id()
    messages = [OutboxMessage(kind=kind, payload=payload, institution_id=institution_id,
                              request_id=request_id)
                for payload in payloads]  # fmt: skip
    if batch is None:
        rows = OutboxMessage.objects.bulk_create(messages)
    else:
        rows = messages
        for message in messages:
            batch.add(*writes.insert(message))
    if rows and not _draining.get():
        transaction.on_commit(nudge, robust=True)
    return len(rows)


def nudge() -> None:
    """Ask for a drain now: in-process without a broker (eager), else a `drain_outbox` task.

    A drain already waiting in the queue will read these rows too: then nothing is published
    (outbox.wakeup). A broker that cannot be reached changes nothing: the rows stay pending for
    beat's drain.
    Nobody waits for the nudge's summary, so no result is asked for: with a result backend
    (Redis too, usually) Celery would first subscribe to it, retrying for 20 s inside the
    request and then raising a RuntimeError instead of the broker's error.
    """
    if not wakeup.claim():
        return
    try:
        drain_outbox.apply_async(retry=False, ignore_result=True)
    except BrokerUnreachable as error:
        wakeup.release()  # nothing waits in the queue: the next commit tries again
        logger.warning("outbox: broker unreachable (%s); the rows wait for the next drain", error)


class Summary(Counter):
    def __str__(self) -> str:
        return (
            f"Outbox: {self['sent']} done, {self['retry']} to retry later, {self['failed']} failed."
        )


def drain(limit: int = DRAIN_LIMIT) -> Summary:
    """Run the handlers of up to `limit` due rows, each in its own transaction; report them."""
    summary = Summary()
    token = _draining.set(True)
    try:
        for _ in range(limit):
            outcome = _run_next()
            if outcome is None:
                break
            summary[outcome] += 1
    finally:
        _draining.reset(token)
    return summary


def _due():
    rows = OutboxMessage.objects.filter(
        state=OutboxMessage.State.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        # Another drainer's row is skipped, not waited for. SQLite has no row locks: there
        # every write transaction starts IMMEDIATE, so drainers take turns.
        rows = rows.select_for_update(skip_locked=True)
    return rows


def _run_next() -> str | None:
    token = None  # the handler logs with the id of the request that wrote the row
    try:
        with transaction.atomic():
            message = _due().first()
            if message is None:
                return None
            token = context.bind(message.request_id or context.request_id())
            message.attempts += 1
            handler = registry.handler_for(message.kind)
            if handler is not None and handler.long:
                # Leased, not held: the work commits its own progress, and a row whose worker died
                # is due again when the lease ends.
                message.next_attempt_at = timezone.now() + lease()
                message.save(update_fields=["attempts", "next_attempt_at"])
            else:
                try:
                    if handler is None:
                        raise LookupError(f"no handler is registered for {message.kind!r}")
                    with (
                        transaction.atomic()
                    ):  # a failing handler's writes are undone, not the claim
                        handler.run(message.payload)
                except Exception as error:
                    return _attempt_failed(message, handler, error)
                return _done(message)
        try:
            handler.run(message.payload)
        except Exception as error:
            with transaction.atomic():
                return _attempt_failed(_relocked(message), handler, error)
        with transaction.atomic():
            return _done(_relocked(message))
    finally:
        if token is not None:
            context.unbind(token)


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _relocked(message: OutboxMessage) -> OutboxMessage:
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    locked.attempts = message.attempts
    return locked


def _done(message: OutboxMessage) -> str:
    message.state = OutboxMessage.State.SENT
    message.sent_at = timezone.now()
    message.save(update_fields=["state", "sent_at", "attempts"])
    return "sent"


def _attempt_failed(message: OutboxMessage, handler, error: Exception) -> str:
    message.last_error = f"{type(error).__name__}: {error}"[:ERROR_CHARS]
    logger.warning("outbox: %s failed (attempt %s): %s", message, message.attempts, error)
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message.state = OutboxMessage.State.FAILED
        if handler is not None and handler.on_failure is not None:
            handler.on_failure(message.payload, message.last_error)
    else:
        message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
    message.save(update_fields=["state", "attempts", "last_error", "next_attempt_at"])
    return "failed" if message.state == OutboxMessage.State.FAILED else "retry"


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential back-off after the `attempts`-th failure, with jitter over its upper half."""
    ceiling = min(
        settings.OUTBOX_RETRY_MAX_SECONDS, settings.OUTBOX_RETRY_SECONDS * 2 ** (attempts - 1)
    )
    return datetime.timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311


def retry_now(message: OutboxMessage) -> OutboxMessage:
    """Put a failed or waiting row back at the head of the queue, with every attempt again."""
    message.state = OutboxMessage.State.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["state", "attempts", "next_attempt_at"])
    transaction.on_commit(nudge, robust=True)
    return message
