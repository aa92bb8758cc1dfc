"""Delegation (ủy quyền): who may lend which role, and what the delegate may then do and see."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from viewflow.workflow.models import Task

from audit.models import AuditEvent
from dossiers.delegations import create_delegation, end_delegation
from dossiers.models import Delegation, Person, Role, RoleAssignment, State
from tests import factories
from tests.conftest import make_dossier, make_person, make_unit
from tests.factories import audit_mark, dossier_in, events_after
from workflow import process, services, steps
from workflow.backends import StepPermissionBackend
from workflow.errors import NotPermitted

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)
NEXT_WEEK = TODAY + datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def english():
    """Refusal messages are compared in English, whatever the Vietnamese catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def vice_principal(institution, unit_b):
    return make_person(
        institution, unit_b, roles=[Role.VICE_PRINCIPAL], username="vice", full_name="Phạm Văn Phó"
    )


@pytest.fixture
def recommended(period, unit_a):
    return dossier_in(State.RECOMMENDED, period, unit_a)


def lend(delegator, delegate, role=Role.PRINCIPAL, starts_on=TODAY, ends_on=NEXT_WEEK, **kw):
    kw.setdefault("reason", "Đi công tác nước ngoài")
    return create_delegation(
        delegator=delegator, delegate=delegate, role=role, starts_on=starts_on, ends_on=ends_on,
        **kw,
    )  # fmt: skip


def fresh(person: Person) -> Person:
    """The person as a new request loads them, without roles cached from earlier checks."""
    return Person.objects.select_related("institution", "user").get(pk=person.pk)


def sign(dossier, person):
    """The person signs a decision naming the dossier (prepared by the council's secretary)."""
    return factories.sign(dossier, fresh(person))


def assert_unchanged(dossier, mark: int):
    """The dossier is as it was, with no event of a dossier after `mark` (audit_mark)."""
    stored = type(dossier).objects.get(pk=dossier.pk)
    assert (stored.state, stored.version) == (dossier.state, dossier.version)
    assert not events_after(mark).filter(object_type="dossier").exists()


def events(action: str):
    return AuditEvent.objects.filter(action=action)


# What the delegate may do


def test_a_vice_principal_holding_the_principals_delegation_signs_a_recommended_dossier(
    principal, vice_principal, recommended
):
    lend(principal, vice_principal)

    signed = sign(recommended, vice_principal)

    assert signed.state == State.SIGNED


def test_a_delegated_signature_is_audited_as_the_delegate_on_behalf_of_the_principal(
    principal, vice_principal, recommended
):
    lend(principal, vice_principal)

    sign(recommended, vice_principal)

    event = events("dossier.signed").get()
    assert event.actor == vice_principal
    assert event.on_behalf_of == principal
    assert event.role == "principal"


def test_a_delegation_that_ended_yesterday_no_longer_lets_the_delegate_sign(
    institution, principal, vice_principal, recommended
):
    # Set up directly: the service refuses to record a delegation that is already over.
    Delegation.objects.create(
        institution=institution, delegator=principal, delegate=vice_principal,
        role=Role.PRINCIPAL, starts_on=TODAY - datetime.timedelta(days=10), ends_on=YESTERDAY,
        reason="Nghỉ phép",
    )  # fmt: skip

    mark = audit_mark()

    with pytest.raises(NotPermitted):
        sign(recommended, vice_principal)

    assert_unchanged(recommended, mark)


def test_a_delegation_starting_tomorrow_does_not_let_the_delegate_sign_today(
    principal, vice_principal, recommended
):
    lend(principal, vice_principal, starts_on=TOMORROW)

    mark = audit_mark()

    with pytest.raises(NotPermitted):
        sign(recommended, vice_principal)

    assert_unchanged(recommended, mark)


def test_a_delegation_ended_early_no_longer_lets_the_delegate_sign(
    principal, vice_principal, recommended
):
    delegation = lend(principal, vice_principal)
    end_delegation(delegation_id=delegation.pk, person=principal)

    mark = audit_mark()

    with pytest.raises(NotPermitted):
        sign(recommended, vice_principal)

    assert_unchanged(recommended, mark)


def test_a_delegation_gives_nothing_once_the_delegator_no_longer_holds_the_role(
    principal, vice_principal, recommended
):
    lend(principal, vice_principal)
    RoleAssignment.objects.filter(person=principal, role=Role.PRINCIPAL).update(valid_to=YESTERDAY)

    mark = audit_mark()

    with pytest.raises(NotPermitted):
        sign(recommended, vice_principal)

    assert_unchanged(recommended, mark)


