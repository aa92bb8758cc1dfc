"""The statistics page and its downloads: open to every member of staff, for their institution
only, with the numbers of the selectors, and a constant number of queries."""

from __future__ import annotations

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from dossiers.models import Period, Person, State
from tests.conftest import make_person, make_unit
from tests.factories import dossier_in, login

PAGE = "/statistics/"
SVG = "{http://www.w3.org/2000/svg}"
QUERIES = 12  # session, user, roles and tasks of the menu; periods; 7 statistics
DOWNLOAD_QUERIES = 10  # without the menu's


def table(response, key):
    (found,) = [t for t in response.context["tables"] if t.key == key]
    return found


def svgs(response) -> list[ET.Element]:
    html = response.content.decode()
    return [ET.fromstring(s) for s in re.findall(r"<svg.*?</svg>", html, re.S)]  # noqa: S314


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def earlier(institution):
    return Period.objects.create(
        institution=institution, name="Năm 2025", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
    )  # fmt: skip


def test_an_anonymous_visitor_is_sent_to_log_in(client, period):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_anonymous_visitor_gets_no_download(client, period):
    response = client.get(reverse("statistics_csv", args=["units"]))

    assert response.status_code == 302


def test_a_member_of_staff_without_any_role_reads_the_statistics(staff_a, period):
    response = login(staff_a).get(PAGE)

    assert response.status_code == 200
    assert response.context["period"] == period


def test_every_member_of_staff_is_offered_the_statistics_in_the_navigation(staff_a, period):
    assert f'href="{PAGE}"' in login(staff_a).get("/").content.decode()


def test_the_auditor_reads_the_statistics(auditor, period):
    assert login(auditor).get(PAGE).status_code == 200


def test_an_account_without_a_person_sees_no_statistics(db, period):
    user = get_user_model().objects.create_user(username="it", password="pw-for-tests")

    assert login(user).get(PAGE).status_code == 404


def test_the_current_period_is_shown_unless_another_is_chosen(staff_a, period, earlier):
    client = login(staff_a)

    assert client.get(PAGE).context["period"] == period
    assert client.get(PAGE, {"period": earlier.pk}).context["period"] == earlier


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "0"])
def test_a_period_that_is_not_the_institutions_is_not_found(staff_a, period, value):
    assert login(staff_a).get(PAGE, {"period": value}).status_code == 404


def test_another_institutions_period_is_not_found(staff_a, period, other_institution):
    theirs = Period.objects.create(
        institution=other_institution, name="Năm 2026", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
    )  # fmt: skip

    assert login(staff_a).get(PAGE, {"period": theirs.pk}).status_code == 404
    assert login(staff_a).get(reverse("statistics_csv", args=["units"]),
                              {"period": theirs.pk}).status_code == 404  # fmt: skip


def test_an_institution_without_any_period_has_no_statistics_page(staff_a):
    assert login(staff_a).get(PAGE).status_code == 404


def test_an_unknown_table_is_not_found(staff_a, period):
    assert login(staff_a).get(reverse("statistics_csv", args=["salaries"])).status_code == 404


def test_the_page_names_no_nominee(staff_a, period, unit_a):
    nominee = make_person(period.institution, unit_a, full_name="Trần Thị Được Khen")
    dossier_in(State.SIGNED, period, unit_a, nominee=nominee)

    html = login(staff_a).get(PAGE).content.decode()

    assert "Trần Thị Được Khen" not in html


def test_the_page_explains_what_each_count_counts(staff_a, period):
    html = login(staff_a).get(PAGE).content.decode()

    assert "Hồ sơ bị trả lại để bổ sung ít nhất một lần" in html


def test_the_csv_of_the_units_holds_the_numbers_of_the_page(staff_a, period, unit_a):
    dossier_in(State.SIGNED, period, unit_a)
    dossier_in(State.DECLINED, period, unit_a)
    client = login(staff_a)
    page = table(client.get(PAGE), "units").sheet

    rows = csv_rows(client.get(reverse("statistics_csv", args=["units"])))

    assert rows[0] == [str(c.header) for c in page.columns]
    assert rows[1:] == [[str(v) for v in line] for line in page.rows]
    (khoa_toan,) = [r for r in rows if r[0] == "Khoa Toán"]
    # no registration; two nominations, none returned, one declined, one recommended and awarded
    assert khoa_toan[1:] == ["0", "2", "0", "1", "1", "1", "0"]


