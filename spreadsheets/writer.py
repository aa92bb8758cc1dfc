"""Lists leave as spreadsheets in the form offices use: Vietnamese headers, widths, frozen header.

Every export of the product (registrations, nominees, agendas, annexes, statistics) builds its
workbook here, so they all look alike and a re-import reads what an export wrote.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
# Sheet names are at most 31 characters and may not hold these (Excel refuses the file).
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    """A column: its header as the office reads it, and its width in characters."""

    header: str
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]


def workbook_bytes(*sheets: Sheet) -> bytes:
    """The .xlsx of the sheets: bold frozen header row, set widths, dates as dd/mm/yyyy."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        _write_sheet(book.create_sheet(_sheet_name(sheet.title)), sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_sheet(worksheet, sheet: Sheet) -> None:
    worksheet.append([str(column.header) for column in sheet.columns])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in sheet.rows:
        worksheet.append([_cell_value(value) for value in row])
    for index, column in enumerate(sheet.columns, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    for row in worksheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.date):
                cell.number_format = DATE_FORMAT
    worksheet.freeze_panes = "A2"


def _cell_value(value):
    """Dates stay dates (Excel sorts them); a datetime is shown as its local calendar day."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if value is None:
        return ""
    if isinstance(value, (int, float, datetime.date)):
        return value
    return str(value)


def _sheet_name(title: str) -> str:
    return str(title).translate(_SHEET_NAME_FORBIDDEN).strip()[:31] or "Sheet"


def xlsx_response(filename: str, *sheets: Sheet) -> HttpResponse:
    response = HttpResponse(workbook_bytes(*sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, sheet: Sheet) -> HttpResponse:
    """One sheet as CSV with a BOM (so Excel reads the diacritics) and dates as dd/mm/yyyy."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([str(column.header) for column in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_value(value) for value in row])
    response = HttpResponse(buffer.getvalue().encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_value(value):
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value
