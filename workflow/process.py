"""Advancing a dossier's viewflow process; called only by the one transition service.

Each non-terminal dossier has exactly one open task, of the step its state belongs to; a
terminal dossier has none (see check_consistency).
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from dossiers.models import Dossier
from workflow import steps
from workflow.flows import DossierFlow
from workflow.models import DossierProcess

OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def start(dossier: Dossier) -> DossierProcess:
    """Start the dossier's process; its first task is the step of the dossier's current state."""
    if not connection.in_atomic_block:
        raise RuntimeError("start the process in the transaction that creates the dossier")
    return DossierFlow.start.run(dossier=dossier)


def open_tasks(dossier: Dossier):
    return Task.objects.filter(
        process__dossierprocess__dossier=dossier,
        status__in=OPEN_STATUSES,
        flow_task_type="HUMAN",
    )


def step_of(task: Task) -> str:
    return task.flow_task.name


def advance(dossier: Dossier, *, user) -> None:
    """After a state change: close the current step's task if the step changed, open the next."""
    process = DossierProcess.objects.filter(dossier=dossier).first()
    if process is None:
        start(dossier)
        return
    target = steps.step_for(dossier.state)
    for task in open_tasks(dossier):
        if step_of(task) == target:
            return
        complete(task, user=user)


def complete(task: Task, *, user) -> None:
    """Complete a task as `user`; the flow's router then opens the next step (or ends)."""
    with task.activation() as activation:
        if activation.task.status == STATUS.NEW:
            activation.assign(user)
            activation.task.assigned = timezone.now()
            activation.task.save(update_fields=["assigned"])
        elif activation.task.owner_id != user.pk:
            # Someone else had taken it; the dossier moved on, so the work is done by `user`.
            activation.reassign(user=user)
        activation.start(None)
        activation.execute()


def taken_by_someone_else(dossier: Dossier, *, user, acting_role: str):
    """The open task's owner, when another person has taken the work this role does; else None."""
    for task in open_tasks(dossier).select_related("owner__person"):
        if task.owner_id is None or task.owner_id == user.pk:
            continue
        if acting_role in steps.STEP_ROLES.get(step_of(task), ()):
            return task.owner
    return None