def test_the_excel_file_of_a_table_holds_the_numbers_of_the_page(staff_a, period, unit_a):
    dossier_in(State.SIGNED, period, unit_a)
    client = login(staff_a)
    page = table(client.get(PAGE), "posts").sheet

    response = client.get(reverse("statistics_xlsx", args=["posts"]), {"period": period.pk})

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == [str(c.header) for c in page.columns]
    assert values[1:] == [list(line) for line in page.rows]  # an empty share stays empty
    assert response["Content-Disposition"] == (
        f'attachment; filename="statistics-posts-{period.pk}.xlsx"'
    )


def test_every_table_of_the_page_downloads_as_csv_and_excel(staff_a, period):
    client = login(staff_a)
    keys = [t.key for t in client.get(PAGE).context["tables"]]

    for key in keys:
        assert client.get(reverse("statistics_csv", args=[key])).status_code == 200
        assert client.get(reverse("statistics_xlsx", args=[key])).status_code == 200
    assert keys == [
        "units", "posts", "posts-units", "gender", "unit-sizes", "stages", "trends", "posts-trends",
    ]  # fmt: skip


def test_the_charts_are_well_formed_and_draw_a_unit_name_with_markup_as_text(
    staff_a, period, institution
):
    unit = make_unit(institution, "khoa-c", '<Khoa & "A">')
    dossier_in(State.SUBMITTED, period, unit)

    response = login(staff_a).get(PAGE)

    charts = svgs(response)
    assert len(charts) >= 4
    unit_chart = next(c for c in charts if c.get("id") == "chart-units")
    assert '<Khoa & "A">' in [t.text for t in unit_chart.iter(f"{SVG}text")]
    assert '<Khoa & "A">' not in response.content.decode()


def test_the_units_chart_leaves_out_units_without_dossiers_but_the_table_lists_them(
    staff_a, period, unit_a, unit_b
):
    dossier_in(State.SUBMITTED, period, unit_a)

    response = login(staff_a).get(PAGE)

    unit_chart = next(c for c in svgs(response) if c.get("id") == "chart-units")
    drawn = [t.text for t in unit_chart.iter(f"{SVG}text")]
    assert "Khoa Toán" in drawn and "Khoa Văn" not in drawn
    assert "Khoa Văn" in [line[0] for line in table(response, "units").sheet.rows]


def test_the_page_keeps_its_number_of_queries_as_dossiers_grow(
    staff_a, period, unit_a, unit_b, earlier, django_assert_max_num_queries
):
    client = login(staff_a)
    dossier_in(State.SIGNED, period, unit_a)
    client.get(PAGE)  # the session is warm for both measured requests
    with django_assert_max_num_queries(QUERIES):
        client.get(PAGE)

    for state in (State.RETURNED, State.DECLINED, State.REVOKED, State.RECOMMENDED):
        dossier_in(state, period, unit_b)
        dossier_in(state, earlier, unit_a)
    make_unit(period.institution, "khoa-c", "Khoa Sử")
    make_person(period.institution, unit_b, holds_leadership_post=True, gender=Person.Gender.MALE)

    with django_assert_max_num_queries(QUERIES):
        response = client.get(PAGE)
    assert table(response, "trends").sheet.rows[0][2] == 4  # 2025's nominations: counted


def test_a_download_keeps_its_number_of_queries_as_dossiers_grow(
    staff_a, period, unit_a, django_assert_max_num_queries
):
    client = login(staff_a)
    url = reverse("statistics_csv", args=["units"])
    client.get(url)
    with django_assert_max_num_queries(DOWNLOAD_QUERIES):
        client.get(url)
    for state in (State.SIGNED, State.RETURNED, State.DECLINED):
        dossier_in(state, period, unit_a)

    with django_assert_max_num_queries(DOWNLOAD_QUERIES):
        client.get(url)
