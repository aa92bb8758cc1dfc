"""Council meetings through the API: the same services, permissions and refusals as the meeting
pages, and a ballot that stays as secret as the page's."""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from council import services
from council.models import (
    Meeting,
    MeetingMember,
    Participation,
    SealedBallot,
    WrittenOpinion,
)
from dossiers.models import Period, Role, State
from tests.api_helpers import ApiClient, problem
from tests.conftest import make_person, make_unit
from tests.factories import dossier_in, login, upload
from tests.test_council_pages import (  # the page tests' fixtures too
    ballot_post,
    items_of,
    open_with,
    plan,
    vote,
)
from tests.test_council_pages import (
    closed as closed,
)
from tests.test_council_pages import (
    dossiers as dossiers,
)
from tests.test_council_pages import (
    fourth_member as fourth_member,
)
from tests.test_council_pages import (
    members as members,
)
from tests.test_council_pages import (
    opened as opened,
)
from tests.test_council_pages import (
    planned as planned,
)

AGREE, DISAGREE, ABSTAIN = "agree", "disagree", "abstain"
PRESENT = MeetingMember.Attendance.PRESENT
IN_WRITING = MeetingMember.Attendance.IN_WRITING
ABSENT = MeetingMember.Attendance.ABSENT
RECEIPT = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def url(meeting, tail: str = "") -> str:
    return f"/api/v1/meetings/{getattr(meeting, 'pk', meeting)}/{tail}"


def ballot(meeting, *picks) -> dict:
    """The API's ballot body: one pick per agenda item, in agenda order."""
    items = items_of(meeting)
    return {"choices": [{"item": i.pk, "choice": p} for i, p in zip(items, picks, strict=True)]}


def ballot_rows(meeting) -> tuple[int, int]:
    return (
        Participation.objects.filter(meeting=meeting).count(),
        SealedBallot.objects.filter(meeting=meeting).count(),
    )


def put(client: ApiClient, path: str, data) -> object:
    return client.client.put(path, data, content_type="application/json", **client.headers)


# The whole meeting, driven through the API only


def test_the_secretary_runs_a_meeting_and_every_member_votes_through_the_api(
    period, secretary, principal, members, dossiers
):
    api = ApiClient(secretary)
    huong, binh = dossiers

    created = api.post(
        "/api/v1/meetings/",
        {"title": "Họp xét thi đua", "held_on": "2026-12-15T08:00:00+07:00",
         "place": "Phòng họp số 1", "chair": principal.pk},
    )  # fmt: skip
    meeting = Meeting.objects.get()
    candidates = api.get(url(meeting, "agenda/candidates/"))
    agenda = put(api, url(meeting, "agenda/"), {"dossiers": [binh.pk, huong.pk]})
    attendance = api.post(
        url(meeting, "attendance/"), {"attendance": [{"member": m.pk, "attendance": PRESENT}
                                                     for m in members]}
    )  # fmt: skip
    opening = api.post(url(meeting, "open/"))
    picks = {secretary: (AGREE, AGREE), principal: (DISAGREE, AGREE),
             members[2]: (ABSTAIN, DISAGREE), members[3]: (AGREE, AGREE)}  # fmt: skip
    receipts = [ApiClient(m).post(url(meeting, "ballot/"), ballot(meeting, *p)).json()["receipt"]
                for m, p in picks.items()]  # fmt: skip
    closing = api.post(url(meeting, "close/"))

    assert created.status_code == 201
    assert created["Location"] == url(meeting)
    assert created.json()["chair"] == {"id": principal.pk, "name": principal.full_name}
    assert {d["id"] for d in candidates.json()["results"]} == {huong.pk, binh.pk}
    assert [i["dossier"]["id"] for i in agenda.json()["agenda"]] == [binh.pk, huong.pk]
    assert attendance.status_code == 200
    assert opening.json()["state"] == Meeting.State.OPEN
    assert len(set(receipts)) == 4
    body = closing.json()
    assert body["state"] == Meeting.State.CLOSED
    tallies = {i["dossier"]["id"]: i["tally"] for i in body["agenda"]}
    counts = {pk: [t[k] for k in (AGREE, DISAGREE, ABSTAIN)] for pk, t in tallies.items()}
    assert counts == {binh.pk: [2, 1, 1], huong.pk: [3, 1, 0]}
    assert tallies[binh.pk]["recommended"] is False  # at least 80% of four: 2 is short
    assert tallies[huong.pk]["recommended"] is True  # more than half of four: 3 is
    assert body["results"] == {"voters": 4, "receipts": sorted(receipts)}
    huong.refresh_from_db()
    binh.refresh_from_db()
    assert (huong.state, binh.state) == (State.RECOMMENDED, State.NOT_RECOMMENDED)


