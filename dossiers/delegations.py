"""Lending a role (ủy quyền): create and end delegations, audited; the reads of their pages.

What a delegation lets the delegate do is decided in workflow.permissions; this module decides
which delegations may exist.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import log
from dossiers.models import Delegation, Person, Role, RoleAssignment
from dossiers.roles import administrator
from workflow import permissions, separation
from workflow.errors import NotPermitted

ACTIVE, SCHEDULED, ENDED, ENDED_EARLY = "active", "scheduled", "ended", "ended_early"
STATUS_LABELS = {
    ACTIVE: gettext_lazy("In force"),
    SCHEDULED: gettext_lazy("Not started yet"),
    ENDED: gettext_lazy("Ended"),
    ENDED_EARLY: gettext_lazy("Ended early"),
}


def create_delegation(
    *,
    delegator: Person,
    delegate: Person,
    role: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
    client_address: str = "",
) -> Delegation:
    """Lend one of the delegator's own roles to a colleague for a date range, or store nothing."""
    reason = reason.strip()
    with transaction.atomic():
        # Serialises this delegator's delegations: two at once cannot both pass the overlap check.
        Person.objects.select_for_update().filter(pk=delegator.pk).first()
        errors = _refusals(delegator, delegate, role, starts_on, ends_on, reason)
        found = separation.delegation_conflict(
            delegate, _holds_during(delegate, Role.AUDITOR, starts_on, ends_on)
        )
        if found is not None and found.blocks:
            errors.setdefault("delegate", []).extend(r.text() for r in found.reasons)
        if errors:
            raise ValidationError(errors)
        delegation = Delegation(
            institution_id=delegator.institution_id,
            delegator=delegator,
            delegate=delegate,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
        )
        delegation.full_clean()
        delegation.save()
        log.append(
            institution=delegator.institution,
            actor=log.Actor(person=delegator, role=role, client_address=client_address),
            action="delegation.created",
            object_type="delegation",
            object_id=delegation.pk,
            reason=reason,
            payload=_describe(delegation),
        )
        if found is not None:
            separation.record_warning(
                found, institution=delegator.institution,
                actor=log.Actor(person=delegator, role=role, client_address=client_address),
                object_type="delegation", object_id=delegation.pk, action="delegation.create",
            )  # fmt: skip
    return delegation


def end_delegation(*, delegation_id: int, person: Person, client_address: str = "") -> Delegation:
    """End a delegation now, before its last day: only its delegator or an administrator may."""
    if person is None:
        raise NotPermitted()
    with transaction.atomic():
        delegation = (
            Delegation.objects.select_for_update(of=("self",))
            .select_related("institution", "delegator", "delegate")
            .filter(pk=delegation_id)
            .first()
        )
        if delegation is None or delegation.institution_id != person.institution_id:
            raise NotPermitted()
        if delegation.delegator_id == person.pk:
            actor = log.Actor(person=person, role=delegation.role, client_address=client_address)
        elif person.user is not None and is_administrator(person.user):
            actor = administrator(person.user, client_address)
        else:
            raise NotPermitted(_("Only the person who gave a delegation can end it."))
        if status_of(delegation) in (ENDED, ENDED_EARLY):
            raise ValidationError(_("This delegation has already ended."))
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        log.append(
            institution=delegation.institution,
            actor=actor,
            action="delegation.ended",
            object_type="delegation",
            object_id=delegation.pk,
            reason=delegation.reason,
            payload=_describe(delegation),
        )
    return delegation


def is_administrator(user) -> bool:
    """Administrators may end anyone's delegation (superusers, or given the model permission)."""
    return user.is_active and user.has_perm("dossiers.change_delegation")


