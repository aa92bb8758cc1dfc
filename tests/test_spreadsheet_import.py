"""Importing the personnel office's spreadsheets: a dry run first, then all rows or none, each
record written and audited as the API and the admin write it; bad files refused with the line,
column and reason; only the personnel officer imports; the confirmation re-reads the file."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook

from dossiers.models import (
    AnnualRating,
    AwardType,
    DisciplinaryRecord,
    DisciplineLevel,
    Period,
    Person,
    Rating,
    RecognisedInitiative,
    Role,
    TitleRecord,
)
from spreadsheets.kinds import KINDS
from spreadsheets.views import PENDING
from spreadsheets.writer import Sheet, workbook_bytes
from tests.conftest import make_person, make_unit
from tests.factories import audit_mark, events_after, login

IMPORT = "/spreadsheets/import/"
CONFIRM = "/spreadsheets/import/confirm/"


@pytest.fixture
def officer(institution, unit_b):
    return make_person(
        institution, unit_b, roles=[Role.PERSONNEL_OFFICER], username="officer",
        full_name="Cán Bộ Tổ Chức",
    )  # fmt: skip


@pytest.fixture
def browser(officer):
    return login(officer)


@pytest.fixture
def past(institution):
    return Period.objects.create(
        institution=institution, name="Năm 2025", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
    )  # fmt: skip


@pytest.fixture
def lan(institution, unit_a):
    return make_person(institution, unit_a, full_name="Nguyễn Thị Lan", username="lan")


def xlsx(kind: str, rows, *, headers=None) -> bytes:
    """A workbook with the template's header (or `headers`) and the given rows."""
    columns = KINDS[kind].columns()
    if headers is None:
        return workbook_bytes(Sheet("Sheet", columns, rows))
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def headers(kind: str) -> list[str]:
    return [str(column.header) for column in KINDS[kind].columns()]


def upload(data: bytes, name="danh-sach.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def preview(client, kind: str, data: bytes):
    return client.post(IMPORT, {"kind": kind, "file": upload(data)})


def confirm(client, shown):
    """Confirm the preview `shown` as its page's form does."""
    plan = shown.context["plan"]
    return client.post(
        CONFIRM,
        {"kind": plan.kind.code, "sha256": shown.context["sha256"], "digest": plan.digest()},
    )


def errors(response) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.message) for e in response.context["plan"].errors]


def rating_row(person, period, rating=Rating.COMPLETED_WELL):
    return [person.pk, person.full_name, period.name, str(Rating(rating).label)]


def stored() -> tuple:
    """Everything an import may write, to show it wrote nothing."""
    return (
        Person.objects.count(), AnnualRating.objects.count(), DisciplinaryRecord.objects.count(),
        RecognisedInitiative.objects.count(), TitleRecord.objects.count(),
    )  # fmt: skip


# The dry run and the import
# ---------------------------------------------------------------------------------------------


def test_preview_lists_the_rows_to_create_and_stores_nothing(browser, lan, period):
    shown = preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period)]))
    assert shown.status_code == 200
    assert shown.context["created"] == 1
    assert not AnnualRating.objects.exists()


def test_confirming_writes_every_row_and_audits_each_record_and_the_file(
    browser, lan, staff_a, period, officer
):
    data = xlsx("ratings", [rating_row(lan, period), rating_row(staff_a, period, Rating.COMPLETED)])
    mark = audit_mark()
    response = confirm(browser, preview(browser, "ratings", data))
    assert response.status_code == 302
    assert AnnualRating.objects.get(person=lan).rating == Rating.COMPLETED_WELL
    assert AnnualRating.objects.get(person=staff_a).rating == Rating.COMPLETED
    events = list(events_after(mark))
    assert [e.action for e in events] == ["record.created", "record.created", "record.imported"]
    assert all((e.actor, e.role) == (officer, "personnel_officer") for e in events)
    assert events[-1].payload["created"] == 2
    assert events[-1].payload["kind"] == "ratings"


