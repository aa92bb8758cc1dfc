"""Separation of duties: nobody reviews their own case, the auditor stays independent, and each
institution chooses, audited, whether a rule blocks or only warns and records."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit import log
from audit.models import AuditEvent
from decisions.notices import file_objection
from dossiers.delegations import create_delegation
from dossiers.models import Delegation, Dossier, Role, State
from tests.conftest import make_person
from tests.factories import (
    Cast,
    act,
    audit_mark,
    dossier_in,
    draft,
    events_after,
    login,
    own_certificate,
    signing_certificate,
)
from workflow import assignment, process, separation
from workflow.errors import NotPermitted, SeparationRefused
from workflow.models import SeparationRule

TODAY = timezone.localdate()
NEXT_MONTH = TODAY + datetime.timedelta(days=30)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def lend(delegator, delegate, role):
    """A delegation in force, stored as it stood before the rules (the service now refuses some)."""
    return Delegation.objects.create(
        institution=delegator.institution, delegator=delegator, delegate=delegate, role=role,
        starts_on=TODAY, ends_on=NEXT_MONTH, reason="Đi công tác",
    )  # fmt: skip


def warn_only(institution, rule):
    separation.save_rule(
        institution=institution, rule=rule, mode=SeparationRule.Mode.WARN, basis="",
        actor=log.SYSTEM,
    )  # fmt: skip


def state_of(dossier) -> str:
    return Dossier.objects.get(pk=dossier.pk).state


# --- Nobody reviews their own case ----------------------------------------------------------


def test_a_unit_head_lent_the_reviewer_role_cannot_approve_his_own_units_dossier(
    media, institution, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    head = Cast(institution).head_of(unit_a)
    lend(Cast(institution).reviewer, head, Role.REVIEWER)
    mark = audit_mark()

    with pytest.raises(SeparationRefused) as refused:
        act(dossier, "approve", head)

    assert state_of(dossier) == State.SUBMITTED
    assert not events_after(mark).exists()
    assert refused.value.http_status == 403
    assert any("heads the unit" in reason for reason in refused.value.reasons_en)
    assert any("đứng đầu đơn vị" in reason for reason in refused.value.reasons_vi)


def test_the_dossier_page_refuses_a_unit_head_approving_his_own_units_dossier(
    media, institution, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    head = Cast(institution).head_of(unit_a)
    lend(Cast(institution).reviewer, head, Role.REVIEWER)

    response = login(head).post(
        reverse("dossier_act", args=[dossier.pk, "approve"]),
        {"version": dossier.version},
        follow=True,
    )

    assert state_of(dossier) == State.SUBMITTED
    assert "created this dossier" in response.content.decode() or "đã lập hồ sơ này" in (
        response.content.decode()
    )


def test_a_reviewer_who_is_the_nominee_cannot_return_his_own_dossier(
    media, institution, period, unit_a
):
    reviewer = make_person(institution, unit_a, roles=[Role.REVIEWER])
    dossier = dossier_in(State.SUBMITTED, period, unit_a, nominee=reviewer)

    with pytest.raises(SeparationRefused) as refused:
        act(dossier, "return_for_revision", reviewer, reason="Thiếu minh chứng.")

    assert state_of(dossier) == State.SUBMITTED
    assert any("is the nominee" in reason for reason in refused.value.reasons_en)


def test_a_reviewer_who_created_the_dossier_cannot_decline_it(media, institution, period, unit_a):
    creator = make_person(institution, unit_a, roles=[Role.UNIT_HEAD, Role.REVIEWER],
                          role_unit=unit_a)  # fmt: skip
    dossier = act(draft(period, unit_a, by=creator), "submit", creator)

    with pytest.raises(SeparationRefused):
        act(dossier, "decline", creator, reason="Không đủ tiêu chuẩn.")

    assert state_of(dossier) == State.SUBMITTED


def test_a_delegate_cannot_approve_the_case_of_the_reviewer_who_lent_him_the_role(
    media, institution, period, unit_a, unit_b
):
    reviewer = make_person(institution, unit_a, roles=[Role.REVIEWER])
    dossier = dossier_in(State.SUBMITTED, period, unit_a, nominee=reviewer)
    colleague = make_person(institution, unit_b)
    lend(reviewer, colleague, Role.REVIEWER)

    with pytest.raises(SeparationRefused) as refused:
        act(dossier, "approve", colleague)

    assert state_of(dossier) == State.SUBMITTED
    assert any(reviewer.full_name in reason for reason in refused.value.reasons_en)


def test_an_unrelated_reviewer_approves_without_any_separation_event(
    media, institution, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    mark = audit_mark()

    act(dossier, "approve", Cast(institution).reviewer)

    assert state_of(dossier) == State.REVIEWED
    assert list(events_after(mark).values_list("action", flat=True)) == ["dossier.approved"]


def test_where_the_rule_only_warns_the_approval_goes_ahead_and_the_warning_is_recorded(
    media, institution, period, unit_a
):
    warn_only(institution, separation.OWN_CASE_REVIEW)
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    head = Cast(institution).head_of(unit_a)
    lend(Cast(institution).reviewer, head, Role.REVIEWER)
    mark = audit_mark()

    act(dossier, "approve", head)

    assert state_of(dossier) == State.REVIEWED
    warning, approval = events_after(mark).order_by("sequence")
    assert (warning.action, approval.action) == ("separation.warning_recorded", "dossier.approved")
    assert warning.payload["rule"] == separation.OWN_CASE_REVIEW
    assert warning.payload["action"] == "approve"
    assert warning.actor == head and warning.object_id == str(dossier.pk)


# --- The auditor stays independent ----------------------------------------------------------


def test_no_role_can_be_lent_to_an_auditor(institution, reviewer, auditor):
    mark = audit_mark()

    with pytest.raises(ValidationError) as refused:
        create_delegation(
            delegator=reviewer, delegate=auditor, role=Role.REVIEWER, starts_on=TODAY,
            ends_on=NEXT_MONTH, reason="Đi công tác",
        )  # fmt: skip

    assert "giữ vai trò kiểm tra" in refused.value.message_dict["delegate"][0]
    assert not Delegation.objects.exists()
    assert not events_after(mark).exists()


def test_the_delegation_page_says_why_an_auditor_cannot_be_a_delegate(
    institution, reviewer, auditor
):
    response = login(reviewer).post(
        reverse("delegation_create"),
        {"delegate": auditor.pk, "role": Role.REVIEWER, "starts_on": TODAY.isoformat(),
         "ends_on": NEXT_MONTH.isoformat(), "reason": "Đi công tác"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "kiểm tra" in response.content.decode()  # "holds the auditor role" in Vietnamese
    assert not Delegation.objects.exists()


def test_an_auditor_lent_the_reviewer_role_cannot_return_a_dossier(
    media, institution, period, unit_a, reviewer, auditor
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    lend(reviewer, auditor, Role.REVIEWER)
    mark = audit_mark()

    with pytest.raises(SeparationRefused) as refused:
        act(dossier, "return_for_revision", auditor, reason="Thiếu minh chứng.")

    assert state_of(dossier) == State.SUBMITTED
    assert not events_after(mark).exists()
    assert any("auditor role" in reason for reason in refused.value.reasons_en)


def test_an_auditor_who_also_holds_the_reviewer_role_cannot_review(
    media, institution, period, unit_a, unit_b
):
    both = make_person(institution, unit_b, roles=[Role.AUDITOR, Role.REVIEWER])
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    with pytest.raises(SeparationRefused):
        act(dossier, "return_for_revision", both, reason="Thiếu minh chứng.")

    assert state_of(dossier) == State.SUBMITTED


def test_an_auditor_lent_the_reviewer_role_cannot_take_a_review_task(
    media, institution, period, unit_a, reviewer, auditor
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    lend(reviewer, auditor, Role.REVIEWER)
    task = process.open_tasks(dossier).get()
    mark = audit_mark()

    with pytest.raises(NotPermitted):
        assignment.take(task_id=task.pk, person=auditor)

    assert process.open_tasks(dossier).get().owner_id is None
    assert not events_after(mark).exists()


def test_an_auditor_cannot_file_an_objection(media, institution, period, unit_a, auditor):
    dossier = dossier_in(State.PUBLIC_NOTICE, period, unit_a)
    mark = audit_mark()

    with pytest.raises(SeparationRefused):
        file_objection(notice_id=dossier.notices.get().pk, person=auditor, text="Không đúng.")

    assert not dossier.notices.get().objections.exists()
    assert not events_after(mark).exists()


def test_where_auditor_independence_only_warns_an_auditors_review_is_recorded(
    media, institution, period, unit_a, reviewer, auditor
):
    warn_only(institution, separation.AUDITOR_INDEPENDENT)
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    lend(reviewer, auditor, Role.REVIEWER)
    mark = audit_mark()

    act(dossier, "return_for_revision", auditor, reason="Thiếu minh chứng.")

    assert state_of(dossier) == State.RETURNED
    warning = events_after(mark).get(action="separation.warning_recorded")
    assert warning.payload["rule"] == separation.AUDITOR_INDEPENDENT


# --- The rules are data, changed with an audit event ----------------------------------------


def test_every_rule_applies_its_default_until_the_institution_changes_it(institution):
    assert separation.modes(institution.pk) == {
        separation.OWN_CASE_REVIEW: "block",
        separation.AUDITOR_INDEPENDENT: "block",
        separation.COUNCIL_RECUSAL: "block",
        separation.SIGNER_AWARDED: "warn",
    }


def test_changing_a_rule_is_audited_with_the_old_and_new_mode(institution, principal):
    mark = audit_mark()

    separation.save_rule(
        institution=institution, rule=separation.SIGNER_AWARDED, mode="block",
        basis="Quy chế thi đua của trường", actor=log.Actor(person=principal, role="principal"),
    )  # fmt: skip

    event = events_after(mark).get()
    assert event.action == "separation.rule_changed"
    assert event.payload["changes"]["mode"] == ["warn", "block"]
    assert separation.mode(institution.pk, separation.SIGNER_AWARDED) == "block"


def test_the_admin_changes_a_rule_through_the_audited_service(institution, admin_client):
    response = admin_client.post(
        reverse("admin:workflow_separationrule_add"),
        {"institution": institution.pk, "rule": separation.OWN_CASE_REVIEW, "mode": "warn",
         "basis": ""},
    )  # fmt: skip

    assert response.status_code == 302
    assert separation.mode(institution.pk, separation.OWN_CASE_REVIEW) == "warn"
    assert AuditEvent.objects.filter(action="separation.rule_changed").count() == 1


# --- The signer among the awardees ----------------------------------------------------------


def principal_nominated(institution, period, unit_a):
    """A recommended dossier nominating the principal himself, and its draft decision; the
    principal has a signing certificate of his own."""
    from decisions.services import prepare_decision

    cast = Cast(institution)
    own_certificate(cast.principal)
    dossier = dossier_in(State.RECOMMENDED, period, cast.office, nominee=cast.principal)
    decision = prepare_decision(
        person=cast.secretary, award_type=dossier.award_type, dossier_ids=[dossier.pk]
    )
    return dossier, decision


def test_a_principal_among_the_awardees_cannot_sign_without_acknowledging_it(
    media, institution, period, unit_a
):
    from decisions.services import sign_decision
    from workflow.errors import GuardFailed

    signing_certificate()
    dossier, decision = principal_nominated(institution, period, unit_a)
    mark = audit_mark()

    with pytest.raises(GuardFailed) as refused:
        sign_decision(decision_id=decision.pk, person=Cast(institution).principal)

    assert state_of(dossier) == State.RECOMMENDED
    assert not events_after(mark).exists()
    assert any("is the nominee" in reason for reason in refused.value.reasons_en)


def test_an_acknowledged_own_award_is_signed_and_the_acknowledgement_recorded(
    media, institution, period, unit_a
):
    from decisions.services import sign_decision

    signing_certificate()
    dossier, decision = principal_nominated(institution, period, unit_a)
    mark = audit_mark()

    sign_decision(
        decision_id=decision.pk, person=Cast(institution).principal, acknowledge_own_award=True
    )

    assert state_of(dossier) == State.SIGNED
    warning = events_after(mark).get(action="separation.warning_recorded")
    assert warning.payload["rule"] == separation.SIGNER_AWARDED
    assert warning.payload["acknowledged"] is True
    assert warning.object_type == "decision" and warning.object_id == str(decision.pk)


def test_where_the_rule_blocks_a_principal_cannot_sign_his_own_award(
    media, institution, period, unit_a
):
    from decisions.services import sign_decision

    signing_certificate()
    separation.save_rule(institution=institution, rule=separation.SIGNER_AWARDED, mode="block",
                         basis="", actor=log.SYSTEM)  # fmt: skip
    dossier, decision = principal_nominated(institution, period, unit_a)

    with pytest.raises(SeparationRefused):
        sign_decision(
            decision_id=decision.pk, person=Cast(institution).principal, acknowledge_own_award=True
        )

    assert state_of(dossier) == State.RECOMMENDED


def test_the_decision_page_asks_the_principal_to_acknowledge_his_own_award(
    media, institution, period, unit_a
):
    signing_certificate()
    dossier, decision = principal_nominated(institution, period, unit_a)
    client = login(Cast(institution).principal)

    page = client.get(reverse("decision_detail", args=[decision.pk])).content.decode()
    refused = client.post(reverse("decision_sign", args=[decision.pk]))
    signed = client.post(
        reverse("decision_sign", args=[decision.pk]), {"acknowledge_own_award": "on"}
    )

    assert 'name="acknowledge_own_award"' in page
    assert refused.status_code == 422
    assert signed.status_code == 302
    assert state_of(dossier) == State.SIGNED


def test_the_anomalies_page_lists_an_acknowledged_own_award(media, institution, period, unit_a):
    from decisions.services import sign_decision

    signing_certificate()
    _dossier, decision = principal_nominated(institution, period, unit_a)
    principal = Cast(institution).principal
    sign_decision(decision_id=decision.pk, person=principal, acknowledge_own_award=True)
    auditor = make_person(institution, unit_a, roles=[Role.AUDITOR])

    page = login(auditor).get(reverse("anomaly_hints")).content.decode()

    assert f"{principal.full_name}: " in page
    assert "người được đề nghị khen thưởng" in page
