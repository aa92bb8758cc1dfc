"""Recomputing an institution's chain from the database, fast, with the reference's verdict.

The reference is `hashchain.verify_events(log.chain_events(institution))`: every event read
through the ORM and hashed over `hashchain.canonical_json`. This walk gives the same report
(events, head, first broken sequence, problem) several times faster, by two shortcuts, each
taken only where it provably gives the reference's bytes:

- The canonical JSON is made by orjson with sorted keys. For strings, integers of up to 64
  bits, true, false, null, objects and arrays orjson writes the bytes of
  `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` (the tests compare
  every code point); floats it writes differently (1e-05 as 0.00001), so an event whose payload
  holds a float is hashed the reference's way, as is one orjson cannot write (an integer past
  64 bits; orjson also reads those as floats).
- On PostgreSQL the rows are streamed (no server-side cursor: the server sends chunks while
  this process hashes) with the time already as the canonical text, which to_char in UTC
  writes for the years 1000–9999 exactly as strftime does, and the payload as jsonb's text,
  read by orjson.

An event the fast way does not verify (a gap, a wrong previous hash, a content that does not
match its hash, a float, a time outside those years, anything orjson refuses) is handed to
`hashchain.ChainWalker.step` as the reference builds it: its verdict and message are the
reference's. An event verifies the fast way only if its fast bytes are the canonical ones and
hash to the stored hash, so the fast way can neither accept an event the reference refuses nor
refuse one it accepts. (Matching the stored hash alone would not do: it proves which bytes were
hashed, not that they are the canonical ones.)
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import orjson
from django.db import connection

from audit import hashchain
from audit.models import CHAIN_COLUMNS, AuditEvent, chain_event
from dossiers.models import Institution

# Rows per chunk the server sends (and per fetch on the ORM's path).
CHUNK_SIZE = 2000

_SORTED = orjson.OPT_SORT_KEYS
_sha256 = hashlib.sha256


def verify_chain(institution: Institution) -> hashchain.ChainReport:
    """The report of `hashchain.verify_events(log.chain_events(institution))`, or an empty one."""
    walker = hashchain.ChainWalker(hashchain.ChainReport(institution=institution.code))
    if connection.vendor == "postgresql" and _psycopg3():
        _walk_streamed(walker, institution)
    else:
        _walk_orm(walker, institution)
    return walker.report


def fast_hash(prev_hash: str, event: dict) -> str | None:
    """`hashchain.event_hash(prev_hash, event)` made by orjson, or None where it would differ.

    None for a payload holding a float (at any depth) and for what orjson cannot write (integers
    past 64 bits, strings with lone surrogates, keys that are not strings).
    """
    payload = event["payload"]
    if not _floatless(payload):
        return None
    try:
        body = orjson.dumps({name: event[name] for name in hashchain.EVENT_FIELDS}, option=_SORTED)
    except TypeError:
        return None
    return _sha256(prev_hash.encode() + body).hexdigest()


def _floatless(value) -> bool:
    """No float anywhere in the value (a JSON document as Python objects)."""
    kind = type(value)
    if kind is dict:
        value = value.values()
    elif kind is not list:
        return kind is not float
    for item in value:
        kind = type(item)
        if kind is float or ((kind is dict or kind is list) and not _floatless(item)):
            return False
    return True


def _walk_orm(walker: hashchain.ChainWalker, institution: Institution) -> None:
    """The reference's rows (any database), each hashed the fast way where that is the same."""
    from audit.log import chain_events  # audit.log calls this module

    for event in chain_events(institution, chunk_size=CHUNK_SIZE):
        if (
            event["sequence"] == walker.expected_sequence
            and event["prev_hash"] == walker.prev_hash
            and fast_hash(walker.prev_hash, event) == event["hash"]
        ):
            walker.advance(event["hash"])
            continue
        walker.step(event)
        if walker.done:
            return


# The canonical time where to_char makes it: strftime("%Y-%m-%dT%H:%M:%S.%fZ") in UTC is exactly
# to_char's text for the years 1000–9999 (strftime does not pad earlier years to four digits;
# to_char writes a fifth digit after 9999 and BC years without a sign). Otherwise the row also
# carries the time itself, read as the ORM reads it, for the reference to format.
_TIME_TEXT = (
    "CASE WHEN {c} >= '1000-01-01T00:00:00Z' AND {c} < '10000-01-01T00:00:00Z' "
    "THEN to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') END"
)
_TIME_ITSELF = (
    "CASE WHEN {c} >= '1000-01-01T00:00:00Z' AND {c} < '10000-01-01T00:00:00Z' "
    "THEN NULL ELSE {c} END"
)