def test_a_changed_rating_is_previewed_old_to_new_and_audited_with_both(browser, lan, period):
    AnnualRating.objects.create(
        institution=lan.institution, person=lan, period=period, rating=Rating.COMPLETED
    )
    shown = preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period)]))
    [row] = shown.context["plan"].writes
    [change] = row.changes
    assert (change.old, change.new) == (
        str(Rating.COMPLETED.label),
        str(Rating.COMPLETED_WELL.label),
    )
    mark = audit_mark()
    confirm(browser, shown)
    assert AnnualRating.objects.get(person=lan).rating == Rating.COMPLETED_WELL
    event = events_after(mark).first()
    assert event.action == "record.changed"
    assert event.payload["changes"]["rating"] == [Rating.COMPLETED, Rating.COMPLETED_WELL]


def test_new_people_are_added_to_the_staff_list_as_the_api_adds_them(browser, unit_a):
    row = ["", "Trần Văn Minh", unit_a.code, unit_a.name, "Giảng viên", "Có", "Nam",
           "05/03/1980", "minh@example.edu.vn"]  # fmt: skip
    mark = audit_mark()
    confirm(browser, preview(browser, "people", xlsx("people", [row])))
    person = Person.objects.get(full_name="Trần Văn Minh")
    assert (person.unit, person.gender, person.holds_leadership_post) == (unit_a, "male", True)
    assert person.birth_date == datetime.date(1980, 3, 5)
    assert person.user is None
    assert events_after(mark).first().action == "record.created"


def test_a_person_moved_to_another_unit_is_changed_by_their_id(browser, lan, unit_b):
    row = [lan.pk, lan.full_name, unit_b.code, "", "", "Không", "Nữ", "", ""]
    confirm(browser, preview(browser, "people", xlsx("people", [row])))
    lan.refresh_from_db()
    assert lan.unit == unit_b


def test_the_staff_list_brings_the_start_of_work_the_months_worked_rule_counts_from(
    browser, lan, unit_a
):
    row = [lan.pk, lan.full_name, unit_a.code, "", "", "Không", "Nữ", "", "", "01/09/2015"]
    mark = audit_mark()

    confirm(browser, preview(browser, "people", xlsx("people", [row])))

    lan.refresh_from_db()
    assert lan.employed_since == datetime.date(2015, 9, 1)
    change = events_after(mark).get(action="record.changed")
    assert "employed_since" in str(change.payload)


def test_the_same_new_people_imported_twice_are_refused_the_second_time(browser, unit_a):
    row = ["", "Trần Văn Minh", unit_a.code, "", "", "Không", "Nam", "05/03/1980", ""]
    confirm(browser, preview(browser, "people", xlsx("people", [row])))
    again = preview(browser, "people", xlsx("people", [row]))
    assert again.status_code == 422
    assert "đã có trong danh sách" in errors(again)[0][2]
    assert Person.objects.filter(full_name="Trần Văn Minh").count() == 1


def test_discipline_and_initiatives_are_imported_with_their_dates(browser, lan, period):
    discipline = [lan.pk, lan.full_name, period.name, "15/02/2026", "Khiển trách", "Đi muộn"]
    confirm(browser, preview(browser, "discipline", xlsx("discipline", [discipline])))
    record = DisciplinaryRecord.objects.get(person=lan)
    assert (record.level, record.decided_on) == (
        DisciplineLevel.REPRIMAND,
        datetime.date(2026, 2, 15),
    )
    initiative = [lan.pk, lan.full_name, period.name, "Dạy học số", "Sáng kiến", "Cấp cơ sở",
                  datetime.date(2026, 5, 20)]  # fmt: skip
    confirm(browser, preview(browser, "initiatives", xlsx("initiatives", [initiative])))
    found = RecognisedInitiative.objects.get(person=lan)
    assert (found.kind, found.scope, found.recognised_on) == (
        "initiative",
        "grassroots",
        datetime.date(2026, 5, 20),
    )


