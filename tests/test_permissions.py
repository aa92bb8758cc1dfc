"""Who may do what on which dossier, and who may see it: through the service and over HTTP."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dossiers.models import Dossier, Period, Role, RoleAssignment, State
from tests.conftest import make_dossier, make_person, make_unit
from tests.factories import audit_mark, dossier_in, events_after, login
from tests.test_lifecycle_matrix import act, award_for, perform, start_in
from workflow.errors import DossierNotFound, NotPermitted
from workflow.permissions import visible_dossiers
from workflow.transitions import TRANSITIONS

S = State

# Who may perform each action (design.md, "Users and roles" and the lifecycle table).
PERMITTED = {
    "submit": {"head_a"},
    "resubmit": {"head_a"},
    "withdraw": {"head_a"},
    "return_for_revision": {"reviewer"},
    "approve": {"reviewer"},
    "decline": {"reviewer"},
    "record_outcome": {"reviewer"},
    "suspend": {"reviewer", "principal"},
    "resume": {"reviewer", "principal"},
    "open_vote": {"secretary"},
    "close_vote": {"secretary"},
    "publish": {"secretary"},
    "sign": {"principal"},
    "submit_upward": {"principal"},
    "return_to_council": {"principal"},
    "revoke": {"principal"},
}
# A state each action is legal in, so that only the person can be what is wrong.
LEGAL_FROM = {
    "submit": S.DRAFT,
    "resubmit": S.RETURNED,
    "withdraw": S.SUBMITTED,
    "return_for_revision": S.SUBMITTED,
    "approve": S.SUBMITTED,
    "decline": S.SUBMITTED,
    "record_outcome": S.SUBMITTED_UPWARD,
    "suspend": S.REVIEWED,
    "resume": S.SUSPENDED,
    "open_vote": S.REVIEWED,
    "close_vote": S.VOTING,
    "publish": S.RECOMMENDED,
    "sign": S.RECOMMENDED,
    "submit_upward": S.RECOMMENDED,
    "return_to_council": S.RECOMMENDED,
    "revoke": S.SIGNED,
}
# One fixture per role (dossiers are of unit_a, so head_a is the head of the dossier's unit).
PEOPLE = ["head_a", "reviewer", "principal", "secretary", "council_member", "auditor", "staff_a"]

ALLOWED_PEOPLE = [(a, p) for a in TRANSITIONS for p in PEOPLE if p in PERMITTED[a]]
REFUSED_PEOPLE = [(a, p) for a in TRANSITIONS for p in PEOPLE if p not in PERMITTED[a]]
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def legal_dossier(period, unit, action: str) -> Dossier:
    """A dossier brought through the services to a state the action is legal in."""
    state = LEGAL_FROM[action]
    return start_in(period, unit, state, award_for(action, state))


def assert_untouched(dossier: Dossier, mark: int) -> None:
    """Neither the dossier nor the audit trail changed since `mark` (see audit_mark)."""
    before = (dossier.state, dossier.version)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == before
    assert not events_after(mark).exists()


# --- the service: role x action x unit ---------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "who"), ALLOWED_PEOPLE, ids=[f"{p}-may-{a}" for a, p in ALLOWED_PEOPLE]
)
def test_a_person_holding_a_permitted_role_may_perform_the_action(
    request, period, unit_a, action, who
):
    dossier = legal_dossier(period, unit_a, action)
    version, mark = dossier.version, audit_mark()

    moved = perform(dossier, action, request.getfixturevalue(who))

    assert moved.version == version + 1
    event = events_after(mark).get(object_type="dossier")  # and a meeting's or decision's
    assert event.actor == request.getfixturevalue(who)


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_a_person_without_a_permitted_role_is_refused_and_nothing_changes(
    request, subtests, period, unit_a, action
):
    """Each person the action is not for, in turn, on one dossier where it is legal (one per
    action, not per person: each refusal must leave it exactly as it was)."""
    dossier = legal_dossier(period, unit_a, action)
    for who in [p for a, p in REFUSED_PEOPLE if a == action]:
        with subtests.test(msg=f"{who}-may-not-{action}"):
            mark = audit_mark()

            with pytest.raises(NotPermitted):
                act(dossier, action, request.getfixturevalue(who))

            assert_untouched(dossier, mark)


@pytest.mark.parametrize("action", ["submit", "withdraw", "resubmit"])
def test_a_unit_head_cannot_act_on_another_units_dossier(period, unit_a, head_b, action):
    dossier = legal_dossier(period, unit_a, action)
    mark = audit_mark()

    with pytest.raises(NotPermitted):
        act(dossier, action, head_b)

    assert_untouched(dossier, mark)


def test_a_person_of_another_institution_cannot_find_the_dossier(period, unit_a, other_institution):
    outsider = make_person(
        other_institution, make_unit(other_institution, "phong-x"), roles=[Role.REVIEWER]
    )
    dossier = legal_dossier(period, unit_a, "approve")
    mark = audit_mark()

    with pytest.raises(DossierNotFound):
        act(dossier, "approve", outsider)

    assert_untouched(dossier, mark)


def test_a_role_that_ended_yesterday_no_longer_permits_the_action(institution, period, unit_a):
    former = make_person(institution, unit_a, roles=[Role.REVIEWER])
    RoleAssignment.objects.filter(person=former).update(
        valid_from=datetime.date(2020, 1, 1), valid_to=YESTERDAY
    )
    dossier = legal_dossier(period, unit_a, "approve")
    mark = audit_mark()

    with pytest.raises(NotPermitted):
        act(dossier, "approve", former)

    assert_untouched(dossier, mark)


def test_a_unit_head_whose_term_ended_can_no_longer_submit(institution, period, unit_a):
    former = make_person(institution, unit_a, roles=[Role.UNIT_HEAD])
    RoleAssignment.objects.filter(person=former).update(valid_to=YESTERDAY)
    dossier = legal_dossier(period, unit_a, "submit")
    mark = audit_mark()

    with pytest.raises(NotPermitted):
        act(dossier, "submit", former)

    assert_untouched(dossier, mark)


def test_a_role_starting_tomorrow_does_not_permit_the_action_yet(institution, period, unit_a):
    future = make_person(institution, unit_a, roles=[Role.REVIEWER])
    RoleAssignment.objects.filter(person=future).update(
        valid_from=timezone.localdate() + datetime.timedelta(days=1)
    )
    dossier = legal_dossier(period, unit_a, "approve")
    mark = audit_mark()

    with pytest.raises(NotPermitted):
        act(dossier, "approve", future)

    assert_untouched(dossier, mark)


# --- visible_dossiers --------------------------------------------------------------------------


@pytest.fixture
def foreign_dossier(other_institution):
    """A dossier of another institution, which nobody here may see."""
    foreign_period = Period.objects.create(
        institution=other_institution,
        name="Năm 2026",
        kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    unit = make_unit(other_institution, "khoa-a", "Khoa Toán")
    return dossier_in(S.SUBMITTED, foreign_period, unit)


def test_a_unit_head_sees_only_the_dossiers_of_their_own_unit(period, unit_a, unit_b, head_a):
    own = make_dossier(period, unit_a, documents=False)
    make_dossier(period, unit_b, documents=False)

    assert list(visible_dossiers(head_a)) == [own]


@pytest.mark.parametrize("who", ["reviewer", "principal", "auditor"])
def test_institution_wide_roles_see_every_dossier_of_their_institution_only(
    request, period, unit_a, unit_b, foreign_dossier, who
):
    ours = {
        make_dossier(period, unit_a, documents=False).pk,
        dossier_in(S.SUBMITTED, period, unit_b).pk,
    }

    seen = set(visible_dossiers(request.getfixturevalue(who)).values_list("pk", flat=True))

    assert seen == ours


COUNCIL_SEES = {
    S.REVIEWED, S.VOTING, S.RECOMMENDED, S.NOT_RECOMMENDED, S.PUBLIC_NOTICE, S.SUBMITTED_UPWARD,
    S.SIGNED, S.REVOKED,
}  # fmt: skip
BEFORE_COUNCIL = {S.DRAFT, S.SUBMITTED, S.RETURNED, S.DECLINED, S.WITHDRAWN}


def test_a_council_member_sees_only_dossiers_that_reached_the_council(
    period, unit_a, council_member
):
    for state in COUNCIL_SEES | BEFORE_COUNCIL:
        dossier_in(state, period, unit_a)

    seen = set(visible_dossiers(council_member).values_list("state", flat=True))

    assert seen == COUNCIL_SEES


def test_a_person_without_roles_sees_no_dossier(period, unit_a, staff_a):
    make_dossier(period, unit_a, documents=False)
    dossier_in(S.SIGNED, period, unit_a)

    assert not visible_dossiers(staff_a).exists()


def test_a_person_whose_roles_ended_sees_no_dossier(institution, period, unit_a):
    former = make_person(institution, unit_a, roles=[Role.UNIT_HEAD, Role.AUDITOR])
    RoleAssignment.objects.filter(person=former).update(valid_to=YESTERDAY)
    make_dossier(period, unit_a, documents=False)

    assert not visible_dossiers(former).exists()


# --- HTTP --------------------------------------------------------------------------------------

NOMINEE = "Trần Thị Hồng Nhung"
OWN_OR_OTHER = pytest.mark.parametrize(
    ("who", "status"), [("head_a", 200), ("head_b", 404)], ids=["own-unit", "other-unit"]
)


@pytest.fixture
def draft(institution, period, unit_a):
    nominee = make_person(institution, unit_a, full_name=NOMINEE)
    return make_dossier(period, unit_a, nominee=nominee)


@OWN_OR_OTHER
def test_the_dossier_page_is_shown_only_to_a_head_of_its_unit(request, draft, who, status):
    client = login(request.getfixturevalue(who))

    response = client.get(f"/dossiers/{draft.pk}/")

    assert response.status_code == status


@OWN_OR_OTHER
def test_the_edit_page_is_shown_only_to_a_head_of_its_unit(request, draft, who, status):
    client = login(request.getfixturevalue(who))

    response = client.get(f"/dossiers/{draft.pk}/edit/")

    assert response.status_code == status


@OWN_OR_OTHER
def test_a_document_is_downloadable_only_by_those_who_see_the_dossier(request, draft, who, status):
    document = draft.documents.first()
    client = login(request.getfixturevalue(who))

    response = client.get(f"/dossiers/{draft.pk}/documents/{document.pk}/")

    assert response.status_code == status
    response.close()


@pytest.mark.parametrize(
    ("who", "status", "state"),
    [("head_a", 302, S.SUBMITTED), ("head_b", 404, S.DRAFT)],
    ids=["own-unit-submits", "other-unit-gets-404"],
)
def test_only_a_head_of_its_unit_can_submit_the_dossier_over_http(
    request, draft, who, status, state
):
    client = login(request.getfixturevalue(who))

    response = client.post(f"/dossiers/{draft.pk}/act/submit/", {"version": draft.version})

    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.state == state


@pytest.mark.parametrize(
    ("who", "listed"), [("head_a", True), ("head_b", False)], ids=["own-unit", "other-unit"]
)
def test_the_dossier_list_shows_a_nominee_only_to_those_who_may_see_the_dossier(
    request, draft, who, listed
):
    client = login(request.getfixturevalue(who))

    response = client.get("/dossiers/")

    assert response.status_code == 200
    assert (NOMINEE in response.content.decode()) is listed


def test_a_reviewer_approves_a_submitted_dossier_over_http(period, unit_a, reviewer):
    dossier = dossier_in(S.SUBMITTED, period, unit_a)
    client = login(reviewer)

    response = client.post(f"/dossiers/{dossier.pk}/act/approve/", {"version": dossier.version})

    assert response.status_code == 302
    assert response.url == f"/dossiers/{dossier.pk}/"
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (S.REVIEWED, 3)  # created 1, submitted 2


def test_an_auditor_may_read_a_dossier_but_not_approve_it_over_http(period, unit_a, auditor):
    dossier = dossier_in(S.SUBMITTED, period, unit_a)
    mark = audit_mark()
    client = login(auditor)

    page = client.get(f"/dossiers/{dossier.pk}/")
    client.post(f"/dossiers/{dossier.pk}/act/approve/", {"version": dossier.version})

    assert page.status_code == 200
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (S.SUBMITTED, 2)  # created 1, submitted 2
    assert not events_after(mark).exists()


# Queries of the list page for any number of rows (session, user, person, roles, count, page,
# periods); found with 3 dossiers and held for 30.
LIST_PAGE_QUERIES = 9  # + delegations received, inbox badge


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("who", ["head_a", "reviewer"])
def test_the_dossier_list_needs_the_same_number_of_queries_however_many_dossiers(
    request, django_assert_max_num_queries, period, unit_a, who, count
):
    for _ in range(count):
        make_dossier(period, unit_a, documents=False)
    client = login(request.getfixturevalue(who))

    with django_assert_max_num_queries(LIST_PAGE_QUERIES):
        response = client.get("/dossiers/")

    assert response.status_code == 200
    assert response.content.decode().count('class="state state-draft"') == min(count, 25)
