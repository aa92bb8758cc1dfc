"""Each signer signs with their own certificate: registering it, choosing it, and every way a
certificate that is not theirs (or no longer usable) is refused before anything is signed."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit import log
from audit.models import AuditEvent
from decisions import credentials
from decisions.credentials import Certificate
from decisions.models import Decision, DecisionCounter, SigningCredential
from decisions.services import SigningError, sign_decision
from tests.conftest import make_person
from tests.factories import own_certificate, personal_pkcs12, sign_committed
from workflow.errors import GuardFailed

pytest_plugins = ["tests.signing_fixtures"]

HUONG = "Nguyễn Thị Hương"
OTHER = "Trần Văn Khác"
EXTERNAL = SigningCredential.Kind.EXTERNAL


def certificate_for(common_name: str, *, valid_from=None, valid_until=None) -> Certificate:
    """A self-signed certificate issued to `common_name` (valid from yesterday for a year)."""
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(valid_from or now - datetime.timedelta(days=1))
        .not_valid_after(valid_until or now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def register_pkcs12(person, passphrase: str) -> SigningCredential:
    """Another PKCS#12 certificate issued to `person`, opened with `passphrase`."""
    path = personal_pkcs12(person.full_name, passphrase)
    signer = credentials.pkcs12_signer(path, passphrase)
    return credentials.register(
        person=person, kind=SigningCredential.Kind.PKCS12, label="Chứng thư thứ hai",
        certificate=Certificate.load(signer.signing_cert.dump()), actor=log.SYSTEM,
        pkcs12_path=str(path),
    )  # fmt: skip


@pytest.fixture
def refused(media_files):
    """A callable: the refusal of signing a decision, which must leave no trace (no event, no
    number, no file)."""

    def attempt(decision: Decision, person, **arguments) -> GuardFailed:
        events, files = AuditEvent.objects.count(), media_files()
        with pytest.raises(GuardFailed) as refusal:
            sign_decision(decision_id=decision.pk, person=person, **arguments)
        decision.refresh_from_db()
        assert AuditEvent.objects.count() == events  # not even decision.signing_failed
        assert (decision.state, decision.number) == (Decision.State.DRAFT, None)
        assert not DecisionCounter.objects.exists()
        assert media_files() == files
        return refusal.value

    return attempt


@pytest.fixture
def draft(pkcs12_signing, draft_decision) -> Decision:
    """A draft decision; the principal has their own PKCS#12 certificate registered."""
    return draft_decision([HUONG])


def signed_event() -> dict:
    return AuditEvent.objects.get(action="decision.signed").payload


# --- A delegate signs with his own certificate -------------------------------------------------


@pytest.fixture
def signed_by_delegate(draft, delegated_vice) -> Decision:
    return sign_committed(decision_id=draft.pk, person=delegated_vice)


def test_pdfsig_names_the_delegate_not_the_principal_as_the_certificates_holder(
    signed_by_delegate, delegated_vice, principal, pdf_tools
):
    report = pdf_tools.pdfsig(signed_by_delegate.pdf.path)

    assert "Signature is Valid" in report
    assert f"Signer Certificate Common Name: {delegated_vice.full_name}" in report
    assert principal.full_name not in report


def test_the_pdf_prints_the_delegate_as_the_signer(signed_by_delegate, delegated_vice, pdf_tools):
    lines = [line.strip() for line in pdf_tools.text(signed_by_delegate.pdf.path).splitlines()]

    assert delegated_vice.full_name in lines


def test_the_signed_event_names_the_delegate_and_his_certificate(
    signed_by_delegate, delegated_vice
):
    payload = signed_event()

    assert payload["printed_signer"] == payload["signer_certificate"] == delegated_vice.full_name
    own = credentials.active(delegated_vice).get()
    assert (payload["certificate_sha256"], payload["credential"]) == (own.fingerprint, own.pk)


# --- Refused at signing ------------------------------------------------------------------------


def test_a_certificate_issued_to_another_name_is_refused_naming_both_names(
    draft, principal, refused
):
    registered_name = principal.full_name
    principal.full_name = "Trần Thị Đổi Tên"
    principal.save(update_fields=["full_name"])

    error = refused(draft, principal)

    assert registered_name in str(error)
    assert "Trần Thị Đổi Tên" in str(error)


def test_a_signer_without_a_certificate_of_their_own_is_told_to_have_one_registered(
    system_key, settings, tmp_path, draft_decision, principal, refused
):
    settings.MEDIA_ROOT = tmp_path
    decision = draft_decision([HUONG])

    error = refused(decision, principal)

    assert "register" in str(error)
    assert "signing_credential add" in str(error)