@functools.cache
def _streamed_sql() -> str:
    """The chain's rows: CHAIN_COLUMNS with the time as text or itself, the payload as text."""
    quote = connection.ops.quote_name
    columns = []
    for name in CHAIN_COLUMNS:
        column = quote(AuditEvent._meta.get_field(name).column)
        if name == "created_at":
            columns += [_TIME_TEXT.format(c=column), _TIME_ITSELF.format(c=column)]
        else:
            columns.append(column)
    table = quote(AuditEvent._meta.db_table)
    institution = quote(AuditEvent._meta.get_field("institution").column)
    sequence = quote(AuditEvent._meta.get_field("sequence").column)
    return (
        f"SELECT {', '.join(columns)} FROM {table} "  # noqa: S608 - names from the model  # nosec B608
        f"WHERE {institution} = %s ORDER BY {sequence}"
    )


def _walk_streamed(walker: hashchain.ChainWalker, institution: Institution) -> None:
    """PostgreSQL: the rows streamed as the server sends them, with the canonical time text.

    Django's cursor reads jsonb as its text (JSONField decodes it): orjson reads that text here,
    and the reference event takes the field's own decoding.
    """
    code = institution.code
    from_db = AuditEvent._meta.get_field("payload").from_db_value
    loads, dumps = orjson.loads, orjson.dumps
    with connection.cursor() as cursor, _stream(cursor, _streamed_sql(), [institution.pk]) as rows:
        # The walker's place, kept in locals while events verify the fast way.
        expected, head, verified = walker.expected_sequence, walker.prev_hash, 0
        for (sequence, created_at, moment, actor_id, actor, role, on_behalf_of_id, on_behalf_of,
             action, object_type, object_id, from_state, to_state, reason, payload,
             client_address, prev_hash, hash_) in rows:  # fmt: skip
            if sequence == expected and prev_hash == head and created_at is not None:
                try:
                    value = loads(payload)
                    body = _floatless(value) and dumps(
                        {
                            "action": action,
                            "actor": actor,
                            "actor_id": actor_id,
                            "client_address": client_address,
                            "created_at": created_at,
                            "from_state": from_state,
                            "institution": code,
                            "object_id": object_id,
                            "object_type": object_type,
                            "on_behalf_of": on_behalf_of,
                            "on_behalf_of_id": on_behalf_of_id,
                            "payload": value,
                            "reason": reason,
                            "role": role,
                            "sequence": sequence,
                            "to_state": to_state,
                        },
                        option=_SORTED,
                    )
                except (ValueError, TypeError):  # orjson's JSONDecodeError, JSONEncodeError
                    body = None
                if body and _sha256(head.encode() + body).hexdigest() == hash_:
                    expected, head, verified = expected + 1, hash_, verified + 1
                    continue
            walker.advance(head, verified)
            if moment is None:
                moment = datetime.datetime.fromisoformat(created_at)
            payload = from_db(payload, None, connection)
            row = (sequence, moment, actor_id, actor, role, on_behalf_of_id, on_behalf_of, action,
                   object_type, object_id, from_state, to_state, reason, payload, client_address,
                   prev_hash, hash_)  # fmt: skip
            walker.step(chain_event(code, row))
            if walker.done:
                return
            expected, head, verified = walker.expected_sequence, walker.prev_hash, 0
        walker.advance(head, verified)


@contextmanager
def _stream(cursor, sql: str, params: list) -> Iterator[Iterator[tuple]]:
    """The rows of a query, streamed by psycopg in chunks, as Django runs any query.

    The query passes the connection's execute wrappers (`log.deferred()` refuses it) and is
    logged where Django logs queries (DEBUG, CaptureQueriesContext), timed over the whole read.
    Leaving early reads the rest of the rows rather than letting psycopg cancel the query, which
    would abort the caller's transaction.
    """

    def execute(sql, params, many, context):
        connection.validate_no_broken_transaction()
        return cursor.cursor.stream(sql, params, size=_chunk_size())

    for wrapper in reversed(connection.execute_wrappers):
        execute = functools.partial(wrapper, execute)
    logged = cursor.debug_sql(sql, params) if hasattr(cursor, "debug_sql") else nullcontext()
    with logged, connection.wrap_database_errors:
        rows = execute(sql, params, False, {"connection": connection, "cursor": cursor})
        try:
            yield rows
        finally:
            for _ in rows:
                pass


def _psycopg3() -> bool:
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _chunk_size() -> int:
    """Chunks need libpq 17 (psycopg's binary package brings its own); before, row by row."""
    from psycopg import pq

    return CHUNK_SIZE if pq.version() >= 170000 else 1
