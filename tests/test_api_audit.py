"""The auditor's trail through the API: filters as on the trail page, keyset pages, one event,
exports recorded like the page's, verifying the chain, integrity checks, a dossier's story, and
who is refused."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit import hashchain
from audit.models import AuditChainHead, AuditEvent
from auditing.models import IntegrityCheck
from dossiers.models import Role, State
from tests.api_helpers import ApiClient, problem
from tests.conftest import make_person, make_unit
from tests.factories import act, dossier_in, draft, login, period_recipe
from tests.test_audit_tampering import TABLE, disable_trigger, run_sql
from tests.test_trail_exports import body, bulk_chain, exported_events, record

EVENTS = "/api/v1/audit/events/"
TOO_BIG = "99999999999999999999"


def sequences(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [event["sequence"] for event in response.json()["results"]]


def page_sequences(auditor, query: dict) -> list[int]:
    """What the trail page lists for the same filter (its first page)."""
    response = login(auditor).get("/audit/", query)
    assert response.status_code == 200
    assert not response.context["form"].errors, response.context["form"].errors
    return [row.event.sequence for row in response.context["rows"]]


@pytest.fixture
def api(auditor):
    return ApiClient(auditor)


@pytest.fixture
def five(institution, head_a, api):
    """Five events after the auditor's token: three submissions, two returns with a reason."""
    record(institution, "dossier.submitted", person=head_a, reason="Nộp hồ sơ đúng hạn", n=3)
    record(institution, "dossier.returned", person=head_a, reason="Thiếu bản nhận xét", n=2)


# Who may read the trail

AUDIT_PATHS = [
    EVENTS,
    f"{EVENTS}1/",
    "/api/v1/audit/exports/csv/",
    "/api/v1/audit/exports/jsonl/",
    "/api/v1/audit/exports/pdf/",
    "/api/v1/audit/verify/",
    "/api/v1/audit/checks/",
    "/api/v1/audit/checks/1/",
    "/api/v1/audit/dossiers/1/",
]


@pytest.mark.parametrize("path", AUDIT_PATHS)
def test_an_anonymous_caller_is_asked_to_sign_in(db, path):
    problem(ApiClient(None).get(path), 401, "unauthenticated")


@pytest.mark.parametrize("path", AUDIT_PATHS)
def test_a_unit_head_is_refused_every_part_of_the_audit_api(five, head_a, institution, path):
    problem(ApiClient(head_a).get(path), 403, "not-permitted")

    assert not exported_events(institution).exists()


@pytest.mark.parametrize("who", ["reviewer", "secretary"])
def test_other_officers_are_refused_the_trail_too(five, request, who):
    problem(ApiClient(request.getfixturevalue(who)).get(EVENTS), 403, "not-permitted")


def test_a_unit_head_may_not_ask_for_an_integrity_check(head_a, institution):
    problem(ApiClient(head_a).post("/api/v1/audit/checks/"), 403, "not-permitted")

    assert not IntegrityCheck.objects.exists()


def test_the_principal_reads_the_trail(five, principal):
    assert sequences(ApiClient(principal).get(EVENTS))[:5] == [7, 6, 5, 4, 3]


# The events


def test_events_come_newest_first(five, api):
    assert sequences(api.get(EVENTS)) == [6, 5, 4, 3, 2, 1]


def test_an_event_carries_the_chain_fields_so_its_hash_can_be_recomputed(five, api):
    (event, *_rest) = api.get(EVENTS).json()["results"]

    chained = {name: event[name] for name in hashchain.EXPORT_FIELDS}
    assert hashchain.event_hash(event["prev_hash"], chained) == event["hash"]
    assert event["hash"] == AuditChainHead.objects.get().hash


def test_an_event_reads_as_on_the_trail_page(five, api, head_a):
    event = api.get(EVENTS).json()["results"][0]

    assert (event["action"], event["actor_id"], event["actor"]) == (
        "dossier.returned", head_a.pk, head_a.full_name,
    )  # fmt: skip
    assert event["reason"] == "Thiếu bản nhận xét"
    assert event["labels"]["action"] == "Trả lại để bổ sung"
    assert event["labels"]["role"] == "Trưởng đơn vị"


def test_an_event_about_a_dossier_links_to_its_story(period, unit_a, api):
    dossier = draft(period, unit_a)

    event = api.get(EVENTS, {"dossier_id": dossier.pk}).json()["results"][0]

    assert event["story"] == f"/api/v1/audit/dossiers/{dossier.pk}/"
    assert event["labels"]["object"].endswith(f"#{dossier.pk}")


