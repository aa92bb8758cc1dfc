"""Signing at the signer's own computer: the server prepares, the signer's tool signs the digest
with their token (a real SoftHSM2 token), the server embeds, validates and issues."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audit import log
from audit.models import AuditEvent
from decisions import credentials, services
from decisions.credentials import Certificate
from decisions.models import Decision, PreparedSigning, SigningCredential
from dossiers.models import Dossier, State
from tests.factories import own_certificate, personal_pkcs12, sign_committed
from workflow.errors import GuardFailed

pytest_plugins = ["tests.signing_fixtures"]

HUONG = "Nguyễn Thị Hương"
TOOL = Path(django_settings.BASE_DIR) / "signing_tool" / "sign_digest.py"
SOFTHSM_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.fixture
def at_own_computer(settings, tmp_path, system_key, softhsm_token, token_holder):
    """The principal's certificate registered as one whose key is at his own computer."""
    settings.MEDIA_ROOT = tmp_path
    return credentials.register(
        person=token_holder, kind=SigningCredential.Kind.EXTERNAL, label="USB token",
        certificate=Certificate.load(softhsm_token.certificate.dump()), actor=log.SYSTEM,
    )  # fmt: skip


@pytest.fixture
def prepared(at_own_computer, draft_decision, principal) -> PreparedSigning:
    draft = draft_decision([HUONG])
    return services.prepare_signing(decision_id=draft.pk, person=principal)


def run_tool(prepared: PreparedSigning, tmp_path: Path, pin: str, *extra: str):
    """The signer's tool at their computer, with the files the pages let them download."""
    request = tmp_path / "request.json"
    request.write_text(json.dumps(services.signing_request(prepared)), encoding="utf-8")
    output = tmp_path / "signature.p7s"
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(TOOL), str(request), "-o", str(output), "--secret-env", "TOKEN_PIN",
         "--pkcs11-library", SOFTHSM_LIBRARY, "--token-label", "signer",
         "--key-label", "principal", *extra],
        capture_output=True, text=True, check=False,
        env={**os.environ, "TOKEN_PIN": pin},
    )  # fmt: skip
    return result, output


@pytest.fixture
def signature(prepared, tmp_path, softhsm_token) -> bytes:
    result, output = run_tool(prepared, tmp_path, softhsm_token.passphrase)
    assert result.returncode == 0, result.stderr
    return output.read_bytes()


def complete(prepared, principal, signature):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.complete_signing(
            decision_id=prepared.decision_id, person=principal, signature=signature
        )


# --- The first step ----------------------------------------------------------------------------


def test_preparing_numbers_the_decision_but_leaves_it_a_draft(prepared):
    decision = Decision.objects.get(pk=prepared.decision_id)

    assert (decision.state, decision.number, prepared.number) == (Decision.State.DRAFT, None, 1)


def test_preparing_is_audited_with_the_digest_to_sign(prepared):
    event = AuditEvent.objects.get(action="decision.signing_prepared")

    assert event.payload["document_digest"] == prepared.document_digest
    assert event.payload["certificate_sha256"] == prepared.credential.fingerprint


def test_the_signing_request_carries_the_digest_and_whose_certificate_must_sign(prepared):
    request = services.signing_request(prepared)

    assert request["document_digest"] == prepared.document_digest
    assert request["certificate_sha256"] == prepared.credential.fingerprint
    assert request["decision"].startswith("01/")


def test_preparing_again_keeps_the_reserved_number(prepared, principal):
    again = services.prepare_signing(decision_id=prepared.decision_id, person=principal)

    assert again.number == prepared.number
    assert PreparedSigning.objects.count() == 1


def test_a_key_on_the_server_cannot_be_prepared_for_two_steps(
    pkcs12_signing, draft_decision, principal
):
    draft = draft_decision([HUONG])

    with pytest.raises(GuardFailed, match="on the server"):
        services.prepare_signing(decision_id=draft.pk, person=principal)
    assert not AuditEvent.objects.filter(action="decision.signing_prepared").exists()


def test_a_key_at_the_signers_computer_cannot_be_used_in_one_step(
    at_own_computer, draft_decision, principal
):
    draft = draft_decision([HUONG])

    with pytest.raises(GuardFailed, match="own computer"):
        services.sign_decision(decision_id=draft.pk, person=principal)


# --- The signer's tool -------------------------------------------------------------------------


