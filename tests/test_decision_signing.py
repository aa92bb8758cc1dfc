"""Signing a decision with the PKCS#12 certificate: number, PDF, signature, audit, dossiers.

The signatures are real (pyHanko) and checked by an independent tool (poppler's pdfsig).
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditChainHead, AuditEvent
from decisions import credentials
from decisions.models import Decision, DecisionCounter
from decisions.services import SigningError, sign_decision, verification_url
from dossiers.models import Dossier, State
from tests.factories import own_certificate, sign_committed
from workflow.errors import IllegalTransition, NotPermitted

pytest_plugins = ["tests.signing_fixtures"]

HUONG = "Nguyễn Thị Hương"
THANG = "Phạm Đức Thắng"


@pytest.fixture
def signed(pkcs12_signing, draft_decision, principal) -> Decision:
    """A decision over two dossiers (Hương's and Thắng's), signed by the principal."""
    decision = draft_decision([HUONG, THANG])
    return sign_committed(decision_id=decision.pk, person=principal)


def stored_bytes(decision: Decision) -> bytes:
    return Path(decision.pdf.path).read_bytes()


def validate(data: bytes, trust_root):
    signature = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[-1]
    return validate_pdf_signature(
        signature, ValidationContext(trust_roots=[trust_root], allow_fetching=False)
    )


# --- The signed decision -----------------------------------------------------------------------


def test_signing_a_prepared_decision_gives_it_number_1_of_the_year(signed):
    signed.refresh_from_db()

    assert signed.state == Decision.State.SIGNED
    assert (signed.year, signed.number) == (timezone.localdate().year, 1)


def test_the_reference_is_the_zero_padded_number_in_the_institutions_series(signed, institution):
    assert signed.reference == f"01/{institution.decision_series}" == "01/QĐ-CĐTN"


def test_the_signed_decision_records_its_signer_and_no_delegator(signed, principal):
    signed.refresh_from_db()

    assert signed.signer == principal
    assert signed.on_behalf_of is None
    assert signed.signed_on == timezone.localdate()


def test_the_signed_pdf_is_stored_under_media_root_with_its_hash(signed, settings, pdf_tools):
    path = Path(signed.pdf.path)

    assert path.is_relative_to(settings.MEDIA_ROOT)
    assert signed.pdf_sha256 == pdf_tools.sha256(path.read_bytes())


def test_signing_moves_every_dossier_to_signed(signed):
    states = set(Dossier.objects.filter(decision_items__decision=signed).values_list("state"))

    assert states == {(State.SIGNED,)}


def test_each_dossier_is_signed_through_the_one_transition_service(signed):
    dossier_ids = sorted(signed.items.values_list("dossier_id", flat=True))
    events = AuditEvent.objects.filter(action="dossier.signed")

    assert len(dossier_ids) == 2
    assert sorted(int(e.object_id) for e in events) == dossier_ids
    assert {(e.from_state, e.to_state) for e in events} == {(State.RECOMMENDED, State.SIGNED)}


def test_the_signed_event_records_the_sha256_of_the_stored_file(signed, pdf_tools):
    event = AuditEvent.objects.get(action="decision.signed")

    assert event.object_id == str(signed.pk)
    assert event.payload["pdf_sha256"] == pdf_tools.sha256(stored_bytes(signed))
    assert event.payload["reference"] == signed.reference


def test_the_signed_event_records_the_chain_head_from_before_the_signing_events(
    pkcs12_signing, draft_decision, principal, institution
):
    decision = draft_decision([HUONG])
    head_before = AuditChainHead.objects.get(institution=institution).hash

    signed = sign_committed(decision_id=decision.pk, person=principal)

    event = AuditEvent.objects.get(action="decision.signed")
    first_signing_event = AuditEvent.objects.get(action="dossier.signed")
    assert event.payload["chain_head"] == signed.chain_head == head_before
    assert first_signing_event.prev_hash == head_before  # nothing happened in between


# --- The signature, checked independently ------------------------------------------------------


def test_pdfsig_says_the_signature_is_valid_and_covers_the_whole_document(signed, pdf_tools):
    report = pdf_tools.pdfsig(signed.pdf.path)

    assert "Signature is Valid" in report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report


def test_pyhanko_finds_the_signature_intact_and_valid_with_the_demo_certificate_as_root(
    signed, pkcs12_signing
):
    status = validate(stored_bytes(signed), pkcs12_signing.certificate)

    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["common_name"] == pkcs12_signing.common_name


def test_flipping_one_signed_byte_makes_pdfsig_reject_the_signature(signed, pdf_tools, tmp_path):
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(pdf_tools.flip_signed_byte(stored_bytes(signed)))

    report = pdf_tools.pdfsig(tampered)

    assert "Signature Field Name: Signature1" in report  # still read as a signed PDF
    assert "Signature is Valid" not in report


def test_flipping_one_signed_byte_makes_pyhanko_report_the_signature_not_intact(
    signed, pdf_tools, pkcs12_signing
):
    status = validate(pdf_tools.flip_signed_byte(stored_bytes(signed)), pkcs12_signing.certificate)

    assert not status.intact


# --- What the PDF says -------------------------------------------------------------------------


def test_the_text_carries_the_number(signed, pdf_tools):
    assert "Số: 01/QĐ-CĐTN" in pdf_tools.text(signed.pdf.path)


def test_the_text_carries_the_awardees_names_with_their_diacritics(signed, pdf_tools):
    text = pdf_tools.text(signed.pdf.path)

    assert HUONG in text
    assert THANG in text


def test_the_principal_signs_as_hieu_truong(signed, pdf_tools, principal):
    lines = [line.strip() for line in pdf_tools.text(signed.pdf.path).splitlines()]

    assert "HIỆU TRƯỞNG" in lines  # the signature block's own line
    assert principal.full_name in lines
    assert not any(line.startswith("KT.") for line in lines)


def test_the_footer_carries_the_start_of_the_chain_head_and_the_verification_url(signed, pdf_tools):
    text = pdf_tools.text(signed.pdf.path)

    assert f"Mã nhật ký {signed.chain_head[:12]}" in text
    assert signed.chain_head not in text  # the whole head is in the trail, not on the page
    assert verification_url() in text
    assert verification_url().endswith("/verify/")


# --- A delegate signs --------------------------------------------------------------------------


@pytest.fixture
def signed_by_delegate(pkcs12_signing, draft_decision, delegated_vice) -> Decision:
    decision = draft_decision([HUONG])
    return sign_committed(decision_id=decision.pk, person=delegated_vice)


def test_a_delegate_signs_as_kt_hieu_truong_over_pho_hieu_truong(signed_by_delegate, pdf_tools):
    text = pdf_tools.text(signed_by_delegate.pdf.path)

    assert re.search(r"KT\. HIỆU TRƯỞNG\s*\n\s*PHÓ HIỆU TRƯỞNG", text)
    assert "Lê Văn Phó" in text


def test_a_delegates_decision_is_signed_on_behalf_of_the_principal(
    signed_by_delegate, principal, delegated_vice
):
    signed_by_delegate.refresh_from_db()
    event = AuditEvent.objects.get(action="decision.signed")

    assert signed_by_delegate.signer == delegated_vice
    assert signed_by_delegate.on_behalf_of == principal
    assert (event.actor, event.on_behalf_of) == (delegated_vice, principal)


# --- Numbers -----------------------------------------------------------------------------------


def test_a_second_decision_of_the_year_gets_number_2(signed, draft_decision, principal):
    second = draft_decision(["Hoàng Văn Đức"])

    second = sign_committed(decision_id=second.pk, person=principal)

    assert (second.number, second.reference) == (2, "02/QĐ-CĐTN")


# --- A failed signing leaves no trace but the failure event ------------------------------------


@pytest.fixture(params=["missing certificate file", "wrong passphrase"])
def broken_certificate(request, pkcs12_signing, principal, tmp_path):
    """The principal's own certificate, unusable: its file gone, or its passphrase mistyped."""
    if request.param == "missing certificate file":
        credentials.active(principal).update(pkcs12_path=str(tmp_path / "no-such.p12"))
    else:
        credentials.active(principal).update(archived_at=timezone.now())
        own_certificate(principal, passphrase="the-right-passphrase")
    return request.param