def test_a_delegated_unit_head_role_lets_the_delegate_submit_their_units_dossier(
    institution, period, unit_a, head_a
):
    deputy = make_person(institution, unit_a, full_name="Phó Khoa Toán")
    draft = make_dossier(period, unit_a)
    lend(head_a, deputy, role=Role.UNIT_HEAD)

    submitted = services.transition(
        dossier_id=draft.pk, action="submit", person=fresh(deputy), expected_version=draft.version
    )

    assert submitted.state == State.SUBMITTED
    assert events("dossier.submitted").get().on_behalf_of == head_a


def test_a_delegated_unit_head_role_does_not_reach_another_units_dossier(
    institution, period, unit_a, unit_b, head_a, head_b
):
    deputy = make_person(institution, unit_a, full_name="Phó Khoa Toán")
    other_draft = make_dossier(period, unit_b)
    lend(head_a, deputy, role=Role.UNIT_HEAD)

    mark = audit_mark()

    with pytest.raises(NotPermitted):
        services.transition(
            dossier_id=other_draft.pk, action="submit", person=fresh(deputy),
            expected_version=other_draft.version,
        )  # fmt: skip

    assert_unchanged(other_draft, mark)


# What the delegate sees in viewflow


def decide_permission(dossier) -> str:
    return steps.step_permission(
        steps.DECIDE, institution_id=dossier.institution_id, unit_id=dossier.unit_id
    )


def step_permissions(person) -> set[str]:
    return StepPermissionBackend().get_all_permissions(fresh(person).user)


def queue_of(person):
    return Task.objects.user_queue(fresh(person).user).filter(status="NEW")


def test_the_delegate_holds_the_principals_decide_permission_while_the_delegation_lasts(
    principal, vice_principal, recommended
):
    lend(principal, vice_principal)

    assert decide_permission(recommended) in step_permissions(vice_principal)


def test_the_delegate_does_not_hold_the_decide_permission_before_the_delegation_starts(
    principal, vice_principal, recommended
):
    lend(principal, vice_principal, starts_on=TOMORROW)

    assert decide_permission(recommended) not in step_permissions(vice_principal)


def test_the_delegate_no_longer_holds_the_decide_permission_once_it_is_ended(
    principal, vice_principal, recommended
):
    delegation = lend(principal, vice_principal)
    end_delegation(delegation_id=delegation.pk, person=principal)

    assert decide_permission(recommended) not in step_permissions(vice_principal)


def test_the_dossiers_decide_task_is_in_the_delegates_queue_while_the_delegation_lasts(
    principal, vice_principal, recommended
):
    lend(principal, vice_principal)
    (task,) = process.open_tasks(recommended)

    assert process.step_of(task) == steps.DECIDE
    assert task in queue_of(vice_principal)


def test_the_dossiers_decide_task_is_not_in_the_delegates_queue_before_it_starts(
    principal, vice_principal, recommended
):
    lend(principal, vice_principal, starts_on=TOMORROW)

    assert not queue_of(vice_principal).exists()


# Recording a delegation


def test_a_delegation_is_stored_with_its_dates_and_reason(principal, vice_principal):
    delegation = lend(principal, vice_principal, reason="  Đi công tác  ")

    stored = Delegation.objects.get(pk=delegation.pk)
    assert (stored.delegator, stored.delegate, stored.role) == (
        principal,
        vice_principal,
        Role.PRINCIPAL,
    )
    assert (stored.starts_on, stored.ends_on) == (TODAY, NEXT_WEEK)
    assert stored.reason == "Đi công tác"
    assert stored.institution_id == principal.institution_id


def test_creating_a_delegation_records_delegation_created(principal, vice_principal):
    delegation = lend(principal, vice_principal, client_address="10.0.0.7")

    event = events("delegation.created").get()
    assert (event.object_type, event.object_id) == ("delegation", str(delegation.pk))
    assert (event.actor, event.role, event.client_address) == (principal, "principal", "10.0.0.7")
    assert event.payload == {
        "delegator_id": principal.pk,
        "delegator": principal.full_name,
        "delegate_id": vice_principal.pk,
        "delegate": "Phạm Văn Phó",
        "role": "principal",
        "starts_on": TODAY.isoformat(),
        "ends_on": NEXT_WEEK.isoformat(),
        "reason": "Đi công tác nước ngoài",
        "revoked_at": None,
    }


