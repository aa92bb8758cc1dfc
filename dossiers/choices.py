"""The vocabulary of the domain (roles, dossier states): plain choices, importable from anywhere.

They live apart from the models so that the lifecycle registry (workflow.transitions), which the
Dossier model reads, can use them without an import cycle.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    UNIT_HEAD = "unit_head", _("Unit head")
    REVIEWER = "reviewer", _("Reviewer")
    LEAD_REVIEWER = "lead_reviewer", _("Lead reviewer")
    COUNCIL_MEMBER = "council_member", _("Council member")
    COUNCIL_SECRETARY = "council_secretary", _("Council secretary")
    PRINCIPAL = "principal", _("Principal")
    VICE_PRINCIPAL = "vice_principal", _("Vice principal")
    AUDITOR = "auditor", _("Auditor")
    PERSONNEL_OFFICER = "personnel_officer", _("Personnel officer")


Role.UNIT_SCOPED = frozenset({Role.UNIT_HEAD})


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    REVIEWED = "reviewed", _("Reviewed")
    VOTING = "voting", _("Council voting")
    RECOMMENDED = "recommended", _("Recommended by the council")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    SUBMITTED_UPWARD = "submitted_upward", _("Submitted to a higher authority")
    SIGNED = "signed", _("Signed")
    REVOKED = "revoked", _("Revoked")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUSPENDED = "suspended", _("Suspended")


# Labels by code, built once: get_state_display and Choices rebuild a list per lookup.
STATE_LABELS = dict(State.choices)

S = State
# States a dossier may be suspended from, and resumed to (every state before signed).
SUSPENDABLE = [
    S.DRAFT, S.SUBMITTED, S.RETURNED, S.REVIEWED, S.VOTING, S.RECOMMENDED, S.PUBLIC_NOTICE,
    S.SUBMITTED_UPWARD,
]  # fmt: skip
TERMINAL = frozenset({S.SIGNED, S.REVOKED, S.DECLINED, S.WITHDRAWN, S.NOT_RECOMMENDED})
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
