"""The institution's reference data through the API (units, people, award types, periods) and the
personnel officer's writes (the staff list, annual ratings): scoped, refused, audited, validated.
"""

from __future__ import annotations

import datetime

import pytest

from dossiers import accounts, admin_changes
from dossiers.models import (
    AnnualRating,
    AwardType,
    Period,
    Person,
    Rating,
    Role,
    State,
)
from tests.api_helpers import ApiClient, problem
from tests.conftest import make_person, make_unit
from tests.factories import audit_mark, dossier_in, events_after
from workflow.errors import Conflict

HUGE = 2**70


@pytest.fixture
def officer(institution, unit_b):
    return make_person(institution, unit_b, roles=[Role.PERSONNEL_OFFICER], username="officer")


@pytest.fixture
def hr(officer) -> ApiClient:
    """The HR system's script, with the personnel officer's token; messages in English."""
    return ApiClient(officer, language="en")


@pytest.fixture
def theirs(other_institution):
    """A unit, a person and a period of another institution."""
    unit = make_unit(other_institution, "khoa-x", "Khoa X")
    person = make_person(other_institution, unit, full_name="Người Trường Khác")
    period = Period.objects.create(
        institution=other_institution, name="Năm 2026", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
    )  # fmt: skip
    return {"unit": unit, "person": person, "period": period}


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def new_person(unit_, **fields) -> dict:
    return {"full_name": "Nguyễn Thị Mới", "unit": unit_.pk, "gender": "female", **fields}


# Reading: any member of staff, their own institution only


def test_a_request_without_a_token_is_refused_as_unauthenticated(db):
    problem(ApiClient(None).get("/api/v1/people/"), 401, "unauthenticated")


def test_a_member_of_staff_lists_the_units_of_their_institution_only(
    staff_a, unit_a, unit_b, theirs
):
    response = ApiClient(staff_a).get("/api/v1/units/")

    assert response.status_code == 200
    assert ids(response) == {unit_a.pk, unit_b.pk}


def test_a_unit_reads_with_its_code_name_and_kind(staff_a, unit_a):
    body = ApiClient(staff_a).get(f"/api/v1/units/{unit_a.pk}/").json()

    assert body == {"id": unit_a.pk, "code": "khoa-a", "name": "Khoa Toán", "kind": "faculty",
                    "is_active": True}  # fmt: skip


@pytest.mark.parametrize("kind", ["unit", "person", "period"])
def test_another_institutions_object_reads_as_missing(staff_a, theirs, kind):
    path = {"unit": "units", "person": "people", "period": "periods"}[kind]

    problem(ApiClient(staff_a).get(f"/api/v1/{path}/{theirs[kind].pk}/"), 404, "not-found")


def test_another_institutions_award_type_reads_as_missing(staff_a, other_institution):
    award = AwardType.objects.get(institution=other_institution, code="advanced_worker")

    problem(ApiClient(staff_a).get(f"/api/v1/award-types/{award.pk}/"), 404, "not-found")


@pytest.mark.parametrize("path", ["units", "people", "award-types", "periods"])
def test_an_id_too_large_for_the_database_reads_as_missing(staff_a, path):
    problem(ApiClient(staff_a).get(f"/api/v1/{path}/{HUGE}/"), 404, "not-found")


def test_a_colleague_sees_a_persons_work_details_but_not_their_birth_date_or_email(
    institution, staff_a, unit_a
):
    person = make_person(
        institution, unit_a, full_name="Lê Văn Tư", position="Giảng viên",
        birth_date=datetime.date(1980, 5, 1), email="tu@example.edu.vn",
    )  # fmt: skip

    body = ApiClient(staff_a).get(f"/api/v1/people/{person.pk}/").json()

    assert body == {
        "id": person.pk, "full_name": "Lê Văn Tư", "unit": {"id": unit_a.pk, "name": "Khoa Toán"},
        "position": "Giảng viên", "holds_leadership_post": False, "gender": "female",
        "is_active": True,
    }  # fmt: skip


def test_the_personnel_officer_also_sees_birth_date_email_and_language(institution, hr, unit_a):
    person = make_person(institution, unit_a, birth_date=datetime.date(1980, 5, 1),
                         email="tu@example.edu.vn")  # fmt: skip

    body = hr.get(f"/api/v1/people/{person.pk}/").json()

    assert (body["birth_date"], body["email"], body["language"]) == (
        "1980-05-01", "tu@example.edu.vn", "vi"
    )  # fmt: skip


