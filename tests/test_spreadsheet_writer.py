"""The one workbook writer every export uses: what an office sees when it opens the file."""

import datetime
import io

from openpyxl import load_workbook

from spreadsheets.writer import Column, Sheet, csv_response, workbook_bytes


def _sheet():
    return Sheet(
        "Danh sách: đăng ký/2026",
        [Column("Họ và tên", 30), Column("Ngày", 12), Column("Số", 8)],
        [["Nguyễn Thị Hương", datetime.date(2026, 1, 5), 3]],
    )


def test_header_row_is_bold_frozen_and_columns_have_their_widths():
    sheet = load_workbook(io.BytesIO(workbook_bytes(_sheet()))).active
    assert [c.value for c in sheet[1]] == ["Họ và tên", "Ngày", "Số"]
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 30


def test_dates_are_dates_shown_day_month_year():
    cell = load_workbook(io.BytesIO(workbook_bytes(_sheet()))).active["B2"]
    assert cell.value == datetime.datetime(2026, 1, 5)
    assert cell.number_format == "dd/mm/yyyy"


def test_sheet_name_drops_characters_excel_refuses():
    sheet = load_workbook(io.BytesIO(workbook_bytes(_sheet()))).active
    assert "/" not in sheet.title and ":" not in sheet.title
    assert len(sheet.title) <= 31


def test_csv_starts_with_a_bom_and_writes_dates_day_month_year():
    body = csv_response("x.csv", _sheet()).content.decode()
    assert body.startswith("\ufeffHọ và tên,Ngày,Số")
    assert "Nguyễn Thị Hương,05/01/2026,3" in body