def test_title_history_of_past_years_is_imported_as_imported_history(browser, lan, period):
    row = [lan.pk, lan.full_name, "", 2024, "advanced_worker", "", "12/QĐ-CĐTN"]
    confirm(browser, preview(browser, "titles", xlsx("titles", [row])))
    title = TitleRecord.objects.get(person=lan)
    assert (title.year, title.source, title.decision_reference) == (2024, "imported", "12/QĐ-CĐTN")


def test_a_title_of_the_current_period_is_refused(browser, lan, period):
    row = [lan.pk, lan.full_name, "", 2026, "advanced_worker", "", ""]
    shown = preview(browser, "titles", xlsx("titles", [row]))
    assert errors(shown) == [(2, headers("titles")[3], errors(shown)[0][2])]
    assert "2026" in errors(shown)[0][2]
    assert not TitleRecord.objects.exists()


def test_a_title_granted_by_a_decision_is_not_overwritten_by_an_import(browser, lan, institution):
    award = AwardType.objects.get(institution=institution, code="advanced_worker")
    TitleRecord.objects.create(
        institution=institution, person=lan, award_type=award, year=2024,
        decision_reference="5/QĐ-CĐTN", source=TitleRecord.Source.GRANTED,
    )  # fmt: skip
    row = [lan.pk, lan.full_name, "", 2024, "advanced_worker", "", "99/QĐ-KHÁC"]
    shown = preview(browser, "titles", xlsx("titles", [row]))
    assert shown.status_code == 422
    assert TitleRecord.objects.get(person=lan).decision_reference == "5/QĐ-CĐTN"


# Round trip: what an export wrote comes back unchanged
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def records(institution, lan, period, past):
    AnnualRating.objects.create(institution=institution, person=lan, period=past, rating=4)
    DisciplinaryRecord.objects.create(
        institution=institution, person=lan, period=past, level=DisciplineLevel.WARNING,
        decided_on=datetime.date(2025, 3, 1), note="Ghi chú",
    )  # fmt: skip
    RecognisedInitiative.objects.create(
        institution=institution, person=lan, period=past, kind="research", scope="province",
        title="Đề tài cấp tỉnh", recognised_on=datetime.date(2025, 6, 30),
    )  # fmt: skip
    award = AwardType.objects.get(institution=institution, code="advanced_worker")
    TitleRecord.objects.create(
        institution=institution, person=lan, award_type=award, year=2025,
        decision_reference="7/QĐ-CĐTN", source=TitleRecord.Source.IMPORTED,
    )  # fmt: skip
    Person.objects.filter(pk=lan.pk).update(birth_date=datetime.date(1985, 12, 1))


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_export_imported_back_changes_nothing_and_records_nothing(browser, records, kind):
    exported = browser.get(f"/spreadsheets/{kind}/export.xlsx")
    assert exported.status_code == 200
    before, mark = stored(), audit_mark()
    shown = preview(browser, kind, exported.content)
    assert shown.status_code == 200, errors(shown)
    assert (shown.context["created"], shown.context["changed"]) == (0, 0)
    assert shown.context["unchanged"] >= 1
    assert "Nhập dữ liệu" not in shown.content.decode()  # no Import button for nothing
    confirm(browser, shown)
    assert stored() == before
    assert not events_after(mark).exists()


def test_the_template_has_the_exports_columns_and_no_rows(browser):
    from openpyxl import load_workbook

    sheet = load_workbook(
        io.BytesIO(browser.get("/spreadsheets/ratings/template.xlsx").content)
    ).active
    assert [c.value for c in sheet[1]] == headers("ratings")
    assert sheet.max_row == 1
    assert sheet.freeze_panes == "A2"