@pytest.fixture
def failing(broken_certificate, draft_decision, principal, institution, media_files):
    """A draft decision, the state around it before signing, and a call that tries to sign it."""
    decision = draft_decision([HUONG, THANG])
    year = timezone.localdate().year
    DecisionCounter.objects.create(institution=institution, year=year, last_number=4)
    before = {
        "events": list(AuditEvent.objects.values_list("pk", flat=True)),
        "counters": list(DecisionCounter.objects.values_list("year", "last_number")),
        "files": media_files(),
        "dossiers": list(
            Dossier.objects.filter(decision_items__decision=decision).values_list(
                "pk", "state", "version"
            )
        ),
    }

    def attempt():
        with pytest.raises(SigningError):
            sign_decision(decision_id=decision.pk, person=principal, secret="not-the-passphrase")
        decision.refresh_from_db()
        return decision

    return decision, before, attempt


def test_a_failed_signing_raises_signing_error(failing):
    _decision, _before, attempt = failing

    attempt()  # asserts SigningError


def test_a_failed_signing_records_exactly_one_failure_event(failing):
    decision, before, attempt = failing

    attempt()

    new = AuditEvent.objects.exclude(pk__in=before["events"])
    assert [(e.action, e.object_id) for e in new] == [("decision.signing_failed", str(decision.pk))]
    assert new.get().payload["error"]


