"""Reads of decisions for pages and the API."""

from __future__ import annotations

from dossiers.models import Role
from workflow import permissions
from workflow.decisions.models import Decision

READERS = (
    Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.COUNCIL_SECRETARY, Role.REVIEWER,
    Role.LEAD_REVIEWER, Role.AUDITOR,
)  # fmt: skip


def visible_decisions(person):
    """Decisions of the person's institution, for the roles that work with or inspect them."""
    if person is None or not permissions.holds_any(person, READERS):
        return Decision.objects.none()
    return Decision.objects.of(person.institution_id).select_related("award_type", "signer")
