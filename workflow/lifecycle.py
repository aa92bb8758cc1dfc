"""What each lifecycle action is called on screen, and which ones a person can take now."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from dossiers.models import Dossier, Person
from workflow import permissions
from workflow.guards import REASON_REQUIRED


@dataclass(frozen=True)
class ActionOffer:
    name: str
    label: str
    needs_reason: bool
    primary: bool


# Actions offered as buttons on the dossier page; the others belong to the meeting and decision
# pages (the vote, signing), where they need more than a click.
BUTTONS = {
    "submit": (_("Submit"), True),
    "resubmit": (_("Resubmit"), True),
    "approve": (_("Approve for the council"), True),
    "return_for_revision": (_("Return for revision"), False),
    "decline": (_("Decline"), False),
    "withdraw": (_("Withdraw"), False),
    "suspend": (_("Suspend"), False),
    "resume": (_("Resume"), True),
    "return_to_council": (_("Return to the council"), False),
}


def available_actions(person: Person | None, dossier: Dossier) -> list[ActionOffer]:
    """Buttons this person may press on this dossier in its current state."""
    offers = []
    for name, (label, primary) in BUTTONS.items():
        if not can_proceed(getattr(dossier, name), check_conditions=False):
            continue
        if permissions.role_for(person, name, dossier) is None:
            continue
        offers.append(ActionOffer(name, label, name in REASON_REQUIRED, primary))
    return offers