def test_the_failure_event_says_why_signing_failed(failing, broken_certificate):
    _decision, _before, attempt = failing

    attempt()

    error = AuditEvent.objects.get(action="decision.signing_failed").payload["error"]
    expected = {
        "missing certificate file": "cannot read the PKCS#12 signing certificate",
        "wrong passphrase": "wrong passphrase",
    }[broken_certificate]
    assert expected in error


def test_a_failed_signing_leaves_the_decision_a_draft_without_a_number(failing):
    _decision, _before, attempt = failing

    decision = attempt()

    assert decision.state == Decision.State.DRAFT
    assert (decision.number, decision.year, decision.pdf_sha256, decision.pdf.name) == (
        None, None, "", ""
    )  # fmt: skip


def test_a_failed_signing_uses_no_number(failing):
    _decision, before, attempt = failing

    attempt()

    assert list(DecisionCounter.objects.values_list("year", "last_number")) == before["counters"]


def test_a_failed_signing_stores_no_file(failing, media_files):
    _decision, before, attempt = failing

    attempt()

    assert media_files() == before["files"]


def test_a_failed_signing_moves_no_dossier(failing):
    decision, before, attempt = failing

    attempt()

    after = Dossier.objects.filter(decision_items__decision=decision)
    assert list(after.values_list("pk", "state", "version")) == before["dossiers"]
    assert not AuditEvent.objects.filter(action="dossier.signed").exists()


def test_after_a_failed_signing_the_next_signing_takes_the_number_left_unused(
    pkcs12_signing, draft_decision, principal, institution, settings, tmp_path
):
    DecisionCounter.objects.create(
        institution=institution, year=timezone.localdate().year, last_number=4
    )
    decision = draft_decision([HUONG])
    credentials.active(principal).update(pkcs12_path=str(tmp_path / "unplugged.p12"))
    with pytest.raises(SigningError):
        sign_decision(decision_id=decision.pk, person=principal)

    credentials.active(principal).update(pkcs12_path=str(pkcs12_signing.pkcs12_path))
    signed = sign_committed(decision_id=decision.pk, person=principal)

    assert signed.number == 5


# --- Refusals ----------------------------------------------------------------------------------


def test_signing_a_signed_decision_again_is_refused(signed, principal):
    with pytest.raises(IllegalTransition):
        sign_decision(decision_id=signed.pk, person=principal)

    signed.refresh_from_db()
    assert signed.number == 1
    assert DecisionCounter.objects.get().last_number == 1
    assert AuditEvent.objects.filter(action="decision.signed").count() == 1


@pytest.mark.parametrize("role", ["vice_principal", "secretary", "reviewer"])
def test_a_person_who_is_not_the_principal_may_not_sign(
    role, request, pkcs12_signing, draft_decision
):
    other = request.getfixturevalue(role)
    decision = draft_decision([HUONG])
    events_before = AuditEvent.objects.count()

    with pytest.raises(NotPermitted):
        sign_decision(decision_id=decision.pk, person=other)

    decision.refresh_from_db()
    assert (decision.state, decision.number) == (Decision.State.DRAFT, None)
    assert not DecisionCounter.objects.exists()
    assert AuditEvent.objects.count() == events_before