def test_the_people_list_is_of_the_callers_institution_only(staff_a, officer, theirs):
    response = ApiClient(staff_a).get("/api/v1/people/")

    assert ids(response) == {staff_a.pk, officer.pk}
    assert "email" not in response.json()["results"][0]


def test_the_people_list_filters_by_unit_and_by_being_active(
    institution, staff_a, unit_a, unit_b, officer
):
    left = make_person(institution, unit_a)
    accounts.deactivate_person(left, actor=admin_actor())
    client = ApiClient(staff_a)

    assert ids(client.get("/api/v1/people/", {"unit": unit_a.pk})) == {staff_a.pk, left.pk}
    assert ids(client.get("/api/v1/people/", {"unit": unit_a.pk, "active": "true"})) == {staff_a.pk}
    assert ids(client.get("/api/v1/people/", {"active": "false"})) == {left.pk}
    assert ids(client.get("/api/v1/people/")) == {staff_a.pk, left.pk, officer.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [({"unit": "abc"}, "unit"), ({"unit": HUGE}, "unit"), ({"unit": 0}, "unit"),
     ({"active": "maybe"}, "active")],
)  # fmt: skip
def test_a_malformed_people_filter_is_refused_with_its_field(staff_a, query, field):
    body = problem(ApiClient(staff_a).get("/api/v1/people/", query), 400, "invalid-input")

    assert field in body["errors"]


def test_an_award_type_carries_its_thresholds_documents_and_rules_as_data(staff_a, institution):
    award = AwardType.objects.get(institution=institution, code="grassroots_emulation_fighter")

    body = ApiClient(staff_a).get(f"/api/v1/award-types/{award.pk}/").json()

    assert body["code"] == "grassroots_emulation_fighter"
    assert (body["name_vi"], body["name_en"]) == (award.name_vi, award.name_en)
    assert (body["nominee_kind"], body["category"], body["decided_by"]) == (
        award.nominee_kind, award.category, award.decided_by
    )  # fmt: skip
    assert body["vote_threshold"] == {
        "percent": str(award.vote_threshold_percent),
        "comparison": award.vote_threshold_comparison,
        "base": award.vote_threshold_base,
    }
    assert body["quorum"] == {"percent": str(award.quorum_percent),
                              "comparison": award.quorum_comparison}  # fmt: skip
    assert set(body["required_document_kinds"]) == set(
        award.required_document_kinds.values_list("code", flat=True)
    )
    assert body["required_document_kinds"]
    assert body["eligibility"]["min_rating"] == award.min_rating
    assert body["eligibility"]["requires_excellence_or_initiative"] is True


def test_the_award_type_list_is_the_callers_catalogue(staff_a, institution, other_institution):
    response = ApiClient(staff_a).get("/api/v1/award-types/", {"page_size": 200})

    assert ids(response) == set(AwardType.objects.of(institution).values_list("pk", flat=True))


def test_periods_read_with_their_deadlines(staff_a, period, theirs):
    Period.objects.filter(pk=period.pk).update(submit_by=datetime.date(2026, 12, 5))
    client = ApiClient(staff_a)

    listed = client.get("/api/v1/periods/")
    body = client.get(f"/api/v1/periods/{period.pk}/").json()

    assert ids(listed) == {period.pk}
    assert (body["name"], body["is_current"], body["starts_on"], body["submit_by"]) == (
        "Năm 2026", True, "2026-01-01", "2026-12-05"
    )  # fmt: skip


# Lists take as many queries for many rows as for one

# token, the page (people: and the caller's roles and delegations; award types: their documents)
LIST_QUERIES = {"units": 3, "people": 5, "award-types": 4, "periods": 3}


