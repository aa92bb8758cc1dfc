"""Checking an uploaded document by its content, before anything is stored."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from dossiers import pdf_content

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# extension -> (detected type, MIME type)
ACCEPTED = {
    ".pdf": ("pdf", "application/pdf"),
    ".doc": ("doc", "application/msword"),
    ".docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
    ".png": ("png", "image/png"),
}
ACCEPTED_LIST = "PDF, DOC, DOCX, JPEG, PNG"
NAME_LIMIT = 150


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


TOO_LARGE = "too_large"  # the code of the size refusal: the API answers it 413
ACTIVE_CONTENT = {
    pdf_content.JAVASCRIPT: _(
        "The PDF “%(name)s” contains JavaScript, which would run when it is opened. Print it "
        "to PDF again (or scan the paper) and upload that file."
    ),
    pdf_content.LAUNCH: _(
        "The PDF “%(name)s” contains an action that starts a program or opens another file. "
        "Print it to PDF again (or scan the paper) and upload that file."
    ),
    pdf_content.EMBEDDED_FILE: _(
        "The PDF “%(name)s” carries embedded files or attachments. Upload each document as a "
        "file of its own."
    ),
    pdf_content.PROTECTED: _(
        "The PDF “%(name)s” cannot be opened without a password. Upload it without protection."
    ),
}


def check_upload(upload, *, max_bytes: int | None = None) -> CheckedUpload:
    """Accept a PDF, DOC, DOCX, JPEG or PNG by its content and size, or raise ValidationError."""
    max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    name = sanitise_name(upload.name or "")
    extension = PurePath(name).suffix.lower()
    if upload.size == 0:
        raise ValidationError(_("The file “%(name)s” is empty."), params={"name": name})
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file “%(name)s” is larger than the limit of %(limit)s."),
            params={"name": name, "limit": filesizeformat(max_bytes)},
            code=TOO_LARGE,
        )
    if extension not in ACCEPTED:
        raise ValidationError(
            _("Files of type “%(ext)s” are not accepted; use %(accepted)s."),
            params={"ext": extension or "?", "accepted": ACCEPTED_LIST},
        )
    expected, content_type = ACCEPTED[extension]
    detected = detect_type(upload)
    if detected != expected:
        raise ValidationError(
            _("The content of “%(name)s” is not a %(ext)s file; use %(accepted)s."),
            params={"name": name, "ext": extension.lstrip(".").upper(), "accepted": ACCEPTED_LIST},
        )
    if detected == "pdf":
        _refuse_active_content(upload, name)
    return CheckedUpload(name, extension, content_type, upload.size, sha256_of(upload))


def _refuse_active_content(upload, name: str) -> None:
    """A PDF that would run a script, start a program or carry other files is refused."""
    upload.seek(0)
    found = pdf_content.active_content(upload.read())
    upload.seek(0)
    if found is not None:
        raise ValidationError(ACTIVE_CONTENT[found], params={"name": name}, code=found)


def detect_type(upload) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(OLE2_MAGIC):
        return "doc"
    if head.startswith(b"PK\x03\x04") and _is_docx(upload):
        return "docx"
    return None


def _is_docx(upload) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and "word/document.xml" in names


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def sanitise_name(name: str) -> str:
    """A display name safe anywhere: no path, no control characters, Vietnamese letters kept."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/")).rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r'[<>:"|?*]+', "_", name).strip(" .")
    stem, extension = PurePath(name).stem, PurePath(name).suffix
    if len(extension) > 10:
        stem, extension = name, ""
    stem = stem[: NAME_LIMIT - len(extension)] or "document"
    return stem + extension.lower()