def test_an_expired_certificate_is_refused_naming_its_validity_dates(draft, principal, refused):
    expired = certificate_for(
        principal.full_name,
        valid_from=datetime.datetime(2020, 1, 1, 12, tzinfo=datetime.UTC),
        valid_until=datetime.datetime(2021, 12, 31, 12, tzinfo=datetime.UTC),
    )
    credentials.active(principal).update(
        certificate_pem=expired.pem, fingerprint=expired.fingerprint,
        not_before=expired.not_before, not_after=expired.not_after,
    )  # fmt: skip

    error = refused(draft, principal)

    assert "valid from 01/01/2020 to 31/12/2021" in str(error)


@pytest.mark.parametrize("chosen", [False, True], ids=["by default", "chosen by id"])
def test_an_archived_certificate_no_longer_signs(chosen, draft, principal, refused):
    credential = credentials.active(principal).get()
    credentials.archive(credential, actor=log.SYSTEM)

    refused(draft, principal, credential_id=credential.pk if chosen else None)


def test_another_persons_certificate_is_refused(draft, principal, vice_principal, refused):
    theirs = credentials.active(vice_principal).get()

    error = refused(draft, principal, credential_id=theirs.pk)

    assert "not one of yours" in str(error)


def test_a_signer_with_two_certificates_must_choose_one(draft, principal, refused):
    register_pkcs12(principal, "thu-hai")

    error = refused(draft, principal)

    assert "Choose which" in str(error)


def test_the_chosen_one_of_two_certificates_signs(draft, principal):
    second = register_pkcs12(principal, "thu-hai")

    sign_committed(decision_id=draft.pk, person=principal, credential_id=second.pk,
                   secret="thu-hai")  # fmt: skip

    payload = signed_event()
    assert (payload["certificate_sha256"], payload["credential"]) == (second.fingerprint, second.pk)


# --- A key that holds another certificate ------------------------------------------------------


def test_a_pkcs12_file_swapped_for_another_persons_fails_with_one_failure_event_naming_both(
    draft, principal, tmp_path
):
    swapped = tmp_path / "hieu-truong.p12"
    swapped.write_bytes(personal_pkcs12(OTHER).read_bytes())
    credentials.active(principal).update(pkcs12_path=str(swapped))
    events_before = set(AuditEvent.objects.values_list("pk", flat=True))

    with pytest.raises(SigningError):
        sign_decision(decision_id=draft.pk, person=principal)

    new = AuditEvent.objects.exclude(pk__in=events_before)
    assert [e.action for e in new] == ["decision.signing_failed"]
    error = new.get().payload["error"]
    assert "the key holds the certificate of" in error and OTHER in error
    assert f"not the one registered for “{principal.full_name}”" in error
    draft.refresh_from_db()
    assert (draft.state, draft.number) == (Decision.State.DRAFT, None)


# --- Registering and archiving -----------------------------------------------------------------


def test_registering_a_certificate_issued_to_another_name_is_refused_and_stores_nothing(
    principal,
):
    with pytest.raises(GuardFailed) as refusal:
        credentials.register(person=principal, kind=EXTERNAL, certificate=certificate_for(OTHER),
                             label="", actor=log.SYSTEM)  # fmt: skip

    assert OTHER in str(refusal.value) and principal.full_name in str(refusal.value)
    assert not SigningCredential.objects.exists()
    assert not AuditEvent.objects.filter(action="signing_credential.registered").exists()


@pytest.mark.parametrize(
    ("issued_to", "full_name"),
    [("NGUYEN VAN AN", "Nguyễn Văn An"), ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
     ("DANG VAN DUC", "Đặng Văn Đức")],
)  # fmt: skip
def test_a_name_differing_only_by_case_or_diacritics_is_the_persons_own(
    issued_to, full_name, institution, unit_b
):
    person = make_person(institution, unit_b, full_name=full_name)

    credential = credentials.register(person=person, kind=EXTERNAL, label="",
                                      certificate=certificate_for(issued_to),
                                      actor=log.SYSTEM)  # fmt: skip

    assert credential.subject_name == issued_to
    assert credentials.problems(credential, person) == []
    event = AuditEvent.objects.get(action="signing_credential.registered")
    assert event.payload["fingerprint"] == credential.fingerprint


def test_registering_an_expired_certificate_is_refused(principal):
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    expired = certificate_for(
        principal.full_name, valid_from=long_ago, valid_until=long_ago + datetime.timedelta(365)
    )

    with pytest.raises(GuardFailed):
        credentials.register(person=principal, kind=EXTERNAL, certificate=expired, label="",
                             actor=log.SYSTEM)  # fmt: skip

    assert not SigningCredential.objects.exists()


