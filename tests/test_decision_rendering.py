"""A decision rendered as a PDF: the layout of Nghị định 30/2020, its numbers and dates, long lists
of awardees, and that one content is rendered once."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache

from decisions import services
from decisions.models import Decision, DecisionItem
from decisions.rendering import decision_context
from documents.rendering import nd30_date, render_pdf
from dossiers.models import AwardType, Dossier, Person
from tests.conftest import make_person
from tests.factories import dossier_in, sign_committed

pypdf = pytest.importorskip("pypdf")
pytest_plugins = ["tests.signing_fixtures"]

# The team's layout checker; a copy travels with the tests so a clone anywhere runs it.
SHARED_CHECK_ND30 = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check_nd30.py"
CHECK_ND30 = (
    SHARED_CHECK_ND30
    if SHARED_CHECK_ND30.exists()
    else Path(__file__).resolve().parent / "tools" / "check_nd30.py"
)
SIGNED_ON = datetime.date(2027, 1, 5)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = ["Thị Hương", "Văn Dũng", "Thu Hằng", "Đức Thắng", "Ngọc Yến", "Quang Hải", "Thúy Ngân"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def awardee_name(n: int) -> str:
    return f"{FAMILY[n % len(FAMILY)]} {GIVEN[n % len(GIVEN)]} {n:03d}"


def decision_with_awardees(period, unit, count: int) -> Decision:
    """A draft decision over `count` recommended dossiers (fixture set-up in bulk, no services).

    The one place dossiers are written in a state without the door: the renderer reads only the
    nominees' names, and 500 dossiers through the council take half a minute (dossiers_in).
    """
    institution = unit.institution
    award = AwardType.objects.get(institution=institution, code="advanced_worker")
    creator = Person.objects.create(
        institution=institution, unit=unit, full_name="Phạm Thu Trang", gender="female"
    )
    nominees = Person.objects.bulk_create(
        Person(institution=institution, unit=unit, full_name=awardee_name(n), gender="female")
        for n in range(count)
    )
    dossiers = Dossier.objects.bulk_create(
        Dossier(
            institution=institution, period=period, award_type=award, unit=unit,
            nominee_person=nominee, achievement_summary="Hoàn thành xuất sắc nhiệm vụ.",
            created_by=creator, state="recommended",
        )
        for nominee in nominees
    )  # fmt: skip
    decision = Decision.objects.create(
        institution=institution, award_type=award, created_by=creator,
        subject=f"Về việc tặng danh hiệu “{award.name_vi}”",
        recitals=services.default_recitals(award, institution),
    )  # fmt: skip
    DecisionItem.objects.bulk_create(
        DecisionItem(decision=decision, dossier=dossier, position=n)
        for n, dossier in enumerate(dossiers, start=1)
    )
    return decision


def render(decision: Decision, *, number: int | None = 5, signer=None) -> bytes:
    pdf, _key = render_pdf(
        "decisions/decision.html",
        decision_context(
            decision, number=number, signed_on=SIGNED_ON, signer=signer or decision.created_by,
            on_behalf_of=None, chain_head="ab" * 32, verify_url="http://127.0.0.1:8000/verify/",
        ),
    )  # fmt: skip
    return pdf


def pdf_text(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    """What pdftotext reads (one page, or all), composed (NFC), whitespace runs as one space."""
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(  # noqa: S603 - our own file, poppler's tool
        [tool("pdftotext"), "-layout", *pages, str(path), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return " ".join(unicodedata.normalize("NFC", out).split())


def tool(name: str) -> str:
    """The path of a poppler tool; a clear failure when poppler-utils is not installed."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is missing: install poppler-utils (`make test` does).")
    return path


