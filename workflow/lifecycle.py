"""Which lifecycle actions a person can take now on a dossier, as the dossier page offers them."""

from __future__ import annotations

from dataclasses import dataclass

from django_fsm import can_proceed

from dossiers.models import Dossier, Person
from workflow import permissions, transitions
from workflow.transitions import Button


@dataclass(frozen=True)
class ActionOffer:
    name: str
    button: Button
    needs_reason: bool

    @property
    def label(self):
        return self.button.label

    @property
    def primary(self) -> bool:
        return self.button.style == "primary"


def available_actions(person: Person | None, dossier: Dossier) -> list[ActionOffer]:
    """Buttons this person may press on this dossier in its current state (registry order)."""
    return [
        ActionOffer(t.action, t.button, t.reason_required)
        for t in transitions.buttons()
        if can_proceed(getattr(dossier, t.action), check_conditions=False)
        and permissions.may(person, t.action, dossier) is not None
    ]