def test_a_closed_meeting_reads_like_its_results_page(closed, council_member, fourth_member):
    body = ApiClient(council_member).get(url(closed)).json()

    huong, binh = (item for item in body["agenda"])
    assert huong["tally"] == {
        "agree": 3, "disagree": 1, "abstain": 0, "recused": 0, "recommended": True,
        "threshold_percent": "50.00", "threshold_comparison": "more_than",
        "threshold_base": "total_membership",
    }  # fmt: skip
    assert (binh["tally"]["agree"], binh["tally"]["recommended"]) == (2, False)
    assert body["results"] == {"voters": 4, "receipts": sorted(closed.receipts)}
    attendance = {a["member"]["id"]: a["attendance"] for a in body["attendance"]}
    assert attendance[fourth_member.pk] == IN_WRITING
    assert attendance[council_member.pk] == PRESENT
    assert body["has_voted"] is True and body["may_vote"] is False


# Who may do what


@pytest.mark.parametrize(
    ("method", "tail", "data"),
    [
        ("put", "agenda/", {"dossiers": []}),
        ("post", "attendance/", {"attendance": [{"member": 1, "attendance": "absent"}]}),
        ("post", "open/", None),
        ("post", "close/", None),
        ("get", "agenda/candidates/", None),
    ],
    ids=["agenda", "attendance", "open", "close", "candidates"],
)
@pytest.mark.parametrize("who", ["council_member", "reviewer", "auditor"])
def test_someone_who_sees_the_meeting_but_is_not_its_secretary_is_refused_403(
    request, planned, who, method, tail, data
):
    api = ApiClient(request.getfixturevalue(who))

    if method == "put":
        response = put(api, url(planned, tail), data)
    else:
        response = getattr(api, method)(url(planned, tail), data)

    problem(response, 403, "not-permitted")
    planned.refresh_from_db()
    assert planned.state == Meeting.State.PLANNED
    assert len(items_of(planned)) == 2


@pytest.mark.parametrize("who", ["council_member", "reviewer", "head_a"])
def test_only_the_secretary_may_create_a_meeting(request, period, principal, who):
    response = ApiClient(request.getfixturevalue(who)).post(
        "/api/v1/meetings/",
        {"title": "Họp", "held_on": "2026-12-15T08:00", "place": "P1", "chair": principal.pk},
    )

    problem(response, 403, "not-permitted")
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("tail", ["", "open/", "ballot/", "minutes/", "agenda/candidates/"])
def test_a_meeting_of_another_institution_answers_like_a_missing_one(
    other_institution, planned, tail
):
    outsider_unit = make_unit(other_institution, "k-x", "Khoa X")
    outsider = make_person(
        other_institution, outsider_unit, roles=[Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER]
    )
    api = ApiClient(outsider)
    method = api.get if tail in ("", "minutes/", "agenda/candidates/") else api.post

    theirs = problem(method(url(planned, tail)), 404, "not-found")
    missing = problem(method(url(planned.pk + 1000, tail)), 404, "not-found")

    assert theirs["detail"] == missing["detail"]
    planned.refresh_from_db()
    assert planned.state == Meeting.State.PLANNED


