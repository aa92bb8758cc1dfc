"""Printed documents: the certificates (Giấy khen) of a signed decision and a dossier's cover sheet,
what they say, who gets them, and that a large batch is rendered once."""

from __future__ import annotations

import hashlib
import io
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from decisions import services
from decisions.certificates import certificates_pdf
from decisions.models import Decision
from documents.rendering import nd30_date
from dossiers import services as dossier_services
from dossiers.models import AwardType
from tests.conftest import make_person, pdf_upload
from tests.factories import dossier_in, login
from tests.test_decision_rendering import check_nd30, decision_with_awardees, pdf_text

pypdf = pytest.importorskip("pypdf")
pytest_plugins = ["tests.signing_fixtures"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def draft(period, unit_a, secretary):
    """A draft decision over Hương and Bình of unit A, prepared by the secretary."""
    nominees = [
        make_person(period.institution, unit_a, full_name="Nguyễn Thị Hương"),
        make_person(period.institution, unit_a, full_name="Trần Văn Bình", gender="male"),
    ]
    dossiers = [dossier_in("recommended", period, unit_a, nominee=n) for n in nominees]
    return services.prepare_decision(
        person=secretary, award_type=dossiers[0].award_type, dossier_ids=[d.pk for d in dossiers]
    )


@pytest.fixture
def signed(draft, principal, pkcs12_signing):
    return services.sign_decision(decision_id=draft.pk, person=principal)


@pytest.fixture
def pdf(signed) -> bytes:
    return certificates_pdf(signed)


def pages_of(pdf: bytes):
    return pypdf.PdfReader(io.BytesIO(pdf)).pages


def certificates_url(decision) -> str:
    return reverse("decision_certificates", args=[decision.pk])


def test_there_is_one_landscape_page_per_awardee(pdf):
    pages = pages_of(pdf)

    assert len(pages) == 2
    assert all(page.mediabox.width > page.mediabox.height for page in pages)


def test_the_certificates_pass_the_landscape_layout_check(pdf, tmp_path):
    result = check_nd30(pdf, tmp_path, "--landscape")

    assert result.returncode == 0, result.stdout


def test_each_certificate_names_its_awardee_with_diacritics(pdf, tmp_path):
    assert "Bà Nguyễn Thị Hương" in pdf_text(pdf, tmp_path, page=1)
    assert "Ông Trần Văn Bình" in pdf_text(pdf, tmp_path, page=2)


def test_each_certificate_gives_the_decision_reference_and_date(signed, pdf, tmp_path):
    reference = f"Quyết định số {signed.reference} {nd30_date(signed.signed_on)}"

    assert reference.startswith("Quyết định số 01/QĐ-CĐTN ngày ")
    assert pdf_text(pdf, tmp_path).count(reference) == 2


def test_each_certificate_has_its_register_number(signed, pdf, tmp_path):
    assert f"Số sổ vàng: {signed.year}/01-1" in pdf_text(pdf, tmp_path, page=1)
    assert f"Số sổ vàng: {signed.year}/01-2" in pdf_text(pdf, tmp_path, page=2)


def test_the_certificate_gives_the_award_in_the_principals_name(pdf, tmp_path):
    text = pdf_text(pdf, tmp_path, page=1)

    assert "HIỆU TRƯỞNG TRƯỜNG CAO ĐẲNG THỬ NGHIỆM" in text
    assert "TẶNG DANH HIỆU LAO ĐỘNG TIÊN TIẾN" in text
    assert "Đơn vị: Khoa Toán" in text
    assert "Đã có thành tích: Hoàn thành xuất sắc nhiệm vụ giảng dạy." in text


def test_a_certificate_of_merit_is_headed_giay_khen(signed, tmp_path):
    merit = AwardType.objects.get(institution=signed.institution, code="certificate_of_merit")
    Decision.objects.filter(pk=signed.pk).update(award_type=merit)
    signed.refresh_from_db()

    assert "TẶNG GIẤY KHEN" in pdf_text(certificates_pdf(signed), tmp_path, page=1)


def test_the_principal_gets_the_certificates_as_a_pdf(signed, principal):
    response = login(principal).get(certificates_url(signed))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(pages_of(response.content)) == 2


def test_the_certificates_are_hidden_from_the_head_of_another_unit(signed, head_b):
    assert login(head_b).get(certificates_url(signed)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in_for_the_certificates(signed, client):
    response = client.get(certificates_url(signed))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_certificates_of_a_draft_decision_are_refused_with_an_error_page_saying_why(
    draft, principal
):
    response = login(principal).get(certificates_url(draft))

    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    with translation.override("vi"):
        why = gettext("Certificates are printed only for a signed award decision.")
    assert escape(why) in response.content.decode()


def test_the_certificates_of_a_500_awardee_decision_are_rendered_once_per_request(
    period, unit_a, principal
):
    from weasyprint import HTML

    decision = decision_with_awardees(period, unit_a, 500)
    Decision.objects.filter(pk=decision.pk).update(
        state=Decision.State.SIGNED, year=2027, number=5, series="QĐ-CĐTN",
        signed_on="2027-01-05", signer=principal,
    )  # fmt: skip
    client = login(principal)
    with mock.patch.object(HTML, "write_pdf", autospec=True, side_effect=HTML.write_pdf) as spy:
        first = client.get(certificates_url(decision))
        second = client.get(certificates_url(decision))

    assert spy.call_count == 1
    assert len(pages_of(first.content)) == 500
    assert second.content == first.content


# The cover sheet of a dossier.


@pytest.fixture
def dossier(period, unit_a, head_a):
    """A draft of unit A with two documents of different content, uploaded by its head."""
    award = AwardType.objects.get(institution=period.institution, code="advanced_worker")
    uploads = [
        (kind, pdf_upload(f"{kind.code}.pdf", b"%PDF-1.4\n% " + kind.code.encode() + b"\n%%EOF\n"))
        for kind in award.required_document_kinds.order_by("code")[:2]
    ]
    return dossier_services.create_dossier(
        person=head_a, unit=unit_a, period=period, award_type=award,
        achievement_summary="Hoàn thành xuất sắc nhiệm vụ giảng dạy.",
        nominee_person=make_person(period.institution, unit_a, full_name="Lê Thị Mai"),
        documents=uploads,
    )  # fmt: skip


def sha256_of(stored_file) -> str:
    with stored_file.open("rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def cover_url(dossier) -> str:
    return reverse("dossier_cover", args=[dossier.pk])


def test_the_cover_sheet_lists_every_document_with_its_full_sha256(dossier, head_a, tmp_path):
    response = login(head_a).get(cover_url(dossier))
    text = pdf_text(response.content, tmp_path)

    assert response.status_code == 200
    hashes = [sha256_of(document.file) for document in dossier.documents.all()]
    assert len(set(hashes)) == 2
    assert all(f"SHA-256: {digest}" in text for digest in hashes)


def test_the_cover_sheet_names_the_nominee_award_period_and_state(dossier, head_a, tmp_path):
    text = pdf_text(login(head_a).get(cover_url(dossier)).content, tmp_path)

    assert "PHIẾU HỒ SƠ ĐỀ NGHỊ KHEN THƯỞNG" in text
    assert "Lê Thị Mai" in text
    assert "Lao động tiên tiến" in text
    assert "Năm 2026" in text
    assert "Trạng thái: Dự thảo" in text


def test_the_cover_sheet_gives_the_audit_chain_head_when_printed(dossier, head_a, tmp_path):
    from audit.models import AuditChainHead

    head = AuditChainHead.objects.get(institution=dossier.institution)

    text = pdf_text(login(head_a).get(cover_url(dossier)).content, tmp_path)

    assert head.hash in text


def test_the_cover_sheet_is_hidden_from_the_head_of_another_unit(dossier, head_b):
    assert login(head_b).get(cover_url(dossier)).status_code == 404


def test_a_reviewer_gets_the_cover_sheet_of_any_unit(dossier, reviewer):
    assert login(reviewer).get(cover_url(dossier)).status_code == 200


def test_the_cover_sheet_is_a4_portrait(dossier, head_a):
    (page,) = pages_of(login(head_a).get(cover_url(dossier)).content)

    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