def test_another_institutions_events_never_appear(five, other_institution, api, institution):
    record(other_institution, "dossier.submitted", n=10)

    body = api.get(EVENTS, {"page_size": 200}).json()

    assert {event["institution"] for event in body["results"]} == {institution.code}
    assert len(body["results"]) == 6


# Filters, as on the page


@pytest.fixture
def story(period, unit_a, unit_b, head_a, reviewer, api):
    """Two dossiers of two units, one returned with a reason, one still a draft."""
    returned = dossier_in(State.SUBMITTED, period, unit_a)
    act(returned, "return_for_revision", reviewer, reason="Thiếu bản nhận xét của tổ")
    other = draft(period, unit_b)
    return returned, other


def test_each_filter_lists_what_the_trail_page_lists(story, api, auditor, reviewer, unit_b, period):
    returned, _other = story
    today = timezone.localdate().isoformat()
    for query in (
        {"dossier_id": returned.pk},
        {"unit_id": unit_b.pk},
        {"period_id": period.pk},
        {"actor_id": reviewer.pk},
        {"action": "dossier.returned"},
        {"state": State.RETURNED},
        {"text": "nhận xét"},
        {"date_from": today, "date_to": today},
        {"unit_id": unit_b.pk, "action": "dossier.created"},
    ):
        expected = page_sequences(auditor, query)
        assert sequences(api.get(EVENTS, query)) == expected, query
        assert expected, query  # each filter finds something


def test_a_filter_narrows_to_the_dossier_named(story, api):
    returned, _other = story

    events = api.get(EVENTS, {"dossier_id": returned.pk}).json()["results"]

    assert {e["object_id"] for e in events} == {str(returned.pk)}
    assert [e["action"] for e in events][:2] == ["dossier.returned", "dossier.submitted"]


def test_a_day_before_any_event_finds_nothing(story, api):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    assert sequences(api.get(EVENTS, {"date_to": yesterday.strftime("%d/%m/%Y")})) == []


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
        {"date_from": "99999-01-01"},
        {"date_to": "2026-02-30"},
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
        {"dossier_id": "0"},
        {"dossier_id": TOO_BIG},
        {"actor_id": "abc"},
        {"action": "dossier.teleported"},
        {"state": "lost"},
        {"text": "x" * 201},
        {"before": TOO_BIG},
        {"before": "-1"},
        {"page_size": "0"},
        {"page_size": "201"},
    ],
)
def test_a_malformed_filter_is_refused_with_400(five, api, query):
    refusal = problem(api.get(EVENTS, query), 400, "invalid-input")

    assert refusal["errors"] and set(refusal["errors"]) <= set(query)


# Keyset pages


def test_pages_give_every_event_once_while_new_ones_are_appended(institution, api):
    record(institution, n=23)
    seen, url = [], f"{EVENTS}?page_size=5"
    while url:
        body = api.get(url).json()
        seen += [event["sequence"] for event in body["results"]]
        record(institution, n=2)  # arrives while the auditor reads; for a later visit
        url = body["next"]

    assert seen == list(range(24, 0, -1))  # the auditor's token is event 1


def test_the_next_page_keeps_the_filter_and_starts_below_the_cursor(institution, api):
    record(institution, "dossier.submitted", n=4)
    record(institution, "dossier.returned", n=4)

    first = api.get(EVENTS, {"action": "dossier.submitted", "page_size": 3}).json()
    second = api.get(first["next"]).json()

    assert first["next_before"] == 3
    assert [e["sequence"] for e in second["results"]] == [2]
    assert second["next"] is None and second["next_before"] is None


def test_before_reads_the_events_older_than_it(five, api):
    assert sequences(api.get(EVENTS, {"before": 4})) == [3, 2, 1]


def test_a_page_costs_the_same_queries_however_long_the_trail(institution, api):
    record(institution, n=10)
    with CaptureQueriesContext(connection) as short:
        assert len(sequences(api.get(EVENTS, {"page_size": 5, "before": 8}))) == 5

    bulk_chain(institution, 3000)
    with CaptureQueriesContext(connection) as long:
        assert len(sequences(api.get(EVENTS, {"page_size": 5, "before": 2500}))) == 5

    assert len(long) == len(short)