@pytest.mark.parametrize("rows", [1, 25])
@pytest.mark.parametrize("path", ["units", "people", "award-types", "periods"])
def test_a_list_takes_the_same_queries_however_many_rows(
    institution, staff_a, unit_a, django_assert_max_num_queries, rows, path
):
    template = AwardType.objects.get(institution=institution, code="advanced_worker")
    kinds = list(template.required_document_kinds.all())
    for n in range(rows):
        unit = make_unit(institution, f"phong-{n}", f"Phòng {n}")
        make_person(institution, unit)
        Period.objects.create(
            institution=institution, name=f"Năm {2000 + n}", kind=Period.Kind.CALENDAR_YEAR,
            starts_on=datetime.date(2000 + n, 1, 1), ends_on=datetime.date(2000 + n, 12, 31),
        )  # fmt: skip
        award = AwardType.objects.get(pk=template.pk)
        award.pk, award.code = None, f"award-{n}"
        award.save()
        award.required_document_kinds.set(kinds)
    client = ApiClient(staff_a)

    with django_assert_max_num_queries(LIST_QUERIES[path]):
        response = client.get(f"/api/v1/{path}/", {"page_size": 200})

    assert len(response.json()["results"]) >= rows


# The personnel officer keeps the staff list, audited like the administrator's changes


def admin_actor():
    from audit import log

    return log.Actor(person=None, role="administrator", name="admin")


def test_the_personnel_officer_adds_a_person_audited_with_every_field_set(hr, officer, unit_a):
    mark = audit_mark()

    response = hr.post("/api/v1/people/", new_person(unit_a, position="Giảng viên",
                                                     birth_date="1990-02-03"))  # fmt: skip

    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert response["Location"] == f"/api/v1/people/{person.pk}/"
    assert (person.full_name, person.unit, person.birth_date, person.user) == (
        "Nguyễn Thị Mới", unit_a, datetime.date(1990, 2, 3), None
    )  # fmt: skip
    event = events_after(mark).get()
    assert (event.action, event.object_type, event.object_id) == (
        "record.created", "person", str(person.pk)
    )  # fmt: skip
    assert (event.actor, event.role) == (officer, "personnel_officer")
    changes = event.payload["changes"]
    assert changes["full_name"] == [None, "Nguyễn Thị Mới"]
    assert changes["unit"] == [None, unit_a.pk]
    assert changes["birth_date"] == [None, "1990-02-03"]


def test_the_personnel_officer_moves_a_person_to_another_unit_and_the_event_holds_both(
    institution, hr, unit_a, unit_b
):
    person = make_person(institution, unit_a)
    mark = audit_mark()

    response = hr.patch(f"/api/v1/people/{person.pk}/", {"unit": unit_b.pk,
                                                        "holds_leadership_post": True})  # fmt: skip

    assert response.status_code == 200, response.content
    assert response.json()["unit"] == {"id": unit_b.pk, "name": "Khoa Văn"}
    event = events_after(mark).get()
    assert event.action == "record.changed"
    assert event.payload["changes"] == {
        "unit": [unit_a.pk, unit_b.pk], "holds_leadership_post": [False, True]
    }  # fmt: skip


def test_a_change_that_changes_nothing_records_nothing(institution, hr, unit_a):
    person = make_person(institution, unit_a)
    mark = audit_mark()

    response = hr.patch(f"/api/v1/people/{person.pk}/", {"unit": unit_a.pk})

    assert response.status_code == 200
    assert not events_after(mark).exists()


def test_a_person_who_leaves_is_deactivated_with_their_account_and_kept(institution, hr, unit_a):
    person = make_person(institution, unit_a)
    mark = audit_mark()

    response = hr.patch(f"/api/v1/people/{person.pk}/", {"is_active": False})

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    person.refresh_from_db()
    person.user.refresh_from_db()
    assert (person.is_active, person.user.is_active) == (False, False)
    assert list(events_after(mark).values_list("action", "role")) == [
        ("account.deactivated", "personnel_officer")
    ]


def test_a_deactivated_person_is_not_brought_back_through_the_api(institution, hr, unit_a):
    person = make_person(institution, unit_a)
    accounts.deactivate_person(person, actor=admin_actor())

    body = problem(hr.patch(f"/api/v1/people/{person.pk}/", {"is_active": True}), 400,
                   "invalid-input")  # fmt: skip

    assert "is_active" in body["errors"]
    person.refresh_from_db()
    assert person.is_active is False


def test_a_change_and_a_deactivation_that_fails_store_neither(
    institution, hr, unit_a, unit_b, monkeypatch
):
    person = make_person(institution, unit_a)
    mark = audit_mark()

    def refuse(*args, **kwargs):
        raise Conflict("refused for the test")

    monkeypatch.setattr(accounts, "deactivate_person", refuse)

    response = hr.patch(f"/api/v1/people/{person.pk}/", {"unit": unit_b.pk, "is_active": False})

    problem(response, 409, "conflict")
    person.refresh_from_db()
    assert (person.unit, person.is_active) == (unit_a, True)
    assert not events_after(mark).exists()


