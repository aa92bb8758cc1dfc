"""Recomputing an institution's chain from the database, fast, with the reference's verdict.

The reference is `hashchain.verify_events(log.chain_events(institution))`: every event read
through the ORM and hashed over `hashchain.canonical_json`. This walk gives the same report
(events, head, first broken sequence, problem) faster, by a shortcut taken only where it
provably gives the reference's bytes: the canonical JSON is made by orjson with sorted keys.
For strings, integers of up to 64 bits, true, false, null, objects and arrays orjson writes the
bytes of `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` (the tests
compare every code point); floats it writes differently (1e-05 as 0.00001), so an event whose
payload holds a float is hashed the reference's way, as is one orjson cannot write (an integer
past 64 bits).

An event the fast way does not verify (a gap, a wrong previous hash, a content that does not
match its hash, a float, anything orjson refuses) is handed to `hashchain.ChainWalker.step` as
the reference builds it: its verdict and message are the reference's. An event verifies the
fast way only if its fast bytes are the canonical ones and hash to the stored hash, so the fast
way can neither accept an event the reference refuses nor refuse one it accepts. (Matching the
stored hash alone would not do: it proves which bytes were hashed, not that they are the
canonical ones.)
"""

from __future__ import annotations

import hashlib

import orjson

from audit import hashchain
from audit.models import CHAIN_COLUMNS, AuditEvent, chain_event
from dossiers.models import Institution

# Rows per fetch.
CHUNK_SIZE = 2000

_SORTED = orjson.OPT_SORT_KEYS
_sha256 = hashlib.sha256


def verify_chain(institution: Institution) -> hashchain.ChainReport:
    """The report of `hashchain.verify_events(log.chain_events(institution))`, or an empty one."""
    walker = hashchain.ChainWalker(hashchain.ChainReport(institution=institution.code))
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
    rows = (
        AuditEvent.objects.filter(institution=institution)
        .order_by("sequence")
        .values_list(*CHAIN_COLUMNS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    code = institution.code
    for row in rows:
        event = chain_event(code, row)
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
