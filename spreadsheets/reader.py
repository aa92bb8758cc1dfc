"""Reading an office's .xlsx back: the header row matched to the columns an export writes, then
each row's cells as Python values with their line number.

The reader knows nothing of records; it refuses what is not a workbook, a sheet without the
expected header, and a file over the row limit, each with a sentence the office can act on.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from spreadsheets.writer import Column

_SPACES = re.compile(r"\s+")
_DATE_TEXT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class FileRefused(Exception):
    """The file as a whole cannot be read (not a workbook, no header, too many rows)."""


@dataclass(frozen=True)
class CellError(Exception):
    """One cell's value is not what its column takes; `message` says why, for the office."""

    message: str


@dataclass(frozen=True)
class Row:
    line: int  # the row's number as Excel shows it
    cells: dict[str, object]  # column key → raw cell value


def normalised(text) -> str:
    return _SPACES.sub(" ", str(text or "")).strip().casefold()


def in_every_language(text) -> set[str]:
    """A lazily translated text as each of the site's languages writes it, normalised."""
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(normalised(text))
    return found


def read_rows(data: bytes, columns: Sequence[tuple[str, Column, bool]]) -> Iterator[Row]:
    """The data rows of the first sheet, keyed by column key; `columns` are (key, column,
    required). Raises FileRefused for an unreadable file, a wrong header or too many rows."""
    sheet = _first_sheet(data)
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None)
    if header is None or not any(_blank(value) is False for value in header):
        raise FileRefused(_("The file is empty: the first row must hold the column headers."))
    positions = _match_header(header, columns)
    limit = settings.SPREADSHEET_IMPORT_MAX_ROWS
    count = 0
    for line, values in enumerate(lines, start=2):
        if all(_blank(value) for value in values):
            continue
        count += 1
        if count > limit:
            raise FileRefused(
                _("The file has more than %(limit)d rows: split it into several files.")
                % {"limit": limit}
            )
        cells = {key: values[index] if index < len(values) else None for key, index in positions}
        yield Row(line=line, cells=cells)


def _first_sheet(data: bytes):
    if not data:
        raise FileRefused(_("The file is empty."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, ParseError):
        raise FileRefused(
            _("This is not an Excel workbook (.xlsx): save it as .xlsx and upload it again.")
        ) from None
    if not book.worksheets:
        raise FileRefused(_("The file is empty."))
    return book.worksheets[0]


def _match_header(header, columns) -> list[tuple[str, int]]:
    """(key, position) of each expected column; missing, unknown or repeated headers refused."""
    found = {normalised(value): index for index, value in enumerate(header) if not _blank(value)}
    positions, missing, known = [], [], set()
    for key, column, required in columns:
        names = in_every_language(column.header)
        known |= names
        index = next((found[name] for name in names if name in found), None)
        if index is None:
            if required:
                missing.append(str(column.header))
            continue
        positions.append((key, index))
    unknown = [
        str(value) for value in header if not _blank(value) and normalised(value) not in known
    ]
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": "; ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": "; ".join(unknown)})
    if len(found) < sum(1 for value in header if not _blank(value)):
        problems.append(_("a column header is repeated"))
    if problems:
        raise FileRefused(
            _("The header row is not the template's (%(problems)s). Download the template.")
            % {"problems": ", ".join(problems)}
        )
    return positions


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Cells
# ---------------------------------------------------------------------------------------------


def text(value, *, required: bool = False, max_length: int | None = None) -> str:
    if isinstance(value, datetime.date | datetime.datetime):
        raise CellError(_("A text is expected, not a date."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = "" if value is None else _SPACES.sub(" ", str(value)).strip()
    if required and not result:
        raise CellError(_("This column is required."))
    if max_length is not None and len(result) > max_length:
        raise CellError(
            _("At most %(limit)d characters (this one has %(count)d).")
            % {"limit": max_length, "count": len(result)}
        )
    return result


def whole_number(value, *, required: bool = True) -> int | None:
    if _blank(value):
        if required:
            raise CellError(_("This column is required."))
        return None
    if isinstance(value, (bool, datetime.date | datetime.datetime)):
        raise CellError(_("A whole number is expected."))
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("A whole number is expected."))
        return int(value)
    if isinstance(value, int):
        return value
    stripped = str(value).strip()
    if not stripped.isdigit():
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": stripped})
    return int(stripped)


def date(value, *, required: bool = True) -> datetime.date | None:
    """A date cell, or a text written dd/mm/yyyy as Vietnamese offices write dates."""
    if _blank(value):
        if required:
            raise CellError(_("This column is required."))
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = _DATE_TEXT.match(str(value).strip())
    if match is None:
        raise CellError(
            _("“%(value)s” is not a date: write it as dd/mm/yyyy.") % {"value": str(value).strip()}
        )
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a date of the calendar.") % {"value": str(value).strip()}
        ) from None


def choice_table(choices) -> dict[str, object]:
    """Each way a cell may name a choice (its code, its label in every language) → the code."""
    table = {}
    for code, label in choices:
        table[normalised(code)] = code
        for name in in_every_language(label):
            table[name] = code
    return table


def choice(value, table: dict, choices, *, required: bool = True):
    """A value of `choices` written as its label in any language or as its code (`table` is
    `choice_table(choices)`, built once per import)."""
    if _blank(value):
        if required:
            raise CellError(_("This column is required."))
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    found = table.get(normalised(value), _MISSING)
    if found is _MISSING:
        raise CellError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {
                "value": str(value).strip(),
                "choices": "; ".join(str(label) for _c, label in choices),
            }
        )
    return found


_MISSING = object()
