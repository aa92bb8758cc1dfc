"""The chain's canonical form does not change when it is made faster: the same timestamp text
and the same JSON bytes as the README specifies them (strftime in UTC, json.dumps sorted and
compact), for any input, so every existing chain still verifies."""

from __future__ import annotations

import datetime
import json
import random

import orjson
import pytest

from audit import hashchain, verification

SPEC_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ"
TRICKY = ["", "Nguyễn Thị Hương", 'say "no"\\', "tab\tnew\nline\r", "\x00\x1f\x7f", "\u2028\u2029",
          "emoji 🎉", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "<script>&amp;"]  # fmt: skip


def test_timestamps_read_as_the_spec_writes_them_in_any_zone_and_year():
    rng = random.Random(20261207)
    for _ in range(20_000):
        zone = datetime.timezone(datetime.timedelta(minutes=rng.randint(-720, 840)))
        moment = datetime.datetime(
            rng.randint(1000, 9998), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
            rng.randint(0, 59), rng.randint(0, 59), rng.choice([0, 1, rng.randint(0, 999_999)]),
            tzinfo=rng.choice([zone, datetime.UTC]),
        )  # fmt: skip
        expected = moment.astimezone(datetime.UTC).strftime(SPEC_TIMESTAMP)
        assert hashchain.format_timestamp(moment) == expected, moment


def test_a_timestamp_before_the_year_1000_keeps_the_specs_text():
    moment = datetime.datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)

    assert hashchain.format_timestamp(moment) == moment.strftime(SPEC_TIMESTAMP)


def test_the_canonical_json_is_the_specs_bytes_for_awkward_text_and_payloads():
    rng = random.Random(7)
    for n in range(2_000):
        event = {name: rng.choice(TRICKY) for name in hashchain.EVENT_FIELDS}
        event["sequence"] = n
        event["payload"] = {rng.choice(TRICKY): [rng.choice(TRICKY), n, None, True, 1.5]}
        body = {name: event[name] for name in hashchain.EVENT_FIELDS}
        expected = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashchain.canonical_json(event) == expected


# The fast serializer of audit.verification (orjson) where it is trusted to give these bytes


def test_orjson_writes_every_character_as_the_spec_does():
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)

    assert orjson.dumps(text).decode() == json.dumps(text, ensure_ascii=False)


def test_orjson_sorts_keys_by_code_point_as_the_spec_does():
    keys = ["b", "B", "a", "é", "\uffff", "𝔘", "\u2028", "", "aa", "a\x00", "Ǆ", "🎉", "\x7f"]
    body = {key: n for n, key in enumerate(keys)}

    expected = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode() == expected


def test_the_fast_hash_is_the_specs_hash_for_awkward_text_and_payloads():
    rng = random.Random(11)
    for n in range(2_000):
        event = {name: rng.choice(TRICKY) for name in hashchain.EVENT_FIELDS}
        event["sequence"], event["actor_id"] = n, rng.choice([None, 0, 2**63 - 1, -(2**63)])
        event["payload"] = {
            rng.choice(TRICKY): [rng.choice(TRICKY), n, None, True, False, {}, [2**64 - 1]],
            rng.choice(TRICKY): {rng.choice(TRICKY): {"k": rng.choice(TRICKY)}},
        }
        prev = rng.choice([hashchain.GENESIS, "f" * 64])
        assert verification.fast_hash(prev, event) == hashchain.event_hash(prev, event)


@pytest.mark.parametrize(
    "payload",
    [1e-07, {"a": 1.5}, {"a": [1, {"b": [1e16]}]}, [float("nan")], {"a": 2**64},
     {"a": -(2**63) - 1}, {"\ud800": 1}, ["\udfff"], {1: "key not a string"}],
)  # fmt: skip
def test_the_fast_hash_declines_what_orjson_would_write_otherwise(payload):
    event = {name: "" for name in hashchain.EVENT_FIELDS} | {"sequence": 1, "payload": payload}

    assert verification.fast_hash(hashchain.GENESIS, event) is None
