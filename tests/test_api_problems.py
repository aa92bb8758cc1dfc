"""Every refusal of the API is RFC 9457 problem details with a stable type, in your language.

Throttling (per token, per anonymous address), HTTP-level refusals (405, 415, 400, 404, 413), the
guard failures with their bilingual reasons, and the catalogue of problem types.
"""

from __future__ import annotations

import inspect

import pytest
from django.test import Client, override_settings
from django.utils import translation

from api.throttling import PerAddressThrottle, PerTokenThrottle
from dossiers.models import Document
from tests.api_helpers import ApiClient, problem
from tests.factories import audit_mark, draft, events_after
from workflow import errors

PROBLEMS = "/api/v1/problems/"
DOSSIERS = "/api/v1/dossiers/"
HTTP_TYPES = {
    "unauthenticated": 401,
    "method-not-allowed": 405,
    "not-acceptable": 406,
    "unsupported-media-type": 415,
    "length-required": 411,
    "payload-too-large": 413,
    "throttled": 429,
    "server-error": 500,
}


@pytest.fixture
def budget_of_three(monkeypatch):
    """Three calls a minute per token and per address.

    DRF binds each throttle's rates when its module is imported, so overriding the settings
    would not reach them: the rate is set on the classes themselves.
    """
    monkeypatch.setattr(PerTokenThrottle, "rate", "3/min", raising=False)
    monkeypatch.setattr(PerAddressThrottle, "rate", "3/min", raising=False)


def spend(call, times=3):
    for _ in range(times):
        assert call().status_code == 200


# Throttling


def test_a_token_past_its_budget_is_throttled_with_retry_after(budget_of_three, head_a):
    script = ApiClient(head_a)
    spend(lambda: script.get(DOSSIERS))

    response = script.get(DOSSIERS)

    problem(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 61


def test_each_token_has_its_own_budget(budget_of_three, head_a):
    first, second = ApiClient(head_a), ApiClient(head_a)
    spend(lambda: first.get(DOSSIERS))

    assert second.get(DOSSIERS).status_code == 200
    problem(first.get(DOSSIERS), 429, "throttled")


def test_a_throttled_call_changes_nothing(budget_of_three, period, unit_a, head_a):
    dossier = draft(period, unit_a, by=head_a)
    script = ApiClient(head_a)
    spend(lambda: script.get(DOSSIERS))

    response = script.post(
        f"{DOSSIERS}{dossier.pk}/transitions/", {"action": "submit", "version": dossier.version}
    )

    problem(response, 429, "throttled")
    dossier.refresh_from_db()
    assert dossier.state == "draft"


def anonymous(address: str, path=PROBLEMS, **headers):
    return Client().get(path, REMOTE_ADDR=address, **headers)


def test_the_public_endpoints_count_per_anonymous_address(budget_of_three, db):
    spend(lambda: anonymous("203.0.113.7"))

    response = anonymous("203.0.113.7")

    problem(response, 429, "throttled")
    assert "Retry-After" in response


def test_another_address_still_gets_answers(budget_of_three, db):
    spend(lambda: anonymous("203.0.113.7"))

    assert anonymous("198.51.100.9").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_budget(budget_of_three, db):
    spend(lambda: anonymous("203.0.113.7"))

    response = anonymous("203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.9")

    problem(response, 429, "throttled")


def test_guessing_tokens_spends_the_budget_of_the_address(budget_of_three, db):
    def guess():
        return Client().get(
            DOSSIERS, REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer tdkt_deadbeef_guess"
        )

    for _ in range(3):
        problem(guess(), 401, "unauthenticated")

    problem(guess(), 429, "throttled")


def test_a_token_is_not_held_back_by_its_address_budget(budget_of_three, head_a):
    spend(lambda: anonymous("127.0.0.1"))

    assert ApiClient(head_a).get(DOSSIERS).status_code == 200


# HTTP-level refusals


def test_a_method_a_path_does_not_take_is_405(db):
    response = Client().delete(PROBLEMS)

    problem(response, 405, "method-not-allowed")


def test_a_method_a_protected_path_does_not_take_is_405_for_a_script(head_a):
    response = ApiClient(head_a).client.put(
        DOSSIERS, "{}", content_type="application/json", **ApiClient(head_a).headers
    )

    problem(response, 405, "method-not-allowed")


@pytest.fixture
def dossier(period, unit_a, head_a):
    return draft(period, unit_a, by=head_a)


def transitions_of(dossier) -> str:
    return f"{DOSSIERS}{dossier.pk}/transitions/"


def test_a_plain_text_body_is_415(head_a, dossier):
    script = ApiClient(head_a)

    response = script.client.post(
        transitions_of(dossier), "action=submit", content_type="text/plain", **script.headers
    )

    problem(response, 415, "unsupported-media-type")
    dossier.refresh_from_db()
    assert dossier.state == "draft"


def test_malformed_json_is_400_invalid_input(head_a, dossier):
    script = ApiClient(head_a)

    response = script.client.post(
        transitions_of(dossier), '{"action": "submit",', content_type="application/json",
        **script.headers,
    )  # fmt: skip

    problem(response, 400, "invalid-input")


def test_a_wrong_typed_field_is_400_with_the_errors_by_field(head_a, dossier):
    response = ApiClient(head_a).post(transitions_of(dossier), {"action": 5, "version": "abc"})

    body = problem(response, 400, "invalid-input")
    assert set(body["errors"]) == {"action", "version"}
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)