def check_nd30(pdf: bytes, tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    """The Nghị định 30 layout check (it needs poppler's pdfinfo, pdffonts, pdftotext)."""
    tool("pdffonts")
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603 - our own files
        [sys.executable, str(CHECK_ND30), str(path), *options], capture_output=True, text=True
    )


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def decision(period, unit_a, secretary):
    """A draft decision by the secretary over two recommended dossiers of unit A."""
    nominees = [
        make_person(period.institution, unit_a, full_name="Nguyễn Thị Hương"),
        make_person(period.institution, unit_a, full_name="Trần Văn Bình", gender="male"),
    ]
    dossiers = [dossier_in("recommended", period, unit_a, nominee=n) for n in nominees]
    return services.prepare_decision(
        person=secretary,
        award_type=dossiers[0].award_type,
        dossier_ids=[d.pk for d in dossiers],
    )


def test_a_numbered_decision_passes_the_nd30_layout_check(decision, tmp_path):
    result = check_nd30(render(decision, number=5), tmp_path)

    assert result.returncode == 0, result.stdout


def test_a_signed_decision_passes_the_nd30_layout_check(
    decision, principal, pkcs12_signing, tmp_path
):
    signed = sign_committed(decision_id=decision.pk, person=principal)
    with signed.pdf.open("rb") as stored:
        result = check_nd30(stored.read(), tmp_path)

    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2027, 1, 5), "ngày 05 tháng 01 năm 2027"),
        (datetime.date(2027, 3, 5), "ngày 05 tháng 3 năm 2027"),
        (datetime.date(2026, 11, 15), "ngày 15 tháng 11 năm 2026"),
    ],
)
def test_dates_have_a_leading_zero_for_days_below_10_and_for_months_1_and_2(day, expected):
    assert nd30_date(day) == expected


def test_the_date_line_gives_the_place_and_the_date(decision, tmp_path):
    assert "Bắc Ninh, ngày 05 tháng 01 năm 2027" in pdf_text(render(decision), tmp_path, page=1)


def test_a_number_below_10_is_printed_with_a_leading_zero(decision, tmp_path):
    assert "Số: 05/QĐ-CĐTN" in pdf_text(render(decision, number=5), tmp_path, page=1)


def test_a_number_from_10_is_printed_as_it_is(decision, tmp_path):
    assert "Số: 125/QĐ-CĐTN" in pdf_text(render(decision, number=125), tmp_path, page=1)


def test_the_decision_lists_its_awardees_with_their_diacritics(decision, tmp_path):
    text = pdf_text(render(decision), tmp_path)

    assert "Nguyễn Thị Hương" in text
    assert "Trần Văn Bình" in text
    assert "Lao động tiên tiến" in text


def test_the_draft_preview_is_marked_as_a_draft(decision, tmp_path):
    text = pdf_text(render(decision, number=None), tmp_path)

    assert "DỰ THẢO" in text
    assert "Mã nhật ký" not in text


def test_a_500_awardee_decision_repeats_the_table_header_on_its_last_page(period, unit_a, tmp_path):
    pdf = render(decision_with_awardees(period, unit_a, 500))
    pages = page_count(pdf)
    # The table's last page: the closing block may follow alone on the page after it.
    last_page = next(
        text
        for text in (pdf_text(pdf, tmp_path, page=n) for n in range(pages, 0, -1))
        if awardee_name(499) in text
    )

    assert pages > 1
    assert "Họ và tên" in last_page


def test_the_same_500_awardee_decision_is_rendered_by_weasyprint_once(period, unit_a):
    from weasyprint import HTML

    decision = decision_with_awardees(period, unit_a, 500)
    with mock.patch.object(HTML, "write_pdf", autospec=True, side_effect=HTML.write_pdf) as spy:
        first = render(decision)
        second = render(decision)

    assert spy.call_count == 1
    assert first == second


def test_a_changed_decision_is_rendered_afresh(decision, tmp_path):
    before = render(decision)
    Decision.objects.filter(pk=decision.pk).update(subject="Về việc tặng danh hiệu năm 2027")
    decision.refresh_from_db()

    after = render(decision)

    assert after != before
    assert "Về việc tặng danh hiệu năm 2027" in pdf_text(after, tmp_path)