def test_a_member_who_does_not_sit_on_a_meeting_does_not_find_it(
    period, secretary, principal, members, council_member
):
    not_theirs = plan(period, secretary, principal)
    MeetingMember.objects.filter(meeting=not_theirs, person=council_member).delete()
    api = ApiClient(council_member)

    listed = api.get("/api/v1/meetings/").json()["results"]

    assert listed == []
    problem(api.get(url(not_theirs)), 404, "not-found")


@pytest.mark.parametrize("pk", [0, 2**63, 10**30])
def test_a_meeting_id_out_of_range_is_not_found(secretary, pk):
    problem(ApiClient(secretary).get(f"/api/v1/meetings/{pk}/"), 404, "not-found")


def test_without_a_token_the_meetings_answer_401(planned):
    problem(ApiClient(None).get(url(planned)), 401, "unauthenticated")
    problem(ApiClient(None).post(url(planned, "open/")), 401, "unauthenticated")


# The secretary's refusals come from the services


def test_opening_twice_is_refused_409(opened, secretary):
    response = ApiClient(secretary).post(url(opened, "open/"))

    problem(response, 409, "illegal-transition")


def test_opening_without_a_quorum_is_refused_422_with_the_reasons(planned, secretary, members):
    api = ApiClient(secretary)
    absent = [{"member": m.pk, "attendance": ABSENT} for m in members[1:]]
    api.post(url(planned, "attendance/"), {"attendance": absent})

    body = problem(api.post(url(planned, "open/")), 422, "guard-failed")

    assert all("1 of 4 members present" in reason for reason in body["reasons_en"])
    assert len(body["reasons_en"]) == 2  # one per award on the agenda
    planned.refresh_from_db()
    assert planned.state == Meeting.State.PLANNED


def test_the_agenda_refuses_a_dossier_that_is_not_reviewed_with_the_services_reason(
    planned, secretary, period, unit_a
):
    draft = dossier_in(State.SUBMITTED, period, unit_a)

    response = put(ApiClient(secretary), url(planned, "agenda/"), {"dossiers": [draft.pk]})

    body = problem(response, 422, "guard-failed")
    assert body["reasons_en"] == [f"Dossier {draft.pk} is not a reviewed dossier of this period."]
    assert len(items_of(planned)) == 2


def test_an_empty_agenda_is_refused_422(planned, secretary):
    response = put(ApiClient(secretary), url(planned, "agenda/"), {"dossiers": []})

    problem(response, 422, "guard-failed")


def test_the_agenda_cannot_change_once_the_vote_is_open(opened, secretary, dossiers):
    response = put(ApiClient(secretary), url(opened, "agenda/"), {"dossiers": [dossiers[0].pk]})

    problem(response, 409, "illegal-transition")
    assert len(items_of(opened)) == 2


def test_attendance_of_someone_not_on_the_council_is_refused_422(planned, secretary, reviewer):
    response = ApiClient(secretary).post(
        url(planned, "attendance/"), {"attendance": [{"member": reviewer.pk, "attendance": ABSENT}]}
    )

    problem(response, 422, "guard-failed")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"attendance": []},
        {"attendance": "absent"},
        {"attendance": [{"member": "x", "attendance": ABSENT}]},
        {"attendance": [{"member": 2**63, "attendance": ABSENT}]},
        {"attendance": [{"member": 1, "attendance": "asleep"}]},
        {"attendance": [{"member": 1, "attendance": ABSENT}, {"member": 1, "attendance": PRESENT}]},
    ],
    ids=["missing", "empty", "not-a-list", "bad-id", "huge-id", "bad-value", "twice"],
)
def test_malformed_attendance_is_refused_400(planned, secretary, data):
    response = ApiClient(secretary).post(url(planned, "attendance/"), data)

    problem(response, 400, "invalid-input")


def test_closing_a_planned_meeting_is_refused_409(planned, secretary):
    problem(ApiClient(secretary).post(url(planned, "close/")), 409, "illegal-transition")


