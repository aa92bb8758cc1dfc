"""The integrity panel: a background check of the chain, its progress, and the decisions' heads."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import log
from audit.models import AuditChainHead, AuditEvent
from auditing import integrity
from auditing.models import IntegrityCheck
from dossiers.models import State
from tests import factories
from tests.conftest import make_dossier, make_person, make_unit, put_in_signed_decision
from tests.factories import dossier_in, login
from tests.test_audit_tampering import TABLE, append_events, disable_trigger, run_sql
from workflow.errors import NotPermitted


@pytest.fixture
def five_events(institution):
    return append_events(institution, 5)


def run(institution, person) -> IntegrityCheck:
    """Ask for a check as the panel does; it runs once the request's transaction commits."""
    check = integrity.request_check(institution=institution, person=person)
    integrity.run_check(check_id=check.pk)
    check.refresh_from_db()
    return check


def signed_decision(period, unit, *, chain_head: str):
    """A signed decision printing `chain_head`, and its "decision.signed" event in the trail.

    Made by hand, not by sign_decision, so that what it prints can disagree with the trail.
    """
    decision = put_in_signed_decision(make_dossier(period, unit, documents=False))
    decision.chain_head = chain_head
    decision.save(update_fields=["chain_head"])
    with transaction.atomic():
        log.append(
            institution=decision.institution, actor=log.SYSTEM, action="decision.signed",
            object_type="decision", object_id=decision.pk, payload={"chain_head": chain_head},
        )  # fmt: skip
    return decision


def current_head(institution) -> AuditChainHead:
    return AuditChainHead.objects.get(institution=institution)


# The check


def test_a_check_of_an_intact_chain_is_done_with_every_event_checked(
    institution, auditor, five_events
):
    check = run(institution, auditor)

    assert check.state == IntegrityCheck.State.DONE
    assert (check.events_checked, check.events_total) == (5, 5)
    assert check.intact


def test_a_check_reports_the_head_hash_of_the_chain_it_verified(institution, auditor, five_events):
    head = current_head(institution)

    check = run(institution, auditor)

    assert check.head_hash == head.hash


