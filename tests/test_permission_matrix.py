"""Who may do what, where: `permissions.may` against one table written out here.

The table is the specification (design.md, "Users and roles"), copied by hand and never read from
workflow.permissions or workflow.transitions, so a role added to or dropped from an action makes
these tests fail. Each role is held by one person of unit A; the objects are of unit A (their own
unit), of unit B (another unit) and of another institution.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from council.models import Meeting
from decisions.models import Decision
from dossiers.models import AwardType, Delegation, Period, Role, RoleAssignment, State
from tests.conftest import make_dossier, make_person, make_unit
from tests.factories import audit_mark, dossier_in, events_after
from tests.test_lifecycle_matrix import perform
from tests.test_permissions import legal_dossier
from workflow import permissions
from workflow.permissions import CAPABILITIES
from workflow.transitions import TRANSITIONS

R = Role
REVIEWERS = {R.REVIEWER, R.LEAD_REVIEWER}
OFFICERS = {R.REVIEWER, R.LEAD_REVIEWER, R.COUNCIL_SECRETARY, R.PRINCIPAL, R.VICE_PRINCIPAL,
            R.AUDITOR}  # fmt: skip

# action -> the roles that may perform it. Lifecycle actions first, then capabilities.
MAY = {
    "submit": {R.UNIT_HEAD},
    "return_for_revision": REVIEWERS,
    "resubmit": {R.UNIT_HEAD},
    "approve": REVIEWERS,
    "decline": REVIEWERS,
    "withdraw": {R.UNIT_HEAD},
    "suspend": REVIEWERS | {R.PRINCIPAL},
    "resume": REVIEWERS | {R.PRINCIPAL},
    "open_vote": {R.COUNCIL_SECRETARY},
    "close_vote": {R.COUNCIL_SECRETARY},
    "publish": {R.COUNCIL_SECRETARY},
    "sign": {R.PRINCIPAL},
    "submit_upward": {R.PRINCIPAL},
    "record_outcome": REVIEWERS,
    "return_to_council": {R.PRINCIPAL},
    "revoke": {R.PRINCIPAL},
    "dossier.create": {R.UNIT_HEAD},
    "dossier.edit": {R.UNIT_HEAD},
    "dossier.view_all": OFFICERS,
    "dossier.view_council_stage": {R.COUNCIL_MEMBER},
    "dossier.review": REVIEWERS,
    "unit_meeting.record": {R.UNIT_HEAD},
    "meeting.view_all": OFFICERS,
    "meeting.manage": {R.COUNCIL_SECRETARY},
    "ballot.cast": {R.COUNCIL_MEMBER},
    "decision.read": OFFICERS,
    "decision.prepare": {R.COUNCIL_SECRETARY, R.PRINCIPAL},
    "decision.sign": {R.PRINCIPAL},
    "upward.read": OFFICERS,
    "upward.submit": {R.PRINCIPAL},
    "upward.record_outcome": REVIEWERS,
    "notice.manage": {R.COUNCIL_SECRETARY},
    "trail.read": {R.AUDITOR, R.PRINCIPAL},
    "trail.export": {R.AUDITOR, R.PRINCIPAL},
    "task.reassign": {R.LEAD_REVIEWER},
    "outbox.view": {R.COUNCIL_SECRETARY},
    "person.manage": {R.PERSONNEL_OFFICER},
    "rating.manage": {R.PERSONNEL_OFFICER},
    "records.import": {R.PERSONNEL_OFFICER},
    "nominees.export": {R.UNIT_HEAD} | OFFICERS,
    "delegation.give": {R.UNIT_HEAD, R.REVIEWER, R.LEAD_REVIEWER, R.COUNCIL_SECRETARY, R.PRINCIPAL},
    # A staff right (anyone with a login), except the auditor, who stays read-only.
    "notice.object": {*Role.values, "nobody"} - {R.AUDITOR},
    # The fairness statistics: every member of staff, the auditor too (reading is their work).
    "statistics.read": {*Role.values, "nobody"},
    # Movements: the principal launches them, every member of staff reads them (auditors too).
    "movement.launch": {R.PRINCIPAL},
    "movement.read": {*Role.values, "nobody"},
    "registration.manage": {R.UNIT_HEAD},
    "registration.view_all": OFFICERS,
}
# Roles that reach only their own unit's objects; every other role reaches the whole institution.
UNIT_SCOPED = {R.UNIT_HEAD}
NOBODY = "nobody"  # a member of staff without any role
# Rights of every member of staff, whatever their roles: answered as "staff", in any unit.
STAFF_RIGHTS = {"notice.object", "statistics.read", "movement.read"}
HOLDERS = [*Role.values, NOBODY]
OWN_UNIT, OTHER_UNIT, OTHER_INSTITUTION = "own unit", "other unit", "other institution"
SCOPES = (OWN_UNIT, OTHER_UNIT, OTHER_INSTITUTION)
CAPABILITY_NAMES = [a for a in MAY if a not in TRANSITIONS]
ON_MEETINGS = ["meeting.view_all", "meeting.manage", "ballot.cast"]
ON_DECISIONS = ["decision.read", "decision.prepare", "decision.sign"]
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def expected(action: str, scopes=SCOPES) -> set[tuple[str, str]]:
    """(role, scope) pairs the table permits: never another institution's object."""
    return {
        (role, scope)
        for role in MAY[action]
        for scope in scopes
        if scope == OWN_UNIT
        or (scope == OTHER_UNIT and (role not in UNIT_SCOPED or action in STAFF_RIGHTS))
    }


