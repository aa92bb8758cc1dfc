"""Signing through PKCS#11, as with a CA's USB token, against a real SoftHSM2 token (no mock)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditEvent
from decisions.models import Decision, DecisionCounter, SigningCredential
from decisions.services import SigningError, sign_decision
from dossiers.models import Dossier, State
from tests.factories import sign_committed

pytest_plugins = ["tests.signing_fixtures"]

HUONG = "Nguyễn Thị Hương"


@pytest.fixture
def signed(pkcs11_signing, draft_decision, principal) -> Decision:
    decision = draft_decision([HUONG])
    return sign_committed(
        decision_id=decision.pk, person=principal, secret=pkcs11_signing.passphrase
    )


def test_a_decision_signed_through_the_token_is_valid_for_pdfsig(signed, pdf_tools):
    report = pdf_tools.pdfsig(signed.pdf.path)

    assert "Signature is Valid" in report
    assert "Total document signed" in report


def test_pdfsig_names_the_signer_from_the_tokens_certificate(signed, pdf_tools, pkcs11_signing):
    report = pdf_tools.pdfsig(signed.pdf.path)

    assert f"Signer Certificate Common Name: {pkcs11_signing.common_name}" in report


def test_the_signed_event_names_the_tokens_certificate(signed, pkcs11_signing):
    event = AuditEvent.objects.get(action="decision.signed")

    assert pkcs11_signing.common_name in event.payload["signer_certificate"]


def test_pyhanko_finds_the_token_signature_intact_with_the_tokens_certificate_as_root(
    signed, pkcs11_signing
):
    data = Path(signed.pdf.path).read_bytes()
    signature = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[-1]

    status = validate_pdf_signature(
        signature,
        ValidationContext(trust_roots=[pkcs11_signing.certificate], allow_fetching=False),
    )

    assert status.intact and status.valid and status.trusted


def test_the_token_signed_decision_is_numbered_and_moves_its_dossier(signed):
    signed.refresh_from_db()

    assert (signed.state, signed.number) == (Decision.State.SIGNED, 1)
    assert Dossier.objects.get(decision_items__decision=signed).state == State.SIGNED


# --- A wrong PIN -------------------------------------------------------------------------------


WRONG_PIN = "0000"


@pytest.fixture
def draft(draft_decision):
    return draft_decision([HUONG])


def test_a_wrong_pin_raises_signing_error(pkcs11_signing, draft, principal):
    with pytest.raises(SigningError):
        sign_decision(decision_id=draft.pk, person=principal, secret=WRONG_PIN)


def test_a_wrong_pin_leaves_no_trace_but_the_failure_event(
    pkcs11_signing, draft, principal, media_files
):
    events_before = set(AuditEvent.objects.values_list("pk", flat=True))
    files_before = media_files()
    dossier = Dossier.objects.get(decision_items__decision=draft)

    with pytest.raises(SigningError):
        sign_decision(decision_id=draft.pk, person=principal, secret=WRONG_PIN)

    draft.refresh_from_db()
    new_events = AuditEvent.objects.exclude(pk__in=events_before)
    assert [e.action for e in new_events] == ["decision.signing_failed"]
    assert (draft.state, draft.number, draft.pdf.name) == (Decision.State.DRAFT, None, "")
    assert not DecisionCounter.objects.exists()
    assert media_files() == files_before
    assert Dossier.objects.get(pk=dossier.pk).state == State.RECOMMENDED


def test_a_wrong_pin_does_not_lock_out_the_right_one(pkcs11_signing, draft, principal):
    with pytest.raises(SigningError):
        sign_decision(decision_id=draft.pk, person=principal, secret=WRONG_PIN)

    signed = sign_committed(
        decision_id=draft.pk, person=principal, secret=pkcs11_signing.passphrase
    )

    assert (signed.number, signed.signed_on) == (1, timezone.localdate())


def test_an_absent_token_raises_signing_error(pkcs11_signing, draft, principal):
    SigningCredential.objects.filter(person=principal).update(token_label="not-plugged-in")

    with pytest.raises(SigningError):
        sign_decision(decision_id=draft.pk, person=principal, secret=pkcs11_signing.passphrase)

    assert AuditEvent.objects.filter(action="decision.signing_failed").count() == 1
