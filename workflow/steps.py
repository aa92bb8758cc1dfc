"""Which step of the process a dossier's state belongs to, and who works on each step.

The django-fsm state says what is legal; the step says whose inbox the dossier is in. Each step's
task carries a permission string naming the role and its scope (the unit for a unit head, the
institution otherwise), which workflow.backends grants from role assignments and delegations.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from dossiers.models import Role, State

PREPARE, REVIEW, COUNCIL, DECIDE, UPWARD, SUSPENDED = (
    "prepare", "review", "council", "decide", "upward", "suspended",
)  # fmt: skip

STEP_OF_STATE = {
    State.DRAFT: PREPARE,
    State.RETURNED: PREPARE,
    State.SUBMITTED: REVIEW,
    State.REVIEWED: COUNCIL,
    State.VOTING: COUNCIL,
    State.RECOMMENDED: DECIDE,
    State.PUBLIC_NOTICE: DECIDE,
    State.SUBMITTED_UPWARD: UPWARD,
    State.SUSPENDED: SUSPENDED,
}  # every other state is terminal: the process has ended

STEP_LABELS = {
    PREPARE: _("Prepare and submit"),
    REVIEW: _("Review"),
    COUNCIL: _("Council vote"),
    DECIDE: _("Decision and signature"),
    UPWARD: _("Awaiting the higher authority"),
    SUSPENDED: _("Suspended"),
}

# The roles whose holders work on each step (a unit head only for their unit).
STEP_ROLES = {
    PREPARE: (Role.UNIT_HEAD,),
    REVIEW: (Role.REVIEWER, Role.LEAD_REVIEWER),
    COUNCIL: (Role.COUNCIL_SECRETARY,),
    DECIDE: (Role.PRINCIPAL,),
    UPWARD: (Role.REVIEWER, Role.LEAD_REVIEWER),
    SUSPENDED: (Role.REVIEWER, Role.LEAD_REVIEWER, Role.PRINCIPAL),
}

# The period's deadline that applies to each step.
STEP_DEADLINE = {
    PREPARE: "submit_by",
    REVIEW: "review_by",
    COUNCIL: "council_by",
    DECIDE: "sign_by",
}


def deadline_for(step: str, period) -> datetime.date | None:
    """The period's deadline for a step, if the step has one and the period sets it."""
    field = STEP_DEADLINE.get(step)
    return getattr(period, field) if field else None


def step_for(state: str) -> str | None:
    return STEP_OF_STATE.get(state)


def step_permission(step: str, *, institution_id: int, unit_id: int) -> str:
    """The permission a task of this step needs: 'workflow.review.3', 'workflow.prepare.u12'."""
    if Role.UNIT_HEAD in STEP_ROLES[step]:
        return f"workflow.{step}.u{unit_id}"
    return f"workflow.{step}.{institution_id}"


def permissions_of_role(role: str, *, institution_id: int, unit_id: int | None) -> set[str]:
    """The step permissions a role grants (the inverse of step_permission)."""
    granted = set()
    for step, roles in STEP_ROLES.items():
        if role not in roles:
            continue
        if role in Role.UNIT_SCOPED:
            granted.add(f"workflow.{step}.u{unit_id}")
        else:
            granted.add(f"workflow.{step}.{institution_id}")
    return granted
