"""A signing holds up no other audited write of its institution while it renders and signs.

Only the decision counter (the year's numbers, gap-free) is locked while the PDF is rendered
and signed; the institution's audit head is locked only to write the signing's events at the
end (audit.log.deferred).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from audit import log
from audit.models import AuditEvent
from decisions import services
from decisions.models import Decision, DecisionCounter
from decisions.signing import SigningFailed
from tests.factories import sign_committed

pytest_plugins = ["tests.signing_fixtures"]

WAIT = 10  # seconds a blocked step waits before giving up


def another_write(institution, started: threading.Event, results: dict) -> threading.Thread:
    """A thread that, once `started` is set, appends one event of the institution and commits."""

    def body() -> None:
        try:
            assert started.wait(WAIT)
            with transaction.atomic():
                event = log.append(
                    institution=institution, actor=log.SYSTEM, action="task.taken",
                    object_type="test", object_id=1,
                )  # fmt: skip
            results["other"] = event.sequence
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


@pytest.fixture
def rendering_waits(monkeypatch):
    """Rendering a decision signals that it started, then waits for `release` (or WAIT seconds)."""
    started, release, seen = threading.Event(), threading.Event(), {}
    real = services.render_pdf

    def render(*args, **kwargs):
        started.set()
        seen["released while rendering"] = release.wait(WAIT)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "render_pdf", render)
    return started, release, seen


def sign_with_another_write(draft_decision, principal, institution, rendering_waits):
    started, release, seen = rendering_waits
    decision = draft_decision(["Nguyễn Thị Hương", "Phạm Đức Thắng"])
    results: dict = {}
    writer = another_write(institution, started, results)
    watcher = threading.Thread(target=lambda: (writer.join(WAIT), release.set()))
    watcher.start()
    signed = sign_committed(decision_id=decision.pk, person=principal)
    writer.join(WAIT)
    watcher.join(WAIT)
    return signed, results, seen


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_write_of_the_institution_commits_while_a_signing_renders(
    pkcs12_signing, draft_decision, principal, institution, rendering_waits
):
    _signed, results, seen = sign_with_another_write(
        draft_decision, principal, institution, rendering_waits
    )

    assert seen == {"released while rendering": True}
    first_signing_event = AuditEvent.objects.filter(action="dossier.signed").order_by("sequence")
    assert results["other"] < first_signing_event.first().sequence


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_decision_signed_while_another_write_landed_prints_a_head_the_chain_contains(
    pkcs12_signing, draft_decision, principal, institution, rendering_waits
):
    signed, results, _seen = sign_with_another_write(
        draft_decision, principal, institution, rendering_waits
    )

    other = AuditEvent.objects.get(institution=institution, sequence=results["other"])
    assert signed.chain_head == other.prev_hash  # the head read before rendering
    report = log.verify_institution(institution)
    assert report.intact, report.problem


@pytest.mark.django_db
def test_a_signing_failing_after_its_events_are_written_uses_no_number_and_leaves_one_event(
    pkcs12_signing, draft_decision, principal, institution, monkeypatch
):
    decision = draft_decision(["Nguyễn Thị Hương"])
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    monkeypatch.setattr("decisions.checkpoints._sign", _raise_signing_failed)
    with pytest.raises(services.SigningError):
        services.sign_decision(decision_id=decision.pk, person=principal)

    new = AuditEvent.objects.exclude(pk__in=before)
    assert list(new.values_list("action", flat=True)) == ["decision.signing_failed"]
    assert not DecisionCounter.objects.filter(last_number__gt=0).exists()
    decision.refresh_from_db()
    assert (decision.state, decision.number) == (Decision.State.DRAFT, None)
    assert log.verify_institution(institution).intact


@pytest.mark.django_db
def test_the_next_signing_after_one_failing_at_its_checkpoint_takes_number_1(
    pkcs12_signing, draft_decision, principal, institution, monkeypatch
):
    decision = draft_decision(["Nguyễn Thị Hương"])
    with monkeypatch.context() as patched:
        patched.setattr("decisions.checkpoints._sign", _raise_signing_failed)
        with pytest.raises(services.SigningError):
            services.sign_decision(decision_id=decision.pk, person=principal)

    signed = sign_committed(decision_id=decision.pk, person=principal)

    assert (signed.year, signed.number) == (timezone.localdate().year, 1)


def _raise_signing_failed(_data):
    raise SigningFailed("the token was unplugged")
