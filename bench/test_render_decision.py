"""How long a 500-awardee decision takes to render, and how many pages it has (`make bench`).

A measurement to watch, not a limit: the time depends on the machine and its fonts.
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from tests.test_decision_rendering import decision_with_awardees, page_count, render

AWARDEES = 500


@pytest.mark.bench
def test_time_to_render_a_500_awardee_decision(period, unit_a):
    from weasyprint import HTML

    decision = decision_with_awardees(period, unit_a, AWARDEES)
    HTML(string="<p>Khởi động</p>").write_pdf()  # fonts load once per process: not counted
    cache.clear()

    started = time.perf_counter()
    pdf = render(decision)
    first = time.perf_counter() - started
    started = time.perf_counter()
    render(decision)
    cached = time.perf_counter() - started

    print(
        f"\n{AWARDEES}-awardee decision: rendered in {first:.2f} s, {page_count(pdf)} pages, "
        f"{len(pdf) / 1024:.0f} KiB; served again from the cache in {cached * 1000:.0f} ms"
    )
    assert page_count(pdf) > 1
