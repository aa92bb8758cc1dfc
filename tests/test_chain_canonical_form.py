"""The chain's canonical form does not change when it is made faster: the same timestamp text
and the same JSON bytes as the README specifies them (strftime in UTC, json.dumps sorted and
compact), for any input, so every existing chain still verifies."""

from __future__ import annotations

import datetime
import json
import random

from audit import hashchain

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