def test_a_person_whose_audit_event_cannot_be_written_is_not_stored(hr, unit_a, monkeypatch):
    def refuse(*args, **kwargs):
        raise Conflict("refused for the test")

    monkeypatch.setattr(admin_changes, "_record", refuse)
    before = Person.objects.count()

    problem(hr.post("/api/v1/people/", new_person(unit_a)), 409, "conflict")

    assert Person.objects.count() == before


OTHERS = ["staff_a", "head_a", "reviewer", "principal", "auditor", "secretary"]


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_but_the_personnel_officer_may_add_a_person(request, unit_a, who):
    client = ApiClient(request.getfixturevalue(who))
    before, mark = Person.objects.count(), audit_mark()

    problem(client.post("/api/v1/people/", new_person(unit_a)), 403, "not-permitted")

    assert Person.objects.count() == before
    assert not events_after(mark).exists()


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_but_the_personnel_officer_may_change_or_deactivate_a_person(
    request, institution, unit_a, unit_b, who
):
    person = make_person(institution, unit_a)
    client = ApiClient(request.getfixturevalue(who))

    response = client.patch(f"/api/v1/people/{person.pk}/", {"unit": unit_b.pk,
                                                            "is_active": False})  # fmt: skip

    problem(response, 403, "not-permitted")
    person.refresh_from_db()
    assert (person.unit, person.is_active) == (unit_a, True)


def test_a_person_of_another_institution_cannot_be_changed_and_reads_as_missing(hr, theirs):
    response = hr.patch(f"/api/v1/people/{theirs['person'].pk}/", {"full_name": "Đổi Tên"})

    problem(response, 404, "not-found")
    theirs["person"].refresh_from_db()
    assert theirs["person"].full_name == "Người Trường Khác"


BAD_PEOPLE = {
    "unknown unit": ({"unit": 987654}, "unit"),
    "unit of another institution": ("theirs", "unit"),
    "unit id too large": ({"unit": HUGE}, "unit"),
    "unit not a number": ({"unit": "khoa-a"}, "unit"),
    "bad gender": ({"gender": "other"}, "gender"),
    "malformed birth date": ({"birth_date": "03/02/1990"}, "birth_date"),
    "impossible birth date": ({"birth_date": "1990-02-30"}, "birth_date"),
    "no name": ({"full_name": ""}, "full_name"),
    "name too long": ({"full_name": "A" * 121}, "full_name"),
    "name not text": ({"full_name": {"first": "A"}}, "full_name"),
    "bad e-mail": ({"email": "not-an-address"}, "email"),
    "unknown language": ({"language": "fr"}, "language"),
    "leadership not a boolean": ({"holds_leadership_post": "sometimes"}, "holds_leadership_post"),
}


@pytest.mark.parametrize("case", list(BAD_PEOPLE))
def test_bad_input_for_a_new_person_is_refused_by_field_and_nothing_is_stored(
    hr, unit_a, theirs, case
):
    changes, field = BAD_PEOPLE[case]
    if changes == "theirs":
        changes = {"unit": theirs["unit"].pk}
    before, mark = Person.objects.count(), audit_mark()

    body = problem(hr.post("/api/v1/people/", new_person(unit_a, **changes)), 400,
                   "invalid-input")  # fmt: skip

    assert field in body["errors"], body
    assert Person.objects.count() == before
    assert not events_after(mark).exists()


@pytest.mark.parametrize("case", list(BAD_PEOPLE))
def test_bad_input_for_a_change_is_refused_by_field_and_nothing_is_changed(
    institution, hr, unit_a, theirs, case
):
    person = make_person(institution, unit_a, full_name="Trần Văn Cũ")
    changes, field = BAD_PEOPLE[case]
    if changes == "theirs":
        changes = {"unit": theirs["unit"].pk}
    mark = audit_mark()

    body = problem(hr.patch(f"/api/v1/people/{person.pk}/", changes), 400, "invalid-input")

    assert field in body["errors"], body
    person.refresh_from_db()
    assert (person.full_name, person.unit, person.gender) == ("Trần Văn Cũ", unit_a, "female")
    assert not events_after(mark).exists()