class World:
    """One person per role (all of unit A), and objects of each scope."""

    def __init__(self, institution, period, unit_a, unit_b, other_institution):
        self.people = {
            role: make_person(institution, unit_a, roles=[] if role == NOBODY else [role])
            for role in HOLDERS
        }
        their_unit = make_unit(other_institution, "khoa-x", "Khoa X")
        their_period = Period.objects.create(
            institution=other_institution, name="Năm 2026", kind=Period.Kind.CALENDAR_YEAR,
            starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
        )  # fmt: skip
        self.dossiers = {
            OWN_UNIT: make_dossier(period, unit_a, documents=False),
            OTHER_UNIT: make_dossier(period, unit_b, documents=False),
            OTHER_INSTITUTION: make_dossier(their_period, their_unit, documents=False),
        }
        somebody = self.people[NOBODY]
        stranger = make_person(other_institution, their_unit)
        self.meetings = {
            OWN_UNIT: self._meeting(period, somebody),
            OTHER_INSTITUTION: self._meeting(their_period, stranger),
        }
        self.decisions = {
            OWN_UNIT: self._decision(institution, somebody),
            OTHER_INSTITUTION: self._decision(other_institution, stranger),
        }

    @staticmethod
    def _meeting(period, person) -> Meeting:
        return Meeting.objects.create(
            institution=period.institution, period=period, title="Phiên họp",
            held_on=timezone.now(), place="Phòng họp", chair=person, secretary=person,
        )  # fmt: skip

    @staticmethod
    def _decision(institution, person) -> Decision:
        return Decision.objects.create(
            institution=institution, created_by=person, subject="Về việc tặng danh hiệu",
            recitals="Căn cứ …;",
            award_type=AwardType.objects.get(institution=institution, code="advanced_worker"),
        )  # fmt: skip

    def permitted(self, action: str, objects: dict) -> set[tuple[str, str]]:
        return {
            (role, scope)
            for role, person in self.people.items()
            for scope, obj in objects.items()
            if permissions.may(person, action, obj) is not None
        }


@pytest.fixture
def world(institution, period, unit_a, unit_b, other_institution) -> World:
    return World(institution, period, unit_a, unit_b, other_institution)


def test_the_table_covers_every_lifecycle_action_and_every_capability():
    assert set(MAY) == set(TRANSITIONS) | set(CAPABILITIES)


@pytest.mark.parametrize("action", list(MAY))
def test_on_a_dossier_exactly_the_roles_of_the_table_may_act_each_in_its_scope(world, action):
    assert world.permitted(action, world.dossiers) == expected(action)


@pytest.mark.parametrize("action", CAPABILITY_NAMES)
def test_anywhere_in_the_institution_exactly_the_roles_of_the_table_have_the_capability(
    world, action
):
    people = world.people.items()
    permitted = {role for role, p in people if permissions.may(p, action) is not None}

    assert permitted == MAY[action]