# One bad row: nothing at all
# ---------------------------------------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_reports_its_line_column_and_reason(browser, lan, staff_a,
                                                                            period):  # fmt: skip
    data = xlsx("ratings", [
        rating_row(lan, period),
        [staff_a.pk, staff_a.full_name, period.name, "Xuất sắc lắm"],
        rating_row(staff_a, period),
    ])  # fmt: skip
    shown = preview(browser, "ratings", data)
    assert shown.status_code == 422
    [(line, column, reason)] = errors(shown)
    assert (line, column) == (3, headers("ratings")[3])
    assert "Xuất sắc lắm" in reason
    assert PENDING not in browser.session
    assert not AnnualRating.objects.exists()


def test_a_row_that_fails_at_confirmation_rolls_back_every_row(browser, lan, staff_a, period):
    shown = preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period),
                                                         rating_row(staff_a, period)]))  # fmt: skip
    Person.objects.filter(pk=staff_a.pk).update(full_name="Đã Đổi Tên")  # the name no longer fits
    mark = audit_mark()
    response = confirm(browser, shown)
    assert response.status_code == 422
    assert not AnnualRating.objects.exists()
    assert not events_after(mark).exists()


# Bad files
# ---------------------------------------------------------------------------------------------


def file_error(response) -> str:
    assert response.status_code == 422
    [(line, _column, reason)] = errors(response)
    assert line == 0
    return reason


def test_a_file_that_is_not_a_workbook_is_refused(browser):
    assert ".xlsx" in file_error(preview(browser, "ratings", b"Ho ten;Xep loai\nLan;Tot\n"))


def test_an_empty_file_is_refused(browser):
    response = browser.post(IMPORT, {"kind": "ratings", "file": upload(b"")})
    assert response.status_code == 400  # the form refuses an empty upload
    assert stored() == (Person.objects.count(), 0, 0, 0, 0)


def test_a_workbook_without_a_header_is_refused(browser):
    assert "tiêu đề" in file_error(preview(browser, "ratings", xlsx("ratings", [], headers=[])))


def test_a_workbook_with_only_the_header_is_refused(browser):
    assert "không có dòng" in file_error(preview(browser, "ratings", xlsx("ratings", [])))


def test_a_missing_column_is_named(browser, lan, period):
    names = headers("ratings")[:3]
    reason = file_error(preview(browser, "ratings", xlsx("ratings", [[lan.pk, "x", "y"]],
                                                         headers=names)))  # fmt: skip
    assert headers("ratings")[3] in reason


def test_a_renamed_column_is_named_as_missing_and_unknown(browser, lan, period):
    names = [*headers("ratings")[:3], "Xếp loại năm"]
    reason = file_error(preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period)],
                                                         headers=names)))  # fmt: skip
    assert headers("ratings")[3] in reason and "Xếp loại năm" in reason


def test_a_text_where_a_number_belongs_is_refused(browser, lan):
    row = [lan.pk, lan.full_name, "", "hai nghìn", "advanced_worker", "", ""]
    [(line, column, reason)] = errors(preview(browser, "titles", xlsx("titles", [row])))
    assert (line, column) == (2, headers("titles")[3])
    assert "hai nghìn" in reason


@pytest.mark.parametrize(
    ("cell", "column", "text"),
    [(0, 0, "99999"), (2, 2, "Năm 1999")],
    ids=["unknown person", "unknown period"],
)
def test_unknown_people_and_periods_are_refused(browser, lan, period, cell, column, text):
    row = rating_row(lan, period)
    row[cell] = int(text) if text.isdigit() else text
    [(line, header, reason)] = errors(preview(browser, "ratings", xlsx("ratings", [row])))
    assert (line, header) == (2, headers("ratings")[column])
    assert text in reason


