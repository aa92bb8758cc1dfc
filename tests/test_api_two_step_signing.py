"""Signing through the API: the signer's own certificate and PIN, and the two steps."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest

from audit import log
from decisions import credentials
from decisions.models import Decision, SigningCredential
from tests.api_helpers import ApiClient, problem
from tests.factories import own_certificate

pytest_plugins = ["tests.signing_fixtures"]


def url(decision, tail="") -> str:
    return f"/api/v1/decisions/{decision.pk}/{tail}"


@pytest.fixture
def draft(draft_decision):
    return draft_decision(["Nguyễn Thị Hương"])


@pytest.fixture
def at_own_computer(settings, tmp_path, system_key, principal):
    """The principal's certificate registered with its key at his computer (a PKCS#12 file
    there, which the test opens as his tool would)."""
    settings.MEDIA_ROOT = tmp_path
    server_side = own_certificate(principal)
    credentials.archive(server_side, actor=log.SYSTEM)
    return credentials.register(
        person=principal, kind=SigningCredential.Kind.EXTERNAL, label="Máy của tôi",
        certificate=credentials.of(server_side), actor=log.SYSTEM,
    ), server_side.pkcs12_path  # fmt: skip


def test_the_pin_typed_through_the_api_unlocks_the_signers_key(
    settings, tmp_path, system_key, principal, draft
):
    settings.MEDIA_ROOT = tmp_path
    own_certificate(principal, passphrase="mat-khau-rieng")

    response = ApiClient(principal).post(url(draft, "sign/"), {"secret": "mat-khau-rieng"})

    assert response.status_code == 200, response.content
    assert response.json()["state"] == Decision.State.SIGNED
    assert "mat-khau-rieng" not in response.content.decode()


def test_a_wrong_pin_through_the_api_is_a_signing_failure(
    settings, tmp_path, system_key, principal, draft
):
    settings.MEDIA_ROOT = tmp_path
    own_certificate(principal, passphrase="mat-khau-rieng")

    problem(ApiClient(principal).post(url(draft, "sign/"), {"secret": "sai"}), 502,
            "signing-failed")  # fmt: skip
    draft.refresh_from_db()
    assert draft.state == Decision.State.DRAFT


def test_the_two_steps_through_the_api_issue_the_decision(at_own_computer, principal, draft):
    _credential, key_file = at_own_computer
    client = ApiClient(principal)

    request = client.post(url(draft, "prepare-signing/")).json()
    signer = credentials.pkcs12_signer(Path(key_file), "")
    digest = bytes.fromhex(request["document_digest"])
    cms = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True)).dump()
    response = client.post(
        url(draft, "complete-signing/"), {"signature": base64.b64encode(cms).decode()}
    )

    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["reference"][:3]) == ("signed", "01/")


def test_a_signature_that_is_not_base64_is_refused_and_changes_nothing(
    at_own_computer, principal, draft
):
    client = ApiClient(principal)
    client.post(url(draft, "prepare-signing/"))

    response = client.post(url(draft, "complete-signing/"), {"signature": "không phải base64"})

    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.state == Decision.State.DRAFT


def test_completing_a_decision_never_prepared_is_refused_with_the_reason(
    at_own_computer, principal, draft
):
    response = ApiClient(principal).post(
        url(draft, "complete-signing/"), {"signature": base64.b64encode(b"x").decode()}
    )

    assert response.status_code == 422
    assert "not prepared" in str(response.json()) or "chưa" in str(response.json())


def test_a_certificate_of_someone_else_cannot_be_chosen_through_the_api(
    settings, tmp_path, system_key, principal, vice_principal, draft
):
    settings.MEDIA_ROOT = tmp_path
    own_certificate(principal)
    theirs = credentials.active(vice_principal).get()

    response = ApiClient(principal).post(url(draft, "sign/"), {"credential": theirs.pk})

    assert response.status_code == 422
    draft.refresh_from_db()
    assert draft.state == Decision.State.DRAFT
