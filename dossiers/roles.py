"""Changing role assignments, each change audited (who may act is itself part of the history)."""

from __future__ import annotations

from django.db import transaction

from audit import log
from dossiers.models import RoleAssignment


def administrator(user, client_address: str = "") -> log.Actor:
    person = getattr(user, "person", None)
    return log.Actor(
        person=person, role="administrator", name=user.get_username(), client_address=client_address
    )


def save_role_assignment(assignment: RoleAssignment, *, actor: log.Actor) -> RoleAssignment:
    """Create or change an assignment; the audit event holds what it was and what it is."""
    with transaction.atomic():
        before = (
            _describe(RoleAssignment.objects.select_for_update().get(pk=assignment.pk))
            if assignment.pk
            else None
        )
        assignment.full_clean()
        assignment.save()
        after = _describe(assignment)
        if before == after:
            return assignment
        log.append(
            institution=assignment.institution,
            actor=actor,
            action="role.assigned" if before is None else "role.changed",
            object_type="role_assignment",
            object_id=assignment.pk,
            payload={"before": before, "after": after},
        )
    return assignment


def delete_role_assignment(assignment: RoleAssignment, *, actor: log.Actor) -> None:
    with transaction.atomic():
        log.append(
            institution=assignment.institution,
            actor=actor,
            action="role.removed",
            object_type="role_assignment",
            object_id=assignment.pk,
            payload={"before": _describe(assignment), "after": None},
        )
        assignment.delete()


def _describe(assignment: RoleAssignment) -> dict:
    return {
        "person_id": assignment.person_id,
        "person": assignment.person.full_name,
        "role": assignment.role,
        "unit_id": assignment.unit_id,
        "valid_from": assignment.valid_from.isoformat() if assignment.valid_from else None,
        "valid_to": assignment.valid_to.isoformat() if assignment.valid_to else None,
    }
