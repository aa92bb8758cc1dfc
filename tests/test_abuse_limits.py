"""Request limits: an oversized body is refused from its headers before anything reads it, and
an address calling the anonymous endpoints too often is told to wait (dossiers/limits.py)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from decisions import verification
from dossiers.models import Document
from tests.api_helpers import problem
from tests.conftest import PDF_BYTES, make_dossier
from tests.factories import login

VERIFY_PAGE, VERIFY_API = "/verify/", "/api/v1/decisions/verify/"
MB = 1024 * 1024


class UnreadBody:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def announced(client: Client, path: str, length: int | str, **headers):
    """A POST announcing a body of `length` bytes that must never be read."""
    return client.post(path, CONTENT_LENGTH=str(length), **{"wsgi.input": UnreadBody()},
                       CONTENT_TYPE="multipart/form-data; boundary=x", **headers)  # fmt: skip


# --- Body sizes ---------------------------------------------------------------------------------


def test_the_verification_page_refuses_a_body_larger_than_any_decision_before_reading_it(db):
    response = announced(Client(), VERIFY_PAGE, verification.MAX_VERIFY_BYTES + MB)

    assert response.status_code == 413
    assert "lớn hơn giới hạn 30,0\xa0MB" in response.text


def test_the_verification_api_refuses_a_body_larger_than_any_decision_before_reading_it(db):
    response = announced(Client(), VERIFY_API, verification.MAX_VERIFY_BYTES + MB)

    body = problem(response, 413, "payload-too-large")
    assert "không đọc gì" in body["detail"]


def test_a_chunked_body_without_a_length_is_refused_with_411(db):
    response = announced(Client(), VERIFY_PAGE, "", HTTP_TRANSFER_ENCODING="chunked")

    assert response.status_code == 411


def test_a_length_that_is_not_a_number_is_bad_input(db):
    assert announced(Client(), VERIFY_PAGE, "12abc").status_code == 400


def test_a_file_within_the_limit_is_still_checked(db):
    upload = SimpleUploadedFile("quyet-dinh.pdf", PDF_BYTES, content_type="application/pdf")

    response = Client().post(VERIFY_PAGE, {"file": upload})

    assert response.status_code == 200
    assert response.context["verdict"] is not None


def test_a_document_over_the_upload_limit_is_refused_and_nothing_stored(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a, documents=False)

    response = announced(login(head_a), f"/dossiers/{dossier.pk}/documents/",
                         django_settings.UPLOAD_MAX_BYTES + MB)  # fmt: skip

    assert response.status_code == 413
    assert not Document.objects.filter(dossier=dossier).exists()


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/spreadsheets/import/", "SPREADSHEET_IMPORT_MAX_BYTES"),
        ("/movements/new/", "UPLOAD_MAX_BYTES"),
        ("/dossiers/new/", "NEW_DOSSIER_MAX_BYTES"),
        ("/meetings/1/written-ballot/", "UPLOAD_MAX_BYTES"),
        ("/api/v1/dossiers/1/documents/", "UPLOAD_MAX_BYTES"),
    ],
)
def test_each_upload_view_refuses_a_body_over_its_own_limit(head_a, path, limit):
    client = login(head_a)

    assert announced(client, path, getattr(django_settings, limit) + MB).status_code == 413


def test_the_signature_upload_of_two_step_signing_takes_a_signature_not_a_document(head_a):
    response = announced(login(head_a), "/decisions/1/complete-signing/", 2 * MB)

    assert response.status_code == 413


def test_a_view_that_takes_no_file_refuses_a_large_body(db):
    response = announced(Client(), "/login/", django_settings.REQUEST_MAX_BYTES + MB)

    assert response.status_code == 413


def test_the_limit_follows_its_setting(settings, period, unit_a, head_a):
    settings.SPREADSHEET_IMPORT_MAX_BYTES = 10

    assert announced(login(head_a), "/spreadsheets/import/", 100 * 1024).status_code == 413


# --- Rates --------------------------------------------------------------------------------------


@pytest.fixture
def verify_budget_of_two(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "verify": "2/min",
             "public_files": "2/min"}  # fmt: skip
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def test_an_address_past_its_budget_on_the_verification_page_is_told_when_to_come_back(
    verify_budget_of_two, db
):
    client = Client()
    assert [client.get(VERIFY_PAGE).status_code for _ in range(2)] == [200, 200]

    response = client.get(VERIFY_PAGE)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61


def test_the_page_and_the_api_share_one_budget_per_address(verify_budget_of_two, db):
    client = Client()
    client.get(VERIFY_PAGE)
    client.get(VERIFY_PAGE)

    response = client.post(VERIFY_API, {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)})

    problem(response, 429, "throttled")
    assert response["Retry-After"]


def test_another_address_keeps_its_own_budget(verify_budget_of_two, db):
    client = Client()
    for _ in range(3):
        client.get(VERIFY_PAGE)

    assert client.get(VERIFY_PAGE, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_throttled_request_is_refused_before_its_body_is_read(verify_budget_of_two, db):
    client = Client()
    client.get(VERIFY_PAGE)
    client.get(VERIFY_PAGE)

    assert announced(client, VERIFY_PAGE, 1000).status_code == 429


def test_checkpoint_files_are_rate_limited_per_address(verify_budget_of_two, db):
    client = Client()
    statuses = [client.get("/verify/checkpoints/1.json").status_code for _ in range(3)]

    assert statuses == [404, 404, 429]


# --- Dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_a_date_outside_the_sane_range_is_refused_by_the_api_with_the_field_named(day):
    from api.delegations import DelegationIn

    body = DelegationIn(data={"starts_on": day, "ends_on": day}, partial=True)

    assert not body.is_valid()
    assert {"starts_on", "ends_on"} <= set(body.errors)


@pytest.mark.parametrize("day", ["01/01/0001", "31/12/9999"])
def test_a_date_outside_the_sane_range_is_a_form_error_on_the_trail(auditor, day):
    response = login(auditor).get("/audit/", {"date_from": day})

    assert response.status_code == 200
    assert "date_from" in response.context["form"].errors


def test_a_birth_date_of_the_oldest_staff_still_fits():
    from api.records import PersonIn

    body = PersonIn(data={"birth_date": "1950-03-02"}, partial=True)

    assert body.is_valid(), body.errors
