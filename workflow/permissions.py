"""The one place that answers: may this person do this action on this dossier now, in which role?

A person acts in a role they hold, or in a role lent to them by an active delegation (then on
behalf of the delegator, who must still hold that role).
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db.models import Q, QuerySet

from dossiers.models import Delegation, Dossier, Person, Role, RoleAssignment, State
from workflow import steps

# Who may perform each action (../shared/design.md). Unit-scoped roles act on their unit only.
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "create": (Role.UNIT_HEAD,),
    "edit": (Role.UNIT_HEAD,),
    "submit": (Role.UNIT_HEAD,),
    "resubmit": (Role.UNIT_HEAD,),
    "withdraw": (Role.UNIT_HEAD,),
    "return_for_revision": (Role.REVIEWER, Role.LEAD_REVIEWER),
    "approve": (Role.REVIEWER, Role.LEAD_REVIEWER),
    "decline": (Role.REVIEWER, Role.LEAD_REVIEWER),
    "record_outcome": (Role.REVIEWER, Role.LEAD_REVIEWER),
    "suspend": (Role.REVIEWER, Role.LEAD_REVIEWER, Role.PRINCIPAL),
    "resume": (Role.REVIEWER, Role.LEAD_REVIEWER, Role.PRINCIPAL),
    "open_vote": (Role.COUNCIL_SECRETARY,),
    "close_vote": (Role.COUNCIL_SECRETARY,),
    "publish": (Role.COUNCIL_SECRETARY,),
    "sign": (Role.PRINCIPAL,),
    "submit_upward": (Role.PRINCIPAL,),
    "return_to_council": (Role.PRINCIPAL,),
    "revoke": (Role.PRINCIPAL,),
}

# Roles that see every dossier of their institution; council members see what reaches the council.
SEES_ALL = (
    Role.REVIEWER,
    Role.LEAD_REVIEWER,
    Role.COUNCIL_SECRETARY,
    Role.PRINCIPAL,
    Role.VICE_PRINCIPAL,
    Role.AUDITOR,
)
COUNCIL_STAGE = (
    State.REVIEWED, State.VOTING, State.RECOMMENDED, State.NOT_RECOMMENDED, State.PUBLIC_NOTICE,
    State.SUBMITTED_UPWARD, State.SIGNED, State.REVOKED,
)  # fmt: skip


class Acting(NamedTuple):
    """A role someone may act in: their own, or a delegator's (`on_behalf_of`)."""

    role: str
    unit_id: int | None
    on_behalf_of: Person | None = None


def active_roles(person: Person, on: datetime.date | None = None) -> list[RoleAssignment]:
    """The person's own roles in force on a day (today by default), fetched once per request."""
    cache = person.__dict__.setdefault("_active_roles", {})
    if on not in cache:
        cache[on] = list(
            RoleAssignment.objects.active(on)
            .filter(person=person, institution_id=person.institution_id)
            .select_related("unit")
        )
    return cache[on]


def actings(person: Person, on: datetime.date | None = None) -> list[Acting]:
    """Every role the person may act in today: their own first, then delegated ones."""
    cache = person.__dict__.setdefault("_actings", {})
    if on not in cache:
        own = [Acting(a.role, a.unit_id) for a in active_roles(person, on)]
        cache[on] = own + _delegated(person, on)
    return cache[on]


def _delegated(person: Person, on) -> list[Acting]:
    delegations = list(
        Delegation.objects.active(on)
        .filter(delegate=person, institution_id=person.institution_id)
        .select_related("delegator")
    )
    if not delegations:
        return []
    held = RoleAssignment.objects.active(on).filter(
        person_id__in=[d.delegator_id for d in delegations]
    )
    units = {}
    for assignment in held:
        units.setdefault((assignment.person_id, assignment.role), []).append(assignment.unit_id)
    return [
        Acting(d.role, unit_id, d.delegator)
        for d in delegations
        for unit_id in units.get((d.delegator_id, d.role), [])
    ]


def acting_for(
    person: Person | None, action: str, *, unit_id: int, institution_id: int, on=None
) -> Acting | None:
    """How `person` may perform `action` on a dossier of that unit, or None."""
    if person is None or person.institution_id != institution_id:
        return None
    allowed = ACTION_ROLES.get(action, ())
    for acting in actings(person, on):
        if acting.role not in allowed:
            continue
        if acting.role in Role.UNIT_SCOPED and acting.unit_id != unit_id:
            continue
        return acting
    return None


def acting_role(
    person: Person | None, action: str, *, unit_id: int, institution_id: int, on=None
) -> str | None:
    acting = acting_for(person, action, unit_id=unit_id, institution_id=institution_id, on=on)
    return acting.role if acting else None


def role_for(person: Person | None, action: str, dossier: Dossier, on=None) -> str | None:
    return acting_role(
        person, action, unit_id=dossier.unit_id, institution_id=dossier.institution_id, on=on
    )


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
    roles = actings(person, on)
    held = {a.role for a in roles}
    scope = Dossier.objects.of(person.institution_id)
    if held & set(SEES_ALL):
        return scope
    condition = Q(pk__in=[])
    head_of = [a.unit_id for a in roles if a.role == Role.UNIT_HEAD]
    if head_of:
        condition |= Q(unit_id__in=head_of)
    if Role.COUNCIL_MEMBER in held:
        condition |= Q(state__in=COUNCIL_STAGE)
    return scope.filter(condition)


def holds_any(person: Person | None, roles, on=None) -> bool:
    return person is not None and any(a.role in roles for a in actings(person, on))


def head_of_units(person: Person | None, on=None) -> list[int]:
    if person is None:
        return []
    return [a.unit_id for a in actings(person, on) if a.role == Role.UNIT_HEAD]