def test_the_tool_refuses_a_token_holding_another_certificate(prepared, tmp_path, settings):
    other = personal_pkcs12("Người Khác")
    request = tmp_path / "request.json"
    request.write_text(json.dumps(services.signing_request(prepared)), encoding="utf-8")

    result = subprocess.run(  # noqa: S603
        [sys.executable, str(TOOL), str(request), "-o", str(tmp_path / "x.p7s"),
         "--pkcs12", str(other), "--secret-env", "NO_SUCH_VARIABLE"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert "Người Khác" in result.stderr
    assert not (tmp_path / "x.p7s").exists()


def test_the_tool_refuses_a_pdf_the_request_is_not_for(
    prepared, tmp_path, softhsm_token, pdf_tools
):
    other = tmp_path / "other.pdf"
    other.write_bytes(pdf_tools.flip_signed_byte(Path(prepared.pdf.path).read_bytes()))

    result, output = run_tool(prepared, tmp_path, softhsm_token.passphrase, "--pdf", str(other))

    assert result.returncode == 1
    assert not output.exists()


def test_the_tool_checks_the_prepared_pdf_it_is_given(prepared, tmp_path, softhsm_token):
    pdf = tmp_path / "prepared.pdf"
    pdf.write_bytes(Path(prepared.pdf.path).read_bytes())

    result, output = run_tool(prepared, tmp_path, softhsm_token.passphrase, "--pdf", str(pdf))

    assert result.returncode == 0, result.stderr
    assert output.stat().st_size > 1000


def test_the_tool_reports_a_wrong_pin_as_an_unusable_key(prepared, tmp_path):
    result, output = run_tool(prepared, tmp_path, "0000")

    assert result.returncode == 2
    assert not output.exists()


# --- The second step ---------------------------------------------------------------------------


def test_the_completed_decision_is_signed_by_the_tokens_certificate_for_pdfsig(
    prepared, principal, signature, pdf_tools, softhsm_token
):
    decision = complete(prepared, principal, signature)

    report = pdf_tools.pdfsig(Path(decision.pdf.path))
    assert "Signature is Valid" in report
    assert "Total document signed" in report
    assert f"Signer Certificate Common Name: {softhsm_token.common_name}" in report


def test_the_completed_decision_gets_the_reserved_number_and_moves_its_dossier(
    prepared, principal, signature
):
    decision = complete(prepared, principal, signature)

    assert (decision.state, decision.number) == (Decision.State.SIGNED, prepared.number)
    assert Dossier.objects.get(decision_items__decision=decision).state == State.SIGNED
    assert not PreparedSigning.objects.exists()
    assert not Path(prepared.pdf.path).exists()


def test_the_signed_event_names_the_printed_signer_and_the_certificate(
    prepared, principal, signature, softhsm_token
):
    complete(prepared, principal, signature)

    payload = AuditEvent.objects.get(action="decision.signed").payload
    assert payload["printed_signer"] == principal.full_name == softhsm_token.common_name
    assert payload["certificate_sha256"] == prepared.credential.fingerprint


def test_a_file_that_is_not_a_signature_is_refused_and_changes_nothing(prepared, principal):
    with pytest.raises(GuardFailed, match="not a CMS signature"):
        complete(prepared, principal, b"%PDF-1.4 not a signature")

    assert Decision.objects.get(pk=prepared.decision_id).state == Decision.State.DRAFT
    assert PreparedSigning.objects.filter(pk=prepared.pk).exists()
    assert (
        not AuditEvent.objects.filter(action__startswith="decision.sign")
        .exclude(action="decision.signing_prepared")
        .exists()
    )


def test_a_signature_of_an_earlier_preparation_is_refused(prepared, principal, signature, settings):
    services.prepare_signing(decision_id=prepared.decision_id, person=principal)

    with pytest.raises(GuardFailed, match="another document"):
        complete(prepared, principal, signature)
    assert Decision.objects.get(pk=prepared.decision_id).state == Decision.State.DRAFT


def test_a_signature_by_another_persons_key_is_refused_naming_it(prepared, principal):
    import asyncio

    other = credentials.pkcs12_signer(personal_pkcs12("Người Khác"), "")
    digest = bytes.fromhex(prepared.document_digest)
    foreign = asyncio.run(other.async_sign(digest, "sha256", use_pades=True)).dump()

    with pytest.raises(GuardFailed, match="Người Khác"):
        complete(prepared, principal, foreign)
    assert Decision.objects.get(pk=prepared.decision_id).state == Decision.State.DRAFT


def test_only_the_person_who_prepared_can_complete(prepared, signature, delegated_vice):
    with pytest.raises(GuardFailed):
        complete(prepared, delegated_vice, signature)
    assert Decision.objects.get(pk=prepared.decision_id).state == Decision.State.DRAFT


def test_a_preparation_of_an_earlier_day_must_be_prepared_again(prepared, principal, signature):
    PreparedSigning.objects.filter(pk=prepared.pk).update(
        signed_on=prepared.signed_on - datetime.timedelta(days=1)
    )

    with pytest.raises(GuardFailed, match="prepare it again"):
        complete(prepared, principal, signature)


# --- A timestamp authority ---------------------------------------------------------------------


def _signature_status(decision, trust_roots):
    data = Path(decision.pdf.path).read_bytes()
    embedded = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[-1]
    return validate_pdf_signature(
        embedded,
        ValidationContext(trust_roots=trust_roots, allow_fetching=False),
        ts_validation_context=ValidationContext(trust_roots=trust_roots, allow_fetching=False),
    )


def test_with_a_timestamp_authority_a_two_step_signature_carries_its_timestamp(
    prepared, principal, signature, settings, timestamp_authority, softhsm_token
):
    url, tsa_certificate = timestamp_authority
    settings.SIGNING_TSA_URL = url

    decision = complete(prepared, principal, signature)

    status = _signature_status(decision, [softhsm_token.certificate, tsa_certificate])
    assert status.intact and status.valid
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    assert AuditEvent.objects.get(action="decision.signed").payload["timestamped"] is True


def test_with_a_timestamp_authority_a_one_step_signature_carries_its_timestamp(
    pkcs12_signing, draft_decision, principal, settings, timestamp_authority
):
    url, tsa_certificate = timestamp_authority
    settings.SIGNING_TSA_URL = url
    draft = draft_decision([HUONG])

    decision = sign_committed(decision_id=draft.pk, person=principal)

    status = _signature_status(decision, [pkcs12_signing.certificate, tsa_certificate])
    assert status.intact and status.valid
    assert status.timestamp_validity is not None and status.timestamp_validity.valid


def test_without_a_timestamp_authority_the_signature_has_no_timestamp(
    pkcs12_signing, draft_decision, principal
):
    decision = sign_committed(decision_id=draft_decision([HUONG]).pk, person=principal)

    status = _signature_status(decision, [pkcs12_signing.certificate])
    assert status.timestamp_validity is None


def test_an_unreachable_timestamp_authority_is_a_failed_signing_that_issues_nothing(
    pkcs12_signing, draft_decision, principal, settings
):
    settings.SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"
    draft = draft_decision([HUONG])

    with pytest.raises(services.SigningError):
        services.sign_decision(decision_id=draft.pk, person=principal)

    draft.refresh_from_db()
    assert (draft.state, draft.number) == (Decision.State.DRAFT, None)
    assert AuditEvent.objects.filter(action="decision.signing_failed").count() == 1


def test_a_certificate_on_the_server_too_does_not_hide_the_one_at_the_computer(
    at_own_computer, draft_decision, principal
):
    own_certificate(principal)
    draft = draft_decision([HUONG])

    prepared = services.prepare_signing(decision_id=draft.pk, person=principal)

    assert prepared.credential == at_own_computer


def test_a_certificate_at_the_computer_too_does_not_hide_the_one_on_the_server(
    at_own_computer, draft_decision, principal
):
    on_server = own_certificate(principal)
    draft = draft_decision([HUONG])

    sign_committed(decision_id=draft.pk, person=principal)

    payload = AuditEvent.objects.get(action="decision.signed").payload
    assert payload["credential"] == on_server.pk


# --- Leftovers and changed circumstances --------------------------------------------------------


def test_the_sweep_removes_a_prepared_document_no_preparation_names_and_keeps_the_live_one(
    prepared, settings
):
    from io import StringIO

    from django.core.management import call_command

    orphan = Path(prepared.pdf.path).with_name("2026-099-0123456789ab.pdf")
    orphan.write_bytes(b"%PDF-1.7 prepared, then its transaction rolled back")
    settings.SIGNING_LEFTOVER_MINUTES = 0

    call_command("sweep_orphans", stdout=StringIO())

    assert not orphan.exists()
    assert Path(prepared.pdf.path).is_file()


def test_a_preparation_made_for_the_principal_cannot_be_completed_in_his_own_name(
    prepared, principal, signature
):
    """Prepared "KT." for someone, completed in one's own capacity: the printed text would lie."""
    PreparedSigning.objects.filter(pk=prepared.pk).update(on_behalf_of=principal)

    with pytest.raises(GuardFailed, match="prepare it again"):
        complete(prepared, principal, signature)
    assert Decision.objects.get(pk=prepared.decision_id).state == Decision.State.DRAFT
