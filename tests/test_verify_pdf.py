"""Anyone checks a decision PDF: the public page /verify/ (no login) and `manage.py verify_pdf`."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from decisions.models import Decision
from tests.factories import sign_committed

pytest_plugins = ["tests.signing_fixtures"]

HUONG = "Nguyễn Thị Hương"


@pytest.fixture
def signed(pkcs12_signing, draft_decision, principal) -> Decision:
    decision = draft_decision([HUONG])
    return sign_committed(decision_id=decision.pk, person=principal)


@pytest.fixture
def signed_bytes(signed) -> bytes:
    return Path(signed.pdf.path).read_bytes()


@pytest.fixture
def tampered_bytes(signed_bytes, pdf_tools) -> bytes:
    return pdf_tools.flip_signed_byte(signed_bytes)


@pytest.fixture
def resigned_bytes(signed_bytes, pkcs12_signing) -> bytes:
    """The issued file signed once more (with our certificate, in a second field) outside the
    system: its last signature is intact and covers the file, but no decision has that hash."""
    signer = signers.SimpleSigner.load_pkcs12(
        pfx_file=str(pkcs12_signing.pkcs12_path), passphrase=pkcs12_signing.passphrase.encode()
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(signed_bytes)),
        signers.PdfSignatureMetadata(field_name="Signature2", reason="Ký lại ngoài hệ thống"),
        signer=signer,
    )
    return out.getvalue()


def upload(client, data: bytes, name="quyet-dinh.pdf", **headers):
    return client.post(
        reverse("verify_decision"),
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf")},
        **headers,
    )


# --- The public page ---------------------------------------------------------------------------


def test_the_verification_page_opens_without_login(client, db):
    response = client.get(reverse("verify_decision"))

    assert response.status_code == 200
    assert response.wsgi_request.user.is_anonymous
    assert 'enctype="multipart/form-data"' in response.text


def test_the_issued_pdf_is_valid_and_the_page_shows_reference_and_signer(
    client, signed, signed_bytes, principal, institution
):
    response = upload(client, signed_bytes)

    assert response.status_code == 200
    assert response.context["verdict"].valid
    assert 'class="card verdict valid"' in response.text
    assert signed.reference in response.text  # 01/QĐ-CĐTN
    assert principal.full_name in response.text
    assert institution.name in response.text  # Trường Cao đẳng Thử nghiệm


def test_the_page_names_the_certificate_that_signed(client, signed_bytes, pkcs12_signing):
    response = upload(client, signed_bytes)

    assert pkcs12_signing.common_name in response.text  # Nguyễn Văn Ký Thử


def test_the_page_says_valid_in_words(client, signed_bytes):
    response = upload(client, signed_bytes, HTTP_ACCEPT_LANGUAGE="en")

    assert "Valid: this is a decision signed and issued by this system." in response.text


def test_a_tampered_copy_is_not_valid(client, tampered_bytes, pdf_tools):
    response = upload(client, tampered_bytes)

    verdict = response.context["verdict"]
    assert (verdict.valid, verdict.signed, verdict.intact) == (False, True, False)
    assert 'class="card verdict not_valid"' in response.text
    assert pdf_tools.sha256(tampered_bytes) in response.text


def test_a_tampered_copy_is_said_to_be_changed_after_signing(client, tampered_bytes):
    response = upload(client, tampered_bytes, HTTP_ACCEPT_LANGUAGE="en")

    assert "Not valid" in response.text
    assert "broken: the content was changed after signing" in response.text


@pytest.mark.parametrize(
    "content",
    [b"Hello, this is not a PDF", b"%PDF-1.7\n%%EOF garbage", b"\x00\xff" * 500],
    ids=["text", "broken-pdf", "binary"],
)
def test_a_file_that_is_not_a_pdf_is_not_valid_and_does_not_crash(client, db, content):
    response = upload(client, content, name="khong-phai-pdf.pdf")

    assert response.status_code == 200
    assert not response.context["verdict"].valid
    assert 'class="card verdict not_valid"' in response.text


def test_an_empty_file_is_refused_by_the_form(client, db):
    response = upload(client, b"", name="rong.pdf")

    assert response.status_code == 200
    assert response.context["verdict"] is None
    assert response.context["form"].errors["file"]


def test_an_unsigned_pdf_is_not_valid(client, db):
    from weasyprint import HTML

    response = upload(client, HTML(string="<p>Quyết định giả</p>").write_pdf())

    verdict = response.context["verdict"]
    assert verdict.is_pdf and not verdict.signed and not verdict.valid


def test_a_pdf_re_signed_elsewhere_is_intact_but_not_issued_by_this_system(client, resigned_bytes):
    response = upload(client, resigned_bytes, HTTP_ACCEPT_LANGUAGE="en")

    verdict = response.context["verdict"]
    assert verdict.intact and verdict.covers_whole_file
    assert verdict.decision is None and not verdict.valid
    assert "no decision with this exact file was issued here" in response.text


def test_the_page_stores_no_file(client, signed_bytes, tampered_bytes, media_files):
    before, decisions = media_files(), Decision.objects.count()

    upload(client, signed_bytes)
    upload(client, tampered_bytes)

    assert media_files() == before
    assert Decision.objects.count() == decisions


# --- manage.py verify_pdf ----------------------------------------------------------------------


def run_command(path: Path) -> tuple[int, str]:
    """The command's exit status and its output."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_pdf", str(path), stdout=out, no_color=True)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_the_command_exits_0_for_the_issued_pdf(signed):
    status, output = run_command(Path(signed.pdf.path))

    assert status == 0
    assert output.splitlines()[0].startswith("VALID: decision 01/QĐ-CĐTN")


