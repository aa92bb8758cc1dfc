"""The dossier pages of a unit head: create, edit, documents, submit, withdraw, download."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from audit.models import AuditEvent
from dossiers.models import (
    AwardType,
    Document,
    DocumentKind,
    Dossier,
    Rating,
    Registration,
    State,
)
from tests.conftest import PDF_BYTES, make_dossier, make_person, pdf_upload
from tests.factories import audit_mark, dossier_in, events_after, login
from workflow.errors import StaleVersion

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
REQUIRED = ("achievement_report", "unit_minutes", "rating_evidence")


def vi(text) -> str:
    with translation.override("vi"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def actions(after: int = 0) -> list[str]:
    """The audit trail's actions in order (those after the mark `after`)."""
    return list(events_after(after).values_list("action", flat=True))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def as_head_a(head_a):
    return login(head_a)


@pytest.fixture
def nominee(institution, unit_a):
    return make_person(institution, unit_a, full_name="Nguyễn Thị Lan")


def advanced_worker(institution) -> AwardType:
    return AwardType.objects.get(institution=institution, code="advanced_worker")


def create_data(institution, person, **overrides) -> dict:
    data = {
        "nominee": f"p:{person.pk}",
        "award_type": advanced_worker(institution).pk,
        "achievement_summary": "Hoàn thành xuất sắc nhiệm vụ giảng dạy năm học.",
    }
    for code in REQUIRED:
        data[f"document_{code}"] = pdf_upload(f"{code}.pdf")
    data.update(overrides)
    return data


def assert_nothing_stored(media):
    assert not Dossier.objects.exists()
    assert not Document.objects.exists()
    assert files_under(media) == []
    assert not AuditEvent.objects.exists()


# Creating a dossier


def test_the_new_dossier_page_shows_the_form_in_vietnamese(as_head_a, period, nominee):
    response = as_head_a.get("/dossiers/new/")

    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in content
    assert escape(vi("New dossier")) in content
    assert "New dossier" not in content
    assert "Summary of achievements" not in content
    assert "Lao động tiên tiến" in content  # the award's Vietnamese name
    assert "Báo cáo thành tích" in content  # a document kind's Vietnamese name
    assert f'value="p:{nominee.pk}"' in content


def test_the_new_dossier_page_offers_only_people_of_the_heads_unit(
    as_head_a, institution, period, unit_b, nominee
):
    outsider = make_person(institution, unit_b, full_name="Trần Văn Khác")

    content = as_head_a.get("/dossiers/new/").content.decode()

    assert "Nguyễn Thị Lan" in content
    assert f"p:{outsider.pk}" not in content
    assert "Trần Văn Khác" not in content


def test_creating_a_dossier_with_its_documents_stores_a_draft_and_shows_it(
    media, as_head_a, institution, period, nominee
):
    response = as_head_a.post("/dossiers/new/", create_data(institution, nominee))

    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response.url == f"/dossiers/{dossier.pk}/"
    assert dossier.state == State.DRAFT
    assert dossier.nominee_person == nominee
    assert sorted(dossier.documents.values_list("kind__code", flat=True)) == sorted(REQUIRED)
    assert sorted(p.read_bytes() for p in files_under(media)) == [PDF_BYTES] * 3
    assert actions() == ["dossier.created"] + ["dossier.document_added"] * 3


def test_the_created_dossier_page_confirms_the_creation(
    media, as_head_a, institution, period, nominee
):
    response = as_head_a.post("/dossiers/new/", create_data(institution, nominee), follow=True)

    assert response.status_code == 200
    assert vi("The draft dossier was created.") in messages_of(response)
    assert "Nguyễn Thị Lan" in response.content.decode()


def test_creating_with_an_empty_file_shows_an_error_and_stores_nothing(
    media, as_head_a, institution, period, nominee
):
    data = create_data(
        institution, nominee, document_unit_minutes=pdf_upload("bien-ban.pdf", content=b"")
    )

    response = as_head_a.post("/dossiers/new/", data)

    assert response.status_code == 400  # an invalid form
    errors = response.context["form"].errors
    assert list(errors) == ["document_unit_minutes"]
    for message in errors["document_unit_minutes"]:
        assert escape(message) in response.content.decode()
    assert_nothing_stored(media)


