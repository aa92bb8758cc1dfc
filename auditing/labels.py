"""What people read for the codes an audit event carries: roles, object types, states, actors.

The trail, a dossier's story, the anomaly hints and the CSV and PDF exports label events through
here, so a code never shows where a word belongs. Events keep their codes (they are hashed into
the chain, and the JSON Lines export is the chain); only their display goes through these labels.
A code no vocabulary knows (from an older release) reads as itself.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from auditing.models import IntegrityCheck
from council.models import Meeting
from decisions.models import Decision
from dossiers.choices import STATE_LABELS as DOSSIER_STATE_LABELS
from dossiers.choices import Role, State

# Who acts without holding a role of the institution: the administrator (Django admin), the
# product itself (log.SYSTEM) and any staff member (an objection to a public notice).
PSEUDO_ROLES = {
    "administrator": _("Administrator"),
    "system": _("System"),
    "staff": _("Staff member"),
}
# The name log.SYSTEM records as its actor.
SYSTEM_ACTOR_NAME = "system"

OBJECT_TYPES = {
    "dossier": _("Dossier"),
    "meeting": _("Council meeting"),
    "unit_meeting": _("Unit evaluation meeting"),
    "decision": _("Decision"),
    # "Public notice" is also a dossier's state ("being publicly noticed"); here, the notice.
    "notice": pgettext_lazy("object of an audit event", "Public notice"),
    "proposal_memo": _("Proposal memo"),
    "delegation": _("Delegation"),
    "role_assignment": _("Role assignment"),
    "integrity_check": _("Integrity check"),
    "checkpoint": _("Audit checkpoint"),
    "audit_trail": _("Audit trail"),
    "anomaly_rules": _("Anomaly thresholds"),
    "movement": _("Emulation movement"),
    "registration": _("Registration"),
    "spreadsheet": _("Spreadsheet"),
    "signing_credential": _("Signing certificate"),
    "user": _("Account"),
    "sign_in_policy": _("Sign-in policy"),
}


# Code → lazy label, built once: `Choices.values` and `Choices(code)` rebuild lists on every
# call, which made labelling the bulk of a CSV export's time (165 µs of each row's).
ROLE_LABELS = {**PSEUDO_ROLES, **dict(Role.choices)}


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))


def object_type_label(code: str) -> str:
    return str(OBJECT_TYPES.get(code, code))


def object_label(object_type: str, object_id: str) -> str:
    """ "Council meeting #3"; an object named by a code (the trail's institution) by its type."""
    label = object_type_label(object_type)
    return f"{label} #{object_id}" if str(object_id).isdigit() else label


# The states of each kind of object an event is about; events about a public notice carry the
# state of its dossier, and the others (delegations, roles...) none.
STATES: dict[str, type[models.TextChoices]] = {
    "dossier": State,
    "notice": State,
    "meeting": Meeting.State,
    "decision": Decision.State,
    "integrity_check": IntegrityCheck.State,
}


STATE_LABELS = {object_type: dict(choices.choices) for object_type, choices in STATES.items()}


def state_label(object_type: str, code: str) -> str:
    return str(STATE_LABELS.get(object_type, DOSSIER_STATE_LABELS).get(code, code))


def state_change(object_type: str, from_state: str, to_state: str) -> str:
    """ "Submitted → Reviewed" for a change of state; the one state an event happened in when it
    changed none (a ballot cast while the meeting is open, an edit of a draft); "" for none."""
    before = state_label(object_type, from_state) if from_state else ""
    after = state_label(object_type, to_state) if to_state else ""
    if before and after and from_state != to_state:
        return f"{before} → {after}"
    return after or before


def actor_label(actor_name: str, role: str) -> str:
    """The actor's name as recorded; the product itself by a translated word."""
    if role == "system" and actor_name in ("", SYSTEM_ACTOR_NAME):
        return str(PSEUDO_ROLES["system"])
    return actor_name
