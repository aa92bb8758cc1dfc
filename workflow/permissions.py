"""The one place that answers: may this person do this now, and in which role?

A person acts in a role they hold, or in a role lent to them by an active delegation (then on
behalf of the delegator, who must still hold that role).
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from dossiers.models import (
    Delegation,
    Dossier,
    Institution,
    Person,
    Role,
    RoleAssignment,
    State,
    Unit,
)
from dossiers.prepared import PreparedQuery
from workflow import separation, steps
from workflow.errors import NotPermitted, SeparationRefused
from workflow.transitions import TRANSITIONS

# Anyone with a login, with or without a role (objecting to a public notice is a staff right).
STAFF = "staff"
# What each role may do beyond the lifecycle transitions (whose roles are in workflow.transitions).
# Unit-scoped roles (a unit head) act on their own unit only. This is the only table of roles.
OFFICERS = (Role.REVIEWER, Role.LEAD_REVIEWER, Role.COUNCIL_SECRETARY, Role.PRINCIPAL,
            Role.VICE_PRINCIPAL, Role.AUDITOR)  # fmt: skip
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "dossier.create": (Role.UNIT_HEAD,),
    "dossier.edit": (Role.UNIT_HEAD,),
    "dossier.view_all": OFFICERS,
    "dossier.view_council_stage": (Role.COUNCIL_MEMBER,),
    "dossier.review": (Role.REVIEWER, Role.LEAD_REVIEWER),
    # The unit's own evaluation meeting (họp bình xét), recorded by the head of that unit.
    "unit_meeting.record": (Role.UNIT_HEAD,),
    "meeting.view_all": OFFICERS,
    "meeting.manage": (Role.COUNCIL_SECRETARY,),
    "ballot.cast": (Role.COUNCIL_MEMBER,),
    "decision.read": OFFICERS,
    "decision.prepare": (Role.COUNCIL_SECRETARY, Role.PRINCIPAL),
    "decision.sign": TRANSITIONS["sign"].roles,
    "upward.read": OFFICERS,
    "upward.submit": TRANSITIONS["submit_upward"].roles,
    "upward.record_outcome": TRANSITIONS["record_outcome"].roles,
    "notice.manage": TRANSITIONS["publish"].roles,
    "trail.read": (Role.AUDITOR, Role.PRINCIPAL),
    "trail.export": (Role.AUDITOR, Role.PRINCIPAL),
    "task.reassign": (Role.LEAD_REVIEWER,),
    # Any member of staff may object to a running public notice, whatever their roles.
    "notice.object": STAFF,
    "outbox.view": (Role.COUNCIL_SECRETARY,),  # mails and checks that could not be done
    # The fairness statistics are aggregates of the institution, public to all of its staff.
    "statistics.read": STAFF,
    # Movements are launched by the head of the institution and read by all its staff; each unit
    # registers its own people and itself (a unit head acts on their own unit only).
    "movement.launch": (Role.PRINCIPAL,),
    "movement.read": STAFF,
    "registration.manage": (Role.UNIT_HEAD,),
    "registration.view_all": OFFICERS,
    # The staff list and the annual ratings, kept by the personnel office (pushed by its HR
    # system through the API). Keeping them is not reviewing: no dossier is seen through them.
    "person.manage": (Role.PERSONNEL_OFFICER,),
    "rating.manage": (Role.PERSONNEL_OFFICER,),
    # Importing the office's spreadsheets (staff, ratings, discipline, initiatives, title history)
    # and exporting those lists, which hold private data: the personnel office keeps them all.
    "records.import": (Role.PERSONNEL_OFFICER,),
    # A unit's nominees as a spreadsheet: a unit head their own unit's, the officers any unit's.
    "nominees.export": (Role.UNIT_HEAD, *OFFICERS),
    # Roles that carry a step of the work. A council member's ballot is personal (absent members
    # send a written opinion instead), an auditor's inspection is independent, and a vice
    # principal acts only through what the principal lends them: none of those can be lent.
    "delegation.give": (
        Role.UNIT_HEAD,
        Role.REVIEWER,
        Role.LEAD_REVIEWER,
        Role.COUNCIL_SECRETARY,
        Role.PRINCIPAL,
    ),
}
DELEGABLE_ROLES = CAPABILITIES["delegation.give"]
# A role that may be lent only to a holder of another one: the principal's signature passes to a
# vice principal, who signs "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG" (design.md).
DELEGATE_MUST_HOLD = {Role.PRINCIPAL: Role.VICE_PRINCIPAL}
# The dossiers council members see: those that reached the council.
COUNCIL_STAGE = (
    State.REVIEWED, State.VOTING, State.RECOMMENDED, State.NOT_RECOMMENDED, State.PUBLIC_NOTICE,
    State.SUBMITTED_UPWARD, State.SIGNED, State.REVOKED,
)  # fmt: skip


def roles_for(action: str) -> tuple[str, ...]:
    """The roles that may perform an action: a lifecycle transition's, or a capability's."""
    if action in TRANSITIONS:
        return TRANSITIONS[action].roles
    try:
        roles = CAPABILITIES[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None
    return tuple(Role.values) if roles == STAFF else roles


class Acting(NamedTuple):
    """A role someone may act in: their own, or a delegator's (`on_behalf_of`)."""

    role: str
    unit_id: int | None
    on_behalf_of: Person | None = None


