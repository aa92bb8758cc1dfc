"""An uploaded PDF is parsed: one that would run a script, start a program or carry other files
is refused with the reason, and nothing is stored (dossiers/pdf_content.py)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from dossiers.models import Document
from dossiers.uploads import check_upload
from tests.api_helpers import ApiClient, problem
from tests.conftest import PDF_BYTES, make_dossier
from tests.factories import audit_mark, events_after, login


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _script_action(script: str = "app.alert('x')") -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                             NameObject("/JS"): TextStringObject(script)})  # fmt: skip


def plain_pdf() -> bytes:
    return _bytes(_writer())


def open_action_script_pdf() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_script_action())
    return _bytes(writer)


def document_javascript_pdf() -> bytes:
    """A script in the names tree (/Names /JavaScript), run when the document opens."""
    writer = _writer()
    scripts = DictionaryObject({NameObject("/Names"): ArrayObject(
        [TextStringObject("mo-tep"), writer._add_object(_script_action())]
    )})  # fmt: skip
    names = DictionaryObject({NameObject("/JavaScript"): writer._add_object(scripts)})
    writer._root_object[NameObject("/Names")] = writer._add_object(names)
    return _bytes(writer)


def launch_pdf() -> bytes:
    writer = _writer()
    launch = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                               NameObject("/F"): TextStringObject("cmd.exe")})  # fmt: skip
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(launch)
    return _bytes(writer)


def attachment_pdf() -> bytes:
    writer = _writer()
    writer.add_attachment("virus.exe", b"MZ...")
    return _bytes(writer)


def file_attachment_annotation_pdf() -> bytes:
    writer = _writer()
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
    })  # fmt: skip
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _bytes(writer)


def page_action_script_pdf() -> bytes:
    """The script on a page's open action (/AA), not the document's."""
    writer = _writer()
    actions = DictionaryObject({NameObject("/O"): writer._add_object(_script_action())})
    writer.pages[0][NameObject("/AA")] = actions
    return _bytes(writer)


def refusal(content: bytes, name: str = "to-trinh.pdf") -> str:
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            check_upload(SimpleUploadedFile(name, content, content_type="application/pdf"))
        return " ".join(refused.value.messages)


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (open_action_script_pdf, "JavaScript"),
        (document_javascript_pdf, "JavaScript"),
        (page_action_script_pdf, "JavaScript"),
        (launch_pdf, "starts a program"),
        (attachment_pdf, "embedded files or attachments"),
        (file_attachment_annotation_pdf, "embedded files or attachments"),
    ],
)
def test_a_pdf_with_active_content_is_refused_with_the_reason(build, words):
    message = refusal(build())

    assert "to-trinh.pdf" in message
    assert words in message


def test_a_plain_pdf_is_accepted():
    content = plain_pdf()

    checked = check_upload(SimpleUploadedFile("to-trinh.pdf", content))

    assert checked.size == len(content)


def test_a_script_hidden_in_a_compressed_object_stream_is_found():
    writer = PdfFileWriter(stream_xrefs=True)
    action = generic.DictionaryObject({
        generic.NameObject("/S"): generic.NameObject("/JavaScript"),
        generic.NameObject("/JS"): generic.TextStringObject("app.alert(1)"),
    })  # fmt: skip
    ref = writer.add_object(action, obj_stream=writer.prepare_object_stream())
    writer.root[generic.NameObject("/OpenAction")] = ref
    out = io.BytesIO()
    writer.write(out)

    assert b"JavaScript" not in out.getvalue()  # compressed: no byte scan would see it
    assert "JavaScript" in refusal(out.getvalue())


def test_a_name_spelled_with_escapes_in_an_unreadable_file_is_found():
    content = PDF_BYTES + b"2 0 obj<</S/J#61vaScript/J#53(app.alert(1))>>endobj\n"

    assert "JavaScript" in refusal(content)


def test_a_minimal_unreadable_pdf_without_active_content_is_still_accepted():
    assert check_upload(SimpleUploadedFile("to-trinh.pdf", PDF_BYTES)).size == len(PDF_BYTES)


def test_the_document_page_stores_nothing_and_says_why(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a, documents=False)
    mark = audit_mark()
    kind = dossier.award_type.required_document_kinds.order_by("code").first()

    response = login(head_a).post(
        f"/dossiers/{dossier.pk}/documents/",
        {"kind": kind.pk, "version": dossier.version,
         "file": SimpleUploadedFile("to-trinh.pdf", open_action_script_pdf())},
        follow=True,
    )  # fmt: skip

    assert "JavaScript" in response.text
    assert not Document.objects.filter(dossier=dossier).exists()
    assert not events_after(mark).filter(action="dossier.document_added").exists()


def test_the_api_refuses_an_attachment_carrying_pdf_and_stores_nothing(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a, documents=False)

    body = problem(
        ApiClient(head_a, language="en").upload(
            f"/api/v1/dossiers/{dossier.pk}/documents/",
            {"kind": "achievement_report", "version": dossier.version,
             "file": SimpleUploadedFile("bao-cao.pdf", attachment_pdf())},
        ),
        400, "invalid-input",
    )  # fmt: skip

    assert "embedded files" in body["detail"]
    assert not Document.objects.filter(dossier=dossier).exists()
