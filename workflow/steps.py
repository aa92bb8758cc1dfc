"""Which step of the process a dossier's state is in, and the permission each step's task needs.

The steps themselves (states, roles, deadlines) are described in workflow.transitions. The
django-fsm state says what is legal; the step says whose inbox the dossier is in. Each step's
task carries a permission string naming the step and its scope (the unit for a unit head, the
institution otherwise), which workflow.backends grants from role assignments and delegations.
"""

from __future__ import annotations

import datetime

from dossiers.models import Role
from workflow.transitions import (  # noqa: F401 - the step names, for callers of this module
    COUNCIL,
    DECIDE,
    PREPARE,
    REVIEW,
    STEP_OF_STATE,
    STEPS,
    SUSPENDED,
    UPWARD,
)

STEP_LABELS = {name: step.label for name, step in STEPS.items()}
STEP_ROLES = {name: step.roles for name, step in STEPS.items()}
# The period field holding each step's deadline (steps without one are absent).
STEP_DEADLINE = {name: step.deadline_field for name, step in STEPS.items() if step.deadline_field}


def deadline_for(step: str, period) -> datetime.date | None:
    """The period's deadline for a step, if the step has one and the period sets it."""
    return STEPS[step].deadline(period) if step in STEPS else None


def step_for(state: str) -> str | None:
    return STEP_OF_STATE.get(state)


def step_permission(step: str, *, institution_id: int, unit_id: int) -> str:
    """The permission a task of this step needs: 'workflow.review.3', 'workflow.prepare.u12'."""
    if any(role in Role.UNIT_SCOPED for role in STEP_ROLES[step]):
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