def test_a_json_body_that_is_not_an_object_is_400(head_a, dossier):
    script = ApiClient(head_a)

    response = script.client.post(
        transitions_of(dossier), "[1, 2]", content_type="application/json", **script.headers
    )

    problem(response, 400, "invalid-input")


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/dossiers/not-a-number/", "/api/v1/dossiers"]
)
def test_an_unknown_path_under_the_api_is_404_problem_details(head_a, path):
    response = ApiClient(head_a).get(path)

    body = problem(response, 404, "not-found")
    assert body["instance"] == path


def test_an_unknown_path_is_404_whatever_the_method(db):
    response = Client().post("/api/v1/nothing-here/", "{}", content_type="application/json")

    problem(response, 404, "not-found")


def test_an_unknown_path_is_404_even_without_credentials(db):
    problem(Client().get("/api/v1/nothing-here/"), 404, "not-found")


def pdf_of(size: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"%PDF-1.4\n" + b"0" * (size - len(b"%PDF-1.4\n"))
    return SimpleUploadedFile("bang-khen.pdf", content, content_type="application/pdf")


def upload(head_a, dossier, size: int):
    kind = dossier.award_type.required_document_kinds.order_by("code").first()
    return ApiClient(head_a).upload(
        f"{DOSSIERS}{dossier.pk}/documents/",
        {"kind": kind.code, "version": dossier.version, "file": pdf_of(size)},
    )


@pytest.fixture
def bare_dossier(period, unit_a, head_a):
    return draft(period, unit_a, by=head_a, documents=False)


@override_settings(UPLOAD_MAX_BYTES=1000)
def test_an_upload_whose_body_exceeds_the_limit_is_413_and_stores_nothing(head_a, bare_dossier):
    mark = audit_mark()

    response = upload(head_a, bare_dossier, size=200 * 1024)

    problem(response, 413, "payload-too-large")
    assert not Document.objects.filter(dossier=bare_dossier).exists()
    assert not events_after(mark).filter(action="dossier.document_added").exists()


@override_settings(UPLOAD_MAX_BYTES=1000)
def test_a_file_just_over_the_limit_is_413_and_stores_nothing(head_a, bare_dossier):
    mark = audit_mark()

    response = upload(head_a, bare_dossier, size=1001)

    problem(response, 413, "payload-too-large")
    assert not Document.objects.filter(dossier=bare_dossier).exists()
    assert not events_after(mark).filter(action="dossier.document_added").exists()


def test_a_file_within_the_limit_is_stored(head_a, bare_dossier, settings, tmp_path):
    # Through the settings fixture only: with override_settings as well, the fixture's undo
    # restored the overridden limit and later tests ran with it.
    settings.UPLOAD_MAX_BYTES = 1000
    settings.MEDIA_ROOT = tmp_path
    mark = audit_mark()

    response = upload(head_a, bare_dossier, size=1000)

    assert response.status_code == 201, response.content
    assert Document.objects.filter(dossier=bare_dossier).count() == 1
    assert events_after(mark).filter(action="dossier.document_added").count() == 1


# Guard failures, in the caller's language


def submit(head_a, dossier, language):
    return ApiClient(head_a, language=language).post(
        transitions_of(dossier), {"action": "submit", "version": dossier.version}
    )


def test_submitting_a_draft_without_its_documents_is_422_with_the_reasons(head_a, bare_dossier):
    body = problem(submit(head_a, bare_dossier, "en"), 422, "guard-failed")

    assert body["reasons"]
    assert len(body["reasons_vi"]) == len(body["reasons_en"]) == len(body["reasons"])
    bare_dossier.refresh_from_db()
    assert bare_dossier.state == "draft"


def test_the_reasons_are_in_english_for_an_english_caller(head_a, bare_dossier):
    body = problem(submit(head_a, bare_dossier, "en"), 422, "guard-failed")

    assert body["reasons"] == body["reasons_en"]
    assert body["reasons_en"] != body["reasons_vi"]


def test_the_reasons_are_in_vietnamese_for_a_vietnamese_caller(head_a, bare_dossier):
    body = problem(submit(head_a, bare_dossier, "vi"), 422, "guard-failed")

    assert body["reasons"] == body["reasons_vi"]


def test_the_reasons_follow_the_preferred_language_of_the_header(head_a, bare_dossier):
    body = problem(
        submit(head_a, bare_dossier, "fr;q=0.9, en;q=0.8, vi;q=0.1"), 422, "guard-failed"
    )

    assert body["reasons"] == body["reasons_en"]


# Title and detail, in the caller's language


def translated(message, language: str) -> str:
    with translation.override(language):
        return str(message)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_title_and_detail_follow_accept_language(head_a, language):
    response = ApiClient(head_a, language=language).get(f"{DOSSIERS}987654/")

    body = problem(response, 404, "not-found")
    assert body["title"] == translated(errors.NotFound.default_message, language)
    assert body["detail"] == translated(errors.DossierNotFound.default_message, language)


def test_english_and_vietnamese_titles_differ(head_a):
    english = ApiClient(head_a, language="en").get(f"{DOSSIERS}987654/").json()
    vietnamese = ApiClient(head_a, language="vi").get(f"{DOSSIERS}987654/").json()

    assert english["title"] == "Not found, or you may not see it."
    assert vietnamese["title"] != english["title"]


def test_an_unauthenticated_refusal_speaks_english_to_an_english_caller(db):
    response = Client().get(DOSSIERS, HTTP_ACCEPT_LANGUAGE="en")

    body = problem(response, 401, "unauthenticated")
    assert body["title"] == "Sign in, or send a valid API token."


# The catalogue of problem types


def domain_types() -> dict[str, int]:
    """The `type` of every class of workflow/errors.py (a bulk failure takes its inner error's)."""
    return {
        cls.type: cls.http_status
        for _name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.DomainError) and cls is not errors.BulkTransitionFailed
    }