def test_a_page_of_the_trail_takes_a_handful_of_queries(five, api, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # token, its use, roles, delegations, the page
        api.get(EVENTS, {"action": "dossier.returned"})


# One event


def test_one_event_is_read_by_its_sequence(five, api):
    event = api.get(f"{EVENTS}4/").json()

    assert (event["sequence"], event["action"]) == (4, "dossier.submitted")


def test_another_institutions_event_is_not_found(five, other_institution, api):
    record(other_institution, "dossier.submitted", n=10)

    problem(api.get(f"{EVENTS}9/"), 404, "not-found")


@pytest.mark.parametrize("sequence", ["0", "7", TOO_BIG])
def test_an_event_that_does_not_exist_is_not_found(five, api, sequence):
    problem(api.get(f"{EVENTS}{sequence}/"), 404, "not-found")


# Exports

FORMATS = ("csv", "jsonl", "pdf")


def export(client, export_format, **query):
    return client.get(f"/api/v1/audit/exports/{export_format}/", query)


@pytest.mark.parametrize("export_format", FORMATS)
def test_each_export_is_recorded_in_the_trail_as_the_pages_are(
    five, api, auditor, institution, export_format
):
    response = export(api, export_format, action="dossier.returned", date_from="2020-01-01")
    assert response.status_code == 200
    body(response)

    event = exported_events(institution).get()
    assert (event.actor, event.role) == (auditor, Role.AUDITOR)
    assert event.payload["format"] == export_format
    assert event.payload["filter"] == {"action": "dossier.returned", "date_from": "2020-01-01"}
    assert (event.payload["count"], event.payload["through_sequence"]) == (2, 6)
    assert event.client_address == "127.0.0.1"


@pytest.mark.parametrize("export_format", ["csv", "jsonl"])
def test_an_export_holds_what_the_pages_export_holds_for_the_same_filter(
    five, api, auditor, export_format
):
    query = {"action": "dossier.submitted", "text": "đúng hạn"}

    from_api = body(export(api, export_format, **query))
    from_page = body(login(auditor).get(f"/audit/export.{export_format}", query))

    assert from_api == from_page
    lines = {"csv": 4, "jsonl": 3}[export_format]  # the CSV's header, then three events
    assert from_api.count(b"\n") == lines


def test_an_export_says_what_it_covers_in_its_headers(five, api):
    response = export(api, "jsonl")
    body(response)

    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert response["X-Audit-Event-Count"] == "6"
    assert response["X-Audit-Head-Sequence"] == "6"
    assert response["X-Audit-Head-Hash"] == AuditEvent.objects.get(sequence=6).hash
    assert response["Content-Disposition"].endswith('.jsonl"')


def test_the_csv_export_streams(five, api):
    response = export(api, "csv")

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body(response).startswith(b"\xef\xbb\xbf")


def test_a_client_may_ask_for_the_files_own_type(five, api):
    response = api.get("/api/v1/audit/exports/csv/", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    body(response)


def test_the_pdf_report_is_a_pdf(five, api):
    response = export(api, "pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@override_settings(AUDIT_PDF_EXPORT_LIMIT=4)
def test_a_pdf_over_the_limit_is_refused_with_the_pages_reason_and_not_recorded(
    five, api, institution
):
    refusal = problem(export(api, "pdf"), 422, "guard-failed")

    assert "6" in refusal["reasons_en"][0] and "4" in refusal["reasons_en"][0]
    assert "CSV" in refusal["reasons_en"][0]
    assert refusal["reasons_vi"]
    assert not exported_events(institution).exists()


@override_settings(AUDIT_PDF_EXPORT_LIMIT=4)
def test_a_narrower_filter_fits_under_the_pdf_limit(five, api):
    assert export(api, "pdf", action="dossier.returned").status_code == 200


@pytest.mark.parametrize("export_format", FORMATS)
def test_an_export_with_a_malformed_filter_is_refused_and_not_recorded(
    five, api, institution, export_format
):
    problem(export(api, export_format, date_to="9999-12-31"), 400, "invalid-input")

    assert not exported_events(institution).exists()


# Verifying the chain


def test_verify_reports_an_intact_chain_with_its_head(five, api, institution):
    head = AuditChainHead.objects.get(institution=institution)

    report = api.get("/api/v1/audit/verify/").json()

    assert report["intact"] is True
    assert report["institution"] == institution.code
    assert report["events_verified"] == 6
    assert report["head"] == {"sequence": 6, "hash": head.hash}
    assert (report["first_broken_sequence"], report["problem"]) == (None, "")


def test_verify_after_tampering_names_the_first_broken_event(five, api):
    disable_trigger("workflow_audit_no_update")
    run_sql(f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = %s", [3])  # noqa: S608

    report = api.get("/api/v1/audit/verify/").json()

    assert report["intact"] is False
    assert report["first_broken_sequence"] == 3
    assert report["events_verified"] == 2
    assert report["head"] == {"sequence": 2, "hash": AuditEvent.objects.get(sequence=2).hash}
    assert report["problem"] == "its content does not match its hash"


def test_verify_covers_only_the_callers_institution(five, other_institution, api):
    record(other_institution, n=3)
    disable_trigger("workflow_audit_no_update")
    other = AuditEvent.objects.filter(institution=other_institution, sequence=2)
    run_sql(f"UPDATE {TABLE} SET reason = 'x' WHERE id = %s", [other.get().pk])  # noqa: S608

    assert api.get("/api/v1/audit/verify/").json()["intact"] is True


# Integrity checks


def test_asking_for_a_check_queues_it_and_it_runs_once_the_request_commits(
    five, api, auditor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/audit/checks/")

    assert response.status_code == 202
    queued = response.json()
    assert (queued["state"], queued["requested_by"]["id"]) == ("queued", auditor.pk)
    assert response["Location"] == f"/api/v1/audit/checks/{queued['id']}/"
    done = api.get(response["Location"]).json()
    assert (done["state"], done["intact"], done["events_checked"]) == ("done", True, 6)


def test_a_check_after_tampering_is_not_intact(five, api, auditor, institution):
    from auditing import integrity

    disable_trigger("workflow_audit_no_update")
    run_sql(f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = %s", [3])  # noqa: S608
    check = integrity.request_check(institution=institution, person=auditor)
    integrity.run_check(check_id=check.pk)

    report = api.get(f"/api/v1/audit/checks/{check.pk}/").json()

    assert (report["intact"], report["first_broken_sequence"]) == (False, 3)


def test_the_checks_are_listed_newest_first(five, api, auditor, institution):
    from auditing import integrity

    first = integrity.request_check(institution=institution, person=auditor)
    second = integrity.request_check(institution=institution, person=auditor)

    listed = api.get("/api/v1/audit/checks/").json()["results"]

    assert [c["id"] for c in listed] == [second.pk, first.pk]


def test_another_institutions_check_is_not_found(other_institution, api):
    from auditing import integrity

    unit = make_unit(other_institution)
    outsider = make_person(other_institution, unit, roles=[Role.AUDITOR])
    check = integrity.request_check(institution=other_institution, person=outsider)

    problem(api.get(f"/api/v1/audit/checks/{check.pk}/"), 404, "not-found")
    assert api.get("/api/v1/audit/checks/").json()["results"] == []


# A dossier's story


def test_a_dossiers_story_tells_its_history_oldest_first_with_its_documents(story, api):
    returned, _other = story

    told = api.get(f"/api/v1/audit/dossiers/{returned.pk}/").json()

    assert told["dossier"]["id"] == returned.pk
    actions = [entry["action"] for entry in told["entries"]]
    assert actions[0] == "dossier.created"
    assert actions[-2:] == ["dossier.submitted", "dossier.returned"]
    assert told["entries"][-1]["reason"] == "Thiếu bản nhận xét của tổ"
    added = [e for e in told["entries"] if e["action"] == "dossier.document_added"]
    assert added and "SHA-256" in added[0]["details"][0]
    assert {d["sha256"] for d in told["documents"]} <= {
        h["sha256"] for h in told["history_documents"]
    }
    assert (told["meetings"], told["decisions"]) == ([], [])


def test_a_signed_dossiers_story_names_its_meeting_and_decision(period, unit_a, api):
    signed = dossier_in(State.SIGNED, period, unit_a)

    told = api.get(f"/api/v1/audit/dossiers/{signed.pk}/").json()

    assert told["meetings"][0]["recommended"] is True
    assert told["decisions"][0]["state"] == "signed"
    assert told["decisions"][0]["chain_head"]


def test_another_institutions_dossier_has_no_story_here(other_institution, api):
    outsider = draft(
        period_recipe.make(institution=other_institution), make_unit(other_institution)
    )

    problem(api.get(f"/api/v1/audit/dossiers/{outsider.pk}/"), 404, "not-found")
    problem(api.get(f"/api/v1/audit/dossiers/{TOO_BIG}/"), 404, "not-found")
