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


def open_task_list(dossier: Dossier) -> list[Task]:
    """The dossier's open tasks with their owners, read once for a whole transition."""
    return list(open_tasks(dossier).select_related("owner__person"))


def advance(dossier: Dossier, *, user, tasks: list[Task] | None = None) -> None:
    """After a state change: close the current step's task if the step changed, open the next.

    `tasks`: the open tasks as read before the change (the door reads them once).
    """
    tasks = open_task_list(dossier) if tasks is None else tasks
    if not tasks:  # a process that ended, or (for an older dossier) none yet
        if not DossierProcess.objects.filter(dossier=dossier).exists():
            start(dossier)
        return
    target = steps.step_for(dossier.state)
    for task in tasks:
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


def taken_by_someone_else(tasks: list[Task], *, user, acting_role: str):
    """The open task's owner, when another person has taken the work this role does; else None."""
    for task in tasks:
        if task.owner_id is None or task.owner_id == user.pk:
            continue
        if acting_role in steps.STEP_ROLES.get(step_of(task), ()):
            return task.owner
    return None
