"""Dossiers through the API: the same scope, services, door and errors as the pages."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from dossiers.models import AwardType, Document, Dossier, State
from tests.api_helpers import ApiClient, problem
from tests.conftest import PDF_BYTES, make_dossier, make_person, pdf_upload
from tests.factories import audit_mark, dossier_in, events_after, nominee_for

SUMMARY = "Hoàn thành xuất sắc nhiệm vụ năm học."


def award(institution, code="advanced_worker") -> AwardType:
    return AwardType.objects.get(institution=institution, code=code)


def new_body(institution, of_unit, period, **overrides) -> dict:
    nominee = nominee_for(award(institution), of_unit, period)
    return {
        "award_type": award(institution).pk,
        "nominee_person": nominee.pk,
        "achievement_summary": SUMMARY,
        **overrides,
    }


# Reading -------------------------------------------------------------------------------------


def test_a_unit_head_lists_only_their_own_units_dossiers(period, unit_a, unit_b, head_a):
    own = make_dossier(period, unit_a)
    make_dossier(period, unit_b)

    response = ApiClient(head_a).get("/api/v1/dossiers/")

    assert response.status_code == 200
    assert [d["id"] for d in response.json()["results"]] == [own.pk]


def test_the_list_takes_the_list_pages_filters(period, unit_a, reviewer):
    submitted = dossier_in(State.SUBMITTED, period, unit_a)
    make_dossier(period, unit_a)

    response = ApiClient(reviewer).get("/api/v1/dossiers/", {"state": "submitted"})

    assert [d["id"] for d in response.json()["results"]] == [submitted.pk]


def test_an_unknown_state_filter_is_bad_input(reviewer):
    body = problem(ApiClient(reviewer).get("/api/v1/dossiers/", {"state": "nope"}), 400,
                   "invalid-input")  # fmt: skip
    assert "state" in body["errors"]


def test_the_list_pages_with_a_cursor_without_repeating_a_dossier(period, unit_a, reviewer):
    made = {make_dossier(period, unit_a).pk for _ in range(5)}
    client = ApiClient(reviewer)

    first = client.get("/api/v1/dossiers/", {"page_size": 2}).json()
    seen = [d["id"] for d in first["results"]]
    following = first["next"]
    while following:
        page = client.get(following).json()
        seen += [d["id"] for d in page["results"]]
        following = page["next"]

    assert sorted(seen) == sorted(made)


def test_the_list_keeps_its_query_count_as_dossiers_grow(
    period, unit_a, reviewer, django_assert_max_num_queries
):
    client = ApiClient(reviewer)
    make_dossier(period, unit_a)
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/dossiers/")
    for _ in range(6):
        make_dossier(period, unit_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/dossiers/").json()["results"]) == 7


def test_a_dossier_carries_its_version_and_etag(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)

    response = ApiClient(head_a).get(f"/api/v1/dossiers/{dossier.pk}/")

    assert response.json()["version"] == dossier.version
    assert response["ETag"] == f'"{dossier.version}"'
    assert response.json()["actions"] == ["submit", "withdraw"]


def test_another_units_dossier_is_not_found_for_a_unit_head(period, unit_b, head_a):
    other = make_dossier(period, unit_b)

    problem(ApiClient(head_a).get(f"/api/v1/dossiers/{other.pk}/"), 404, "not-found")


def test_another_institutions_dossier_is_not_found(period, unit_a, other_institution):
    dossier = make_dossier(period, unit_a)
    outsider = make_person(other_institution, _unit_of(other_institution), roles=["reviewer"])

    problem(ApiClient(outsider).get(f"/api/v1/dossiers/{dossier.pk}/"), 404, "not-found")


def _unit_of(institution):
    from tests.conftest import make_unit

    return make_unit(institution, "khoa-x", "Khoa X")


def test_an_id_beyond_any_database_key_is_not_found(head_a):
    problem(ApiClient(head_a).get(f"/api/v1/dossiers/{2**70}/"), 404, "not-found")


def test_without_credentials_the_api_answers_401(period, unit_a):
    dossier = make_dossier(period, unit_a)

    response = ApiClient(None).get(f"/api/v1/dossiers/{dossier.pk}/")

    problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_history_lists_the_dossiers_audited_events(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)

    events = ApiClient(head_a).get(f"/api/v1/dossiers/{dossier.pk}/history/").json()

    assert [e["action"] for e in events][:1] == ["dossier.created"]
    assert {e["action"] for e in events} == {"dossier.created", "dossier.document_added"}


# Creating and editing ------------------------------------------------------------------------


def test_a_unit_head_creates_a_draft_of_their_unit(institution, period, unit_a, head_a):
    client = ApiClient(head_a)
    mark = audit_mark()

    response = client.post("/api/v1/dossiers/", new_body(institution, unit_a, period))

    assert response.status_code == 201
    dossier = Dossier.objects.get(pk=response.json()["id"])
    assert (dossier.state, dossier.unit, dossier.created_by) == (State.DRAFT, unit_a, head_a)
    assert response["Location"] == f"/api/v1/dossiers/{dossier.pk}/"
    assert [e.action for e in events_after(mark)] == ["dossier.created"]


def test_a_nominee_of_another_unit_is_refused_and_nothing_is_stored(
    institution, period, unit_a, unit_b, head_a
):
    stranger = nominee_for(award(institution), unit_b, period)
    client = ApiClient(head_a)
    mark = audit_mark()

    body = problem(
        client.post(
            "/api/v1/dossiers/", new_body(institution, unit_a, period, nominee_person=stranger.pk)
        ),
        400, "invalid-input",
    )  # fmt: skip

    assert "nominee" in body["errors"]
    assert not Dossier.objects.exists()
    assert not events_after(mark).exists()


def test_two_nominees_at_once_are_bad_input(institution, period, unit_a, head_a):
    body = new_body(institution, unit_a, period, nominee_unit=unit_a.pk)

    problem(ApiClient(head_a).post("/api/v1/dossiers/", body), 400, "invalid-input")
    assert not Dossier.objects.exists()


def test_a_reviewer_cannot_create_a_dossier(institution, period, unit_a, reviewer):
    body = new_body(institution, unit_a, period, unit=unit_a.pk)

    problem(ApiClient(reviewer).post("/api/v1/dossiers/", body), 403, "not-permitted")
    assert not Dossier.objects.exists()


def test_a_unit_head_edits_a_draft_with_the_version_they_saw(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)

    response = ApiClient(head_a).patch(
        f"/api/v1/dossiers/{dossier.pk}/",
        {"achievement_summary": "Sửa lại bản tóm tắt.", "version": dossier.version},
    )

    assert response.status_code == 200
    assert response.json()["version"] == dossier.version + 1
    dossier.refresh_from_db()
    assert dossier.achievement_summary == "Sửa lại bản tóm tắt."


def test_if_match_stands_in_for_the_version(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)

    response = ApiClient(head_a).patch(
        f"/api/v1/dossiers/{dossier.pk}/",
        {"achievement_summary": "Qua If-Match."},
        HTTP_IF_MATCH=f'"{dossier.version}"',
    )

    assert response.status_code == 200
    assert response["ETag"] == f'"{dossier.version + 1}"'


def test_a_stale_if_match_is_a_conflict_and_changes_nothing(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)

    problem(
        ApiClient(head_a).patch(
            f"/api/v1/dossiers/{dossier.pk}/", {"achievement_summary": "Cũ."},
            HTTP_IF_MATCH=f'"{dossier.version - 1 or 99}"',
        ),
        409, "stale-version",
    )  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.achievement_summary != "Cũ."


def test_an_edit_without_any_version_is_bad_input(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)

    problem(
        ApiClient(head_a).patch(f"/api/v1/dossiers/{dossier.pk}/", {"achievement_summary": "x"}),
        400, "invalid-input",
    )  # fmt: skip


def test_a_submitted_dossier_cannot_be_edited(period, unit_a, head_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    problem(
        ApiClient(head_a).patch(
            f"/api/v1/dossiers/{dossier.pk}/",
            {"achievement_summary": "Muộn rồi.", "version": dossier.version},
        ),
        409, "illegal-transition",
    )  # fmt: skip


# Documents -----------------------------------------------------------------------------------


def test_a_document_is_uploaded_as_multipart_and_downloaded_again(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)
    client = ApiClient(head_a)

    response = client.upload(
        f"/api/v1/dossiers/{dossier.pk}/documents/",
        {"kind": "achievement_report", "version": dossier.version, "file": pdf_upload()},
    )

    assert response.status_code == 201
    assert response["ETag"] == f'"{dossier.version + 1}"'
    download = client.get(response.json()["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_a_file_that_is_not_what_it_claims_is_refused_and_not_stored(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)
    before = Document.objects.count()
    fake = pdf_upload("bao-cao.pdf", b"MZ not a pdf at all")

    body = problem(
        ApiClient(head_a).upload(
            f"/api/v1/dossiers/{dossier.pk}/documents/",
            {"kind": "achievement_report", "version": dossier.version, "file": fake},
        ),
        400, "invalid-input",
    )  # fmt: skip

    assert "bao-cao.pdf" in body["detail"]
    assert Document.objects.count() == before


def test_an_unknown_document_kind_is_bad_input(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)

    body = problem(
        ApiClient(head_a).upload(
            f"/api/v1/dossiers/{dossier.pk}/documents/",
            {"kind": "no-such-kind", "version": dossier.version, "file": pdf_upload()},
        ),
        400, "invalid-input",
    )  # fmt: skip
    assert "kind" in body["errors"]


def test_removing_a_draft_document_takes_it_out(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)
    document = dossier.documents.first()

    response = ApiClient(head_a).delete(
        f"/api/v1/dossiers/{dossier.pk}/documents/{document.pk}/?version={dossier.version}"
    )

    assert response.status_code == 204
    assert not Document.objects.filter(pk=document.pk).exists()


# Lifecycle -----------------------------------------------------------------------------------


def test_a_unit_head_submits_through_the_door(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)
    client = ApiClient(head_a)
    mark = audit_mark()

    response = client.post(
        f"/api/v1/dossiers/{dossier.pk}/transitions/",
        {"action": "submit", "version": dossier.version},
    )

    assert response.status_code == 200
    assert response.json()["state"] == State.SUBMITTED
    assert [e.action for e in events_after(mark)] == ["dossier.submitted"]


def test_a_guard_failure_answers_422_with_its_reasons_in_both_languages(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a, documents=False)

    body = problem(
        ApiClient(head_a, language="en").post(
            f"/api/v1/dossiers/{dossier.pk}/transitions/",
            {"action": "submit", "version": dossier.version},
        ),
        422, "guard-failed",
    )  # fmt: skip

    assert any("Required documents are missing" in r for r in body["reasons"])
    assert body["reasons_en"] == body["reasons"]
    assert any("Thiếu" in r or "thiếu" in r for r in body["reasons_vi"])
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT


def test_returning_without_a_reason_is_refused(period, unit_a, reviewer):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    problem(
        ApiClient(reviewer).post(
            f"/api/v1/dossiers/{dossier.pk}/transitions/",
            {"action": "return_for_revision", "version": dossier.version},
        ),
        422, "guard-failed",
    )  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED


def test_an_action_done_elsewhere_is_not_offered_here(period, unit_a, reviewer):
    dossier = dossier_in(State.REVIEWED, period, unit_a)

    body = problem(
        ApiClient(reviewer).post(
            f"/api/v1/dossiers/{dossier.pk}/transitions/",
            {"action": "open_vote", "version": dossier.version},
        ),
        400, "invalid-input",
    )  # fmt: skip
    assert "action" in body["errors"]


def test_an_action_of_another_role_is_forbidden_on_a_visible_dossier(period, unit_a, head_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    problem(
        ApiClient(head_a).post(
            f"/api/v1/dossiers/{dossier.pk}/transitions/",
            {"action": "approve", "version": dossier.version},
        ),
        403, "not-permitted",
    )  # fmt: skip


def test_an_action_the_state_does_not_allow_is_a_conflict(period, unit_a, reviewer):
    dossier = make_dossier(period, unit_a)
    dossier_in(State.SUBMITTED, period, unit_a)

    problem(
        ApiClient(reviewer).post(
            f"/api/v1/dossiers/{dossier.pk}/transitions/",
            {"action": "approve", "version": dossier.version},
        ),
        409, "illegal-transition",
    )  # fmt: skip


def test_bulk_approval_moves_every_dossier_or_none(period, unit_a, reviewer):
    first, second = (dossier_in(State.SUBMITTED, period, unit_a) for _ in range(2))
    client = ApiClient(reviewer)
    mark = audit_mark()

    body = problem(
        client.post(
            "/api/v1/dossiers/transitions/",
            {"action": "approve", "dossiers": [{"id": first.pk, "version": first.version},
                                               {"id": second.pk, "version": 1}]},
        ),
        409, "stale-version",
    )  # fmt: skip

    assert body["dossier"] == second.pk
    assert set(Dossier.objects.values_list("state", flat=True)) == {State.SUBMITTED}
    assert not events_after(mark).exists()


def test_bulk_approval_with_current_versions_moves_them_all(period, unit_a, reviewer):
    first, second = (dossier_in(State.SUBMITTED, period, unit_a) for _ in range(2))

    response = ApiClient(reviewer).post(
        "/api/v1/dossiers/transitions/",
        {"action": "approve", "dossiers": [{"id": d.pk, "version": d.version}
                                           for d in (first, second)]},
    )  # fmt: skip

    assert response.status_code == 200
    assert {d["state"] for d in response.json()} == {State.REVIEWED}
    assert AuditEvent.objects.filter(action="dossier.approved").count() == 2


def test_bulk_action_on_a_dossier_out_of_scope_is_not_found(period, unit_a, unit_b, head_a):
    own = make_dossier(period, unit_a)
    other = make_dossier(period, unit_b)

    problem(
        ApiClient(head_a).post(
            "/api/v1/dossiers/transitions/",
            {"action": "submit", "dossiers": [{"id": own.pk, "version": own.version},
                                              {"id": other.pk, "version": other.version}]},
        ),
        404, "not-found",
    )  # fmt: skip
    own.refresh_from_db()
    assert own.state == State.DRAFT


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"action": "submit"},
        {"action": 3, "version": 1},
        {"action": "submit", "version": "one"},
        {"action": "submit", "version": -1},
        {"action": "submit", "version": 2**80},
        {"action": "submit", "version": 1, "reason": "x" * 5001},
    ],
)
def test_malformed_transition_bodies_are_bad_input(period, unit_a, head_a, body):
    dossier = make_dossier(period, unit_a)

    problem(
        ApiClient(head_a).post(f"/api/v1/dossiers/{dossier.pk}/transitions/", body),
        400, "invalid-input",
    )  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT


def test_a_document_downloads_for_a_caller_that_accepts_only_pdf(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)
    document = dossier.documents.first()

    response = ApiClient(head_a).get(
        f"/api/v1/dossiers/{dossier.pk}/documents/{document.pk}/file/",
        HTTP_ACCEPT="application/pdf",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_missing_download_is_a_problem_even_for_a_caller_that_accepts_only_pdf(head_a):
    missing = "/api/v1/dossiers/1/documents/1/file/"

    problem(ApiClient(head_a).get(missing, HTTP_ACCEPT="application/pdf"), 404, "not-found")
