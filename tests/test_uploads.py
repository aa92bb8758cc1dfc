"""Uploads are checked by their content before anything is stored, and a failure stores nothing."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit import log
from audit.models import AuditEvent
from dossiers import services
from dossiers.models import AwardType, Document, DocumentKind, Dossier
from dossiers.uploads import ACCEPTED_LIST, NAME_LIMIT, check_upload, detect_type, sanitise_name
from tests.conftest import PDF_BYTES, make_dossier, make_person, pdf_upload
from tests.factories import audit_mark, dossier_in, events_after

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 40 + b"\xff\xd9"
DOC_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


DOCX_BYTES = zip_bytes(
    {
        "[Content_Types].xml": '<?xml version="1.0"?><Types/>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships/>',
        "word/document.xml": '<?xml version="1.0"?><w:document/>',
    }
)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(name, content))
    return " ".join(refused.value.messages)


def files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def kind(code: str) -> DocumentKind:
    return DocumentKind.objects.get(code=code)


# check_upload: what is accepted


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("to-trinh.pdf", PDF_BYTES, "application/pdf"),
        ("anh-chup.png", PNG_BYTES, "image/png"),
        ("anh-chup.jpg", JPEG_BYTES, "image/jpeg"),
        ("anh-chup.jpeg", JPEG_BYTES, "image/jpeg"),
        ("bao-cao.doc", DOC_BYTES, "application/msword"),
        ("bao-cao.docx", DOCX_BYTES, DOCX_TYPE),
    ],
)
def test_a_real_file_of_an_accepted_type_is_accepted(name, content, content_type):
    checked = check_upload(upload(name, content))

    assert checked.name == name
    assert checked.content_type == content_type
    assert checked.size == len(content)


def test_the_accepted_file_carries_the_sha256_of_its_content():
    import hashlib

    checked = check_upload(upload("to-trinh.pdf", PDF_BYTES))

    assert checked.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()


def test_an_upper_case_extension_is_accepted_and_recorded_in_lower_case():
    checked = check_upload(upload("SCAN.PDF", PDF_BYTES))

    assert (checked.name, checked.extension) == ("SCAN.pdf", ".pdf")


def test_a_file_exactly_at_the_limit_is_accepted(settings):
    settings.UPLOAD_MAX_BYTES = len(PDF_BYTES)

    assert check_upload(upload("vua-du.pdf", PDF_BYTES)).size == len(PDF_BYTES)


def test_checking_leaves_the_file_readable_from_its_start():
    file = upload("bao-cao.docx", DOCX_BYTES)

    check_upload(file)

    assert file.read() == DOCX_BYTES


# check_upload: what is refused, and the message says why


def test_an_empty_file_is_refused_naming_the_file():
    message = refusal("rong.pdf", b"")

    assert "rong.pdf" in message


def test_a_file_over_the_limit_is_refused_naming_the_file(settings):
    settings.UPLOAD_MAX_BYTES = len(PDF_BYTES) - 1

    message = refusal("qua-lon.pdf", PDF_BYTES)

    assert "qua-lon.pdf" in message


def test_the_limit_can_be_given_per_call():
    with pytest.raises(ValidationError) as refused:
        check_upload(upload("qua-lon.pdf", PDF_BYTES), max_bytes=10)

    assert "qua-lon.pdf" in " ".join(refused.value.messages)


def test_an_exe_is_refused_naming_its_type_and_the_accepted_types():
    message = refusal("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)

    assert ".exe" in message
    assert ACCEPTED_LIST in message


def test_an_exe_disguised_with_a_pdf_extension_is_refused():
    message = refusal("setup.pdf", b"MZ\x90\x00" + b"\x00" * 60)

    assert "setup.pdf" in message
    assert ACCEPTED_LIST in message


def test_a_pdf_whose_content_is_a_png_is_refused_naming_the_file():
    message = refusal("gia-mao.pdf", PNG_BYTES)

    assert "gia-mao.pdf" in message
    assert ACCEPTED_LIST in message


def test_a_docx_that_is_a_zip_without_a_word_document_is_refused():
    content = zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})

    message = refusal("bang-tinh.docx", content)

    assert "bang-tinh.docx" in message


def test_a_docx_that_is_not_a_zip_at_all_is_refused():
    message = refusal("hong.docx", b"PK\x03\x04" + b"not really a zip" * 4)

    assert "hong.docx" in message


def test_a_doc_file_renamed_to_docx_is_refused():
    assert "bao-cao.docx" in refusal("bao-cao.docx", DOC_BYTES)


def test_a_png_with_text_content_is_refused_naming_the_file():
    message = refusal("anh.png", b"this is just some text, not an image\n")

    assert "anh.png" in message


def test_a_file_without_an_extension_is_refused_naming_the_accepted_types():
    message = refusal("bao-cao", PDF_BYTES)

    assert ACCEPTED_LIST in message


def test_the_message_names_the_cleaned_file_name_not_the_path_sent():
    message = refusal("../../secret/rong.pdf", b"")

    assert "rong.pdf" in message
    assert "secret" not in message


def test_detect_type_recognises_content_regardless_of_name():
    assert detect_type(upload("x.bin", PNG_BYTES)) == "png"
    assert detect_type(upload("x.bin", b"plain text")) is None


# sanitise_name


def test_sanitise_name_strips_directories():
    assert sanitise_name("../../etc/passwd.pdf") == "passwd.pdf"


def test_sanitise_name_strips_windows_directories():
    assert sanitise_name("C:\\Users\\lan\\Desktop\\bao-cao.pdf") == "bao-cao.pdf"


def test_sanitise_name_removes_control_characters():
    assert sanitise_name("bao\x00-cao\r\n\x1b.pdf") == "bao-cao.pdf"


def test_sanitise_name_removes_a_right_to_left_override_that_disguises_the_extension():
    assert sanitise_name("anh\u202egnp.exe") == "anhgnp.exe"


def test_sanitise_name_keeps_vietnamese_letters():
    assert sanitise_name("Báo cáo thành tích.pdf") == "Báo cáo thành tích.pdf"


def test_sanitise_name_normalises_decomposed_vietnamese_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Báo cáo thành tích.pdf")
    assert decomposed != "Báo cáo thành tích.pdf"

    cleaned = sanitise_name(decomposed)

    assert cleaned == "Báo cáo thành tích.pdf"
    assert unicodedata.is_normalized("NFC", cleaned)


def test_sanitise_name_lowercases_the_extension_only():
    assert sanitise_name("Báo Cáo.PDF") == "Báo Cáo.pdf"


def test_sanitise_name_replaces_characters_windows_forbids():
    cleaned = sanitise_name('a<b>c:d"e|f?g*h.pdf')

    assert cleaned.endswith(".pdf")
    assert not set('<>:"|?*') & set(cleaned)


def test_sanitise_name_caps_the_length_and_keeps_the_extension():
    cleaned = sanitise_name("ả" * 400 + ".docx")

    assert len(cleaned) == NAME_LIMIT
    assert cleaned.endswith(".docx")


def test_sanitise_name_gives_a_name_to_a_name_that_is_only_a_path():
    assert sanitise_name("../../") == "document"


# Services: a refused or failed upload stores nothing


def test_add_document_with_a_bad_file_stores_nothing(media, period, unit_a, head_a):
    dossier = make_dossier(period, unit_a, documents=False)
    mark = audit_mark()

    with pytest.raises(ValidationError):
        services.add_document(
            dossier_id=dossier.pk,
            person=head_a,
            expected_version=dossier.version,
            kind=kind("achievement_report"),
            upload=upload("bao-cao.pdf", PNG_BYTES),
        )

    dossier.refresh_from_db()
    assert dossier.version == 1
    assert not Document.objects.exists()
    assert files_under(media) == []
    assert not events_after(mark).exists()


def test_add_document_stores_the_file_its_row_and_one_audit_event(media, period, unit_a, head_a):
    dossier = make_dossier(period, unit_a, documents=False)
    mark = audit_mark()

    document = services.add_document(
        dossier_id=dossier.pk,
        person=head_a,
        expected_version=1,
        kind=kind("achievement_report"),
        upload=pdf_upload("Báo cáo thành tích.pdf"),
    )

    dossier.refresh_from_db()
    assert dossier.version == 2
    assert document.original_name == "Báo cáo thành tích.pdf"
    stored = files_under(media)
    assert [p.read_bytes() for p in stored] == [PDF_BYTES]
    assert "Báo cáo" not in str(stored[0])  # stored under a random name, not the uploader's
    event = events_after(mark).get()
    assert event.action == "dossier.document_added"
    assert event.payload["document"]["name"] == "Báo cáo thành tích.pdf"


def test_add_document_to_a_submitted_dossier_stores_no_file(media, period, unit_a, head_a):
    from workflow.errors import IllegalTransition

    dossier = dossier_in("submitted", period, unit_a)
    documents, files, mark = Document.objects.count(), files_under(media), audit_mark()

    with pytest.raises(IllegalTransition):
        services.add_document(
            dossier_id=dossier.pk,
            person=head_a,
            expected_version=dossier.version,
            kind=kind("achievement_report"),
            upload=pdf_upload(),
        )

    assert Document.objects.count() == documents  # the ones it was submitted with
    assert files_under(media) == files
    assert not events_after(mark).exists()


def test_add_document_with_a_stale_version_stores_no_file(media, period, unit_a, head_a):
    from workflow.errors import StaleVersion

    dossier = make_dossier(period, unit_a, documents=False)

    with pytest.raises(StaleVersion):
        services.add_document(
            dossier_id=dossier.pk,
            person=head_a,
            expected_version=5,
            kind=kind("achievement_report"),
            upload=pdf_upload(),
        )

    assert not Document.objects.exists()
    assert files_under(media) == []


def create_kwargs(institution, unit, period, person, documents):
    nominee = make_person(institution, unit)
    return dict(
        person=person,
        unit=unit,
        period=period,
        award_type=AwardType.objects.get(institution=institution, code="advanced_worker"),
        achievement_summary="Hoàn thành xuất sắc nhiệm vụ.",
        nominee_person=nominee,
        documents=documents,
    )


def test_create_dossier_with_an_invalid_second_document_stores_nothing(
    media, institution, period, unit_a, head_a
):
    documents = [
        (kind("achievement_report"), pdf_upload("bao-cao.pdf")),
        (kind("unit_minutes"), upload("bien-ban.pdf", b"not a pdf at all")),
    ]

    with pytest.raises(ValidationError) as refused:
        services.create_dossier(**create_kwargs(institution, unit_a, period, head_a, documents))

    assert "bien-ban.pdf" in " ".join(refused.value.messages)
    assert not Dossier.objects.exists()
    assert not Document.objects.exists()
    assert files_under(media) == []
    assert not AuditEvent.objects.exists()


def test_create_dossier_stores_the_draft_its_documents_and_their_events(
    media, institution, period, unit_a, head_a
):
    documents = [
        (kind("achievement_report"), pdf_upload("bao-cao.pdf")),
        (kind("unit_minutes"), upload("bien-ban.docx", DOCX_BYTES)),
    ]

    dossier = services.create_dossier(
        **create_kwargs(institution, unit_a, period, head_a, documents)
    )

    assert dossier.state == "draft"
    assert sorted(dossier.documents.values_list("original_name", flat=True)) == [
        "bao-cao.pdf",
        "bien-ban.docx",
    ]
    assert len(files_under(media)) == 2
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "dossier.created",
        "dossier.document_added",
        "dossier.document_added",
    ]


def fail_on_document_event(monkeypatch, after: int = 0):
    """Make log.append raise on the (after+1)-th document event, after its file was written."""
    real_append = log.append
    seen = []

    def append(**kwargs):
        if kwargs["action"] == "dossier.document_added":
            seen.append(kwargs)
            if len(seen) > after:
                raise RuntimeError("the audit trail is unavailable")
        return real_append(**kwargs)

    monkeypatch.setattr(log, "append", append)


def test_a_failure_after_the_file_was_written_leaves_no_orphan_file(
    media, monkeypatch, period, unit_a, head_a
):
    dossier = make_dossier(period, unit_a, documents=False)
    mark = audit_mark()
    fail_on_document_event(monkeypatch)

    with pytest.raises(RuntimeError):
        services.add_document(
            dossier_id=dossier.pk,
            person=head_a,
            expected_version=1,
            kind=kind("achievement_report"),
            upload=pdf_upload(),
        )

    dossier.refresh_from_db()
    assert dossier.version == 1
    assert not Document.objects.exists()
    assert files_under(media) == []
    assert not events_after(mark).exists()


def test_a_failure_on_the_second_document_of_a_new_dossier_leaves_no_file_at_all(
    media, monkeypatch, institution, period, unit_a, head_a
):
    documents = [
        (kind("achievement_report"), pdf_upload("bao-cao.pdf")),
        (kind("unit_minutes"), pdf_upload("bien-ban.pdf")),
    ]
    fail_on_document_event(monkeypatch, after=1)

    with pytest.raises(RuntimeError):
        services.create_dossier(**create_kwargs(institution, unit_a, period, head_a, documents))

    assert not Dossier.objects.exists()
    assert not Document.objects.exists()
    assert files_under(media) == []
    assert not AuditEvent.objects.exists()
