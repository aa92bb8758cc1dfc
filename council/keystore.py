"""Where a meeting's ballot key lives while its vote is open: outside the database.

A key is 32 random bytes created when the vote opens and destroyed once the tally is committed.
The database, its old row versions, its WAL and its backups therefore never hold it, and once it
is destroyed the sealed ballots they keep can no longer be opened by anyone.

`BALLOT_KEY_STORE` picks the store: "file" (one 0600 file per meeting under `BALLOT_KEY_DIR`,
for one server), "redis" (at `BALLOT_KEY_REDIS_URL`, for several web servers) or the dotted path
of a class with the same three methods.
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

KEY_BYTES = 32  # AES-256


class FileKeyStore:
    """One file per meeting, readable by the server's user only; overwritten before unlinking."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory or settings.BALLOT_KEY_DIR)

    def _path(self, meeting_id: int) -> Path:
        return self.directory / f"meeting-{int(meeting_id)}.key"

    def create(self, meeting_id: int) -> bytes:
        """A fresh key for the meeting, replacing any left by an opening that was rolled back."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        path = self._path(meeting_id)
        temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, key)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
        return key

    def get(self, meeting_id: int) -> bytes | None:
        try:
            key = self._path(meeting_id).read_bytes()
        except FileNotFoundError:
            return None
        return key if len(key) == KEY_BYTES else None

    def destroy(self, meeting_id: int) -> None:
        path = self._path(meeting_id)
        try:
            fd = os.open(path, os.O_WRONLY)
        except FileNotFoundError:
            return
        try:
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        path.unlink(missing_ok=True)

    def meeting_ids(self) -> list[int]:
        """The meetings that have a key here (for sweeping keys left by a crash)."""
        if not self.directory.is_dir():
            return []
        return sorted(
            int(p.stem.removeprefix("meeting-"))
            for p in self.directory.glob("meeting-*.key")
            if p.stem.removeprefix("meeting-").isdigit()
        )


class RedisKeyStore:
    """Keys in Redis, shared by every web server; Redis must not persist them to disk unencrypted
    for longer than a vote (see the README's threat model)."""

    PREFIX = "ballot-key:"

    def __init__(self, url: str | None = None):
        import redis

        self.client = redis.Redis.from_url(url or settings.BALLOT_KEY_REDIS_URL)

    def create(self, meeting_id: int) -> bytes:
        key = secrets.token_bytes(KEY_BYTES)
        self.client.set(f"{self.PREFIX}{int(meeting_id)}", key)
        return key

    def get(self, meeting_id: int) -> bytes | None:
        key = self.client.get(f"{self.PREFIX}{int(meeting_id)}")
        return key if key is not None and len(key) == KEY_BYTES else None

    def destroy(self, meeting_id: int) -> None:
        self.client.delete(f"{self.PREFIX}{int(meeting_id)}")

    def meeting_ids(self) -> list[int]:
        names = (n.decode() for n in self.client.scan_iter(match=f"{self.PREFIX}*"))
        return sorted(int(n.removeprefix(self.PREFIX)) for n in names)


STORES = {"file": FileKeyStore, "redis": RedisKeyStore}


@cache
def _store_class(name: str):
    return STORES.get(name) or import_string(name)


def key_store():
    """The configured key store."""
    return _store_class(settings.BALLOT_KEY_STORE)()
