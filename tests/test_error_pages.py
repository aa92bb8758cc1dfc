"""Each domain error answers its own status through a page, with its message, and stores nothing.

The statuses come from workflow.errors, decided once; workflow.responses shows them on a form
page, or as an error page when a view lets the error escape.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from council import services as council
from decisions import services as decisions
from decisions.models import Decision
from decisions.signing import SigningFailed
from dossiers.models import State
from tests.factories import Cast, dossier_in, login, own_certificate

pytestmark = pytest.mark.django_db


def vietnamese(response) -> str:
    return response.content.decode()


@pytest.fixture
def cast(institution):
    return Cast(institution)


@pytest.fixture
def open_meeting(period, unit_a, cast):
    dossier = dossier_in(State.VOTING, period, unit_a)
    return dossier.agenda_items.get().meeting


def test_a_meeting_that_does_not_exist_answers_404_with_the_error_page(cast):
    response = login(cast.secretary).get(reverse("meeting_detail", args=[999_999]))

    assert response.status_code == 404
    assert "Không có phiên họp này" in vietnamese(response)


def test_a_decision_that_does_not_exist_answers_404(cast):
    response = login(cast.principal).get(reverse("decision_detail", args=[999_999]))

    assert response.status_code == 404


def test_a_dossier_of_another_institution_answers_404_on_the_outcome_page(
    other_institution, period, unit_a, cast
):
    from tests.conftest import make_person, make_unit

    foreign_reviewer = make_person(
        other_institution, make_unit(other_institution, "k", "Khoa K"), roles=["reviewer"]
    )
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    response = login(foreign_reviewer).get(reverse("notice_outcome", args=[dossier.pk]))

    assert response.status_code == 404


def test_an_objection_to_a_notice_that_does_not_exist_answers_404(staff_a):
    response = login(staff_a).post(reverse("notice_object", args=[999_999]), {"text": "Phản ánh"})

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="notice.objection_filed").exists()


def test_opening_a_vote_without_running_meetings_answers_403_and_changes_nothing(
    open_meeting, cast
):
    meeting = open_meeting
    reviewer = cast.reviewer  # sees every meeting, runs none

    response = login(reviewer).post(reverse("meeting_close", args=[meeting.pk]))

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.state == "open"


def test_the_minutes_of_a_meeting_still_voting_answer_409(open_meeting, cast):
    response = login(cast.secretary).get(reverse("meeting_minutes", args=[open_meeting.pk]))

    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")


def test_saving_a_dossier_someone_else_changed_answers_409_on_the_form(period, unit_a, cast):
    dossier = dossier_in(State.DRAFT, period, unit_a)
    head = cast.head_of(unit_a)
    data = {
        "version": dossier.version - 1 or 999,
        "nominee": f"p:{dossier.nominee_person_id}",
        "award_type": dossier.award_type_id,
        "achievement_summary": "Đã sửa.",
    }

    response = login(head).post(reverse("dossier_edit", args=[dossier.pk]), data)

    assert response.status_code == 409
    dossier.refresh_from_db()
    assert dossier.achievement_summary != "Đã sửa."


def test_a_second_ballot_from_the_same_member_answers_409(open_meeting, cast):
    item = open_meeting.agenda.get()
    member = cast.secretary
    council.cast_ballot(meeting_id=open_meeting.pk, person=member, choices={item.pk: "agree"})
    cast_before = AuditEvent.objects.filter(action="ballot.cast").count()

    response = login(member).post(
        reverse("meeting_ballot", args=[open_meeting.pk]), {f"item_{item.pk}": "disagree"}
    )

    assert response.status_code == 409
    assert AuditEvent.objects.filter(action="ballot.cast").count() == cast_before


def test_a_revocation_without_a_reason_answers_422_with_the_reason_missing(period, unit_a, cast):
    dossier = dossier_in(State.SIGNED, period, unit_a)
    original = Decision.objects.get(items__dossier=dossier)

    response = login(cast.secretary).post(
        reverse("decision_revoke", args=[original.pk]), {"dossiers": [dossier.pk], "reason": ""}
    )

    assert response.status_code == 422
    assert not Decision.objects.filter(kind=Decision.Kind.REVOCATION).exists()


def test_removing_a_malformed_item_from_a_draft_answers_400(period, unit_a, cast):
    dossier = dossier_in(State.RECOMMENDED, period, unit_a)
    draft = decisions.prepare_decision(
        person=cast.secretary, award_type=dossier.award_type, dossier_ids=[dossier.pk]
    )

    response = login(cast.secretary).post(
        reverse("decision_remove_item", args=[draft.pk]), {"dossier": "not-a-number"}
    )

    assert response.status_code == 400
    assert draft.items.count() == 1


def test_a_signing_device_failure_answers_502_and_leaves_the_draft_unsigned(period, unit_a, cast):
    dossier = dossier_in(State.RECOMMENDED, period, unit_a)
    draft = decisions.prepare_decision(
        person=cast.secretary, award_type=dossier.award_type, dossier_ids=[dossier.pk]
    )
    own_certificate(cast.principal)

    with mock.patch.object(decisions, "sign_pdf", side_effect=SigningFailed("token removed")):
        response = login(cast.principal).post(reverse("decision_sign", args=[draft.pk]))

    assert response.status_code == 502
    draft.refresh_from_db()
    dossier.refresh_from_db()
    assert (draft.state, dossier.state) == (Decision.State.DRAFT, State.RECOMMENDED)