@pytest.mark.parametrize("action", ON_MEETINGS)
def test_on_a_meeting_exactly_the_roles_of_the_table_may_act_and_only_in_their_institution(
    world, action
):
    assert world.permitted(action, world.meetings) == expected(action, (OWN_UNIT,))


@pytest.mark.parametrize("action", ON_DECISIONS)
def test_on_a_decision_exactly_the_roles_of_the_table_may_act_and_only_in_their_institution(
    world, action
):
    assert world.permitted(action, world.decisions) == expected(action, (OWN_UNIT,))


def test_a_vice_principal_sees_every_meeting_of_the_institution_and_none_of_another(world):
    from council.selectors import visible_meetings

    assert list(visible_meetings(world.people[R.VICE_PRINCIPAL])) == [world.meetings[OWN_UNIT]]


def test_a_council_member_sees_no_meeting_they_do_not_sit_on(world):
    from council.selectors import visible_meetings

    assert list(visible_meetings(world.people[R.COUNCIL_MEMBER])) == []


@pytest.mark.parametrize("role", Role.values)
def test_may_answers_in_the_role_the_person_holds_on_no_ones_behalf(world, role):
    person = world.people[role]
    for action in [a for a in MAY if role in MAY[a] and a not in STAFF_RIGHTS]:
        acting = permissions.may(person, action, world.dossiers[OWN_UNIT])

        assert (acting.role, acting.on_behalf_of) == (role, None), action


def test_nobody_signed_in_may_do_anything(world):
    assert [a for a in MAY if permissions.may(None, a, world.dossiers[OWN_UNIT])] == []


def test_an_action_nobody_described_is_an_error_not_a_refusal(world):
    with pytest.raises(ValueError, match="unknown action"):
        permissions.may(world.people[R.PRINCIPAL], "dossier.teleport")


def test_require_raises_not_permitted_where_may_says_no(world):
    from workflow.errors import NotPermitted

    with pytest.raises(NotPermitted):
        permissions.require(world.people[R.AUDITOR], "sign", world.dossiers[OWN_UNIT])


# Delegated roles


def delegate(delegator, delegate, role, *, starts_on=TODAY - DAY, ends_on=TODAY + DAY):
    return Delegation.objects.create(
        institution=delegator.institution, delegator=delegator, delegate=delegate, role=role,
        starts_on=starts_on, ends_on=ends_on, reason="Đi công tác",
    )  # fmt: skip


@pytest.fixture
def vice_principal(institution, unit_b):
    return make_person(institution, unit_b, roles=[R.VICE_PRINCIPAL])


@pytest.mark.parametrize("action", ["sign", "decision.sign"])
def test_a_vice_principal_lent_the_principals_role_signs_on_the_principals_behalf(
    period, unit_a, principal, vice_principal, action
):
    dossier = dossier_in(State.RECOMMENDED, period, unit_a)
    delegate(principal, vice_principal, R.PRINCIPAL)

    acting = permissions.may(vice_principal, action, dossier)

    assert (acting.role, acting.on_behalf_of) == (R.PRINCIPAL, principal)


@pytest.mark.parametrize("action", ["sign", "decision.sign"])
def test_a_vice_principal_without_a_delegation_may_not_sign(period, unit_a, vice_principal, action):
    dossier = dossier_in(State.RECOMMENDED, period, unit_a)

    assert permissions.may(vice_principal, action, dossier) is None


def test_a_delegation_that_ended_yesterday_lends_nothing(principal, vice_principal):
    delegate(principal, vice_principal, R.PRINCIPAL, starts_on=TODAY - 3 * DAY,
             ends_on=TODAY - DAY)  # fmt: skip

    assert permissions.may(vice_principal, "decision.sign") is None


def test_a_delegation_lends_nothing_once_the_delegator_no_longer_holds_the_role(
    principal, vice_principal
):
    delegate(principal, vice_principal, R.PRINCIPAL)
    RoleAssignment.objects.filter(person=principal, role=R.PRINCIPAL).update(valid_to=TODAY - DAY)

    assert permissions.may(vice_principal, "decision.sign") is None