@pytest.mark.parametrize(
    ("field", "value"),
    [("held_on", "15/12/2026"), ("held_on", "99999-01-01T00:00"), ("title", ""),
     ("title", "x" * 201), ("chair", "x"), ("chair", 2**63)],
)  # fmt: skip
def test_a_malformed_meeting_is_refused_400(period, secretary, principal, field, value):
    data = {"title": "Họp", "held_on": "2026-12-15T08:00", "place": "P1", "chair": principal.pk}

    response = ApiClient(secretary).post("/api/v1/meetings/", {**data, field: value})

    assert field in problem(response, 400, "invalid-input")["errors"]
    assert not Meeting.objects.exists()


def test_the_chair_must_be_chosen_among_the_council_members(period, secretary, reviewer):
    response = ApiClient(secretary).post(
        "/api/v1/meetings/",
        {"title": "Họp", "held_on": "2026-12-15T08:00", "place": "P1", "chair": reviewer.pk},
    )

    assert "chair" in problem(response, 400, "invalid-input")["errors"]
    assert not Meeting.objects.exists()


def test_without_a_current_period_no_meeting_can_be_created(period, secretary, principal):
    Period.objects.filter(pk=period.pk).update(is_current=False)

    response = ApiClient(secretary).post(
        "/api/v1/meetings/",
        {"title": "Họp", "held_on": "2026-12-15T08:00", "place": "P1", "chair": principal.pk},
    )

    problem(response, 409, "conflict")


# A member's ballot


def test_a_member_casts_a_ballot_and_gets_a_receipt_code_once(opened, council_member):
    api = ApiClient(council_member)

    response = api.post(url(opened, "ballot/"), ballot(opened, AGREE, DISAGREE))
    later = api.get(url(opened))

    assert response.status_code == 201
    receipt = response.json()["receipt"]
    assert RECEIPT.fullmatch(receipt)
    assert response.json() == {"meeting": opened.pk, "receipt": receipt}
    assert "no-store" in response["Cache-Control"]
    assert ballot_rows(opened) == (1, 1)
    assert receipt not in later.content.decode()
    assert (later.json()["has_voted"], later.json()["may_vote"]) == (True, False)


def test_while_the_vote_is_open_a_read_shows_only_how_many_voted(opened, secretary, members):
    for member in members[:3]:
        vote(opened, member, AGREE, DISAGREE)

    body = ApiClient(secretary).get(url(opened)).json()

    assert body["ballots_cast"] == 3
    assert body["results"] is None
    assert [item["tally"] for item in body["agenda"]] == [None, None]
    assert RECEIPT.findall(json.dumps(body)) == []


def test_voting_twice_is_refused_409_and_stores_nothing(opened, council_member):
    api = ApiClient(council_member)
    api.post(url(opened, "ballot/"), ballot(opened, AGREE, AGREE))

    response = api.post(url(opened, "ballot/"), ballot(opened, DISAGREE, DISAGREE))

    body = problem(response, 409, "ballot-refused")
    assert RECEIPT.findall(json.dumps(body)) == []
    assert ballot_rows(opened) == (1, 1)


def test_a_ballot_after_closing_is_refused_409_and_stores_nothing(closed, council_member):
    Participation.objects.filter(meeting=closed, member=council_member).delete()
    before = ballot_rows(closed)

    response = ApiClient(council_member).post(url(closed, "ballot/"), ballot(closed, AGREE, AGREE))

    problem(response, 409, "ballot-refused")
    assert ballot_rows(closed) == before


def test_a_ballot_before_the_vote_opens_is_refused_409(planned, council_member):
    response = ApiClient(council_member).post(
        url(planned, "ballot/"), ballot(planned, AGREE, AGREE)
    )

    problem(response, 409, "ballot-refused")


def test_a_member_recorded_absent_is_refused_409_with_the_reason(
    planned, secretary, council_member
):
    opened = open_with(planned, secretary, {council_member: ABSENT})
    api = ApiClient(council_member)

    why = api.get(url(opened)).json()["why_cannot_vote"]
    response = api.post(url(opened, "ballot/"), ballot(opened, AGREE, AGREE))

    assert problem(response, 409, "ballot-refused")["detail"] == why
    assert ballot_rows(opened) == (0, 0)


