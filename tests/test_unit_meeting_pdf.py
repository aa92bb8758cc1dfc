"""The minutes (biên bản) of a unit's evaluation meeting as a PDF: the office's form, the
attendance, each nominee's result, in Vietnamese with its diacritics."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from django.urls import reverse

from dossiers.models import Document
from evaluation import services
from tests.conftest import make_person
from tests.factories import login
from tests.test_unit_meeting import record, without_minutes

pypdf = pytest.importorskip("pypdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text_of(pdf: bytes) -> str:
    """The PDF's text, composed (NFC) and with runs of whitespace as one space."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
def people(institution, unit_a, head_a):
    """The unit: its head (Lê Văn Hùng, chair), a secretary, Đỗ Thị Ánh who was ill, and two
    nominees."""
    head_a.full_name = "Lê Văn Hùng"
    head_a.save()
    return {
        "secretary": make_person(institution, unit_a, full_name="Vũ Thị Thu Hà"),
        "absent": make_person(institution, unit_a, full_name="Đỗ Thị Ánh"),
        "huong": make_person(institution, unit_a, full_name="Nguyễn Thị Hương"),
        "binh": make_person(institution, unit_a, full_name="Trần Văn Bình"),
    }


@pytest.fixture
def recorded(head_a, unit_a, period, people):
    huong = without_minutes(period, unit_a, nominee=people["huong"])
    binh = without_minutes(period, unit_a, nominee=people["binh"])
    return record(
        head_a, unit_a, period, [huong, binh],
        chair=head_a, secretary=people["secretary"], absent=[people["absent"]],
        results=[
            services.Result(huong, agree=3, disagree=1, note="Hoàn thành xuất sắc nhiệm vụ"),
            services.Result(binh, unanimous=True),
        ],
    ).meeting  # fmt: skip


@pytest.fixture
def minutes_text(recorded, head_a):
    response = login(head_a).get(reverse("unit_meeting_minutes", args=[recorded.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return text_of(response.content)


def test_the_minutes_carry_the_title_the_national_motto_and_the_unit(minutes_text):
    assert "BIÊN BẢN HỌP BÌNH XÉT THI ĐUA, KHEN THƯỞNG" in minutes_text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in minutes_text
    assert "Độc lập - Tự do - Hạnh phúc" in minutes_text
    assert "TRƯỜNG CAO ĐẲNG THỬ NGHIỆM" in minutes_text
    assert "KHOA TOÁN" in minutes_text


def test_the_minutes_are_dated_in_the_decrees_form(minutes_text):
    assert "Bắc Ninh, ngày 20 tháng 5 năm 2026" in minutes_text


def test_the_minutes_record_the_attendance_present_over_total(minutes_text):
    # The unit: the head, the secretary, the absent member and the two nominees.
    assert "Tổng số thành viên của đơn vị: 5." in minutes_text
    assert "Có mặt: 4/5." in minutes_text
    assert "Vắng mặt: 1." in minutes_text
    assert "Đỗ Thị Ánh (lý do: Đi công tác)" in minutes_text


def test_the_minutes_name_the_chair_and_the_secretary(minutes_text):
    assert "Chủ trì: Lê Văn Hùng" in minutes_text
    assert "Thư ký: Vũ Thị Thu Hà" in minutes_text
    assert "THƯ KÝ (Ký, ghi rõ họ tên) Vũ Thị Thu Hà" in minutes_text
    assert "CHỦ TRÌ (Ký, ghi rõ họ tên) Lê Văn Hùng" in minutes_text


def test_the_minutes_give_each_nominee_the_award_and_the_result(minutes_text):
    assert re.search(
        r"1 Nguyễn Thị Hương Lao động tiên tiến Đồng ý 3/4 \(75%\), không đồng ý 1/4\. "
        r"Ghi chú: Hoàn thành xuất sắc nhiệm vụ",
        minutes_text,
    )
    assert re.search(r"2 Trần Văn Bình Lao động tiên tiến Thống nhất 100%", minutes_text)


def test_the_minutes_give_the_time_place_and_closing_time(minutes_text):
    assert "Địa điểm: Phòng họp Khoa Toán." in minutes_text
    assert "Thời gian: bắt đầu lúc 08:00 ngày 20/05/2026." in minutes_text
    assert "Cuộc họp kết thúc lúc 10:30" in minutes_text


def test_the_attached_document_is_the_minutes_the_page_offers(recorded, head_a):
    pdf = login(head_a).get(reverse("unit_meeting_minutes", args=[recorded.pk])).content
    document = Document.objects.filter(kind__code="unit_minutes", superseded_at__isnull=True)[0]

    with document.file.open("rb") as file:
        assert file.read() == pdf


def test_edited_minutes_say_what_was_corrected(recorded, head_a, unit_a, period, people):
    from tests.test_unit_meeting import details

    dossiers = [e.dossier for e in recorded.evaluations.order_by("position")]
    services.edit_meeting(
        meeting_id=recorded.pk, person=head_a, expected_version=recorded.version,
        **details(unit_a, dossiers, chair=head_a, secretary=people["secretary"],
                  place="Hội trường tầng 2"),
    )  # fmt: skip

    response = login(head_a).get(reverse("unit_meeting_minutes", args=[recorded.pk]))
    text = text_of(response.content)
    assert "Địa điểm: Hội trường tầng 2." in text
    assert "Có mặt: 5/5." in text
