"""The one place that answers: may this person do this action on this dossier now, in which role?"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from dossiers.models import Dossier, Person, Role, RoleAssignment, State

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


def active_roles(person: Person, on: datetime.date | None = None) -> list[RoleAssignment]:
    """The person's roles in force on a day (today by default), fetched once per request."""
    cache = person.__dict__.setdefault("_active_roles", {})
    if on not in cache:
        cache[on] = list(
            RoleAssignment.objects.active(on)
            .filter(person=person, institution_id=person.institution_id)
            .select_related("unit")
        )
    return cache[on]


def acting_role(
    person: Person | None, action: str, *, unit_id: int, institution_id: int, on=None
) -> str | None:
    """The role in which `person` may perform `action` on a dossier of that unit, or None."""
    if person is None or person.institution_id != institution_id:
        return None
    allowed = ACTION_ROLES.get(action, ())
    for assignment in active_roles(person, on):
        if assignment.role not in allowed:
            continue
        if assignment.role in Role.UNIT_SCOPED and assignment.unit_id != unit_id:
            continue
        return assignment.role
    return None


def role_for(person: Person | None, action: str, dossier: Dossier, on=None) -> str | None:
    return acting_role(
        person, action, unit_id=dossier.unit_id, institution_id=dossier.institution_id, on=on
    )


def visible_dossiers(person: Person | None, on=None) -> QuerySet[Dossier]:
    """The dossiers this person may see: the scope of every page and API list."""
    if person is None:
        return Dossier.objects.none()
    roles = active_roles(person, on)
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
    return person is not None and any(a.role in roles for a in active_roles(person, on))


def head_of_units(person: Person | None, on=None) -> list[int]:
    if person is None:
        return []
    return [a.unit_id for a in active_roles(person, on) if a.role == Role.UNIT_HEAD]