def test_someone_who_sees_the_meeting_but_does_not_sit_on_it_is_refused_403(opened, reviewer):
    response = ApiClient(reviewer).post(url(opened, "ballot/"), ballot(opened, AGREE, AGREE))

    problem(response, 403, "not-permitted")
    assert ballot_rows(opened) == (0, 0)


def test_a_ballot_missing_an_item_is_refused_by_the_service_and_stores_nothing(
    opened, council_member
):
    first = items_of(opened)[0]

    response = ApiClient(council_member, language="en").post(
        url(opened, "ballot/"), {"choices": [{"item": first.pk, "choice": AGREE}]}
    )

    # As the page: completeness is the service's rule (a recused item is left out), so 409.
    body = problem(response, 409, "ballot-refused")
    assert body["detail"] == "Give one choice for every item on the agenda."
    assert ballot_rows(opened) == (0, 0)


def test_a_ballot_naming_an_item_of_another_meeting_is_refused_400(
    opened, council_member, period, unit_a, secretary, principal
):
    other = plan(period, secretary, principal, [dossier_in(State.REVIEWED, period, unit_a)])
    foreign = items_of(other)[0]
    body = ballot(opened, AGREE, AGREE)
    body["choices"].append({"item": foreign.pk, "choice": AGREE})

    response = ApiClient(council_member).post(url(opened, "ballot/"), body)

    assert "choices" in problem(response, 400, "invalid-input")["errors"]
    assert ballot_rows(opened) == (0, 0)


@pytest.mark.parametrize(
    "choices",
    [
        None,
        "agree",
        {"1": "agree"},
        [{"item": "first", "choice": AGREE}],
        [{"item": 2**63, "choice": AGREE}],
        [{"item": 1}],
        [{"item": 1, "choice": "yes"}],
        [{"item": 1, "choice": ["agree"]}],
        ["agree"],
    ],
    ids=["missing", "a-word", "a-dict", "item-not-a-number", "item-too-large", "no-choice",
         "unknown-choice", "choice-a-list", "not-objects"],
)  # fmt: skip
def test_a_malformed_ballot_is_refused_400_and_stores_nothing(opened, council_member, choices):
    data = {} if choices is None else {"choices": choices}

    response = ApiClient(council_member).post(url(opened, "ballot/"), data)

    problem(response, 400, "invalid-input")
    assert ballot_rows(opened) == (0, 0)


def test_a_ballot_giving_an_item_twice_is_refused_400(opened, council_member):
    first, second = items_of(opened)
    choices = [{"item": first.pk, "choice": AGREE}, {"item": first.pk, "choice": DISAGREE},
               {"item": second.pk, "choice": AGREE}]  # fmt: skip

    response = ApiClient(council_member).post(url(opened, "ballot/"), {"choices": choices})

    problem(response, 400, "invalid-input")
    assert ballot_rows(opened) == (0, 0)


def test_a_ballot_that_is_not_json_is_refused_400(opened, council_member):
    api = ApiClient(council_member)

    response = api.client.post(url(opened, "ballot/"), "{not json", content_type="application/json",
                               **api.headers)  # fmt: skip

    problem(response, 400, "invalid-input")


# Secrecy: the API's cast leaves exactly what the page's cast leaves


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (our own table names)
            counts[table] = cursor.fetchone()[0]
    return counts