# Nghị định 30's page numbers, the short footer, the article by award category (issue 16)


def test_a_multi_page_decision_numbers_its_pages_at_the_top_centre_from_page_two(
    period, unit_a, tmp_path
):
    pdf = render(decision_with_awardees(period, unit_a, 40))

    result = check_nd30(pdf, tmp_path, "--pages")

    assert page_count(pdf) > 1
    assert result.returncode == 0, result.stdout


def test_the_footer_gives_the_number_the_start_of_the_chain_head_and_the_check_address(
    decision, tmp_path
):
    text = pdf_text(render(decision, number=5), tmp_path)

    assert "Mã nhật ký abababababab · Kiểm tra: http://127.0.0.1:8000/verify/" in text
    assert "ab" * 32 not in text
    assert "Số 05/" in text


def test_a_certificate_of_merit_decision_gives_the_award_not_a_title(period, unit_a, secretary,
                                                                     tmp_path):  # fmt: skip
    dossier = dossier_in("recommended", period, unit_a)
    award = AwardType.objects.get(institution=period.institution, code="certificate_of_merit")
    Dossier.objects.filter(pk=dossier.pk).update(award_type=award)  # the renderer reads the award
    decision = services.prepare_decision(person=secretary, award_type=award,
                                         dossier_ids=[dossier.pk])  # fmt: skip

    text = pdf_text(render(decision), tmp_path)

    assert "Điều 1. Tặng Giấy khen của Hiệu trưởng cho 1 cá nhân" in text
    assert "Tặng danh hiệu" not in text