def delegable_roles(person: Person | None) -> list[str]:
    """The roles the person holds now or later that they may lend, in the order of Role."""
    if person is None:
        return []
    today = timezone.localdate()
    held = set(
        RoleAssignment.objects.filter(
            person=person,
            institution_id=person.institution_id,
            role__in=permissions.DELEGABLE_ROLES,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values_list("role", flat=True)
    )
    return [role for role in permissions.DELEGABLE_ROLES if role in held]


def delegations_given(person: Person):
    return Delegation.objects.filter(delegator=person).select_related("delegate__unit")


def delegations_received(person: Person):
    return Delegation.objects.filter(delegate=person).select_related("delegator__unit")


def delegations_of(person: Person):
    """Those the person gave and those they received, both people joined (the list page's two)."""
    return Delegation.objects.filter(Q(delegator=person) | Q(delegate=person)).select_related(
        "delegator", "delegate"
    )


def delegation_for(person: Person, pk: int) -> Delegation | None:
    """One delegation the person gave or received (an administrator: any of their institution)."""
    scope = Delegation.objects.of(person.institution_id).select_related("delegator", "delegate")
    if person.user is None or not is_administrator(person.user):
        scope = scope.filter(Q(delegator=person) | Q(delegate=person))
    return scope.filter(pk=pk).first()


def status_of(delegation: Delegation, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    if delegation.revoked_at is not None:
        return ENDED_EARLY
    if delegation.ends_on < today:
        return ENDED
    if delegation.starts_on > today:
        return SCHEDULED
    return ACTIVE


def _refusals(delegator, delegate, role, starts_on, ends_on, reason) -> dict[str, list[str]]:
    """Every reason to refuse, by form field, so the person can fix them all at once."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if role not in permissions.DELEGABLE_ROLES:
        refuse("role", _("This role cannot be delegated."))
    elif not _holds(delegator, role, starts_on):
        refuse("role", _("You can only delegate a role you hold."))
    if delegate.pk == delegator.pk:
        refuse("delegate", _("A person cannot delegate to themselves."))
    elif delegate.institution_id != delegator.institution_id:
        refuse("delegate", _("The delegate must belong to your institution."))
    elif delegate.user_id is None:
        refuse(
            "delegate",
            _("%(name)s has no user account and could not act.") % {"name": delegate.full_name},
        )
    elif role in permissions.DELEGATE_MUST_HOLD and not _holds(
        delegate, permissions.DELEGATE_MUST_HOLD[role], starts_on
    ):
        refuse(
            "delegate",
            _("Only a person who holds the role “%(required)s” can receive this role.")
            % {"required": Role(permissions.DELEGATE_MUST_HOLD[role]).label},
        )
    if ends_on < starts_on:
        refuse("ends_on", _("The end date is before the start date."))
    elif ends_on < timezone.localdate():
        refuse("ends_on", _("The delegation would already be over."))
    if not reason:
        refuse("reason", _("Give the reason for the delegation."))
    if not errors:
        overlapping = _overlapping(delegator, role, starts_on, ends_on)
        if overlapping is not None:
            refuse(NON_FIELD_ERRORS, _overlap_message(overlapping))
    return errors


def _holds(person: Person, role: str, starts_on: datetime.date) -> bool:
    """Whether the person holds the role (their own, not a lent one) today or on starts_on."""
    days = {timezone.localdate(), starts_on}
    held = Q()
    for day in days:
        held |= Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    return (
        RoleAssignment.objects.filter(
            person=person, institution_id=person.institution_id, role=role
        )
        .filter(held)
        .exists()
    )


def _holds_during(person: Person, role: str, starts_on, ends_on) -> bool:
    """Whether the person holds the role (their own) on any day of the range."""
    return (
        RoleAssignment.objects.filter(person=person, role=role, valid_from__lte=ends_on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=starts_on))
        .exists()
    )


def _overlapping(delegator, role, starts_on, ends_on) -> Delegation | None:
    return (
        Delegation.objects.filter(
            delegator=delegator,
            role=role,
            revoked_at__isnull=True,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
        .select_related("delegate")
        .first()
    )


def _overlap_message(other: Delegation) -> str:
    return _(
        "You have already delegated this role to %(name)s from %(start)s to %(end)s. "
        "End that delegation first, or choose other dates."
    ) % {
        "name": other.delegate.full_name,
        "start": formats.date_format(other.starts_on, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(other.ends_on, "SHORT_DATE_FORMAT"),
    }


def _describe(delegation: Delegation) -> dict:
    return {
        "delegator_id": delegation.delegator_id,
        "delegator": delegation.delegator.full_name,
        "delegate_id": delegation.delegate_id,
        "delegate": delegation.delegate.full_name,
        "role": delegation.role,
        "starts_on": delegation.starts_on.isoformat(),
        "ends_on": delegation.ends_on.isoformat(),
        "reason": delegation.reason,
        "revoked_at": delegation.revoked_at.isoformat() if delegation.revoked_at else None,
    }