def new_rows(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {table: after[table] - before[table] for table in after if after[table] != before[table]}


def test_a_ballot_cast_through_the_api_stores_the_same_rows_as_one_cast_on_the_page(
    opened, secretary, council_member
):
    page, api = login(secretary), ApiClient(council_member)  # sessions and tokens made first

    before = row_counts()
    page.post(reverse("meeting_ballot", args=[opened.pk]), ballot_post(opened, AGREE, DISAGREE))
    after_page = row_counts()
    api.post(url(opened, "ballot/"), ballot(opened, AGREE, DISAGREE))
    after_api = row_counts()

    assert new_rows(after_page, after_api) == new_rows(before, after_page)
    assert new_rows(after_page, after_api) == {
        Participation._meta.db_table: 1,
        SealedBallot._meta.db_table: 1,
        AuditEvent._meta.db_table: 1,
    }
    by_page, by_api = AuditEvent.objects.filter(action="ballot.cast").order_by("sequence")
    assert (by_api.payload, by_api.object_type, by_api.object_id, by_api.role) == (
        by_page.payload, by_page.object_type, by_page.object_id, by_page.role
    )  # fmt: skip
    assert by_api.payload == {"channel": "in_person"}


# The secretary enters a written opinion, as the page does


def multipart(client: ApiClient, path: str, data: dict):
    return client.upload(path, data)


@pytest.fixture
def opened_with_one_in_writing(planned, secretary, fourth_member):
    return open_with(planned, secretary, {fourth_member: IN_WRITING})


def test_the_secretary_enters_a_written_opinion_with_its_scan(
    opened_with_one_in_writing, secretary, fourth_member
):
    meeting = opened_with_one_in_writing
    choices = json.dumps(ballot(meeting, AGREE, ABSTAIN)["choices"])

    response = multipart(ApiClient(secretary), url(meeting, "written-ballots/"),
                         {"member": fourth_member.pk, "choices": choices,
                          "opinion": upload("y-kien.pdf")})  # fmt: skip

    assert response.status_code == 201, response.content
    assert response.json()["member"] == {"id": fourth_member.pk, "name": fourth_member.full_name}
    assert RECEIPT.fullmatch(response.json()["receipt"])
    assert WrittenOpinion.objects.get(meeting=meeting).member == fourth_member
    assert Participation.objects.get(meeting=meeting).channel == "in_writing"


def test_a_written_opinion_for_a_member_recorded_present_is_refused_400(
    opened_with_one_in_writing, secretary, council_member
):
    meeting = opened_with_one_in_writing
    choices = json.dumps(ballot(meeting, AGREE, AGREE)["choices"])

    response = multipart(ApiClient(secretary), url(meeting, "written-ballots/"),
                         {"member": council_member.pk, "choices": choices,
                          "opinion": upload()})  # fmt: skip

    assert "member" in problem(response, 400, "invalid-input")["errors"]
    assert ballot_rows(meeting) == (0, 0)


@pytest.mark.parametrize(
    ("choices", "opinion"),
    [('[{"item": 1', True), ("agree", True), ('{"item": 1}', True), (None, False)],
    ids=["broken-json", "not-json", "not-a-list", "no-scan"],
)
def test_a_malformed_written_opinion_is_refused_400_and_stores_nothing(
    opened_with_one_in_writing, secretary, fourth_member, choices, opinion
):
    meeting = opened_with_one_in_writing
    data = {"member": fourth_member.pk,
            "choices": choices or json.dumps(ballot(meeting, AGREE, AGREE)["choices"])}  # fmt: skip
    if opinion:
        data["opinion"] = upload()

    response = multipart(ApiClient(secretary), url(meeting, "written-ballots/"), data)

    problem(response, 400, "invalid-input")
    assert ballot_rows(meeting) == (0, 0)
    assert not WrittenOpinion.objects.exists()


def test_a_written_opinion_whose_scan_is_not_a_document_is_refused_400(
    opened_with_one_in_writing, secretary, fourth_member
):
    meeting = opened_with_one_in_writing
    data = {"member": fourth_member.pk,
            "choices": json.dumps(ballot(meeting, AGREE, AGREE)["choices"]),
            "opinion": upload("y-kien.pdf", b"MZ\x90\x00 not a pdf")}  # fmt: skip

    response = multipart(ApiClient(secretary), url(meeting, "written-ballots/"), data)

    problem(response, 400, "invalid-input")
    assert not WrittenOpinion.objects.exists()


def test_only_the_secretary_enters_a_written_opinion(
    opened_with_one_in_writing, council_member, fourth_member
):
    meeting = opened_with_one_in_writing
    data = {"member": fourth_member.pk,
            "choices": json.dumps(ballot(meeting, AGREE, AGREE)["choices"]),
            "opinion": upload()}  # fmt: skip

    response = multipart(ApiClient(council_member), url(meeting, "written-ballots/"), data)

    problem(response, 403, "not-permitted")
    assert ballot_rows(meeting) == (0, 0)


# Recusal


@pytest.fixture
def nominee_meeting(period, unit_a, unit_b, secretary, principal, members):
    """Hương's dossier, and one nominating the council member themselves."""
    own = dossier_in(State.REVIEWED, period, unit_b, award="certificate_of_merit",
                     nominee=members[2])  # fmt: skip
    huong = make_person(period.institution, unit_a, full_name="Nguyễn Thị Hương")
    dossiers = [dossier_in(State.REVIEWED, period, unit_a, nominee=huong), own]
    return open_with(plan(period, secretary, principal, dossiers), secretary)


def test_a_recused_member_is_told_so_and_votes_without_that_item(nominee_meeting, council_member):
    first, _own = items_of(nominee_meeting)
    api = ApiClient(council_member)

    agenda = api.get(url(nominee_meeting)).json()["agenda"]
    refused = api.post(url(nominee_meeting, "ballot/"), ballot(nominee_meeting, AGREE, AGREE))
    cast = api.post(url(nominee_meeting, "ballot/"),
                    {"choices": [{"item": first.pk, "choice": AGREE}]})  # fmt: skip

    assert [item["caller_is_recused"] for item in agenda] == [False, True]
    assert agenda[1]["recusals"] == [
        {"member": {"id": council_member.pk, "name": council_member.full_name},
         "ground": "nominee", "ground_label": "là người được đề nghị"}
    ]  # fmt: skip
    problem(refused, 409, "ballot-refused")
    assert cast.status_code == 201


# The minutes


def test_the_minutes_are_refused_while_the_vote_is_open(opened, secretary):
    response = ApiClient(secretary).get(url(opened, "minutes/"), HTTP_ACCEPT="application/pdf")

    problem(response, 409, "illegal-transition")


def test_the_minutes_of_a_closed_meeting_are_a_pdf(closed, council_member):
    response = ApiClient(council_member).get(url(closed, "minutes/"), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


# Constant queries as meetings, members and agenda items grow


def test_the_meeting_list_takes_no_more_queries_for_six_meetings_than_for_one(
    period, secretary, principal, members, django_assert_max_num_queries
):
    api = ApiClient(secretary)
    plan(period, secretary, principal)
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/meetings/")
    for _ in range(5):
        plan(period, secretary, principal)

    with django_assert_max_num_queries(len(one)):
        response = api.get("/api/v1/meetings/")

    assert len(response.json()["results"]) == 6


def test_a_meeting_takes_no_more_queries_with_more_members_and_items(
    institution, period, unit_b, secretary, principal, members, dossiers,
    django_assert_max_num_queries,
):  # fmt: skip
    api = ApiClient(secretary)
    small = plan(period, secretary, principal, dossiers[:1])
    for _ in range(4):
        make_person(institution, unit_b, roles=[Role.COUNCIL_MEMBER])
    others = [dossier_in(State.REVIEWED, period, dossiers[0].unit) for _ in range(3)]
    large = plan(period, secretary, principal, [dossiers[1], *others])
    for meeting in (small, large):
        services.open_meeting(meeting_id=meeting.pk, person=secretary)
        vote(meeting, secretary, *[AGREE] * len(items_of(meeting)))
        services.close_meeting(meeting_id=meeting.pk, person=secretary)
    with CaptureQueriesContext(connection) as few:
        api.get(url(small))

    with django_assert_max_num_queries(len(few)):
        response = api.get(url(large))

    assert (len(response.json()["agenda"]), len(response.json()["attendance"])) == (4, 8)
