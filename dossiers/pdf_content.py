"""What an uploaded PDF would do when opened: scripts, launched programs, files carried inside.

The file is parsed with pyHanko's reader and every object reachable from its trailer (catalog,
names trees, pages, annotations, actions, form fields) is looked at, so a name hidden in an object
stream or spelled with #-escapes is still found. A file the reader cannot parse is searched for
the same names in its raw bytes instead.
"""

from __future__ import annotations

import re
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

JAVASCRIPT, LAUNCH, EMBEDDED_FILE, PROTECTED = "javascript", "launch", "embedded_file", "protected"
# Action types (/S) that run something or open a file carried inside.
ACTIONS = {"/JavaScript": JAVASCRIPT, "/Launch": LAUNCH, "/GoToE": EMBEDDED_FILE}
# Keys whose mere presence is active content.
KEYS = {"/JS": JAVASCRIPT, "/JavaScript": JAVASCRIPT, "/EmbeddedFiles": EMBEDDED_FILE,
        "/EF": EMBEDDED_FILE}  # fmt: skip
TYPES = {"/EmbeddedFile": EMBEDDED_FILE, "/FileAttachment": EMBEDDED_FILE}
# Far more objects than any scanned document has; past it the walk stops.
MAX_OBJECTS = 500_000
RAW_NAME = re.compile(rb"/([A-Za-z0-9#]+)")
RAW_NAMES = {name.lstrip("/"): kind for name, kind in {**ACTIONS, **KEYS, **TYPES}.items()}


def active_content(data: bytes) -> str | None:
    """The first kind of active content found (JAVASCRIPT, LAUNCH, EMBEDDED_FILE), PROTECTED
    for a file that cannot be opened without a password, or None for a plain document."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        if reader.encrypted and not _opens_without_password(reader):
            return PROTECTED
        return _walk(reader.trailer_view)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return _raw_scan(data)


def _opens_without_password(reader: PdfFileReader) -> bool:
    try:
        return reader.decrypt(b"").status.name != "FAILED"
    except (PdfError, ValueError, NotImplementedError):
        return False


def _walk(root) -> str | None:
    pending, seen = [root], set()
    while pending:
        if len(seen) > MAX_OBJECTS:
            return None
        value = pending.pop()
        if isinstance(value, generic.IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            pending.append(value.get_object())
        elif isinstance(value, generic.DictionaryObject):
            found = _in_dictionary(value)
            if found:
                return found
            pending.extend(value.raw_get(key) for key in value)
        elif isinstance(value, generic.ArrayObject):
            pending.extend(value.raw_get(index) for index in range(len(value)))
    return None


def _in_dictionary(dictionary: generic.DictionaryObject) -> str | None:
    for key, kind in KEYS.items():
        if key in dictionary:
            return kind
    for key, table in (("/S", ACTIONS), ("/Type", TYPES), ("/Subtype", TYPES)):
        value = dictionary.raw_get(key) if key in dictionary else None
        if isinstance(value, generic.NameObject) and str(value) in table:
            return table[str(value)]
    return None


def _raw_scan(data: bytes) -> str | None:
    for match in RAW_NAME.finditer(data):
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match[1])
        kind = RAW_NAMES.get(name.decode("latin-1"))
        if kind:
            return kind
    return None
