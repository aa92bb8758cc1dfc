"""Public notices and objections through the API: the notices, publishing (the council
secretary), objecting (any member of staff but the auditor), the objections and their resolution;
each refusal as the pages refuse it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from decisions import notices
from decisions.models import Objection, PublicNotice
from dossiers.models import Dossier, State
from tests.api_helpers import ApiClient, problem
from tests.conftest import make_person, make_unit
from tests.factories import dossier_in, dossiers_in
from workflow import services

NOTICES = "/api/v1/notices/"
OBJECTIONS = "/api/v1/objections/"
LONG_AGO = datetime.date(2026, 1, 5)  # a Monday: a notice opened then has long ended
TEXT = "Người này bị kỷ luật khiển trách trong năm."
NOTICE_AWARD = "grassroots_emulation_fighter"  # five working days of public notice
# Queries of one page of notices, whatever their number: the token, its use, the page.
LIST_QUERY_BOUND = 3


def recommended(period, unit, award=NOTICE_AWARD) -> Dossier:
    return dossier_in(State.RECOMMENDED, period, unit, award=award)


def published(dossier, secretary, today=None) -> PublicNotice:
    return notices.publish(dossier_ids=[dossier.pk], person=secretary, today=today)[0]


def objected(notice, person, text=TEXT) -> Objection:
    return notices.file_objection(notice_id=notice.pk, person=person, text=text)


def objections_url(notice) -> str:
    return f"{NOTICES}{notice.pk}/objections/"


def resolve_url(objection) -> str:
    return f"{OBJECTIONS}{objection.pk}/resolve/"


def state_of(dossier) -> str:
    return Dossier.objects.get(pk=dossier.pk).state


@pytest.fixture
def notice(period, unit_a, secretary) -> PublicNotice:
    return published(recommended(period, unit_a), secretary)


@pytest.fixture
def objection(notice, staff_a) -> Objection:
    return objected(notice, staff_a)


# --- The notices --------------------------------------------------------------------------------


def test_without_a_token_the_notices_are_refused(notice):
    problem(ApiClient(None).get(NOTICES), 401, "unauthenticated")
    problem(ApiClient(None).post(objections_url(notice), {"text": TEXT}), 401, "unauthenticated")


def test_any_member_of_staff_reads_the_running_notices(staff_a, notice):
    response = ApiClient(staff_a).get(NOTICES)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == notice.pk
    assert row["ends_on"] == notice.ends_on.isoformat()
    assert row["dossier"]["id"] == notice.dossier_id
    assert row["dossier"]["state"] == State.PUBLIC_NOTICE
    assert row["dossier"]["award_type"]["code"] == NOTICE_AWARD


def test_the_ended_notices_of_the_period_are_listed_as_closed(staff_a, period, unit_a, secretary):
    running = published(recommended(period, unit_a), secretary)
    ended = published(recommended(period, unit_a), secretary, today=LONG_AGO)
    client = ApiClient(staff_a)

    open_ids = [row["id"] for row in client.get(NOTICES).json()["results"]]
    closed_ids = [row["id"] for row in client.get(NOTICES, {"status": "closed"}).json()["results"]]

    assert (open_ids, closed_ids) == ([running.pk], [ended.pk])


@pytest.mark.parametrize("status", ["all", "OPEN", "x" * 1000])
def test_an_unknown_notice_status_is_malformed(staff_a, db, status):
    assert (
        "status"
        in problem(ApiClient(staff_a).get(NOTICES, {"status": status}), 400, "invalid-input")[
            "errors"
        ]
    )


@pytest.mark.parametrize("count", [1, 5])
def test_the_notices_take_the_same_number_of_queries_for_1_or_5(
    staff_a, period, unit_a, secretary, count, django_assert_max_num_queries
):
    batch = dossiers_in(State.RECOMMENDED, period, unit_a, count, award=NOTICE_AWARD)
    notices.publish(dossier_ids=[d.pk for d in batch], person=secretary)
    client = ApiClient(staff_a)

    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get(NOTICES)

    assert len(response.json()["results"]) == count


# --- Publishing ---------------------------------------------------------------------------------


def test_the_secretary_publishes_recommended_dossiers(period, unit_a, secretary):
    dossier = recommended(period, unit_a)

    response = ApiClient(secretary).post(NOTICES, {"dossiers": [dossier.pk]})

    assert response.status_code == 201
    [row] = response.json()
    notice = PublicNotice.objects.get()
    assert (row["id"], row["ends_on"]) == (notice.pk, notice.ends_on.isoformat())
    assert row["dossier"]["state"] == State.PUBLIC_NOTICE
    assert state_of(dossier) == State.PUBLIC_NOTICE
    event = AuditEvent.objects.get(action="dossier.published", object_id=str(dossier.pk))
    assert event.actor_id == secretary.pk


@pytest.mark.parametrize("who", ["principal", "reviewer", "staff_a", "auditor"])
def test_only_the_council_secretary_publishes(request, period, unit_a, who):
    dossier = recommended(period, unit_a)

    response = ApiClient(request.getfixturevalue(who)).post(NOTICES, {"dossiers": [dossier.pk]})

    problem(response, 403, "not-permitted")
    assert state_of(dossier) == State.RECOMMENDED
    assert not PublicNotice.objects.exists()


def test_publishing_nothing_is_refused_with_the_reason(secretary):
    response = ApiClient(secretary, language="en").post(NOTICES, {"dossiers": []})

    assert problem(response, 422, "guard-failed")["reasons"] == ["Choose at least one dossier."]


def test_publishing_a_dossier_whose_award_has_no_notice_is_malformed(period, unit_a, secretary):
    dossier = recommended(period, unit_a, award="advanced_worker")

    response = ApiClient(secretary).post(NOTICES, {"dossiers": [dossier.pk]})

    assert "dossiers" in problem(response, 400, "invalid-input")["errors"]
    assert state_of(dossier) == State.RECOMMENDED


@pytest.mark.parametrize(
    "body",
    [{}, {"dossiers": "1"}, {"dossiers": ["một"]}, {"dossiers": [2**63]}, {"dossiers": None}],
)
def test_malformed_input_to_publish_is_refused(secretary, db, body):
    problem(ApiClient(secretary).post(NOTICES, body), 400, "invalid-input")
    assert not PublicNotice.objects.exists()


def test_the_secretary_lists_what_may_be_published(period, unit_a, secretary):
    with_notice = recommended(period, unit_a)
    recommended(period, unit_a, award="advanced_worker")

    response = ApiClient(secretary).get(f"{NOTICES}publishable/")

    assert [row["id"] for row in response.json()["results"]] == [with_notice.pk]


def test_only_the_secretary_lists_what_may_be_published(principal, db):
    problem(ApiClient(principal).get(f"{NOTICES}publishable/"), 403, "not-permitted")


# --- Objecting ----------------------------------------------------------------------------------


def test_a_member_of_staff_objects_to_a_running_notice(staff_a, notice):
    response = ApiClient(staff_a).post(objections_url(notice), {"text": f"  {TEXT}  "})

    assert response.status_code == 201
    objection = Objection.objects.get()
    body = response.json()
    assert (body["id"], body["notice"], body["text"]) == (objection.pk, notice.pk, TEXT)
    assert body["resolved_at"] is None
    assert objection.filed_by == staff_a
    event = AuditEvent.objects.get(action="notice.objection_filed")
    assert event.payload["objection"] == objection.pk


def test_the_auditor_may_not_object_and_hears_why(auditor, notice):
    response = ApiClient(auditor, language="en").post(objections_url(notice), {"text": TEXT})

    reasons = problem(response, 403, "separation-of-duties")["reasons"]
    assert reasons == [f"{auditor.full_name} holds the auditor role, which stays read-only."]

    assert not Objection.objects.exists()


def test_an_objection_after_the_notice_ended_is_refused_with_the_reason(
    staff_a, period, unit_a, secretary
):
    ended = published(recommended(period, unit_a), secretary, today=LONG_AGO)

    response = ApiClient(staff_a, language="en").post(objections_url(ended), {"text": TEXT})

    assert "ended on 12/01/2026" in problem(response, 422, "guard-failed")["reasons"][0]
    assert not Objection.objects.exists()


def test_an_objection_to_a_dossier_returned_to_the_council_is_a_conflict(
    staff_a, principal, notice
):
    dossier = Dossier.objects.get(pk=notice.dossier_id)
    services.transition(dossier_id=dossier.pk, action="return_to_council", person=principal,
                        expected_version=dossier.version, reason="Cần xét lại.")  # fmt: skip

    problem(ApiClient(staff_a).post(objections_url(notice), {"text": TEXT}), 409,
            "illegal-transition")  # fmt: skip
    assert not Objection.objects.exists()


@pytest.mark.parametrize("pk", [0, 999999, 2**63])
def test_objecting_to_a_missing_notice_is_not_found(staff_a, db, pk):
    response = ApiClient(staff_a).post(f"{NOTICES}{pk}/objections/", {"text": TEXT})

    problem(response, 404, "not-found")


def test_objecting_to_a_notice_of_another_institution_is_not_found(other_institution, notice):
    outsider = make_person(other_institution, make_unit(other_institution))

    problem(ApiClient(outsider).post(objections_url(notice), {"text": TEXT}), 404, "not-found")
    assert not Objection.objects.exists()


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "   "}, {"text": "x" * 5001},
                                  {"text": ["danh sách"]}])  # fmt: skip
def test_an_empty_or_overlong_objection_is_malformed(staff_a, notice, body):
    problem(ApiClient(staff_a).post(objections_url(notice), body), 400, "invalid-input")
    assert not Objection.objects.exists()


# --- The objections -----------------------------------------------------------------------------


def test_the_secretary_lists_the_open_objections_with_who_filed_them(secretary, staff_a, objection):
    response = ApiClient(secretary).get(OBJECTIONS)

    [row] = response.json()["results"]
    assert row["id"] == objection.pk
    assert row["filed_by"] == {"id": staff_a.pk, "name": staff_a.full_name}
    assert row["resolved_by"] is None
    assert ApiClient(secretary).get(OBJECTIONS, {"resolved": "true"}).json()["results"] == []


@pytest.mark.parametrize("who", ["principal", "staff_a", "auditor"])
def test_only_the_secretary_lists_every_objection(request, who, objection):
    problem(ApiClient(request.getfixturevalue(who)).get(OBJECTIONS), 403, "not-permitted")


def test_a_member_of_staff_lists_only_their_own_objections(
    staff_a, head_a, notice, objection, institution
):
    objected(notice, head_a, "Một phản ánh khác.")

    response = ApiClient(staff_a).get(f"{OBJECTIONS}mine/")

    assert [row["id"] for row in response.json()["results"]] == [objection.pk]
    assert "filed_by" not in response.json()["results"][0]


def test_the_objections_take_the_same_number_of_queries_for_1_or_5(
    secretary, staff_a, notice, django_assert_max_num_queries
):
    client = ApiClient(secretary)
    objected(notice, staff_a)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(OBJECTIONS).json()["results"]) == 1
    for _ in range(4):
        objected(notice, staff_a)

    with django_assert_max_num_queries(len(few)):
        assert len(client.get(OBJECTIONS).json()["results"]) == 5


# --- Resolving ----------------------------------------------------------------------------------


def test_the_secretary_resolves_an_objection_with_a_note(secretary, objection):
    response = ApiClient(secretary).post(resolve_url(objection), {"resolution": "Đã xác minh."})

    assert response.status_code == 200
    body = response.json()
    assert body["resolution"] == "Đã xác minh." and body["resolved_at"]
    assert body["resolved_by"] == {"id": secretary.pk, "name": secretary.full_name}
    objection.refresh_from_db()
    assert objection.resolved_by == secretary
    assert AuditEvent.objects.filter(action="notice.objection_resolved").count() == 1


def test_a_resolved_objection_is_listed_among_the_resolved_ones(secretary, objection):
    client = ApiClient(secretary)
    client.post(resolve_url(objection), {"resolution": "Đã xác minh."})

    resolved = client.get(OBJECTIONS, {"resolved": "true"}).json()["results"]

    assert [(row["id"], row["resolution"]) for row in resolved] == [(objection.pk, "Đã xác minh.")]
    assert client.get(OBJECTIONS).json()["results"] == []


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_an_unknown_resolved_filter_is_malformed(secretary, db, value):
    response = ApiClient(secretary).get(OBJECTIONS, {"resolved": value})

    assert "resolved" in problem(response, 400, "invalid-input")["errors"]


def test_an_objection_is_resolved_only_once(secretary, objection):
    client = ApiClient(secretary)
    client.post(resolve_url(objection), {"resolution": "Đã xác minh."})

    problem(client.post(resolve_url(objection), {"resolution": "Lần nữa."}), 409,
            "illegal-transition")  # fmt: skip
    objection.refresh_from_db()
    assert objection.resolution == "Đã xác minh."


@pytest.mark.parametrize("who", ["principal", "staff_a", "auditor"])
def test_only_the_secretary_resolves(request, who, objection):
    response = ApiClient(request.getfixturevalue(who)).post(
        resolve_url(objection), {"resolution": "Tự giải quyết."}
    )

    problem(response, 403, "not-permitted")
    objection.refresh_from_db()
    assert objection.resolved_at is None


@pytest.mark.parametrize("pk", [0, 999999, 2**63])
def test_resolving_a_missing_objection_is_not_found(secretary, db, pk):
    problem(ApiClient(secretary).post(f"{OBJECTIONS}{pk}/resolve/", {"resolution": "Xong."}), 404,
            "not-found")  # fmt: skip


@pytest.mark.parametrize("body", [{}, {"resolution": "  "}, {"resolution": ["x"]}])
def test_a_resolution_without_a_note_is_malformed(secretary, objection, body):
    problem(ApiClient(secretary).post(resolve_url(objection), body), 400, "invalid-input")
    objection.refresh_from_db()
    assert objection.resolved_at is None


def test_publishing_warns_when_the_notice_crosses_a_year_not_in_the_working_calendar(
    period, unit_a, secretary
):
    dossier = recommended(period, unit_a)

    [row] = ApiClient(secretary).post(NOTICES, {"dossiers": [dossier.pk]}).json()

    assert "lịch làm việc" in row["calendar_warning"]


def test_publishing_over_an_entered_calendar_carries_no_warning(period, unit_a, secretary):
    import datetime

    from dossiers.models import HolidayYear

    today = datetime.date.today()
    for year in (today.year, today.year + 1):
        HolidayYear.objects.create(year=year, announcement=f"Thông báo nghỉ lễ năm {year}")
    dossier = recommended(period, unit_a)

    [row] = ApiClient(secretary).post(NOTICES, {"dossiers": [dossier.pk]}).json()

    assert row["calendar_warning"] is None