def word_rows(pdf: bytes, tmp_path: Path) -> dict[str, float]:
    """Each word of page 1 and the height it first stands at (pdftotext's boxes, read in order:
    the header comes first)."""
    import re

    path = tmp_path / "boxes.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(  # noqa: S603 - our own file, poppler's tool
        [tool("pdftotext"), "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    rows: dict[str, float] = {}
    for y, word in re.findall(r'<word xMin="[^"]+" yMin="([^"]+)"[^>]*>([^<]+)</word>', html):
        rows.setdefault(unicodedata.normalize("NFC", word), float(y))
    return rows


def test_the_issuer_name_breaks_where_the_institutions_data_says(decision, tmp_path):
    institution = decision.institution
    institution.issuer_lines = "Trường Cao đẳng\nThử nghiệm"
    institution.save()
    decision.refresh_from_db()

    rows = word_rows(render(decision), tmp_path)

    assert rows["THỬ"] == rows["NGHIỆM"]  # the proper name on one line
    assert rows["ĐẲNG"] < rows["THỬ"]  # below the first line


def test_without_lines_of_its_own_the_issuer_is_its_name_in_capitals(institution):
    assert institution.issuer_name_lines == ["TRƯỜNG CAO ĐẲNG THỬ NGHIỆM"]


def test_article_3_and_the_recipients_are_the_institutions_own_wording(decision, tmp_path):
    institution = decision.institution
    institution.executing_clause = "Trưởng phòng Đào tạo và các cá nhân có tên tại Điều 1 thi hành."
    institution.recipients = "Như Điều 3;\nSở Giáo dục và Đào tạo (để b/c);"
    institution.archive_units = "VT, PĐT"
    institution.save()
    decision.refresh_from_db()

    text = pdf_text(render(decision), tmp_path)

    assert "Điều 3. Trưởng phòng Đào tạo và các cá nhân có tên tại Điều 1 thi hành." in text
    assert "- Sở Giáo dục và Đào tạo (để b/c); - Lưu: VT, PĐT." in text
    assert "TCHC" not in text


def test_by_default_a_decision_keeps_the_usual_recipients(decision, tmp_path):
    text = pdf_text(render(decision), tmp_path)

    assert "- Như Điều 3; - Hội đồng TĐKT; - Lưu: VT, TCHC." in text


@pytest.mark.parametrize(("count", "annexed"), [(10, False), (11, True)])
def test_a_list_longer_than_the_threshold_goes_to_an_annex(
    period, unit_a, tmp_path, count, annexed
):
    pdf = render(decision_with_awardees(period, unit_a, count))

    first_page = pdf_text(pdf, tmp_path, page=1)

    assert ("(có danh sách kèm theo)" in first_page) is annexed
    assert (awardee_name(0) in first_page) is not annexed
    if annexed:
        last = pdf_text(pdf, tmp_path, page=page_count(pdf))
        assert "DANH SÁCH CÁ NHÂN, TẬP THỂ ĐƯỢC KHEN THƯỞNG" in last
        assert "(Kèm theo Quyết định số 05/QĐ-CĐTN ngày" in last
        assert awardee_name(count - 1) in last


def test_the_awardees_table_tells_namesakes_apart_by_position(period, unit_a, tmp_path):
    decision = decision_with_awardees(period, unit_a, 2)
    Person.objects.filter(full_name=awardee_name(0)).update(position="Giảng viên chính")

    text = pdf_text(render(decision), tmp_path)

    assert "Chức vụ" in text and "Giảng viên chính" in text


def test_the_annex_threshold_is_the_institutions_data(period, unit_a, tmp_path):
    institution = unit_a.institution
    institution.annex_threshold = 1
    institution.save()

    text = pdf_text(render(decision_with_awardees(period, unit_a, 2)), tmp_path, page=1)

    assert "(có danh sách kèm theo)" in text


# Recitals in the decree's wording, from the legal texts' data (issue 16)


def test_a_law_is_recited_by_its_name_and_date(institution):
    from dossiers.models import LegalBasis

    law = LegalBasis.objects.get(code="06/2022/QH15")

    assert law.recital == "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;"


def test_a_decree_is_recited_by_number_date_issuer_and_subject(institution):
    from dossiers.models import LegalBasis

    decree = LegalBasis.objects.get(code="98/2023/NĐ-CP")

    assert decree.recital == (
        "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi "
        "tiết thi hành một số điều của Luật Thi đua, khen thưởng;"
    )


def test_a_text_whose_date_is_not_entered_is_recited_without_one(institution):
    from dossiers.models import LegalBasis

    decree = LegalBasis.objects.get(code="152/2025/NĐ-CP")

    assert decree.recital == (
        "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết thi hành một số điều "
        "của Luật Thi đua, khen thưởng;"
    )


def test_a_new_decision_recites_the_institutions_authority_first(period, unit_a, secretary):
    institution = unit_a.institution
    institution.authority_recital = "Căn cứ Quyết định số 12/QĐ-UBND về chức năng của Trường;"
    institution.save()
    dossier = dossier_in("recommended", period, unit_a)

    decision = services.prepare_decision(
        person=secretary, award_type=dossier.award_type, dossier_ids=[dossier.pk]
    )

    lines = decision.recitals.splitlines()
    assert lines[0] == "Căn cứ Quyết định số 12/QĐ-UBND về chức năng của Trường;"
    assert "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;" in lines
    assert lines[-1].startswith("Theo đề nghị của")


def test_a_numbered_decision_carries_a_qr_code_to_the_verification_page(decision):
    from django.template.loader import render_to_string

    context = decision_context(
        decision, number=5, signed_on=SIGNED_ON, signer=decision.created_by, on_behalf_of=None,
        chain_head="ab" * 32, verify_url="https://thidua.example.edu.vn/verify/",
    )  # fmt: skip

    html = render_to_string("decisions/decision.html", context)

    assert '<img class="qr" src="data:image/svg+xml' in html
    assert 'alt="https://thidua.example.edu.vn/verify/"' in html


def test_a_draft_has_no_qr_code(decision):
    context = decision_context(
        decision, number=None, signed_on=SIGNED_ON, signer=None, on_behalf_of=None,
        chain_head="", verify_url="https://thidua.example.edu.vn/verify/",
    )  # fmt: skip

    assert context["verify_qr"] == ""
