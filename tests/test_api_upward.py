"""Proposals upward through the API: what may be proposed, submitting with a generated memo (the
principal), the memos, what awaits the higher decision, and recording it (a reviewer); each
refusal as the pages refuse it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from decisions import upward
from decisions.models import ProposalMemo
from dossiers.models import Dossier, State, TitleRecord
from tests.api_helpers import ApiClient, problem
from tests.factories import dossier_in, dossiers_in

UPWARD = "/api/v1/upward/"
MEMOS = "/api/v1/upward/memos/"
UPWARD_AWARD = "provincial_certificate_of_merit"
DECIDED = datetime.date(2026, 11, 20)
# Queries of one page of memos or awaiting dossiers, whatever their number: the token and its
# use, the caller's roles and delegations, the page, and (awaiting) the memos of its dossiers.
LIST_QUERY_BOUND = 6


def proposed(period, unit, state=State.RECOMMENDED) -> Dossier:
    return dossier_in(state, period, unit, award=UPWARD_AWARD)


def outcome_url(dossier) -> str:
    return f"/api/v1/dossiers/{dossier.pk}/outcome/"


def outcome(**changes) -> dict:
    return {"granted": True, "decision_number": "125/QĐ-UBND", "decision_date": "2026-11-20",
            **changes}  # fmt: skip


def state_of(dossier) -> str:
    return Dossier.objects.get(pk=dossier.pk).state


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def memo(period, unit_a, principal) -> ProposalMemo:
    return upward.submit_upward(dossier_ids=[proposed(period, unit_a).pk], person=principal)


# --- Proposing ----------------------------------------------------------------------------------


def test_without_a_token_the_proposals_are_refused(memo):
    problem(ApiClient(None).get(MEMOS), 401, "unauthenticated")
    problem(ApiClient(None).post(UPWARD, {"dossiers": []}), 401, "unauthenticated")


def test_the_principal_lists_the_dossiers_that_may_go_upward(period, unit_a, principal):
    upward_one = proposed(period, unit_a)
    dossier_in(State.RECOMMENDED, period, unit_a, award="advanced_worker")

    response = ApiClient(principal).get(f"{UPWARD}proposable/")

    assert [row["id"] for row in response.json()["results"]] == [upward_one.pk]


@pytest.mark.parametrize("who", ["reviewer", "secretary", "staff_a"])
def test_only_the_principal_lists_what_may_go_upward(request, who, db):
    problem(ApiClient(request.getfixturevalue(who)).get(f"{UPWARD}proposable/"), 403,
            "not-permitted")  # fmt: skip


def test_the_principal_submits_dossiers_upward_with_a_generated_memo(period, unit_a, principal):
    dossier = proposed(period, unit_a)

    response = ApiClient(principal).post(UPWARD, {"dossiers": [dossier.pk]})

    assert response.status_code == 201
    memo = ProposalMemo.objects.get()
    assert response["Location"] == f"{MEMOS}{memo.pk}/"
    body = response.json()
    assert (body["id"], body["sha256"], body["dossier_count"]) == (memo.pk, memo.sha256, 1)
    assert [row["id"] for row in body["dossiers"]] == [dossier.pk]
    assert body["dossiers"][0]["state"] == State.SUBMITTED_UPWARD
    assert state_of(dossier) == State.SUBMITTED_UPWARD
    assert AuditEvent.objects.filter(action="proposal_memo.created").count() == 1


@pytest.mark.parametrize("who", ["reviewer", "secretary", "auditor", "staff_a"])
def test_only_the_principal_submits_upward(request, who, period, unit_a):
    dossier = proposed(period, unit_a)

    response = ApiClient(request.getfixturevalue(who)).post(UPWARD, {"dossiers": [dossier.pk]})

    assert response.status_code == 403
    assert state_of(dossier) == State.RECOMMENDED
    assert not ProposalMemo.objects.exists()


def test_submitting_nothing_upward_is_refused_with_the_reason(principal):
    response = ApiClient(principal, language="en").post(UPWARD, {"dossiers": []})

    assert problem(response, 422, "guard-failed")["reasons"] == ["Choose at least one dossier."]


def test_submitting_a_dossier_decided_by_the_principal_is_malformed(period, unit_a, principal):
    dossier = dossier_in(State.RECOMMENDED, period, unit_a, award="advanced_worker")

    response = ApiClient(principal).post(UPWARD, {"dossiers": [dossier.pk]})

    assert "dossiers" in problem(response, 400, "invalid-input")["errors"]
    assert state_of(dossier) == State.RECOMMENDED
    assert not ProposalMemo.objects.exists()


@pytest.mark.parametrize("body", [{}, {"dossiers": [2**63]}, {"dossiers": {"id": 1}}])
def test_malformed_input_to_submit_upward_is_refused(principal, db, body):
    problem(ApiClient(principal).post(UPWARD, body), 400, "invalid-input")


# --- The memos ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["principal", "reviewer", "auditor"])
def test_readers_get_the_memo_and_its_pdf(request, who, memo):
    client = ApiClient(request.getfixturevalue(who))

    listing = client.get(MEMOS)
    detail = client.get(f"{MEMOS}{memo.pk}/")
    pdf = client.get(f"{MEMOS}{memo.pk}/pdf/")

    assert [row["id"] for row in listing.json()["results"]] == [memo.pk]
    assert detail.json()["sha256"] == memo.sha256
    assert [row["id"] for row in detail.json()["dossiers"]] == list(
        memo.dossiers.values_list("pk", flat=True)
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert body_of(pdf).startswith(b"%PDF")


def test_plain_staff_neither_list_nor_find_the_memos(staff_a, memo):
    client = ApiClient(staff_a)

    problem(client.get(MEMOS), 403, "not-permitted")
    problem(client.get(f"{MEMOS}{memo.pk}/"), 404, "not-found")
    problem(client.get(f"{MEMOS}{memo.pk}/pdf/"), 404, "not-found")


@pytest.mark.parametrize("pk", [0, 999999, 2**63])
def test_a_missing_memo_is_not_found(principal, db, pk):
    problem(ApiClient(principal).get(f"{MEMOS}{pk}/"), 404, "not-found")


@pytest.mark.parametrize("count", [1, 4])
def test_the_memos_and_the_awaiting_dossiers_take_a_constant_number_of_queries(
    period, unit_a, principal, reviewer, count, django_assert_max_num_queries
):
    batch = dossiers_in(State.RECOMMENDED, period, unit_a, count, award=UPWARD_AWARD)
    for dossier in batch:
        upward.submit_upward(dossier_ids=[dossier.pk], person=principal)
    client = ApiClient(reviewer)

    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        memos = client.get(MEMOS)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        awaiting = client.get(f"{UPWARD}awaiting/")

    assert len(memos.json()["results"]) == len(awaiting.json()["results"]) == count


def test_the_awaiting_dossiers_name_the_memo_they_were_sent_with(reviewer, memo):
    [row] = ApiClient(reviewer).get(f"{UPWARD}awaiting/").json()["results"]

    assert row["memos"] == [memo.pk]
    assert row["state"] == State.SUBMITTED_UPWARD


# --- The higher decision ------------------------------------------------------------------------


def test_a_reviewer_records_a_granted_award_and_the_dossier_is_signed(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    response = ApiClient(reviewer).post(outcome_url(dossier), outcome())

    assert response.status_code == 200
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert response.json()["state"] == fresh.state == State.SIGNED
    assert response.json()["version"] == fresh.version
    assert response["ETag"] == f'"{fresh.version}"'
    event = AuditEvent.objects.get(action="dossier.outcome_recorded")
    assert event.payload["decision_date"] == "2026-11-20"
    assert TitleRecord.objects.filter(
        person=dossier.nominee_person, award_type=dossier.award_type, year=period.year
    ).exists()


def test_a_refused_award_leaves_the_dossier_not_recommended(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    response = ApiClient(reviewer).post(outcome_url(dossier), outcome(granted=False))

    assert response.json()["state"] == State.NOT_RECOMMENDED


def test_the_principal_sees_the_dossier_but_may_not_record_the_outcome(period, unit_a, principal):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    problem(ApiClient(principal).post(outcome_url(dossier), outcome()), 403, "not-permitted")
    assert state_of(dossier) == State.SUBMITTED_UPWARD


def test_another_units_head_does_not_find_the_dossier(period, unit_a, head_b):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    problem(ApiClient(head_b).post(outcome_url(dossier), outcome()), 404, "not-found")


def test_an_outcome_for_a_dossier_not_submitted_upward_is_a_conflict(period, unit_a, reviewer):
    dossier = proposed(period, unit_a)

    problem(ApiClient(reviewer).post(outcome_url(dossier), outcome()), 409, "illegal-transition")
    assert state_of(dossier) == State.RECOMMENDED


def test_an_outcome_dated_after_today_is_refused_with_the_reason(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = ApiClient(reviewer, language="en").post(
        outcome_url(dossier), outcome(decision_date=tomorrow.isoformat())
    )

    assert problem(response, 422, "guard-failed")["reasons"] == [
        "The higher decision cannot be dated after today."
    ]
    assert state_of(dossier) == State.SUBMITTED_UPWARD


@pytest.mark.parametrize(
    "changes",
    [
        {"decision_number": ""},
        {"decision_number": "x" * 101},
        {"decision_date": "20/11/2026"},
        {"decision_date": "2026-02-30"},
        {"granted": "có"},
        {"granted": None},
    ],
    ids=["no-number", "long-number", "day-first-date", "impossible-date", "text", "null"],
)
def test_a_malformed_outcome_is_refused(period, unit_a, reviewer, changes):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    problem(ApiClient(reviewer).post(outcome_url(dossier), outcome(**changes)), 400,
            "invalid-input")  # fmt: skip
    assert state_of(dossier) == State.SUBMITTED_UPWARD


def test_an_outcome_without_a_date_is_refused(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)
    body = outcome()
    del body["decision_date"]

    problem(ApiClient(reviewer).post(outcome_url(dossier), body), 400, "invalid-input")
