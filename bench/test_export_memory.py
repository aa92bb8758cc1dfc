"""Benchmark (`make bench`): export a 200,000-event trail as CSV and JSON Lines, measuring memory.

Prints the time to build the trail and, for each export, its time, rows and bytes, the resident
memory (RSS) before it, the highest RSS sampled while it streams, and the process's peak RSS
(getrusage); then the peak Python allocation (tracemalloc) of a second pass over each export.
Asserts only that the JSON Lines export verifies and that the row counts are right: no timings.
"""

from __future__ import annotations

import gc
import io
import os
import resource
import time
import tracemalloc

import pytest
from django.core.management import call_command

from dossiers.models import Institution, Role
from tests.conftest import make_person, make_unit
from tests.test_trail_exports import bulk_chain, login, url

EVENTS = 200_000
SAMPLE_EVERY = 20  # chunks of the response (500 rows each) between two RSS samples

pytestmark = pytest.mark.bench


def rss_mb() -> float:
    """The resident memory of this process now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_rss_mb()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@pytest.fixture
def auditor(db):
    institution = Institution.objects.create(
        code="bench-college", name="Trường Cao đẳng Đo lường", short_name="CĐĐL",
        parent_body="UBND TỈNH BẮC NINH", place="Bắc Ninh", decision_series="QĐ-CĐĐL",
    )  # fmt: skip
    return make_person(institution, make_unit(institution), roles=[Role.AUDITOR])


def consume(client, address: str, sink=None) -> dict:
    """Read one export to its end, sampling RSS; the rows it held, its bytes, time and memory."""
    gc.collect()
    before = rss_mb()
    highest, rows, size, started = before, 0, 0, time.perf_counter()
    response = client.get(address)
    assert response.status_code == 200
    for n, chunk in enumerate(response.streaming_content, start=1):
        rows += chunk.count(b"\n")
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
        if n % SAMPLE_EVERY == 0:
            highest = max(highest, rss_mb())
    highest = max(highest, rss_mb())  # the test client closed the response at its end
    return {"rows": rows, "bytes": size, "seconds": time.perf_counter() - started,
            "rss_before": before, "rss_peak": highest, "maxrss": peak_rss_mb()}  # fmt: skip


def traced_peak_mb(client, address: str) -> float:
    tracemalloc.start()
    try:
        for _chunk in client.get(address).streaming_content:
            pass
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def report(name: str, m: dict) -> None:
    print(
        f"{name}: {m['rows']:,} lines, {m['bytes'] / 2**20:.1f} MiB in {m['seconds']:.1f} s; "
        f"RSS before {m['rss_before']:.0f} MiB, highest while streaming {m['rss_peak']:.0f} MiB "
        f"(+{m['rss_peak'] - m['rss_before']:.0f} MiB); process peak RSS {m['maxrss']:.0f} MiB"
    )


def test_exporting_200000_events_streams_in_flat_memory(auditor, tmp_path):
    institution = auditor.institution
    started = time.perf_counter()
    bulk_chain(institution, EVENTS)
    print(f"\nbuilt a chain of {EVENTS:,} events in {time.perf_counter() - started:.1f} s; "
          f"RSS {rss_mb():.0f} MiB, process peak {peak_rss_mb():.0f} MiB")  # fmt: skip
    client = login(auditor)

    csv_m = consume(client, url("csv"))
    report("CSV", csv_m)
    path = tmp_path / "trail.jsonl"
    with open(path, "wb") as sink:
        jsonl_m = consume(client, url("jsonl"), sink)
    report("JSONL", jsonl_m)
    out = io.StringIO()
    started = time.perf_counter()
    call_command("verify_audit", file=str(path), stdout=out)  # exits (SystemExit) if broken
    print(f"verify_audit --file: {out.getvalue().strip()} ({time.perf_counter() - started:.1f} s)")
    print(f"tracemalloc peak: CSV {traced_peak_mb(client, url('csv')):.1f} MiB, "
          f"JSONL {traced_peak_mb(client, url('jsonl')):.1f} MiB")  # fmt: skip

    assert csv_m["rows"] == EVENTS + 1  # the header
    assert jsonl_m["rows"] == EVENTS + 1  # and the CSV export's own event, recorded before
    assert f"{EVENTS + 1} events verified" in out.getvalue()
