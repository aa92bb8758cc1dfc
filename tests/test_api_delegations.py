"""Delegations (ủy quyền) through the API: the ones you gave and received, lending a role with the
page's refusals and messages, ending one early; audited, scoped, validated."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dossiers.delegations import create_delegation
from dossiers.models import Delegation, Person, Role
from tests.api_helpers import ApiClient, problem
from tests.conftest import make_person, make_unit
from tests.factories import audit_mark, events_after

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
HUGE = 2**70


@pytest.fixture
def vice_principal(institution, unit_b):
    return make_person(institution, unit_b, roles=[Role.VICE_PRINCIPAL], username="vice",
                       full_name="Phạm Văn Phó")  # fmt: skip


@pytest.fixture
def as_principal(principal) -> ApiClient:
    return ApiClient(principal, language="en")


def lend(delegator, delegate, role=Role.PRINCIPAL):
    return create_delegation(
        delegator=delegator, delegate=delegate, role=role, starts_on=TODAY,
        ends_on=TODAY + 7 * DAY, reason="Đi công tác",
    )  # fmt: skip


def body_for(to, **changes) -> dict:
    return {
        "role": Role.PRINCIPAL, "delegate": to.pk, "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + 7 * DAY).isoformat(), "reason": "Đi công tác nước ngoài", **changes,
    }  # fmt: skip


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# Reading


def test_a_request_without_a_token_is_refused_as_unauthenticated(db):
    problem(ApiClient(None).get("/api/v1/delegations/"), 401, "unauthenticated")


def test_the_list_holds_the_delegations_given_and_received_and_no_one_elses(
    institution, unit_a, principal, vice_principal, head_a, staff_a, reviewer
):
    given = lend(principal, vice_principal)
    received = lend(head_a, principal, role=Role.UNIT_HEAD)
    lend(reviewer, staff_a, role=Role.REVIEWER)

    rows = ApiClient(principal).get("/api/v1/delegations/").json()["results"]

    assert {(row["id"], row["direction"]) for row in rows} == {
        (given.pk, "given"), (received.pk, "received")
    }  # fmt: skip


def test_a_delegation_reads_with_both_people_its_dates_and_its_status(principal, vice_principal):
    delegation = lend(principal, vice_principal)

    body = (
        ApiClient(vice_principal, language="en").get(f"/api/v1/delegations/{delegation.pk}/").json()
    )

    assert body["delegator"] == {"id": principal.pk, "name": principal.full_name}
    assert body["delegate"] == {"id": vice_principal.pk, "name": "Phạm Văn Phó"}
    assert (body["role"], body["role_label"], body["direction"]) == (
        "principal", "Principal", "received"
    )  # fmt: skip
    assert (body["starts_on"], body["status"], body["status_label"]) == (
        TODAY.isoformat(), "active", "In force"
    )  # fmt: skip


@pytest.mark.parametrize("direction", ["given", "received"])
def test_the_list_filters_by_direction(principal, vice_principal, head_a, direction):
    given = lend(principal, vice_principal)
    received = lend(head_a, principal, role=Role.UNIT_HEAD)

    response = ApiClient(principal).get("/api/v1/delegations/", {"direction": direction})

    assert ids(response) == [given.pk if direction == "given" else received.pk]


def test_an_unknown_direction_is_refused_with_its_field(principal):
    body = problem(ApiClient(principal).get("/api/v1/delegations/", {"direction": "sideways"}),
                   400, "invalid-input")  # fmt: skip

    assert "direction" in body["errors"]


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_takes_the_same_queries_however_many_delegations(
    institution, unit_a, principal, django_assert_max_num_queries, rows
):
    for n in range(rows):
        start = TODAY + 10 * n * DAY
        Delegation.objects.create(
            institution=institution, delegator=principal, delegate=make_person(institution, unit_a),
            role=Role.PRINCIPAL, starts_on=start, ends_on=start + DAY, reason="Nghỉ phép",
        )  # fmt: skip
    client = ApiClient(principal)

    with django_assert_max_num_queries(3):  # the token, its use, the page
        response = client.get("/api/v1/delegations/")

    assert len(ids(response)) == rows


@pytest.mark.parametrize("pk", ["unknown", "theirs", "huge"])
def test_a_delegation_one_is_no_party_to_reads_as_missing(
    institution, other_institution, principal, vice_principal, head_a, staff_a, pk
):
    unit = make_unit(other_institution, "khoa-x")
    theirs = Delegation.objects.create(
        institution=other_institution, delegator=make_person(other_institution, unit),
        delegate=make_person(other_institution, unit), role=Role.REVIEWER, starts_on=TODAY,
        ends_on=TODAY + DAY, reason="Nghỉ phép",
    )  # fmt: skip
    others = lend(head_a, staff_a, role=Role.UNIT_HEAD)
    target = {"unknown": others.pk, "theirs": theirs.pk, "huge": HUGE}[pk]

    problem(ApiClient(principal).get(f"/api/v1/delegations/{target}/"), 404, "not-found")


# Lending a role


def test_the_principal_lends_the_signature_to_a_vice_principal_audited(
    principal, vice_principal, as_principal
):
    mark = audit_mark()

    response = as_principal.post("/api/v1/delegations/", body_for(vice_principal))

    assert response.status_code == 201, response.content
    delegation = Delegation.objects.get()
    assert response["Location"] == f"/api/v1/delegations/{delegation.pk}/"
    assert response.json()["direction"] == "given"
    assert (delegation.delegator, delegation.delegate, delegation.role) == (
        principal, vice_principal, "principal"
    )  # fmt: skip
    event = events_after(mark).get()
    assert (event.action, event.actor, event.role) == ("delegation.created", principal, "principal")
    assert event.reason == "Đi công tác nước ngoài"


def refused(client, body, field) -> list[str]:
    """The messages of a refused delegation for `field`, after checking nothing was stored."""
    mark = audit_mark()
    problem_body = problem(client.post("/api/v1/delegations/", body), 400, "invalid-input")
    assert not Delegation.objects.exists()
    assert not events_after(mark).exists()
    return problem_body["errors"][field]


def test_no_role_is_lent_to_an_auditor(reviewer, auditor):
    client = ApiClient(reviewer, language="en")

    assert refused(client, body_for(auditor, role=Role.REVIEWER), "delegate") == [
        f"{auditor.full_name} holds the auditor role: no role may be lent to an auditor."
    ]


def test_the_principals_role_goes_only_to_a_vice_principal(as_principal, staff_a):
    assert refused(as_principal, body_for(staff_a), "delegate") == [
        "Only a person who holds the role “Vice principal” can receive this role."
    ]


def test_nobody_delegates_to_themselves(as_principal, principal):
    assert refused(as_principal, body_for(principal), "delegate") == [
        "A person cannot delegate to themselves."
    ]


def test_a_role_one_does_not_hold_cannot_be_lent(as_principal, reviewer):
    assert refused(as_principal, body_for(reviewer, role=Role.REVIEWER), "role") == [
        "You can only delegate a role you hold."
    ]


def test_a_role_that_carries_no_step_cannot_be_lent(as_principal, council_member):
    assert refused(as_principal, body_for(council_member, role=Role.COUNCIL_MEMBER), "role") == [
        "This role cannot be delegated."
    ]


def test_a_delegate_without_an_account_is_refused(institution, unit_b, as_principal):
    no_login = Person.objects.create(institution=institution, unit=unit_b, full_name="Võ Thị Sổ",
                                     gender="female")  # fmt: skip

    assert refused(as_principal, body_for(no_login, role=Role.PRINCIPAL), "delegate") == [
        "Võ Thị Sổ has no user account and could not act."
    ]


def test_dates_in_the_wrong_order_or_already_past_are_refused(as_principal, vice_principal):
    backwards = body_for(vice_principal, ends_on=(TODAY - DAY).isoformat())
    past = body_for(vice_principal, starts_on=(TODAY - 9 * DAY).isoformat(),
                    ends_on=(TODAY - DAY).isoformat())  # fmt: skip

    assert refused(as_principal, backwards, "ends_on") == ["The end date is before the start date."]
    assert refused(as_principal, past, "ends_on") == ["The delegation would already be over."]


def test_an_overlapping_delegation_is_refused_naming_the_earlier_one(
    institution, unit_b, principal, vice_principal, as_principal
):
    lend(principal, vice_principal)
    other_vice = make_person(institution, unit_b, roles=[Role.VICE_PRINCIPAL])
    before = Delegation.objects.count()

    body = problem(as_principal.post("/api/v1/delegations/", body_for(other_vice)), 400,
                   "invalid-input")  # fmt: skip

    assert (
        "You have already delegated this role to Phạm Văn Phó"
        in (body["errors"]["non_field_errors"][0])
    )
    assert Delegation.objects.count() == before


def test_someone_with_no_role_to_lend_is_refused(auditor, staff_a):
    client = ApiClient(auditor, language="en")

    body = problem(client.post("/api/v1/delegations/", body_for(staff_a)), 403, "not-permitted")

    assert body["detail"] == "None of your roles can be delegated."
    assert not Delegation.objects.exists()


BAD = {
    "malformed start": ({"starts_on": "05/01/2027"}, "starts_on"),
    "impossible end": ({"ends_on": "2027-02-30"}, "ends_on"),
    "year out of range": ({"ends_on": "99999-01-01"}, "ends_on"),
    "unknown role": ({"role": "king"}, "role"),
    "unknown delegate": ({"delegate": 987654}, "delegate"),
    "delegate id too large": ({"delegate": HUGE}, "delegate"),
    "delegate not a number": ({"delegate": "vice"}, "delegate"),
    "delegate of another institution": ("theirs", "delegate"),
    "no reason": ({"reason": ""}, "reason"),
    "reason too long": ({"reason": "x" * 301}, "reason"),
    "missing dates": ({"starts_on": None, "ends_on": None}, "starts_on"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_malformed_input_is_refused_by_field_and_nothing_is_stored(
    other_institution, vice_principal, as_principal, case
):
    changes, field = BAD[case]
    if changes == "theirs":
        changes = {"delegate": make_person(other_institution,
                                           make_unit(other_institution, "khoa-x")).pk}  # fmt: skip

    assert refused(as_principal, body_for(vice_principal, **changes), field)


def test_an_empty_body_names_every_missing_field(as_principal):
    body = problem(as_principal.post("/api/v1/delegations/", {}), 400, "invalid-input")

    assert set(body["errors"]) == {"role", "delegate", "starts_on", "ends_on", "reason"}


# Ending one early


def test_the_delegator_ends_a_delegation_early_audited(principal, vice_principal, as_principal):
    delegation = lend(principal, vice_principal)
    mark = audit_mark()

    response = as_principal.post(f"/api/v1/delegations/{delegation.pk}/end/")

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["status_label"]) == (
        "ended_early", "Ended early"
    )  # fmt: skip
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    event = events_after(mark).get()
    assert (event.action, event.actor, event.role) == ("delegation.ended", principal, "principal")


def test_the_delegate_may_not_end_a_delegation_they_received(principal, vice_principal):
    delegation = lend(principal, vice_principal)
    client = ApiClient(vice_principal, language="en")

    response = client.post(f"/api/v1/delegations/{delegation.pk}/end/")

    body = problem(response, 403, "not-permitted")
    assert body["detail"] == "Only the person who gave a delegation can end it."
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_a_delegation_already_ended_cannot_be_ended_again(principal, vice_principal, as_principal):
    delegation = lend(principal, vice_principal)
    as_principal.post(f"/api/v1/delegations/{delegation.pk}/end/")
    mark = audit_mark()

    body = problem(as_principal.post(f"/api/v1/delegations/{delegation.pk}/end/"), 400,
                   "invalid-input")  # fmt: skip

    assert body["detail"] == "This delegation has already ended."
    assert not events_after(mark).exists()


@pytest.mark.parametrize("pk", ["others", "huge"])
def test_a_delegation_one_is_no_party_to_cannot_be_ended_and_reads_as_missing(
    principal, head_a, staff_a, pk
):
    others = lend(head_a, staff_a, role=Role.UNIT_HEAD)
    target = {"others": others.pk, "huge": HUGE}[pk]

    problem(ApiClient(principal).post(f"/api/v1/delegations/{target}/end/"), 404, "not-found")

    others.refresh_from_db()
    assert others.revoked_at is None