def test_a_check_after_tampering_names_the_edited_sequence(institution, auditor, five_events):
    disable_trigger("workflow_audit_no_update")
    run_sql(f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = %s", [3])  # noqa: S608

    check = run(institution, auditor)

    assert check.state == IntegrityCheck.State.DONE
    assert check.first_broken_sequence == 3
    assert check.events_checked == 3  # the walk stops at the first broken event
    assert not check.intact


def test_a_check_notices_a_deleted_last_event_through_the_chain_head(
    institution, auditor, five_events
):
    disable_trigger("workflow_audit_no_delete")
    run_sql(f"DELETE FROM {TABLE} WHERE sequence = %s", [5])  # noqa: S608

    check = run(institution, auditor)

    assert check.first_broken_sequence is None
    assert "the trail ends at 4" in check.problem
    assert not check.intact


def test_progress_is_saved_after_each_chunk(institution, auditor, monkeypatch):
    append_events(institution, 7)
    check = integrity.request_check(institution=institution, person=auditor)
    saved = []
    record = integrity.record_progress

    def spy(check, events_checked):
        record(check, events_checked)
        saved.append(IntegrityCheck.objects.get(pk=check.pk).events_checked)

    monkeypatch.setattr(integrity, "record_progress", spy)

    integrity.run_check(check_id=check.pk, chunk_size=3)

    assert saved == [3, 6, 7]


def test_the_check_is_running_while_it_walks(institution, auditor, monkeypatch):
    append_events(institution, 4)
    check = integrity.request_check(institution=institution, person=auditor)
    seen = []
    record = integrity.record_progress

    def spy(check, events_checked):
        record(check, events_checked)
        stored = IntegrityCheck.objects.get(pk=check.pk)
        seen.append((stored.state, stored.events_total))

    monkeypatch.setattr(integrity, "record_progress", spy)

    integrity.run_check(check_id=check.pk, chunk_size=2)

    assert seen == [(IntegrityCheck.State.RUNNING, 4)] * 2


def test_events_appended_during_the_check_are_left_for_the_next_one(
    institution, auditor, five_events, monkeypatch
):
    check = integrity.request_check(institution=institution, person=auditor)
    record = integrity.record_progress

    def append_meanwhile(check, events_checked):
        append_events(institution, 1)
        record(check, events_checked)

    monkeypatch.setattr(integrity, "record_progress", append_meanwhile)

    integrity.run_check(check_id=check.pk, chunk_size=2)

    check.refresh_from_db()
    assert (check.events_total, check.events_checked) == (5, 5)
    assert check.intact


def test_the_check_is_recorded_in_the_trail_with_its_result(institution, auditor, five_events):
    check = run(institution, auditor)

    event = AuditEvent.objects.filter(institution=institution).order_by("sequence").last()
    assert (event.action, event.object_type, event.object_id) == (
        "audit.integrity_checked", "integrity_check", str(check.pk),
    )  # fmt: skip
    assert (event.actor, event.role) == (auditor, "auditor")
    assert event.payload["intact"] is True
    assert event.payload["up_to_sequence"] == 5
    assert event.payload["head_hash"] == check.head_hash
    assert log.verify_institution(institution).intact


def test_a_check_already_run_is_not_run_again(institution, auditor, five_events):
    check = run(institution, auditor)
    events = AuditEvent.objects.count()

    integrity.run_check(check_id=check.pk)

    assert AuditEvent.objects.count() == events


def test_a_check_that_fails_is_marked_failed(institution, auditor, five_events, monkeypatch):
    check = integrity.request_check(institution=institution, person=auditor)

    def broken_database(*args, **kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(integrity, "walk", broken_database)

    with pytest.raises(RuntimeError):
        integrity.run_check(check_id=check.pk)

    check.refresh_from_db()
    assert check.state == IntegrityCheck.State.FAILED
    assert "connection lost" in check.problem


def test_requesting_a_check_starts_it_once_the_transaction_commits(
    institution, auditor, five_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        check = integrity.request_check(institution=institution, person=auditor)
        assert IntegrityCheck.objects.get(pk=check.pk).state == IntegrityCheck.State.QUEUED

    assert IntegrityCheck.objects.get(pk=check.pk).state == IntegrityCheck.State.DONE


# Decisions


def test_a_decision_whose_printed_head_is_not_in_the_chain_is_listed_as_a_mismatch(
    institution, period, unit_a, auditor, five_events
):
    decision = signed_decision(period, unit_a, chain_head="f" * 64)

    check = run(institution, auditor)

    assert check.decisions_checked == 1
    assert check.decisions_mismatched == [
        {"decision_id": decision.pk, "reference": decision.reference, "chain_head": "f" * 64,
         "problem": "not_in_chain"},
    ]  # fmt: skip
    assert not check.intact


def test_a_decision_printing_the_head_before_its_signing_agrees_with_the_chain(
    institution, period, unit_a, auditor, five_events
):
    factories.sign(dossier_in(State.RECOMMENDED, period, unit_a))  # signed as people sign

    check = run(institution, auditor)

    assert check.decisions_checked == 1
    assert check.decisions_mismatched == []
    assert check.intact


def test_a_decision_printing_a_head_recorded_after_its_signing_is_a_mismatch(
    institution, period, unit_a, auditor, five_events
):
    decision = signed_decision(period, unit_a, chain_head="f" * 64)
    later = append_events(institution, 1)[0]
    decision.chain_head = later.hash
    decision.save(update_fields=["chain_head"])

    check = run(institution, auditor)

    assert [m["problem"] for m in check.decisions_mismatched] == ["after_signing"]


def test_a_signed_decision_without_a_signing_event_is_a_mismatch(
    institution, period, unit_a, auditor, five_events
):
    # Signed by hand: sign_decision never stores a signed decision without its event.
    decision = put_in_signed_decision(make_dossier(period, unit_a, documents=False))
    decision.chain_head = current_head(institution).hash
    decision.save(update_fields=["chain_head"])

    check = run(institution, auditor)

    assert [m["problem"] for m in check.decisions_mismatched] == ["no_signing_event"]


def test_a_signed_decision_printing_no_head_is_a_mismatch(
    institution, period, unit_a, auditor, five_events
):
    signed_decision(period, unit_a, chain_head="")

    check = run(institution, auditor)

    assert [m["problem"] for m in check.decisions_mismatched] == ["no_head"]


def test_a_decision_whose_printed_head_lies_past_the_broken_event_cannot_be_confirmed(
    institution, period, unit_a, auditor, five_events
):
    printed = AuditEvent.objects.get(institution=institution, sequence=4).hash
    signed_decision(period, unit_a, chain_head=printed)
    disable_trigger("workflow_audit_no_update")
    run_sql(f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = %s", [3])  # noqa: S608

    check = run(institution, auditor)

    assert [m["problem"] for m in check.decisions_mismatched] == ["unverified"]


def test_the_decisions_are_compared_in_a_constant_number_of_queries(
    institution, period, unit_a, auditor, five_events
):
    def queries_for(decisions: int) -> int:
        for _ in range(decisions):
            signed_decision(period, unit_a, chain_head="f" * 64)
        check = integrity.request_check(institution=institution, person=auditor)
        with CaptureQueriesContext(connection) as queries:
            integrity.run_check(check_id=check.pk)
        return len(queries)

    assert queries_for(1) == queries_for(6)


# Who may ask


def test_a_principal_may_request_a_check(institution, principal, five_events):
    assert run(institution, principal).state == IntegrityCheck.State.DONE


def test_a_reviewer_may_not_request_a_check(institution, reviewer):
    with pytest.raises(NotPermitted):
        integrity.request_check(institution=institution, person=reviewer)

    assert not IntegrityCheck.objects.exists()


def test_a_person_may_not_check_another_institutions_chain(other_institution, auditor):
    with pytest.raises(NotPermitted):
        integrity.request_check(institution=other_institution, person=auditor)


# Pages


def test_an_auditor_runs_a_check_from_the_panel_and_sees_its_result(
    institution, auditor, five_events, django_capture_on_commit_callbacks
):
    client = login(auditor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integrity_request"))

    check = IntegrityCheck.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("integrity_detail", args=[check.pk])
    page = client.get(response.url).content.decode()
    assert check.head_hash in page
    assert 'http-equiv="refresh"' not in page


def test_a_reviewer_posting_a_check_request_is_refused(reviewer):
    client = login(reviewer)

    response = client.post(reverse("integrity_request"))

    assert response.status_code == 403
    assert not IntegrityCheck.objects.exists()


def test_a_check_request_must_be_a_post(auditor):
    client = login(auditor)

    assert client.get(reverse("integrity_request")).status_code == 405
    assert not IntegrityCheck.objects.exists()


@pytest.mark.parametrize("name", ["integrity_panel", "anomaly_hints"])
def test_a_reviewer_is_shown_no_auditors_page(reviewer, name):
    client = login(reviewer)

    assert client.get(reverse(name)).status_code == 404


def test_the_panel_lists_the_last_checks_with_a_button_to_run_one(
    institution, auditor, five_events
):
    check = run(institution, auditor)
    client = login(auditor)

    page = client.get(reverse("integrity_panel")).content.decode()

    assert reverse("integrity_detail", args=[check.pk]) in page
    assert f'action="{reverse("integrity_request")}"' in page


def test_the_page_of_a_running_check_shows_its_progress_and_reloads_itself(institution, auditor):
    check = IntegrityCheck.objects.create(
        institution=institution, requested_by=auditor, state=IntegrityCheck.State.RUNNING,
        events_total=10_000, events_checked=4_000,
    )  # fmt: skip
    client = login(auditor)

    page = client.get(reverse("integrity_detail", args=[check.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="10000" value="4000">' in page


def test_the_page_of_a_broken_chain_names_the_first_broken_event(institution, auditor, five_events):
    disable_trigger("workflow_audit_no_update")
    run_sql(f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = %s", [3])  # noqa: S608
    check = run(institution, auditor)
    client = login(auditor)

    page = client.get(reverse("integrity_detail", args=[check.pk])).content.decode()

    assert "its content does not match its hash" in page
    assert check.head_hash in page  # the last event verified, sequence 2


def test_the_page_lists_the_decisions_that_disagree(
    institution, period, unit_a, auditor, five_events
):
    decision = signed_decision(period, unit_a, chain_head="f" * 64)
    run(institution, auditor)
    client = login(auditor)

    page = client.get(reverse("integrity_detail", args=[IntegrityCheck.objects.get().pk]))

    assert decision.reference in page.content.decode()
    assert "f" * 64 in page.content.decode()


def test_a_check_of_another_institution_is_not_found(other_institution, auditor):
    other_auditor = make_person(other_institution, make_unit(other_institution), roles=["auditor"])
    check = IntegrityCheck.objects.create(institution=other_institution, requested_by=other_auditor)
    client = login(auditor)

    assert client.get(reverse("integrity_detail", args=[check.pk])).status_code == 404