def test_a_delegation_lends_its_role_and_none_of_the_delegators_other_roles(
    principal, vice_principal
):
    delegate(principal, vice_principal, R.PRINCIPAL)

    assert permissions.may(vice_principal, "upward.submit").on_behalf_of == principal
    assert permissions.may(vice_principal, "ballot.cast") is None  # the principal's council seat


def test_a_unit_heads_delegate_acts_on_that_unit_only_on_the_heads_behalf(
    period, unit_a, unit_b, head_a, staff_a
):
    own = make_dossier(period, unit_a, documents=False)
    other = make_dossier(period, unit_b, documents=False)
    delegate(head_a, staff_a, R.UNIT_HEAD)

    acting = permissions.may(staff_a, "submit", own)

    assert (acting.role, acting.unit_id, acting.on_behalf_of) == (R.UNIT_HEAD, unit_a.pk, head_a)
    assert permissions.may(staff_a, "submit", other) is None


# The role an audit event records is the one the person acted in


def actor_holding(institution, unit, role):
    """Someone who also sits on the council: a role that sorts before theirs, and permits none of
    the lifecycle actions, so the event must name the role that did permit it."""
    return make_person(institution, unit, roles=[R.COUNCIL_MEMBER, role], role_unit=unit)


DOOR_ACTIONS = [(action, role) for action in TRANSITIONS for role in sorted(MAY[action])]


@pytest.mark.parametrize(("action", "role"), DOOR_ACTIONS, ids=[f"{a}-as-{r}" for a, r in
                                                                 DOOR_ACTIONS])  # fmt: skip
def test_the_audit_event_of_a_door_action_records_the_role_the_person_acted_in(
    institution, period, unit_a, action, role
):
    dossier = legal_dossier(period, unit_a, action)
    person = actor_holding(institution, unit_a, role)
    mark = audit_mark()

    perform(dossier, action, person)

    event = events_after(mark).get(object_type="dossier", object_id=str(dossier.pk))
    assert (event.actor, event.role, event.on_behalf_of) == (person, role, None)


def test_a_delegated_signature_is_recorded_in_the_principals_role_on_the_principals_behalf(
    period, unit_a, principal, vice_principal
):
    dossier = dossier_in(State.RECOMMENDED, period, unit_a)
    delegate(principal, vice_principal, R.PRINCIPAL)

    perform(dossier, "sign", vice_principal)

    event = AuditEvent.objects.get(object_type="dossier", action="dossier.signed")
    assert (event.actor, event.role, event.on_behalf_of) == (vice_principal, "principal", principal)


def test_a_council_secretary_preparing_a_decision_is_recorded_as_the_council_secretary(
    period, unit_a, secretary
):
    from decisions.services import prepare_decision

    dossier = dossier_in(State.RECOMMENDED, period, unit_a)

    prepare_decision(person=secretary, award_type=dossier.award_type, dossier_ids=[dossier.pk])

    event = AuditEvent.objects.get(action="decision.prepared")
    assert (event.actor, event.role, event.on_behalf_of) == (secretary, "council_secretary", None)


def test_a_principal_preparing_a_decision_is_recorded_as_the_principal(period, unit_a, principal):
    from decisions.services import prepare_decision

    dossier = dossier_in(State.RECOMMENDED, period, unit_a)

    prepare_decision(person=principal, award_type=dossier.award_type, dossier_ids=[dossier.pk])

    event = AuditEvent.objects.get(action="decision.prepared")
    assert (event.actor, event.role, event.on_behalf_of) == (principal, "principal", None)


def test_a_delegated_secretary_planning_a_meeting_is_recorded_on_the_secretarys_behalf(
    institution, period, unit_a, secretary, council_member
):
    from council.services import create_meeting

    delegate(secretary, council_member, R.COUNCIL_SECRETARY)

    create_meeting(person=council_member, period=period, title="Phiên họp", held_on=timezone.now(),
                   place="Phòng họp", chair=secretary)  # fmt: skip

    event = AuditEvent.objects.get(action="meeting.created")
    assert (event.actor, event.role, event.on_behalf_of) == (
        council_member, "council_secretary", secretary
    )  # fmt: skip
