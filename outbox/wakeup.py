"""One waiting drain per queue: commits that come while a drain is queued do not queue another.

Decision day commits hundreds of changes a minute, each writing outbox rows; publishing a drain
task after every one of them costs the request a round trip to the broker and fills the queue
with drains that find nothing left to do. A commit therefore claims a short-lived flag on the
broker's Redis before publishing (SET NX), and the drain clears the flag before it reads the rows:
a row committed before the flag is cleared is read by that drain, a row committed after it
claims the flag again and queues the next one. A drain task that is lost leaves the flag to
expire (CLAIM_SECONDS); the rows meanwhile wait for beat's drain, as with a broker that is down.

Without a broker (tasks run in-process) or with a broker other than Redis, every commit drains
or publishes as before; a Redis error also publishes as before.
"""

from __future__ import annotations

import logging

import redis

from config.celery import app

logger = logging.getLogger(__name__)
CLAIM_SECONDS = 30
_clients: dict[str, redis.Redis] = {}


def claim() -> bool:
    """True when this commit should publish a drain: none is waiting in the queue."""
    client = _client()
    if client is None:
        return True
    try:
        return bool(client.set(_key(), "1", nx=True, ex=CLAIM_SECONDS))
    except redis.RedisError as error:
        logger.warning("outbox: the drain flag could not be claimed (%s); publishing", error)
        return True


def release() -> None:
    """The waiting drain has started (or was never published): the next commit queues one."""
    client = _client()
    if client is None:
        return
    try:
        client.delete(_key())
    except redis.RedisError as error:
        logger.warning("outbox: the drain flag could not be cleared (%s); it expires", error)


def _client() -> redis.Redis | None:
    conf = app.conf
    url = conf.broker_url or ""
    if conf.task_always_eager or not url.startswith(("redis://", "rediss://")):
        return None
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=1, socket_connect_timeout=1
        )
    return client


def _key() -> str:
    return f"thidua:outbox:drain-waiting:{app.conf.task_default_queue}"