def test_a_new_person_without_the_required_fields_is_refused_naming_each(hr):
    body = problem(hr.post("/api/v1/people/", {}), 400, "invalid-input")

    assert {"full_name", "unit", "gender"} <= set(body["errors"])


def test_a_new_person_sent_as_a_form_is_refused_as_the_wrong_media_type(officer, unit_a):
    client = ApiClient(officer)

    response = client.upload("/api/v1/people/", new_person(unit_a))

    problem(response, 415, "unsupported-media-type")


# Annual ratings: one per person and period, kept by the personnel officer


def ratings_path(person, rating=None) -> str:
    tail = f"{rating.pk}/" if rating is not None else ""
    return f"/api/v1/people/{person.pk}/ratings/{tail}"


def rate(person, period, rating=Rating.COMPLETED_WELL) -> AnnualRating:
    return AnnualRating.objects.create(
        institution=person.institution, person=person, period=period, rating=rating
    )


def test_the_personnel_officer_records_a_rating_audited_as_an_eligibility_record(
    hr, officer, staff_a, period
):
    mark = audit_mark()

    response = hr.post(ratings_path(staff_a), {"period": period.pk,
                                               "rating": Rating.COMPLETED_EXCELLENTLY})  # fmt: skip

    assert response.status_code == 201, response.content
    rating = AnnualRating.objects.get(person=staff_a, period=period)
    assert rating.rating == Rating.COMPLETED_EXCELLENTLY
    assert response.json()["rating_label"] == "Completed tasks excellently"
    assert response["Location"] == ratings_path(staff_a, rating)
    event = events_after(mark).get()
    assert (event.action, event.object_type, event.actor, event.role) == (
        "record.created", "annual_rating", officer, "personnel_officer"
    )  # fmt: skip
    assert event.payload["changes"]["rating"] == [None, 4]


def test_a_second_rating_for_the_same_period_is_refused_and_the_first_is_kept(hr, staff_a, period):
    rate(staff_a, period, Rating.COMPLETED)
    mark = audit_mark()

    response = hr.post(ratings_path(staff_a), {"period": period.pk, "rating": 4})

    body = problem(response, 400, "invalid-input")
    assert body["errors"]["non_field_errors"] == [
        "Annual rating with this Person and Period already exists."
    ]
    assert list(AnnualRating.objects.filter(person=staff_a).values_list("rating", flat=True)) == [
        Rating.COMPLETED
    ]
    assert not events_after(mark).exists()


BAD_RATINGS = {
    "rating below the scale": ({"rating": 0}, "rating"),
    "rating above the scale": ({"rating": 5}, "rating"),
    "rating huge": ({"rating": HUGE}, "rating"),
    "rating as a word": ({"rating": "excellent"}, "rating"),
    "rating missing": ({"rating": None}, "rating"),
    "unknown period": ({"period": 987654}, "period"),
    "period of another institution": ("theirs", "period"),
    "period id too large": ({"period": HUGE}, "period"),
    "period not a number": ({"period": "2026"}, "period"),
}


@pytest.mark.parametrize("case", list(BAD_RATINGS))
def test_a_bad_rating_is_refused_by_field_and_nothing_is_stored(hr, staff_a, period, theirs, case):
    changes, field = BAD_RATINGS[case]
    if changes == "theirs":
        changes = {"period": theirs["period"].pk}
    data = {"period": period.pk, "rating": 3, **changes}
    mark = audit_mark()

    body = problem(hr.post(ratings_path(staff_a), data), 400, "invalid-input")

    assert field in body["errors"], body
    assert not AnnualRating.objects.exists()
    assert not events_after(mark).exists()


def test_correcting_a_rating_records_the_old_and_the_new_value(hr, staff_a, period):
    rating = rate(staff_a, period, Rating.COMPLETED)
    mark = audit_mark()

    response = hr.patch(ratings_path(staff_a, rating), {"rating": Rating.COMPLETED_WELL})

    assert response.status_code == 200
    assert response.json()["rating"] == Rating.COMPLETED_WELL
    event = events_after(mark).get()
    assert (event.action, event.payload["changes"]) == ("record.changed", {"rating": [2, 3]})


