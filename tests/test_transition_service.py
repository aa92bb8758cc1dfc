"""The one door: what a transition does, and what a refused one leaves untouched."""

import pytest

from audit.log import verify_institution
from audit.models import AuditEvent
from dossiers.models import State
from tests.conftest import make_dossier
from tests.factories import audit_mark, dossier_in, events_after
from workflow import services
from workflow.errors import GuardFailed, IllegalTransition, NotPermitted, StaleVersion


def test_unit_head_submits_a_complete_draft(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)
    moved = services.transition(
        dossier_id=dossier.pk, action="submit", person=head_a, expected_version=1
    )
    assert moved.state == State.SUBMITTED
    assert moved.version == 2
    event = AuditEvent.objects.get(action="dossier.submitted")
    assert (event.from_state, event.to_state, event.role) == ("draft", "submitted", "unit_head")
    assert event.actor == head_a
    assert verify_institution(period.institution).intact


def test_reviewer_return_needs_a_reason_and_changes_nothing_without_one(period, unit_a, reviewer):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    mark = audit_mark()
    with pytest.raises(GuardFailed) as refused:
        services.transition(
            dossier_id=dossier.pk,
            action="return_for_revision",
            person=reviewer,
            expected_version=2,  # created 1, submitted 2
            reason="  ",
        )
    assert refused.value.reasons_vi == ["Phải nêu lý do cho thao tác này."]
    assert refused.value.reasons_en == ["A reason is required for this action."]
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (State.SUBMITTED, 2)
    assert not events_after(mark).exists()


def test_stale_version_is_refused(period, unit_a, reviewer):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    with pytest.raises(StaleVersion):
        services.transition(
            dossier_id=dossier.pk, action="approve", person=reviewer, expected_version=7
        )


def test_unit_head_cannot_submit_another_units_dossier(period, unit_a, head_b):
    dossier = make_dossier(period, unit_a)
    with pytest.raises(NotPermitted):
        services.transition(
            dossier_id=dossier.pk, action="submit", person=head_b, expected_version=1
        )


def test_approving_a_draft_is_illegal(period, unit_a, reviewer):
    dossier = make_dossier(period, unit_a)
    with pytest.raises(IllegalTransition):
        services.transition(
            dossier_id=dossier.pk, action="approve", person=reviewer, expected_version=1
        )


def test_submit_lists_missing_documents(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a, documents=False)
    with pytest.raises(GuardFailed) as refused:
        services.transition(
            dossier_id=dossier.pk, action="submit", person=head_a, expected_version=1
        )
    assert "Báo cáo thành tích" in refused.value.reasons_vi[0]
    assert "Achievement report" in refused.value.reasons_en[0]


def test_suspend_then_resume_returns_to_the_state_it_was_in(period, unit_a, reviewer):
    dossier = dossier_in(State.REVIEWED, period, unit_a)
    services.transition(
        dossier_id=dossier.pk,
        action="suspend",
        person=reviewer,
        expected_version=3,  # created 1, submitted 2, reviewed 3
        reason="Đang xem xét đơn tố cáo",
    )
    resumed = services.transition(
        dossier_id=dossier.pk,
        action="resume",
        person=reviewer,
        expected_version=4,
        reason="Đơn tố cáo không có cơ sở",
    )
    assert resumed.state == State.REVIEWED
    assert resumed.state_before_suspension == ""