def test_a_role_that_starts_later_can_be_delegated_from_its_first_day(
    institution, unit_b, vice_principal
):
    incoming = make_person(institution, unit_b, full_name="Hiệu trưởng mới")
    RoleAssignment.objects.create(
        institution=institution, person=incoming, role=Role.PRINCIPAL, valid_from=TOMORROW
    )

    delegation = lend(incoming, vice_principal, starts_on=TOMORROW)

    assert Delegation.objects.filter(pk=delegation.pk).exists()


def test_a_delegation_may_follow_an_earlier_one_without_overlapping(principal, vice_principal):
    lend(principal, vice_principal, ends_on=TOMORROW)

    lend(principal, vice_principal, starts_on=TOMORROW + datetime.timedelta(days=1))

    assert Delegation.objects.count() == 2


def test_a_delegation_ended_early_does_not_block_a_new_one_for_the_same_days(
    principal, vice_principal
):
    earlier = lend(principal, vice_principal)
    end_delegation(delegation_id=earlier.pk, person=principal)

    lend(principal, vice_principal)

    assert Delegation.objects.filter(revoked_at__isnull=True).count() == 1


# Refusals: nothing stored, nothing audited


def assert_refused(field: str, **overrides) -> ValidationError:
    arguments = {"reason": "Đi công tác"} | overrides
    with pytest.raises(ValidationError) as refused:
        create_delegation(client_address="", **arguments)
    assert field in refused.value.message_dict
    assert not Delegation.objects.exists()
    assert not events("delegation.created").exists()
    return refused.value


def arguments_for(delegator, delegate, **overrides) -> dict:
    return {
        "delegator": delegator,
        "delegate": delegate,
        "role": Role.PRINCIPAL,
        "starts_on": TODAY,
        "ends_on": NEXT_WEEK,
    } | overrides


def test_a_person_cannot_delegate_a_role_they_do_not_hold(reviewer, vice_principal):
    error = assert_refused("role", **arguments_for(reviewer, vice_principal))

    assert error.message_dict["role"] == ["You can only delegate a role you hold."]


def test_a_person_cannot_delegate_a_role_that_ended(principal, vice_principal):
    RoleAssignment.objects.filter(person=principal, role=Role.PRINCIPAL).update(valid_to=YESTERDAY)

    assert_refused("role", **arguments_for(principal, vice_principal))


def test_a_delegate_cannot_pass_a_delegated_role_on(institution, unit_b, principal, vice_principal):
    lend(principal, vice_principal)
    other_vice = make_person(institution, unit_b, roles=[Role.VICE_PRINCIPAL])

    with pytest.raises(ValidationError) as refused:
        lend(fresh(vice_principal), other_vice)

    assert refused.value.message_dict["role"] == ["You can only delegate a role you hold."]
    assert Delegation.objects.count() == 1


def test_a_council_members_ballot_cannot_be_delegated(council_member, reviewer):
    error = assert_refused(
        "role", **arguments_for(council_member, reviewer, role=Role.COUNCIL_MEMBER)
    )

    assert error.message_dict["role"] == ["This role cannot be delegated."]


def test_a_person_cannot_delegate_to_themselves(principal):
    assert_refused("delegate", **arguments_for(principal, principal))


def test_a_person_cannot_delegate_to_someone_of_another_institution(principal, other_institution):
    outsider_unit = make_unit(other_institution, "khoa-x", "Khoa X")
    outsider = make_person(other_institution, outsider_unit, roles=[Role.VICE_PRINCIPAL])

    assert_refused("delegate", **arguments_for(principal, outsider))


def test_a_person_cannot_delegate_to_someone_without_a_user_account(institution, unit_b, head_b):
    no_login = Person.objects.create(
        institution=institution, unit=unit_b, full_name="Không Tài Khoản", gender="male"
    )

    assert_refused("delegate", **arguments_for(head_b, no_login, role=Role.UNIT_HEAD))


def test_the_principals_role_can_only_be_delegated_to_a_vice_principal(principal, reviewer):
    error = assert_refused("delegate", **arguments_for(principal, reviewer))

    assert "Vice principal" in error.message_dict["delegate"][0]


def test_a_delegation_cannot_end_before_it_starts(principal, vice_principal):
    assert_refused(
        "ends_on", **arguments_for(principal, vice_principal, starts_on=NEXT_WEEK, ends_on=TOMORROW)
    )


