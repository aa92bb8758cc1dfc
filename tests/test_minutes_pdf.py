"""The minutes (biên bản) of a closed meeting as a PDF: what it says, when and to whom it is given,
and that it is rendered once."""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from council import minutes, services
from council.models import MeetingMember
from dossiers.models import State
from tests.factories import dossier_in, login
from tests.test_council_pages import (
    add_fourth_member,
    open_with,
    plan,
    reviewed_nominations,
    vote,
    vote_and_close,
)

pypdf = pytest.importorskip("pypdf")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def opened(period, unit_a, unit_b, secretary, principal, council_member):
    """A council of four with Hương and Bình on the agenda, open for voting; the fourth member
    gives a written opinion."""
    members = [secretary, principal, council_member, add_fourth_member(period.institution, unit_b)]
    meeting = plan(period, secretary, principal, reviewed_nominations(period, unit_a, unit_b))
    meeting = open_with(meeting, secretary, {members[3]: MeetingMember.Attendance.IN_WRITING})
    meeting.members_in_order = members
    return meeting


@pytest.fixture
def closed(opened):
    opened.receipts = vote_and_close(opened, opened.members_in_order)
    return opened


def pdf_of(meeting, person):
    return login(person).get(reverse("meeting_minutes", args=[meeting.pk]))


def text_of(pdf: bytes) -> str:
    """The PDF's text, composed (NFC) and with runs of whitespace as one space."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
def minutes_text(closed, council_member):
    response = pdf_of(closed, council_member)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return text_of(response.content)


def test_the_minutes_carry_the_title_the_national_motto_and_the_institution(minutes_text):
    assert "BIÊN BẢN HỌP XÉT THI ĐUA, KHEN THƯỞNG" in minutes_text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in minutes_text
    assert "Độc lập - Tự do - Hạnh phúc" in minutes_text
    assert "UBND TỈNH BẮC NINH" in minutes_text


def test_the_minutes_name_the_nominees_with_their_diacritics(minutes_text):
    assert "Nguyễn Thị Hương" in minutes_text
    assert "Trần Văn Bình" in minutes_text
    assert "Lao động tiên tiến" in minutes_text


def test_the_minutes_give_each_items_tally_and_outcome(minutes_text):
    # Hương: 3 agree, 1 disagree, 0 no vote, passed; Bình: 2, 1, 1, not passed.
    assert re.search(r"Nguyễn Thị Hương .*? 3 1 0 Đạt", minutes_text)
    assert re.search(r"Trần Văn Bình .*? 2 1 1 Không đạt", minutes_text)
    assert "từ 80% tổng số thành viên Hội đồng" in minutes_text


def test_the_minutes_list_every_receipt_code_and_no_choice_beside_any(closed, minutes_text):
    """Regression: the minutes listed each receipt with its choices, so a member could prove to
    anyone how they voted."""
    section = minutes_text.split("III. Danh sách mã phiếu đã kiểm", 1)[1]
    for receipt in closed.receipts:
        assert receipt in section
    for word in ("Đồng ý", "Không đồng ý", "Không biểu quyết"):
        assert word not in section
    assert not re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4} 1\. ", minutes_text)


def test_the_minutes_record_the_attendance_with_counts(minutes_text):
    assert "Tổng số thành viên Hội đồng: 4." in minutes_text
    assert "Có mặt: 3 thành viên" in minutes_text
    assert "Vắng mặt, có ý kiến bằng văn bản: 1 thành viên, gồm: - Phạm Thị Lan" in minutes_text
    assert "Vắng mặt: 0 thành viên." in minutes_text


def test_the_minutes_give_the_meeting_data_and_the_signatures(closed, minutes_text):
    assert f"Địa điểm: {closed.place}." in minutes_text
    assert f"Chủ tọa: {closed.chair.full_name}. Thư ký: {closed.secretary.full_name}." in (
        minutes_text
    )
    assert "THƯ KÝ" in minutes_text and "CHỦ TỌA" in minutes_text


def test_the_minutes_are_a4_with_embedded_serif_fonts(closed, council_member):
    reader = pypdf.PdfReader(io.BytesIO(pdf_of(closed, council_member).content))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }

    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert any("Serif" in name or "Times" in name for name in fonts)


def test_the_minutes_are_refused_with_an_error_page_while_the_vote_is_open(opened, secretary):
    response = pdf_of(opened, secretary)

    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    with translation.override("vi"):
        why = gettext("The results are published once the vote is closed.")
    assert escape(why) in response.content.decode()


def test_the_minutes_are_hidden_from_someone_who_may_not_see_the_meeting(closed, head_a):
    assert pdf_of(closed, head_a).status_code == 404


def test_the_minutes_are_rendered_once_and_then_served_from_the_cache(closed, council_member):
    from weasyprint import HTML

    renders, write_pdf = [], HTML.write_pdf

    def counted(self, *args, **kwargs):
        renders.append(self)
        return write_pdf(self, *args, **kwargs)

    with mock.patch.object(HTML, "write_pdf", counted):
        first = pdf_of(closed, council_member).content
        second = pdf_of(closed, council_member).content

    assert len(renders) == 1
    assert first == second


def test_a_change_to_what_the_minutes_say_renders_them_afresh(closed, council_member):
    first = text_of(pdf_of(closed, council_member).content)
    type(closed).objects.filter(pk=closed.pk).update(place="Hội trường lớn")

    second = text_of(pdf_of(closed, council_member).content)

    assert "Phòng họp số 1" in first
    assert "Hội trường lớn" in second


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2027, 1, 5), "Bắc Ninh, ngày 05 tháng 01 năm 2027"),
        (datetime.date(2026, 2, 28), "Bắc Ninh, ngày 28 tháng 02 năm 2026"),
        (datetime.date(2026, 12, 15), "Bắc Ninh, ngày 15 tháng 12 năm 2026"),
        (datetime.date(2026, 3, 9), "Bắc Ninh, ngày 09 tháng 3 năm 2026"),
    ],
)
def test_the_date_line_has_leading_zeros_for_days_below_10_and_months_1_and_2(day, expected):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))

    assert minutes.document_date("Bắc Ninh", moment) == expected


def test_the_minutes_record_who_recused_on_which_item(
    period, unit_a, unit_b, secretary, principal, council_member
):
    fourth = add_fourth_member(period.institution, unit_b)
    own = dossier_in(State.REVIEWED, period, unit_b, award="certificate_of_merit", nominee=fourth)
    meeting = open_with(plan(period, secretary, principal, [own]), secretary)
    for member in (secretary, principal, council_member):
        vote(meeting, member, "agree")
    services.cast_ballot(meeting_id=meeting.pk, person=fourth, choices={})
    services.close_meeting(meeting_id=meeting.pk, person=secretary)

    text = text_of(pdf_of(meeting, council_member).content)

    assert "Mục 1 (Phạm Thị Lan): Phạm Thị Lan, là người được đề nghị." in text
