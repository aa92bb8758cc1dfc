"""The lists that leave as spreadsheets: a unit's nominees, a meeting's agenda with its tallies,
a decision's annex, and the office's own lists; each scoped to who may see it, in the offices'
form (Vietnamese headers, frozen header row, dates dd/mm/yyyy), at a constant number of queries."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from council.models import AgendaItem
from decisions import services as decisions
from dossiers.models import AwardType, DisciplinaryRecord, Person, Role, State
from tests.conftest import make_person, make_unit
from tests.factories import Cast, dossier_in, draft, login

NOMINEES = "/spreadsheets/nominees.xlsx"


def sheet(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def values(response) -> list[list]:
    return [list(row) for row in sheet(response).iter_rows(min_row=2, values_only=True)]


def nominees(client, period, unit=None):
    query = f"?period={period.pk}" + (f"&unit={unit.pk}" if unit else "")
    return client.get(NOMINEES + query)


# A unit's nominees
# ---------------------------------------------------------------------------------------------


def test_a_unit_head_exports_their_own_units_nominees(head_a, period, unit_a, unit_b):
    mine = draft(period, unit_a)
    draft(period, unit_b)
    rows = values(nominees(login(head_a), period, unit_a))
    assert [row[1] for row in rows] == [str(mine.nominee)]
    assert rows[0][3] == unit_a.name


def test_a_unit_head_without_a_unit_gets_their_units_nominees_only(head_a, period, unit_a, unit_b):
    draft(period, unit_a)
    draft(period, unit_b)
    rows = values(nominees(login(head_a), period))
    assert {row[3] for row in rows} == {unit_a.name}


def test_a_principal_who_heads_a_unit_gets_every_units_nominees(institution, period, unit_a,
                                                                 unit_b):  # fmt: skip
    both = make_person(institution, unit_b, roles=[Role.UNIT_HEAD, Role.PRINCIPAL])
    draft(period, unit_a)
    draft(period, unit_b)
    rows = values(nominees(login(both), period))
    assert {row[3] for row in rows} == {unit_a.name, unit_b.name}


def test_a_unit_head_cannot_export_another_units_nominees(head_a, period, unit_b):
    draft(period, unit_b)
    assert nominees(login(head_a), period, unit_b).status_code == 403


def test_a_reviewer_exports_any_units_nominees(reviewer, period, unit_a):
    draft(period, unit_a)
    assert len(values(nominees(login(reviewer), period, unit_a))) == 1


def test_staff_without_a_role_cannot_export_nominees(staff_a, period, unit_a):
    assert nominees(login(staff_a), period, unit_a).status_code == 403


def test_another_institutions_unit_or_period_is_not_found(reviewer, period, other_institution):
    unit = make_unit(other_institution, "khoa-x", "Khoa X")
    client = login(reviewer)
    assert nominees(client, period, unit).status_code == 404
    assert client.get(f"{NOMINEES}?period=999999").status_code == 404
    assert client.get(f"{NOMINEES}?period=abc").status_code == 404


def test_the_nominees_sheet_has_vietnamese_headers_a_frozen_row_and_day_month_year(
    head_a, period, unit_a
):
    draft(period, unit_a)
    found = sheet(nominees(login(head_a), period, unit_a))
    assert [c.value for c in found[1]][:3] == ["STT", "Đối tượng đề nghị", "Chức vụ"]
    assert found.freeze_panes == "A2"
    assert found["A1"].font.bold
    assert found.cell(row=2, column=7).number_format == "dd/mm/yyyy"


def test_the_nominees_export_costs_the_same_queries_for_many_rows(
    head_a, period, unit_a, django_assert_max_num_queries
):
    client = login(head_a)
    draft(period, unit_a)
    with django_assert_max_num_queries(12) as few:
        nominees(client, period, unit_a)
    for _ in range(4):
        draft(period, unit_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(values(nominees(client, period, unit_a))) == 5


def test_the_dossier_list_links_to_the_periods_nominees(head_a, period):
    page = login(head_a).get(f"/dossiers/?period={period.pk}").content.decode()
    assert f"{NOMINEES}?period={period.pk}" in page


# A meeting's agenda with its tallies
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def closed(period, unit_a):
    """A dossier the council recommended: its meeting is closed, with the tally stored."""
    return dossier_in(State.RECOMMENDED, period, unit_a)


def agenda(client, meeting_id: int):
    return client.get(f"/spreadsheets/meetings/{meeting_id}/agenda.xlsx")


def test_a_closed_meetings_agenda_carries_the_tallies_and_the_outcome(closed):
    item = AgendaItem.objects.get(dossier=closed)
    secretary = Cast(closed.institution).secretary
    [row] = values(agenda(login(secretary), item.meeting_id))
    assert row[:2] == [1, str(closed.nominee)]
    assert row[4:8] == [item.agree, item.disagree, item.abstain, item.recused]
    assert row[8] == "Hội đồng đề nghị"


def test_the_agenda_names_no_voter(closed):
    item = AgendaItem.objects.get(dossier=closed)
    found = values(agenda(login(Cast(closed.institution).secretary), item.meeting_id))
    names = set(item.meeting.members.values_list("person__full_name", flat=True))
    cells = {str(cell) for row in found for cell in row}
    assert not names & cells


def test_an_open_meetings_agenda_has_no_tally(period, unit_a):
    voting = dossier_in(State.VOTING, period, unit_a)
    item = AgendaItem.objects.get(dossier=voting)
    [row] = values(agenda(login(Cast(voting.institution).secretary), item.meeting_id))
    assert row[4:] == [None] * 5


def test_who_may_not_see_the_meeting_gets_not_found(closed, head_a, other_institution):
    item = AgendaItem.objects.get(dossier=closed)
    assert agenda(login(head_a), item.meeting_id).status_code == 404
    unit = make_unit(other_institution, "khoa-x", "Khoa X")
    theirs = make_person(other_institution, unit, roles=[Role.COUNCIL_SECRETARY])
    assert agenda(login(theirs), item.meeting_id).status_code == 404


def test_the_meeting_pages_link_to_the_agenda_sheet(closed):
    item = AgendaItem.objects.get(dossier=closed)
    client = login(Cast(closed.institution).secretary)
    link = f"/spreadsheets/meetings/{item.meeting_id}/agenda.xlsx"
    assert link in client.get(f"/meetings/{item.meeting_id}/").content.decode()
    assert link in client.get(f"/meetings/{item.meeting_id}/results/").content.decode()


# A decision's annex
# ---------------------------------------------------------------------------------------------


def prepared(dossiers) -> int:
    cast = Cast(dossiers[0].institution)
    decision = decisions.prepare_decision(
        person=cast.secretary, award_type=dossiers[0].award_type,
        dossier_ids=[d.pk for d in dossiers],
    )  # fmt: skip
    return decision.pk


def annex(client, pk: int):
    return client.get(f"/spreadsheets/decisions/{pk}/annex.xlsx")


def test_a_decisions_annex_lists_its_awardees_in_order(closed, reviewer):
    pk = prepared([closed])
    [row] = values(annex(login(reviewer), pk))
    assert row[0] == 1
    assert row[1] == str(closed.nominee)
    assert row[3] == closed.unit.name


def test_a_unit_head_and_another_institution_cannot_reach_the_annex(
    closed, head_a, other_institution
):
    pk = prepared([closed])
    assert annex(login(head_a), pk).status_code == 404
    unit = make_unit(other_institution, "khoa-x", "Khoa X")
    theirs = make_person(other_institution, unit, roles=[Role.REVIEWER])
    assert annex(login(theirs), pk).status_code == 404


def test_the_annex_costs_the_same_queries_for_many_awardees(
    period, unit_a, reviewer, django_assert_max_num_queries
):
    first = dossier_in(State.RECOMMENDED, period, unit_a)
    client = login(reviewer)
    few_pk = prepared([first])
    with django_assert_max_num_queries(12) as few:
        annex(client, few_pk)
    more = [dossier_in(State.RECOMMENDED, period, unit_a) for _ in range(3)]
    many_pk = prepared(more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(values(annex(client, many_pk))) == 3


def test_the_decision_page_links_to_its_annex(closed, reviewer):
    pk = prepared([closed])
    page = login(reviewer).get(f"/decisions/{pk}/").content.decode()
    assert f"/spreadsheets/decisions/{pk}/annex.xlsx" in page


# The office's own lists
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def officer(institution, unit_b):
    return make_person(institution, unit_b, roles=[Role.PERSONNEL_OFFICER], username="officer")


def add_people(institution, unit, count: int) -> None:
    for n in range(count):
        person = make_person(institution, unit, full_name=f"Cán Bộ {n:03d}")
        DisciplinaryRecord.objects.create(
            institution=institution, person=person, period=_period(institution), level=1,
            decided_on=datetime.date(2026, 2, 1),
        )  # fmt: skip


def _period(institution):
    from dossiers.models import Period

    return Period.objects.get(institution=institution, is_current=True)


@pytest.mark.parametrize("kind", ["people", "discipline"])
def test_a_lists_export_costs_the_same_queries_for_many_rows(
    kind, officer, institution, unit_a, period, django_assert_max_num_queries
):
    client = login(officer)
    add_people(institution, unit_a, 2)
    with django_assert_max_num_queries(12) as few:
        client.get(f"/spreadsheets/{kind}/export.xlsx")
    add_people(institution, unit_a, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/spreadsheets/{kind}/export.xlsx")
    assert len(values(response)) >= 22


def test_the_discipline_export_writes_dates_as_dates_shown_day_month_year(
    officer, institution, unit_a, period
):
    add_people(institution, unit_a, 1)
    found = sheet(login(officer).get("/spreadsheets/discipline/export.xlsx"))
    cell = found.cell(row=2, column=4)
    assert cell.value == datetime.datetime(2026, 2, 1)
    assert cell.number_format == "dd/mm/yyyy"
    assert found.cell(row=1, column=4).value == "Ngày quyết định (dd/mm/yyyy)"


def test_the_staff_list_export_holds_only_this_institutions_people(officer, other_institution):
    unit = make_unit(other_institution, "khoa-x", "Khoa X")
    make_person(other_institution, unit, full_name="Người Trường Khác")
    names = {row[1] for row in values(login(officer).get("/spreadsheets/people/export.xlsx"))}
    assert "Người Trường Khác" not in names
    assert officer.full_name in names
    assert Person.objects.filter(full_name="Người Trường Khác").exists()


def test_award_types_are_named_by_their_code_in_the_title_history(officer, institution):
    assert AwardType.objects.filter(institution=institution, code="advanced_worker").exists()
    found = sheet(login(officer).get("/spreadsheets/titles/template.xlsx"))
    assert found.cell(row=1, column=5).value == "Mã danh hiệu"
