"""Reads of decisions for pages and the API."""

from __future__ import annotations

from decisions.models import Decision
from workflow import permissions


def visible_decisions(person):
    """Decisions of the person's institution, for the roles that work with or inspect them."""
    if permissions.may(person, "decision.read") is None:
        return Decision.objects.none()
    return Decision.objects.of(person.institution_id).select_related("award_type", "signer")
