"""The two signing steps as the principal meets them on the decision page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit import log
from decisions import credentials
from decisions.credentials import Certificate
from decisions.models import Decision, PreparedSigning, SigningCredential
from dossiers.demo_certificate import self_signed_certificate
from tests.factories import login, own_certificate

pytest_plugins = ["tests.signing_fixtures"]

TOOL = Path(django_settings.BASE_DIR) / "signing_tool" / "sign_digest.py"


@pytest.fixture
def draft(settings, tmp_path, system_key, softhsm_token, token_holder, draft_decision):
    settings.MEDIA_ROOT = tmp_path
    credentials.register(
        person=token_holder, kind=SigningCredential.Kind.EXTERNAL, label="USB token",
        certificate=Certificate.load(softhsm_token.certificate.dump()), actor=log.SYSTEM,
    )  # fmt: skip
    return draft_decision(["Nguyễn Thị Hương"])


@pytest.fixture
def client(principal):
    return login(principal)


def prepare(client, draft):
    return client.post(reverse("decision_prepare_signing", args=[draft.pk]), follow=True)


def test_the_draft_offers_signing_at_the_signers_computer(client, draft):
    page = client.get(reverse("decision_detail", args=[draft.pk])).content.decode()

    assert reverse("decision_prepare_signing", args=[draft.pk]) in page
    assert reverse("decision_sign", args=[draft.pk]) not in page  # no key on the server


def test_after_preparing_the_page_offers_the_document_the_request_and_the_upload(client, draft):
    page = prepare(client, draft).content.decode()

    assert reverse("decision_prepared_pdf", args=[draft.pk]) in page
    assert reverse("decision_signing_request", args=[draft.pk]) in page
    assert reverse("decision_complete_signing", args=[draft.pk]) in page


def test_the_principal_signs_through_the_pages_with_his_token(
    client, draft, tmp_path, softhsm_token
):
    prepare(client, draft)
    request_file = tmp_path / "request.json"
    request_file.write_bytes(
        client.get(reverse("decision_signing_request", args=[draft.pk])).content
    )
    pdf = tmp_path / "prepared.pdf"
    pdf.write_bytes(
        b"".join(client.get(reverse("decision_prepared_pdf", args=[draft.pk])).streaming_content)
    )
    output = tmp_path / "signature.p7s"
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(TOOL), str(request_file), "--pdf", str(pdf), "-o", str(output),
         "--pkcs11-library", "/usr/lib/softhsm/libsofthsm2.so", "--token-label", "signer",
         "--key-label", "principal", "--secret-env", "TOKEN_PIN"],
        capture_output=True, text=True, check=False,
        env={**os.environ, "TOKEN_PIN": softhsm_token.passphrase},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    response = client.post(
        reverse("decision_complete_signing", args=[draft.pk]),
        {"signature": SimpleUploadedFile("chu-ky.p7s", output.read_bytes())},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.number) == (Decision.State.SIGNED, 1)


def test_the_signing_request_is_a_json_file_to_download(client, draft):
    prepare(client, draft)

    response = client.get(reverse("decision_signing_request", args=[draft.pk]))

    assert "attachment" in response["Content-Disposition"]
    assert (
        json.loads(response.content)["document_digest"]
        == PreparedSigning.objects.get(decision=draft).document_digest
    )


def test_uploading_a_file_that_is_not_a_signature_says_so_and_issues_nothing(client, draft):
    prepare(client, draft)

    response = client.post(
        reverse("decision_complete_signing", args=[draft.pk]),
        {"signature": SimpleUploadedFile("chu-ky.p7s", b"not a signature")},
    )

    assert response.status_code == 422
    assert "CMS" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == Decision.State.DRAFT


def test_an_oversized_signature_file_is_refused_before_it_is_read(client, draft):
    prepare(client, draft)

    response = client.post(
        reverse("decision_complete_signing", args=[draft.pk]),
        {"signature": SimpleUploadedFile("chu-ky.p7s", b"0" * (300 * 1024))},
    )

    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.state == Decision.State.DRAFT


def test_nobody_else_can_download_the_prepared_document(client, draft, delegated_vice):
    prepare(client, draft)

    response = login(delegated_vice).get(reverse("decision_prepared_pdf", args=[draft.pk]))

    assert response.status_code == 404


def test_with_a_certificate_on_the_server_too_preparing_needs_no_choice(client, draft, principal):
    own_certificate(principal)

    prepare(client, draft)

    assert PreparedSigning.objects.filter(decision=draft).exists()


def test_with_two_certificates_at_his_computer_the_principal_chooses_which(
    client, draft, principal, softhsm_token
):
    _key, spare = self_signed_certificate(principal.full_name)
    other = credentials.register(
        person=principal, kind=SigningCredential.Kind.EXTERNAL, label="Token dự phòng",
        certificate=Certificate.load(spare.public_bytes(serialization.Encoding.DER)),
        actor=log.SYSTEM,
    )  # fmt: skip

    page = client.get(reverse("decision_detail", args=[draft.pk])).content.decode()
    client.post(reverse("decision_prepare_signing", args=[draft.pk]), {"credential": other.pk})

    assert "Token dự phòng" in page
    assert PreparedSigning.objects.get(decision=draft).credential == other