def test_unknown_units_and_award_types_are_refused(browser, lan, unit_a):
    person = ["", "Lê Văn Mới", "khoa-khong-co", "", "", "Không", "Nam", "", ""]
    [(_l, header, reason)] = errors(preview(browser, "people", xlsx("people", [person])))
    assert (header, "khoa-khong-co" in reason) == (headers("people")[2], True)
    title = [lan.pk, lan.full_name, "", 2024, "danh-hieu-la", "", ""]
    [(_l, header, reason)] = errors(preview(browser, "titles", xlsx("titles", [title])))
    assert (header, "danh-hieu-la" in reason) == (headers("titles")[4], True)


def test_a_date_may_be_a_date_cell_or_written_day_month_year(browser, lan, period):
    rows = [
        [lan.pk, lan.full_name, period.name, "01/02/2026", "Khiển trách", ""],
        [lan.pk, lan.full_name, period.name, datetime.date(2026, 3, 4), "Cảnh cáo", ""],
    ]
    confirm(browser, preview(browser, "discipline", xlsx("discipline", rows)))
    assert set(DisciplinaryRecord.objects.values_list("decided_on", flat=True)) == {
        datetime.date(2026, 2, 1), datetime.date(2026, 3, 4)
    }  # fmt: skip


@pytest.mark.parametrize("written", ["2026-02-01", "31/02/2026", "mùng 1 tháng 2"])
def test_a_date_written_otherwise_is_refused(browser, lan, period, written):
    row = [lan.pk, lan.full_name, period.name, written, "Khiển trách", ""]
    [(line, column, reason)] = errors(preview(browser, "discipline", xlsx("discipline", [row])))
    assert (line, column) == (2, headers("discipline")[3])
    assert written in reason


def test_the_same_record_twice_in_a_file_is_refused_with_the_first_line(browser, lan, period):
    shown = preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period)] * 2))
    [(line, _column, reason)] = errors(shown)
    assert line == 3 and "2" in reason


def test_a_name_that_is_not_the_ids_person_is_refused(browser, lan, period):
    row = [lan.pk, "Nguyễn Thị Hoa", period.name, "Hoàn thành tốt nhiệm vụ"]
    [(line, column, reason)] = errors(preview(browser, "ratings", xlsx("ratings", [row])))
    assert (line, column) == (2, headers("ratings")[1])
    assert lan.full_name in reason


def test_another_institutions_person_and_unit_are_unknown_here(browser, other_institution, period):
    unit = make_unit(other_institution, "khoa-x", "Khoa X")
    theirs = make_person(other_institution, unit, full_name="Người Trường Khác")
    row = [theirs.pk, theirs.full_name, period.name, "Hoàn thành tốt nhiệm vụ"]
    [(_line, _column, reason)] = errors(preview(browser, "ratings", xlsx("ratings", [row])))
    assert str(theirs.pk) in reason
    person = ["", "Lê Mới", "khoa-x", "", "", "Không", "Nam", "", ""]
    assert errors(preview(browser, "people", xlsx("people", [person])))
    assert not AnnualRating.objects.exists()
    assert not Person.objects.filter(full_name="Lê Mới").exists()


@override_settings(SPREADSHEET_IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused(browser, lan, period):
    response = preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period)]))
    assert response.status_code == 400
    assert "1000" in response.content.decode() or "KB" in response.content.decode()
    assert not AnnualRating.objects.exists()


@override_settings(SPREADSHEET_IMPORT_MAX_ROWS=2)
def test_a_file_over_the_row_limit_is_refused(browser, lan, staff_a, officer, period):
    rows = [rating_row(p, period) for p in (lan, staff_a, officer)]
    assert "2" in file_error(preview(browser, "ratings", xlsx("ratings", rows)))


# Confirmation
# ---------------------------------------------------------------------------------------------


def test_confirm_refuses_a_file_other_than_the_one_previewed(browser, lan, staff_a, period):
    first = preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period)]))
    preview(browser, "ratings", xlsx("ratings", [rating_row(staff_a, period)]))  # another tab
    response = confirm(browser, first)
    assert response.status_code == 409
    assert not AnnualRating.objects.exists()