def test_the_command_names_reference_institution_signer_and_time(signed, principal, pkcs12_signing):
    _status, output = run_command(Path(signed.pdf.path))

    assert "01/QĐ-CĐTN · Trường Cao đẳng Thử nghiệm" in output
    assert principal.full_name in output
    assert pkcs12_signing.common_name in output
    assert "Signed at:" in output
    assert signed.chain_head in output


def test_the_command_names_the_principal_a_delegate_signed_for(
    pkcs12_signing, draft_decision, delegated_vice, principal
):
    decision = draft_decision([HUONG])
    decision = sign_committed(decision_id=decision.pk, person=delegated_vice)

    _status, output = run_command(Path(decision.pdf.path))

    assert f"{delegated_vice.full_name} (on behalf of {principal.full_name})" in output


def test_the_command_exits_1_for_a_tampered_copy(tampered_bytes, tmp_path):
    path = tmp_path / "tampered.pdf"
    path.write_bytes(tampered_bytes)

    status, output = run_command(path)

    assert status == 1
    assert output.startswith("NOT VALID: the signed content was changed after signing")


def test_the_command_exits_3_for_a_pdf_this_system_did_not_issue(resigned_bytes, tmp_path):
    path = tmp_path / "resigned.pdf"
    path.write_bytes(resigned_bytes)

    status, output = run_command(path)

    assert status == 3 and output.startswith("NOT ISSUED HERE: ")
    assert "no decision issued by this system has this exact file" in output.splitlines()[0]
    assert "Signature:   intact, covering the whole file" in output


def test_the_command_exits_1_for_a_file_that_is_not_a_pdf(db, tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("không phải PDF", encoding="utf-8")

    status, output = run_command(path)

    assert status == 1
    assert output.startswith("NOT VALID: not a readable PDF")


def test_the_command_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("verify_pdf", str(tmp_path / "missing.pdf"))


# --- Revocation shows on the public page --------------------------------------------------------


@pytest.fixture
def partly_revoked(pkcs12_signing, draft_decision, principal, secretary) -> Decision:
    """A decision over Hương and Bình, Bình's award revoked since by a signed revocation."""
    from decisions import services

    decision = sign_committed(
        decision_id=draft_decision([HUONG, "Trần Văn Bình"]).pk, person=principal
    )
    bình = decision.items.get(dossier__nominee_person__full_name="Trần Văn Bình").dossier
    revocation = services.prepare_revocation(
        person=secretary, decision_id=decision.pk, dossier_ids=[bình.pk],
        reason="Hồ sơ kê khai thành tích không trung thực.",
    )  # fmt: skip
    sign_committed(decision_id=revocation.pk, person=principal)
    return decision


def test_a_valid_decision_with_a_revoked_award_says_so_and_names_the_revocation(
    client, partly_revoked
):
    revocation = Decision.objects.get(revokes=partly_revoked)

    response = upload(client, Path(partly_revoked.pdf.path).read_bytes())

    verdict = response.context["verdict"]
    assert verdict.valid and verdict.partly_revoked
    assert [name for name, _ in verdict.revoked] == ["Trần Văn Bình"]
    assert 'class="card verdict partly_revoked"' in response.text
    assert revocation.reference in response.text


def test_a_decision_without_revocations_is_not_said_to_be_revoked(client, signed_bytes):
    verdict = upload(client, signed_bytes).context["verdict"]

    assert verdict.valid and not verdict.partly_revoked and verdict.revoked == []


def test_a_sound_signature_on_a_file_not_issued_here_has_its_own_verdict(client, resigned_bytes):
    response = upload(client, resigned_bytes)

    assert response.context["verdict"].kind == "not_issued_here"
    assert 'class="card verdict not_issued_here"' in response.text
    assert "Không có quyết định nào với đúng tệp này được ban hành tại đây." in response.text


def test_a_changed_file_says_why_in_the_readers_language(client, tampered_bytes):
    response = upload(client, tampered_bytes, HTTP_ACCEPT_LANGUAGE="en")

    assert "The signature is broken: the content was changed after signing." in response.text


def test_the_command_exits_2_for_a_decision_partly_revoked_since(partly_revoked):
    status, output = run_command(Path(partly_revoked.pdf.path))

    assert status == 2
    assert output.startswith("VALID, PARTLY REVOKED: ") and "Trần Văn Bình" in output