def test_the_catalogue_lists_every_domain_and_http_problem_type(db):
    response = Client().get(PROBLEMS)

    assert response.status_code == 200
    listed = {entry["type"]: entry["status"] for entry in response.json()}
    expected = {PROBLEMS + t: s for t, s in (domain_types() | HTTP_TYPES).items()}
    assert listed == expected


def test_the_catalogue_includes_the_lifecycle_refusals(db):
    listed = {entry["type"] for entry in Client().get(PROBLEMS).json()}

    for type_ in ("guard-failed", "stale-version", "illegal-transition", "separation-of-duties"):
        assert PROBLEMS + type_ in listed


@pytest.mark.parametrize("type_", sorted(domain_types().keys() | HTTP_TYPES.keys()))
def test_each_problem_type_answers_at_its_address(db, type_):
    response = Client().get(PROBLEMS + type_)

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == PROBLEMS + type_
    assert body["status"] == (domain_types() | HTTP_TYPES)[type_]
    assert body["title"]


def test_an_unknown_problem_type_is_404(db):
    problem(Client().get(PROBLEMS + "no-such-problem"), 404, "not-found")


def test_the_catalogue_speaks_the_callers_language(db):
    english = Client().get(PROBLEMS + "not-found", HTTP_ACCEPT_LANGUAGE="en").json()
    vietnamese = Client().get(PROBLEMS + "not-found", HTTP_ACCEPT_LANGUAGE="vi").json()

    assert english["title"] == "Not found, or you may not see it."
    assert vietnamese["title"] == translated(errors.NotFound.default_message, "vi")
