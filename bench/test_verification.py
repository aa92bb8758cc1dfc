"""`verify_vs_sha256`: verifying the audit chain from the database against raw SHA-256 over the
same bytes (issue 14's goal: at most 2x)."""

from __future__ import annotations

import hashlib
import time

import pytest

from audit import hashchain, log
from audit.models import AuditEvent
from bench.figures import Figure
from tests.test_trail_exports import bulk_chain

EVENTS = 100_000

pytestmark = pytest.mark.bench


def test_verification_rate_against_raw_sha256(institution, figures):
    bulk_chain(institution, EVENTS)
    hashed = [
        (event.prev_hash + hashchain.canonical_json(event.as_chain_event(institution.code))).encode(
            "utf-8"
        )
        for event in AuditEvent.objects.filter(institution=institution).order_by("sequence")
    ]

    started = time.perf_counter()
    for data in hashed:
        hashlib.sha256(data).hexdigest()
    raw = time.perf_counter() - started
    started = time.perf_counter()
    report = log.verify_institution(institution)
    ours = time.perf_counter() - started

    assert report.intact and report.events == EVENTS
    figures.record(Figure(
        "verify_vs_sha256", round(ours / EVENTS * 1e6, 2), "µs/event",
        "raw hashlib SHA-256 over the same bytes", round(raw / EVENTS * 1e6, 2),
        note=f"{EVENTS:,} events read from the database and re-hashed",
    ))  # fmt: skip