def test_confirm_refuses_when_the_records_changed_since_the_preview(browser, lan, period):
    shown = preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period)]))
    AnnualRating.objects.create(institution=lan.institution, person=lan, period=period, rating=2)
    response = confirm(browser, shown)
    assert response.status_code == 409
    assert AnnualRating.objects.get(person=lan).rating == 2
    assert response.context["plan"].count("change") == 1  # the new preview, to confirm again


def test_confirm_without_a_preview_is_refused(browser):
    response = browser.post(CONFIRM, {"kind": "ratings", "sha256": "0" * 64, "digest": ""})
    assert response.status_code == 409


def test_the_waiting_file_leaves_the_session_once_imported(browser, lan, period):
    confirm(browser, preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period)])))
    assert PENDING not in browser.session


# Who may import
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["head_a", "reviewer", "principal", "auditor", "staff_a"])
def test_nobody_but_the_personnel_officer_may_import(request, who, lan, period):
    client = login(request.getfixturevalue(who))
    assert client.get(IMPORT).status_code == 403
    data = xlsx("ratings", [rating_row(lan, period)])
    response = client.post(IMPORT, {"kind": "ratings", "file": upload(data)})
    assert response.status_code == 403
    assert client.get("/spreadsheets/people/export.xlsx").status_code == 403
    assert not AnnualRating.objects.exists()


def test_an_unknown_list_is_not_found(browser):
    assert browser.get("/spreadsheets/salaries/export.xlsx").status_code == 404


def test_a_units_title_is_imported_by_its_code(browser, unit_a, period):
    row = ["", unit_a.name, unit_a.code, 2025, "advanced_collective", "", "3/QĐ-CĐTN"]
    confirm(browser, preview(browser, "titles", xlsx("titles", [row])))
    title = TitleRecord.objects.get(unit=unit_a)
    assert (title.person, title.year, title.source) == (None, 2025, "imported")


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["", "Khoa Toán", "khoa-a", 2025, "advanced_worker", "", ""], 4),  # a person's award
        ([None, "", "", 2025, "advanced_collective", "", ""], 0),  # no holder at all
    ],
    ids=["a person's award for a unit", "no holder"],
)
def test_a_title_without_a_holder_of_the_awards_kind_is_refused(browser, unit_a, row, column):
    [(line, header, _reason)] = errors(preview(browser, "titles", xlsx("titles", [row])))
    assert (line, header) == (2, headers("titles")[column])
    assert not TitleRecord.objects.exists()


def test_a_file_with_english_headers_is_read_alike(browser, lan, period):
    from django.utils import translation

    with translation.override("en"):
        data = xlsx("ratings", [rating_row(lan, period)])
    shown = preview(browser, "ratings", data)
    assert shown.status_code == 200
    assert shown.context["created"] == 1


def test_a_repeated_column_header_is_refused(browser, lan, period):
    names = [*headers("ratings"), headers("ratings")[3]]
    reason = file_error(preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period)],
                                                         headers=names)))  # fmt: skip
    assert "lặp" in reason


def test_cancelling_drops_the_waiting_file(browser, lan, period):
    shown = preview(browser, "ratings", xlsx("ratings", [rating_row(lan, period)]))
    browser.post("/spreadsheets/import/cancel/")
    assert PENDING not in browser.session
    assert confirm(browser, shown).status_code == 409
    assert not AnnualRating.objects.exists()


def test_the_preview_costs_the_same_queries_for_many_rows(
    browser, institution, unit_a, period, django_assert_max_num_queries
):
    people = [make_person(institution, unit_a) for _ in range(20)]
    with django_assert_max_num_queries(30) as few:
        preview(browser, "ratings", xlsx("ratings", [rating_row(p, period) for p in people[:2]]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        shown = preview(
            browser, "ratings", xlsx("ratings", [rating_row(p, period) for p in people])
        )
    assert shown.context["created"] == 20