def test_creating_with_an_exe_shows_which_types_are_accepted_and_stores_nothing(
    media, as_head_a, institution, period, nominee
):
    data = create_data(
        institution, nominee, document_rating_evidence=pdf_upload("virus.exe", b"MZ\x90\x00")
    )

    response = as_head_a.post("/dossiers/new/", data)

    content = response.content.decode()
    assert response.status_code == 400  # an invalid form
    assert list(response.context["form"].errors) == ["document_rating_evidence"]
    assert ".exe" in content
    assert "PDF, DOC, DOCX, JPEG, PNG" in content
    assert_nothing_stored(media)


def test_creating_with_a_png_named_pdf_names_the_file_and_stores_nothing(
    media, as_head_a, institution, period, nominee
):
    data = create_data(
        institution,
        nominee,
        document_achievement_report=pdf_upload("Báo cáo.pdf", PNG_BYTES),
    )

    response = as_head_a.post("/dossiers/new/", data)

    assert response.status_code == 400  # an invalid form
    assert "Báo cáo.pdf" in response.content.decode()
    assert_nothing_stored(media)


def test_nominating_a_person_of_another_unit_is_a_form_error_and_stores_nothing(
    media, as_head_a, institution, period, unit_b, nominee
):
    outsider = make_person(institution, unit_b)

    response = as_head_a.post(
        "/dossiers/new/", create_data(institution, nominee, nominee=f"p:{outsider.pk}")
    )

    assert response.status_code == 400  # an invalid form
    assert "nominee" in response.context["form"].errors
    assert_nothing_stored(media)


def test_creating_without_a_summary_is_a_form_error_and_stores_nothing(
    media, as_head_a, institution, period, nominee
):
    response = as_head_a.post(
        "/dossiers/new/", create_data(institution, nominee, achievement_summary="")
    )

    assert response.status_code == 400  # an invalid form
    assert "achievement_summary" in response.context["form"].errors
    assert_nothing_stored(media)


def test_a_person_who_heads_no_unit_cannot_open_the_new_dossier_page(staff_a, period):
    client = login(staff_a)

    assert client.get("/dossiers/new/").status_code == 404


# Editing


def edit_data(dossier, **overrides) -> dict:
    data = {
        "version": dossier.version,
        "nominee": f"p:{dossier.nominee_person_id}",
        "award_type": dossier.award_type_id,
        "achievement_summary": "Tóm tắt mới: đạt giải Nhất hội giảng cấp tỉnh.",
    }
    data.update(overrides)
    return data


def test_the_edit_page_of_a_draft_shows_its_current_summary(as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a)

    response = as_head_a.get(f"/dossiers/{dossier.pk}/edit/")

    assert response.status_code == 200
    assert dossier.achievement_summary in response.content.decode()


def test_editing_a_draft_changes_the_summary_and_records_the_change(as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a)
    old_summary = dossier.achievement_summary
    mark = audit_mark()

    response = as_head_a.post(f"/dossiers/{dossier.pk}/edit/", edit_data(dossier))

    assert response.status_code == 302
    assert response.url == f"/dossiers/{dossier.pk}/"
    dossier.refresh_from_db()
    assert dossier.achievement_summary == "Tóm tắt mới: đạt giải Nhất hội giảng cấp tỉnh."
    assert dossier.version == 2
    event = events_after(mark).get()
    assert event.action == "dossier.edited"
    assert event.payload["changes"] == {
        "achievement_summary": [old_summary, "Tóm tắt mới: đạt giải Nhất hội giảng cấp tỉnh."]
    }


def test_editing_with_a_stale_version_shows_the_conflict_and_changes_nothing(
    as_head_a, period, unit_a
):
    dossier = make_dossier(period, unit_a)
    old_summary = dossier.achievement_summary
    mark = audit_mark()

    response = as_head_a.post(f"/dossiers/{dossier.pk}/edit/", edit_data(dossier, version=0))

    assert response.status_code == 409  # someone else changed it
    assert escape(vi(StaleVersion.default_message)) in response.content.decode()
    dossier.refresh_from_db()
    assert (dossier.achievement_summary, dossier.version) == (old_summary, 1)
    assert not events_after(mark).exists()