def test_a_rating_stays_correctable_after_its_periods_dossier_was_signed_and_the_trail_says_so(
    hr, period, unit_a
):
    """The model has no rule freezing a rating (neither has the admin): the change is audited,
    and the signed dossier is not reopened."""
    dossier = dossier_in(State.SIGNED, period, unit_a)
    rating = AnnualRating.objects.get(person=dossier.nominee_person, period=period)
    mark = audit_mark()

    response = hr.patch(ratings_path(dossier.nominee_person, rating), {"rating": 1})

    assert response.status_code == 200
    assert events_after(mark).get().payload["changes"] == {"rating": [rating.rating, 1]}
    dossier.refresh_from_db()
    assert dossier.state == State.SIGNED


@pytest.mark.parametrize("bad", [{"rating": 9}, {"rating": None}, {}])
def test_a_bad_correction_changes_nothing(hr, staff_a, period, bad):
    rating = rate(staff_a, period, Rating.COMPLETED)

    problem(hr.patch(ratings_path(staff_a, rating), bad), 400, "invalid-input")

    rating.refresh_from_db()
    assert rating.rating == Rating.COMPLETED


def test_the_personnel_officer_reads_a_persons_ratings(hr, staff_a, period):
    rating = rate(staff_a, period)

    listed = hr.get(ratings_path(staff_a)).json()["results"]
    one = hr.get(ratings_path(staff_a, rating)).json()

    assert [r["id"] for r in listed] == [rating.pk]
    assert one["period"] == {"id": period.pk, "name": "Năm 2026"}
    assert one["person"] == {"id": staff_a.pk, "name": staff_a.full_name}


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_but_the_personnel_officer_reads_records_or_corrects_a_rating(
    request, staff_a, period, who
):
    rating = rate(staff_a, period, Rating.COMPLETED)
    client = ApiClient(request.getfixturevalue(who))

    problem(client.get(ratings_path(staff_a)), 403, "not-permitted")
    problem(client.get(ratings_path(staff_a, rating)), 403, "not-permitted")
    problem(client.post(ratings_path(staff_a), {"period": period.pk, "rating": 4}), 403,
            "not-permitted")  # fmt: skip
    problem(client.patch(ratings_path(staff_a, rating), {"rating": 4}), 403, "not-permitted")
    rating.refresh_from_db()
    assert rating.rating == Rating.COMPLETED
    assert AnnualRating.objects.count() == 1


def test_ratings_of_another_institutions_person_read_as_missing(hr, theirs):
    problem(hr.get(ratings_path(theirs["person"])), 404, "not-found")
    problem(hr.post(ratings_path(theirs["person"]), {"period": theirs["period"].pk, "rating": 3}),
            404, "not-found")  # fmt: skip


def test_a_rating_is_found_only_under_its_own_person(institution, hr, staff_a, unit_a, period):
    other = make_person(institution, unit_a)
    rating = rate(other, period, Rating.COMPLETED)

    problem(hr.patch(ratings_path(staff_a, rating), {"rating": 4}), 404, "not-found")
    problem(hr.get(f"/api/v1/people/{staff_a.pk}/ratings/{HUGE}/"), 404, "not-found")

    rating.refresh_from_db()
    assert rating.rating == Rating.COMPLETED


@pytest.mark.parametrize("rows", [1, 25])
def test_a_persons_ratings_take_the_same_queries_however_many(
    institution, hr, staff_a, django_assert_max_num_queries, rows
):
    for n in range(rows):
        year = 2000 + n
        period = Period.objects.create(
            institution=institution, name=f"Năm {year}", kind=Period.Kind.CALENDAR_YEAR,
            starts_on=datetime.date(year, 1, 1), ends_on=datetime.date(year, 12, 31),
        )  # fmt: skip
        rate(staff_a, period)

    with django_assert_max_num_queries(6):  # token, roles, delegations, person, page
        response = hr.get(ratings_path(staff_a))

    assert len(response.json()["results"]) == rows


def test_a_person_without_an_email_address_is_listed_with_an_empty_one_the_document_allows(
    institution, unit_a
):
    """schemathesis found "" under a field the document declared `format: email`."""
    from drf_spectacular.generators import SchemaGenerator

    from tests.conftest import make_person

    officer = make_person(institution, unit_a, roles=["personnel_officer"])
    make_person(institution, unit_a, email="")
    document = SchemaGenerator().get_schema(request=None, public=True)

    people = ApiClient(officer).get("/api/v1/people/").json()["results"]

    assert "" in [p["email"] for p in people]
    assert "format" not in document["components"]["schemas"]["PersonOut"]["properties"]["email"]
