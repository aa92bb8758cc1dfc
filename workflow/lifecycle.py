"""Which lifecycle actions a person can take now on a dossier, as the dossier page offers them."""

from __future__ import annotations

from django_fsm import can_proceed

from dossiers.models import Dossier, Person
from workflow import permissions, transitions
from workflow.transitions import Transition


def available_actions(person: Person | None, dossier: Dossier) -> list[Transition]:
    """The registry's buttons this person may press on this dossier now (registry order)."""
    return [
        t
        for t in transitions.buttons()
        if can_proceed(getattr(dossier, t.action), check_conditions=False)
        and permissions.may(person, t.action, dossier) is not None
    ]