def active_roles(person: Person, on: datetime.date | None = None) -> list[RoleAssignment]:
    """The person's own roles in force on a day (today by default), fetched once per request."""
    actings(person, on)
    return person.__dict__["_active_roles"][on]


def actings(person: Person, on: datetime.date | None = None) -> list[Acting]:
    """Every role the person may act in today: their own first, then delegated ones.

    One query, once per request: the person's own assignments and those of the people who
    lent them a role (by a delegation in force), with the delegator's units.
    """
    cache = person.__dict__.setdefault("_actings", {})
    if on not in cache:
        own, lent = [], []
        for assignment in _assignments(person, on):
            (own if assignment.person_id == person.pk else lent).append(assignment)
        person.__dict__.setdefault("_active_roles", {})[on] = own
        cache[on] = [Acting(a.role, a.unit_id) for a in own] + [
            Acting(a.role, a.unit_id, a.person) for a in lent
        ]
    return cache[on]


def _assignments(person: Person, on) -> list[RoleAssignment]:
    return _ASSIGNMENTS.fetch(
        person_id=person.pk,
        institution_id=person.institution_id,
        on=on or timezone.localdate(),
    )


def _assignments_query(*, person_id: int, institution_id: int, on: datetime.date):
    lent = Delegation.objects.active(on).filter(
        delegate_id=person_id,
        institution_id=institution_id,
        delegator_id=OuterRef("person_id"),
        role=OuterRef("role"),
    )
    return (
        RoleAssignment.objects.active(on)
        .filter(Q(person_id=person_id) | Q(Exists(lent)), institution_id=institution_id)
        .select_related("unit", "person")
    )


# Read on every request (the auditor's read-only check) and every move: compiled once.
_ASSIGNMENTS = PreparedQuery(_assignments_query)


def may(person: Person | None, action: str, obj=None, *, on=None) -> Acting | None:
    """How `person` may perform `action` (on `obj`, if given) today, or None.

    `obj` is anything of an institution (a dossier, unit, meeting, decision...): another
    institution's object is never theirs, and a unit-scoped role reaches only its own unit's.
    Without `obj` the answer is whether they may do it anywhere in their institution.
    """
    if action == "task.work":
        return _may_work_on(person, obj, on)
    roles = roles_for(action)
    if person is None:
        return None
    if obj is not None and _institution_of(obj) != person.institution_id:
        return None
    if action not in separation.AUDITOR_READS and auditor_kept_read_only(person, on, action):
        return None
    if CAPABILITIES.get(action) == STAFF:
        return Acting(STAFF, None) if person.user_id is not None else None
    unit_id = _unit_of(obj)
    for acting in actings(person, on):
        if acting.role not in roles:
            continue
        if acting.role in Role.UNIT_SCOPED and unit_id is not None and acting.unit_id != unit_id:
            continue
        return acting
    return None