def test_archiving_a_certificate_is_audited_and_keeps_it(principal):
    credential = own_certificate(principal)

    credentials.archive(credential, actor=log.SYSTEM)

    credential.refresh_from_db()
    assert credential.archived_at is not None
    event = AuditEvent.objects.get(action="signing_credential.archived")
    assert (event.object_id, event.payload["person"]) == (str(credential.pk), principal.pk)


# --- manage.py signing_credential --------------------------------------------------------------


def command(*arguments: str) -> str:
    out = StringIO()
    call_command("signing_credential", *arguments, stdout=out)
    return out.getvalue()


def test_add_registers_a_pkcs12_file_opened_with_the_secret_from_the_environment(
    principal, monkeypatch
):
    path = personal_pkcs12(principal.full_name, "bi-mat-lenh")
    monkeypatch.setenv("THIDUA_TEST_SECRET", "bi-mat-lenh")

    command("add", "principal", "--pkcs12", str(path), "--secret-env", "THIDUA_TEST_SECRET")

    stored = SigningCredential.objects.get(person=principal)
    assert (stored.kind, stored.pkcs12_path) == ("pkcs12", str(path.resolve()))
    assert stored.subject_name == principal.full_name
    assert "bi-mat-lenh" not in repr(SigningCredential.objects.values().get())  # never stored
    event = AuditEvent.objects.get(action="signing_credential.registered")
    assert event.payload["fingerprint"] == stored.fingerprint


def test_add_names_an_unset_secret_variable_instead_of_trying_an_empty_passphrase(
    principal, monkeypatch
):
    path = personal_pkcs12(principal.full_name, "bi-mat-lenh")
    monkeypatch.delenv("THIDUA_TEST_SECRET", raising=False)

    with pytest.raises(CommandError, match="THIDUA_TEST_SECRET is not set"):
        command("add", "principal", "--pkcs12", str(path), "--secret-env", "THIDUA_TEST_SECRET")
    assert not SigningCredential.objects.exists()


def test_list_shows_a_registered_certificate_as_active(principal):
    credential = own_certificate(principal)

    out = command("list", "principal")

    assert f"#{credential.pk}\tprincipal\tpkcs12\tactive\t{principal.full_name}\t" in out


def test_add_with_a_certificate_registers_a_key_at_the_signers_own_computer(principal, tmp_path):
    certificate = certificate_for(principal.full_name)
    pem = tmp_path / "hieu-truong.cer"
    pem.write_text(certificate.pem, encoding="ascii")

    command("add", "principal", "--certificate", str(pem), "--label", "Máy riêng")

    stored = SigningCredential.objects.get(person=principal)
    assert (stored.kind, stored.label, stored.fingerprint) == (
        EXTERNAL, "Máy riêng", certificate.fingerprint
    )  # fmt: skip
    assert (stored.pkcs12_path, stored.pkcs11_library) == ("", "")


def test_add_refuses_a_certificate_issued_to_another_name_and_stores_nothing(principal, tmp_path):
    pem = tmp_path / "nguoi-khac.cer"
    pem.write_text(certificate_for(OTHER).pem, encoding="ascii")

    with pytest.raises(CommandError, match=OTHER):
        command("add", "principal", "--certificate", str(pem))

    assert not SigningCredential.objects.exists()
    assert not AuditEvent.objects.filter(action="signing_credential.registered").exists()


def test_archive_stops_a_certificate_from_signing(principal):
    credential = own_certificate(principal)

    out = command("archive", str(credential.pk))

    assert f"Archived #{credential.pk}" in out
    assert not credentials.active(principal).exists()
    assert AuditEvent.objects.filter(action="signing_credential.archived").count() == 1


# --- The admin ----------------------------------------------------------------------------------


def test_the_admin_lists_the_certificates_read_only(admin_client, principal):
    credential = own_certificate(principal)

    listing = admin_client.get(reverse("admin:decisions_signingcredential_changelist"))
    change = admin_client.post(
        reverse("admin:decisions_signingcredential_change", args=[credential.pk]),
        {"label": "đổi nhãn"},
    )

    assert listing.status_code == 200 and principal.full_name in listing.content.decode()
    assert change.status_code == 403
    credential.refresh_from_db()
    assert credential.label != "đổi nhãn"


def test_the_admin_archives_a_certificate_and_the_trail_records_it(admin_client, principal):
    credential = own_certificate(principal)

    admin_client.post(
        reverse("admin:decisions_signingcredential_changelist"),
        {"action": "archive", "_selected_action": [credential.pk]},
    )

    credential.refresh_from_db()
    assert credential.archived_at is not None
    assert AuditEvent.objects.filter(action="signing_credential.archived").count() == 1