def test_editing_a_submitted_dossier_redirects_with_a_message_and_changes_nothing(
    as_head_a, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    old_summary = dossier.achievement_summary
    mark = audit_mark()

    response = as_head_a.post(f"/dossiers/{dossier.pk}/edit/", edit_data(dossier), follow=True)

    assert response.redirect_chain == [(f"/dossiers/{dossier.pk}/", 302)]
    assert vi("Only a draft or returned dossier can be edited.") in messages_of(response)
    dossier.refresh_from_db()
    assert (dossier.achievement_summary, dossier.version) == (old_summary, 2)  # submitted: 2
    assert not events_after(mark).exists()


def test_the_head_of_another_unit_cannot_open_the_edit_page(head_b, period, unit_a):
    dossier = make_dossier(period, unit_a)
    client = login(head_b)

    assert client.get(f"/dossiers/{dossier.pk}/edit/").status_code == 404


# Documents on the detail page


def kind_id(code: str) -> int:
    return DocumentKind.objects.get(code=code).pk


def test_adding_a_document_on_the_detail_page_stores_it(media, as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a, documents=False)
    mark = audit_mark()

    response = as_head_a.post(
        f"/dossiers/{dossier.pk}/documents/",
        {
            "kind": kind_id("achievement_report"),
            "version": 1,
            "file": pdf_upload("Báo cáo thành tích 2026.pdf"),
        },
        follow=True,
    )

    assert response.redirect_chain == [(f"/dossiers/{dossier.pk}/", 302)]
    assert vi("The document was added.") in messages_of(response)
    assert "Báo cáo thành tích 2026.pdf" in response.content.decode()
    document = Document.objects.get()
    assert (document.dossier, document.kind.code) == (dossier, "achievement_report")
    assert [p.read_bytes() for p in files_under(media)] == [PDF_BYTES]
    assert actions(after=mark) == ["dossier.document_added"]
    dossier.refresh_from_db()
    assert dossier.version == 2


def test_adding_a_document_of_the_wrong_type_shows_an_error_and_stores_nothing(
    media, as_head_a, period, unit_a
):
    dossier = make_dossier(period, unit_a, documents=False)
    mark = audit_mark()

    response = as_head_a.post(
        f"/dossiers/{dossier.pk}/documents/",
        {
            "kind": kind_id("achievement_report"),
            "version": 1,
            "file": pdf_upload("anh.pdf", PNG_BYTES),
        },
        follow=True,
    )

    shown = " ".join(messages_of(response))
    assert response.status_code == 200
    assert "anh.pdf" in shown
    assert "PDF, DOC, DOCX, JPEG, PNG" in shown
    assert not Document.objects.exists()
    assert files_under(media) == []
    assert not events_after(mark).exists()
    dossier.refresh_from_db()
    assert dossier.version == 1


def test_adding_a_document_with_a_stale_version_shows_the_conflict_and_stores_nothing(
    media, as_head_a, period, unit_a
):
    dossier = make_dossier(period, unit_a, documents=False)

    response = as_head_a.post(
        f"/dossiers/{dossier.pk}/documents/",
        {"kind": kind_id("achievement_report"), "version": 9, "file": pdf_upload()},
        follow=True,
    )

    assert vi(StaleVersion.default_message) in messages_of(response)
    assert not Document.objects.exists()
    assert files_under(media) == []


def test_removing_a_document_deletes_it_and_records_the_removal(
    media, as_head_a, period, unit_a, django_capture_on_commit_callbacks
):
    dossier = make_dossier(period, unit_a)
    document = dossier.documents.get(kind__code="unit_minutes")
    assert len(files_under(media)) == 3
    mark = audit_mark()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_head_a.post(
            f"/dossiers/{dossier.pk}/documents/{document.pk}/remove/", {"version": 1}
        )

    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert len(files_under(media)) == 2
    event = events_after(mark).get()
    assert event.action == "dossier.document_removed"
    assert event.payload["document"]["kind"] == "unit_minutes"


def test_removing_a_document_with_a_stale_version_keeps_it(media, as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a)
    document = dossier.documents.first()
    mark = audit_mark()

    response = as_head_a.post(
        f"/dossiers/{dossier.pk}/documents/{document.pk}/remove/", {"version": 4}, follow=True
    )

    assert vi(StaleVersion.default_message) in messages_of(response)
    assert Document.objects.filter(pk=document.pk).exists()
    assert len(files_under(media)) == 3
    assert not events_after(mark).exists()


def test_the_head_of_another_unit_cannot_remove_a_document(media, head_b, period, unit_a):
    dossier = make_dossier(period, unit_a)
    document = dossier.documents.first()
    client = login(head_b)

    response = client.post(
        f"/dossiers/{dossier.pk}/documents/{document.pk}/remove/", {"version": 1}
    )

    assert response.status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()


# Submitting and withdrawing


def test_submitting_a_complete_draft_moves_it_to_submitted(as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a)
    mark = audit_mark()

    response = as_head_a.post(f"/dossiers/{dossier.pk}/act/submit/", {"version": 1})

    assert response.status_code == 302
    assert response.url == f"/dossiers/{dossier.pk}/"
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (State.SUBMITTED, 2)
    assert actions(after=mark) == ["dossier.submitted"]


def test_the_head_of_another_unit_acting_on_a_dossier_gets_404_and_no_message(
    head_b, period, unit_a
):
    dossier = make_dossier(period, unit_a)
    client = login(head_b)
    mark = audit_mark()

    response = client.post(f"/dossiers/{dossier.pk}/act/submit/", {"version": 1})

    assert response.status_code == 404
    assert not list(response.wsgi_request._messages)
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT
    assert not events_after(mark).exists()


def test_the_head_of_another_unit_sending_an_incomplete_action_form_gets_404(
    head_b, period, unit_a
):
    dossier = make_dossier(period, unit_a)

    response = login(head_b).post(f"/dossiers/{dossier.pk}/act/submit/", {})

    assert response.status_code == 404


def test_submitting_without_documents_shows_what_is_missing_and_stays_draft(
    as_head_a, period, unit_a
):
    dossier = make_dossier(period, unit_a, documents=False)
    mark = audit_mark()

    response = as_head_a.post(f"/dossiers/{dossier.pk}/act/submit/", {"version": 1}, follow=True)

    shown = " ".join(messages_of(response))
    assert response.status_code == 200
    assert "Báo cáo thành tích" in shown
    assert "Biên bản họp xét của đơn vị" in shown
    assert "Báo cáo thành tích" in response.content.decode()
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (State.DRAFT, 1)
    assert not events_after(mark).exists()


def test_submitting_with_one_document_missing_names_only_that_kind(as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a)
    dossier.documents.filter(kind__code="rating_evidence").delete()

    response = as_head_a.post(f"/dossiers/{dossier.pk}/act/submit/", {"version": 1}, follow=True)

    shown = " ".join(messages_of(response))
    assert "Minh chứng kết quả đánh giá, xếp loại" in shown
    assert "Báo cáo thành tích" not in shown
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT


def test_submitting_with_a_stale_version_shows_the_conflict_and_stays_draft(
    as_head_a, period, unit_a
):
    dossier = make_dossier(period, unit_a)

    response = as_head_a.post(f"/dossiers/{dossier.pk}/act/submit/", {"version": 3}, follow=True)

    assert vi(StaleVersion.default_message) in messages_of(response)
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT


def test_an_unknown_action_is_not_found(as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a)

    response = as_head_a.post(f"/dossiers/{dossier.pk}/act/sign_everything/", {"version": 1})

    assert response.status_code == 404


def test_withdrawing_a_draft_with_the_confirmation_ticked_moves_it_to_withdrawn(
    as_head_a, period, unit_a
):
    dossier = make_dossier(period, unit_a)
    mark = audit_mark()

    response = as_head_a.post(
        f"/dossiers/{dossier.pk}/act/withdraw/", {"version": 1, "confirmed": "on"}
    )

    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.WITHDRAWN
    assert actions(after=mark) == ["dossier.withdrawn"]


def test_withdrawing_without_ticking_the_confirmation_keeps_the_draft(as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a)
    mark = audit_mark()

    response = as_head_a.post(f"/dossiers/{dossier.pk}/act/withdraw/", {"version": 1}, follow=True)

    assert response.redirect_chain == [(f"/dossiers/{dossier.pk}/", 302)]
    assert vi("Tick the box to confirm this action.") in messages_of(response)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (State.DRAFT, 1)
    assert actions(after=mark) == []


def test_the_head_of_another_unit_cannot_submit(head_b, period, unit_a):
    dossier = make_dossier(period, unit_a)
    client = login(head_b)

    response = client.post(f"/dossiers/{dossier.pk}/act/submit/", {"version": 1})

    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT


# Downloading


def test_the_unit_head_downloads_a_document_as_an_attachment(media, as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a)
    document = dossier.documents.get(kind__code="achievement_report")

    response = as_head_a.get(f"/dossiers/{dossier.pk}/documents/{document.pk}/")

    try:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Disposition"].startswith("attachment")
        assert "achievement_report.pdf" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf"
    finally:
        response.close()


def test_a_vietnamese_file_name_survives_the_download(media, as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a, documents=False)
    as_head_a.post(
        f"/dossiers/{dossier.pk}/documents/",
        {"kind": kind_id("achievement_report"), "version": 1, "file": pdf_upload("Báo cáo.pdf")},
    )
    document = Document.objects.get()

    response = as_head_a.get(f"/dossiers/{dossier.pk}/documents/{document.pk}/")

    try:
        assert response["Content-Disposition"].startswith("attachment")
        assert "filename*=utf-8''B%C3%A1o%20c%C3%A1o.pdf" in response["Content-Disposition"]
    finally:
        response.close()


def test_the_head_of_another_unit_cannot_download_a_document(media, head_b, period, unit_a):
    dossier = make_dossier(period, unit_a)
    document = dossier.documents.first()
    client = login(head_b)

    response = client.get(f"/dossiers/{dossier.pk}/documents/{document.pk}/")

    assert response.status_code == 404


def test_a_document_cannot_be_downloaded_through_another_dossier(media, as_head_a, period, unit_a):
    first = make_dossier(period, unit_a)
    second = make_dossier(period, unit_a)
    document = first.documents.first()

    response = as_head_a.get(f"/dossiers/{second.pk}/documents/{document.pk}/")

    assert response.status_code == 404


# The detail page


def test_the_head_of_another_unit_cannot_see_the_detail_page(head_b, period, unit_a):
    dossier = make_dossier(period, unit_a)
    client = login(head_b)

    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 404


def test_the_detail_page_shows_the_history_in_vietnamese(
    media, as_head_a, institution, period, nominee
):
    as_head_a.post("/dossiers/new/", create_data(institution, nominee))
    dossier = Dossier.objects.get()

    content = as_head_a.get(f"/dossiers/{dossier.pk}/").content.decode()

    assert "Lịch sử" in content
    assert "History" not in content
    assert "Dossier created" not in content
    assert escape(vi("Dossier created")) in content
    assert escape(vi("Document added")) in content


def test_the_detail_page_offers_a_draft_s_head_submit_and_withdraw_but_not_approve(
    as_head_a, period, unit_a
):
    dossier = make_dossier(period, unit_a)

    content = as_head_a.get(f"/dossiers/{dossier.pk}/").content.decode()

    assert f"/dossiers/{dossier.pk}/act/submit/" in content
    assert f"/dossiers/{dossier.pk}/act/withdraw/" in content
    assert f"/dossiers/{dossier.pk}/act/approve/" not in content
    assert f"/dossiers/{dossier.pk}/edit/" in content


def test_the_detail_page_lists_missing_required_documents(as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a, documents=False)

    content = as_head_a.get(f"/dossiers/{dossier.pk}/").content.decode()

    assert escape(vi("Missing required documents")) in content
    assert "Minh chứng kết quả đánh giá, xếp loại" in content


# The award's rules on the dossier page


def rules_of(response) -> dict[str, tuple[bool, str]]:
    return {str(c.rule): (c.passed, str(c.reason)) for c in response.context["checks"]}


def test_the_dossier_page_shows_each_rule_of_the_award_met_or_not_and_why(
    as_head_a, period, unit_a, nominee
):
    dossier = make_dossier(
        period, unit_a, nominee=nominee, award="grassroots_emulation_fighter",
        rating=Rating.COMPLETED_EXCELLENTLY,
    )  # fmt: skip

    response = as_head_a.get(f"/dossiers/{dossier.pk}/")

    rules = rules_of(response)
    assert rules["Xếp loại hằng năm"][0] is True
    assert rules["Hoàn thành xuất sắc nhiệm vụ hoặc có sáng kiến"][0] is True
    assert rules["Danh hiệu trong cùng kỳ"] == (
        False,
        "Nguyễn Thị Lan cần có danh hiệu “Lao động tiên tiến” trong Năm 2026: chưa đạt cũng "
        "chưa được đề nghị (hãy trình cả hồ sơ đề nghị danh hiệu đó).",
    )
    text = response.content.decode()
    assert "Tiêu chuẩn xét" in text and "✗ Không đạt" in text


def test_a_submitted_dossier_shows_every_rule_of_its_award_met(as_head_a, period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a, award="grassroots_emulation_fighter")
    nominee = dossier.nominee_person
    nominee.employed_since = datetime.date(2020, 9, 1)
    nominee.save()
    Registration.objects.create(
        institution=period.institution, period=period, unit=unit_a, nominee_person=nominee,
        award_type=dossier.award_type, targets="Đạt chiến sĩ thi đua cơ sở",
        registered_by=nominee,
    )  # fmt: skip

    response = as_head_a.get(f"/dossiers/{dossier.pk}/")

    assert all(passed for passed, _why in rules_of(response).values())
    # rating, discipline, months worked, excellence, same-period title, registration
    assert len(rules_of(response)) == 6


def test_a_rule_that_only_warns_is_shown_as_a_warning(as_head_a, period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    text = as_head_a.get(f"/dossiers/{dossier.pk}/").content.decode()

    assert "Đăng ký danh hiệu" in text and "một cảnh báo" in text


def test_a_signed_dossier_page_lists_no_rules(as_head_a, period, unit_a):
    dossier = dossier_in(State.SIGNED, period, unit_a)

    response = as_head_a.get(f"/dossiers/{dossier.pk}/")

    assert response.context["checks"] == []
    assert "Tiêu chuẩn xét" not in response.content.decode()


# The rules shown live on the dossier form


def rules_preview(browser, unit, period, nominee, award):
    return browser.get(reverse("rules_preview"), {
        "unit": unit.pk, "period": period.pk, "nominee": nominee, "award_type": award.pk,
    })  # fmt: skip


def test_the_form_shows_the_rules_of_the_chosen_nominee_and_award(
    as_head_a, period, unit_a, nominee
):
    award = AwardType.objects.get(institution=period.institution, code="advanced_worker")

    response = rules_preview(as_head_a, unit_a, period, f"p:{nominee.pk}", award)

    assert response.status_code == 200
    assert [c.code for c in response.context["checks"]][:2] == ["rating", "discipline"]
    assert "chưa xếp loại" in response.content.decode()
    assert not Dossier.objects.exists()


def test_the_live_rules_of_another_units_person_are_not_shown(
    as_head_a, institution, period, unit_a, unit_b
):
    stranger = make_person(institution, unit_b, full_name="Người khoa khác")
    award = AwardType.objects.get(institution=period.institution, code="advanced_worker")

    response = rules_preview(as_head_a, unit_a, period, f"p:{stranger.pk}", award)

    assert response.context["checks"] == []


def test_the_live_rules_of_another_unit_answer_404(as_head_a, period, unit_b, nominee):
    award = AwardType.objects.get(institution=period.institution, code="advanced_worker")

    assert rules_preview(as_head_a, unit_b, period, f"u:{unit_b.pk}", award).status_code == 404
