"""`sign500_lock_ms`: how long a 500-awardee signing holds up another audited write of the same
institution (goal: at most 1 s). PostgreSQL: the other write runs on its own connection."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from audit import log
from bench.figures import Figure
from tests.factories import Cast, own_certificate, sign_committed, signing_certificate
from tests.test_decision_rendering import decision_with_awardees

AWARDEES = 500
GOAL_MS = 1000
STARTS_AFTER = 0.5  # seconds into the signing

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]


def test_how_long_a_500_awardee_signing_blocks_the_institutions_other_writes(
    period, unit_a, figures
):
    if connection.vendor != "postgresql":
        pytest.skip("one connection per thread: PostgreSQL")
    institution = unit_a.institution
    signing_certificate()
    decision = decision_with_awardees(period, unit_a, AWARDEES)
    principal = Cast(institution).principal
    own_certificate(principal)
    waited = {}

    def another_write():
        time.sleep(STARTS_AFTER)
        started = time.perf_counter()
        try:
            with transaction.atomic():
                log.append(institution=institution, actor=log.SYSTEM, action="task.taken",
                           object_type="bench", object_id=1)  # fmt: skip
            waited["seconds"] = time.perf_counter() - started
        finally:
            connection.close()

    writer = threading.Thread(target=another_write)
    started = time.perf_counter()
    writer.start()
    sign_committed(decision_id=decision.pk, person=principal)
    signing = time.perf_counter() - started
    writer.join(300)

    figures.record(Figure(
        "sign500_lock_ms", round(waited["seconds"] * 1000), "ms", "the goal", GOAL_MS,
        note=f"another audited write waited while a {AWARDEES}-awardee signing ({signing:.1f} s) "
             "held the institution's audit head",
    ))  # fmt: skip