def _may_work_on(person: Person | None, task, on) -> Acting | None:
    """A task of the process is for whoever holds (or was lent) a role of its step and scope."""
    if person is None or person.user_id is None or auditor_kept_read_only(person, on):
        return None
    for acting in actings(person, on):
        granted = steps.permissions_of_role(
            acting.role, institution_id=person.institution_id, unit_id=acting.unit_id
        )
        if task.owner_permission in granted:
            return acting
    return None


def holds_auditor_role(person: Person, on: datetime.date | None = None) -> bool:
    return any(a.role == Role.AUDITOR for a in active_roles(person, on))


def auditor_kept_read_only(person: Person, on: datetime.date | None = None, action=None) -> bool:
    """Whether the independence rule stops this person, an auditor, from doing anything but read.

    Only an auditor who could otherwise act (another role of their own or lent, or a staff
    right) pays the query for the institution's rule, once per request.
    """
    if not holds_auditor_role(person, on):
        return False
    staff_right = action is not None and CAPABILITIES.get(action) == STAFF
    if not staff_right and all(a.role == Role.AUDITOR for a in actings(person, on)):
        return False  # nothing but reading to keep them to
    if "_auditor_read_only" not in person.__dict__:
        mode = separation.mode(person.institution_id, separation.AUDITOR_INDEPENDENT)
        person.__dict__["_auditor_read_only"] = mode == separation.BLOCK
    return person.__dict__["_auditor_read_only"]


def require(person: Person | None, action: str, obj=None) -> Acting:
    """`may`, for services: how the person acts, or NotPermitted."""
    acting = may(person, action, obj)
    if acting is None:
        kept = action not in separation.AUDITOR_READS
        if person is not None and kept and auditor_kept_read_only(person, action=action):
            raise SeparationRefused(separation.auditor_conflict(person, True).reasons)
        raise NotPermitted()
    return acting


def units_where(person: Person | None, action: str, on=None) -> list[int]:
    """The units in which a unit-scoped role lets the person perform `action`."""
    if person is None:
        return []
    roles = roles_for(action)
    return list(
        dict.fromkeys(
            a.unit_id for a in actings(person, on) if a.role in roles and a.role in Role.UNIT_SCOPED
        )
    )


def is_only(person: Person | None, role: str, on=None) -> bool:
    """Whether every role the person may act in today (own or delegated) is `role`."""
    return person is not None and {a.role for a in actings(person, on)} == {role}


def _institution_of(obj) -> int | None:
    if isinstance(obj, Institution):
        return obj.pk
    return obj.institution_id


def _unit_of(obj) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Unit):
        return obj.pk
    return getattr(obj, "unit_id", None)


def step_permissions(person: Person | None, on=None) -> set[str]:
    """The task permissions ('workflow.review.3', ...) the person's own or delegated roles grant."""
    if person is None:
        return set()
    granted: set[str] = set()
    for acting in actings(person, on):
        granted |= steps.permissions_of_role(
            acting.role, institution_id=person.institution_id, unit_id=acting.unit_id
        )
    return granted


def visible_dossiers(person: Person | None, on=None) -> QuerySet[Dossier]:
    """The dossiers this person may see: the scope of every page and API list."""
    if person is None:
        return Dossier.objects.none()
    scope = Dossier.objects.of(person.institution_id)
    if may(person, "dossier.view_all", on=on):
        return scope
    condition = Q(pk__in=[])
    head_of = units_where(person, "dossier.edit", on)
    if head_of:
        condition |= Q(unit_id__in=head_of)
    if may(person, "dossier.view_council_stage", on=on):
        condition |= Q(state__in=COUNCIL_STAGE)
    return scope.filter(condition)