def test_a_delegation_cannot_be_recorded_once_it_would_already_be_over(principal, vice_principal):
    assert_refused(
        "ends_on",
        **arguments_for(
            principal,
            vice_principal,
            starts_on=YESTERDAY - datetime.timedelta(1),
            ends_on=YESTERDAY,
        ),
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_delegation_needs_a_reason(principal, vice_principal, reason):
    assert_refused("reason", **arguments_for(principal, vice_principal), reason=reason)


def test_a_delegation_overlapping_one_of_the_same_role_is_refused(
    institution, unit_b, principal, vice_principal
):
    lend(principal, vice_principal, starts_on=TODAY, ends_on=NEXT_WEEK)
    second_vice = make_person(institution, unit_b, roles=[Role.VICE_PRINCIPAL])

    with pytest.raises(ValidationError) as refused:
        lend(principal, second_vice, starts_on=TOMORROW, ends_on=NEXT_WEEK + datetime.timedelta(9))

    assert "Phạm Văn Phó" in refused.value.messages[0]
    assert Delegation.objects.count() == 1
    assert events("delegation.created").count() == 1


def test_every_refusal_is_reported_at_once(principal):
    with pytest.raises(ValidationError) as refused:
        create_delegation(
            delegator=principal, delegate=principal, role=Role.AUDITOR,
            starts_on=NEXT_WEEK, ends_on=TODAY, reason="",
        )  # fmt: skip

    assert set(refused.value.message_dict) == {"role", "delegate", "ends_on", "reason"}


# Ending a delegation early


def test_the_delegator_ends_a_delegation_early(principal, vice_principal):
    delegation = lend(principal, vice_principal)

    end_delegation(delegation_id=delegation.pk, person=fresh(principal), client_address="10.0.0.8")

    assert Delegation.objects.get(pk=delegation.pk).revoked_at is not None


def test_ending_a_delegation_records_delegation_ended(principal, vice_principal):
    delegation = lend(principal, vice_principal)

    end_delegation(delegation_id=delegation.pk, person=fresh(principal))

    event = events("delegation.ended").get()
    assert (event.object_type, event.object_id) == ("delegation", str(delegation.pk))
    assert (event.actor, event.role) == (principal, "principal")
    assert event.payload["delegate_id"] == vice_principal.pk
    assert event.payload["revoked_at"] is not None


def test_the_delegate_cannot_end_the_delegation(principal, vice_principal):
    delegation = lend(principal, vice_principal)

    with pytest.raises(NotPermitted):
        end_delegation(delegation_id=delegation.pk, person=fresh(vice_principal))

    assert Delegation.objects.get(pk=delegation.pk).revoked_at is None
    assert not events("delegation.ended").exists()


def test_a_person_of_another_institution_cannot_end_the_delegation(
    principal, vice_principal, other_institution
):
    delegation = lend(principal, vice_principal)
    outsider = make_person(other_institution, make_unit(other_institution), roles=[Role.PRINCIPAL])

    with pytest.raises(NotPermitted):
        end_delegation(delegation_id=delegation.pk, person=outsider)

    assert Delegation.objects.get(pk=delegation.pk).revoked_at is None


def test_an_administrator_ends_someone_elses_delegation(
    institution, unit_b, principal, vice_principal
):
    delegation = lend(principal, vice_principal)
    it_staff = make_person(institution, unit_b, full_name="Cán bộ CNTT")
    it_staff.user.is_superuser = True
    it_staff.user.save()

    end_delegation(delegation_id=delegation.pk, person=fresh(it_staff))

    assert Delegation.objects.get(pk=delegation.pk).revoked_at is not None
    assert events("delegation.ended").get().role == "administrator"


def test_a_delegation_that_was_ended_cannot_be_ended_again(principal, vice_principal):
    delegation = lend(principal, vice_principal)
    end_delegation(delegation_id=delegation.pk, person=fresh(principal))

    with pytest.raises(ValidationError):
        end_delegation(delegation_id=delegation.pk, person=fresh(principal))

    assert events("delegation.ended").count() == 1


# Racing requests (PostgreSQL)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_delegations_made_at_once_store_only_one(
    institution, unit_b, principal, vice_principal
):
    from tests.test_concurrency import run_together

    vices = [vice_principal, make_person(institution, unit_b, roles=[Role.VICE_PRINCIPAL])]

    results = run_together(2, lambda i: lend(fresh(principal), fresh(vices[i])))

    assert sorted(type(r).__name__ for r in results) == ["Delegation", "ValidationError"]
    assert Delegation.objects.count() == 1
