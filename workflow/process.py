"""Advancing a dossier's viewflow process; called only by the one transition service.

Each non-terminal dossier has exactly one open task, of the step its state belongs to; a
terminal dossier has none (see check_consistency).
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from dossiers import writes
from dossiers.models import Dossier
from dossiers.prepared import PreparedQuery
from workflow import steps
from workflow.flows import DossierFlow
from workflow.models import DossierProcess

OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def start(dossier: Dossier) -> DossierProcess:
    """Start the dossier's process; its first task is the step of the dossier's current state."""
    if not connection.in_atomic_block:
        raise RuntimeError("start the process in the transaction that creates the dossier")
    return DossierFlow.start.run(dossier=dossier)


def open_tasks(dossier: Dossier | int):
    return Task.objects.filter(
        process__dossierprocess__dossier=dossier,
        status__in=OPEN_STATUSES,
        flow_task_type="HUMAN",
    )


def step_of(task: Task) -> str:
    return task.flow_task.name


def open_task_list(dossier: Dossier) -> list[Task]:
    """The dossier's open tasks with their owners, read once for a whole transition."""
    return _OPEN_TASKS.fetch(dossier_id=dossier.pk)


# Read on every move: compiled once.
_OPEN_TASKS = PreparedQuery(
    lambda *, dossier_id: open_tasks(dossier_id).select_related("owner__person")
)


def advance(
    dossier: Dossier, *, user, tasks: list[Task] | None = None, batch: writes.Batch | None = None
) -> None:
    """After a state change: close the current step's task if the step changed, open the next.

    `tasks`: the open tasks as read before the change (the door reads them once). `batch`: the
    door's held writes (the dossier's own row), sent with the task rows; sent in any case before
    this returns.
    """
    batch = batch or writes.Batch()
    tasks = open_task_list(dossier) if tasks is None else tasks
    if not tasks:  # a process that ended, or (for an older dossier) none yet
        batch.flush()
        if not DossierProcess.objects.filter(dossier=dossier).exists():
            start(dossier)
        return
    target = steps.step_for(dossier.state)
    for task in tasks:
        if step_of(task) == target:
            break
        complete(task, user=user, dossier=dossier, last=len(tasks) == 1, batch=batch)
    batch.flush()


def complete(
    task: Task, *, user, dossier: Dossier, last: bool = True, batch: writes.Batch | None = None
) -> None:
    """Complete a task as `user` and take the flow through its router to the next step (or End).

    The rows are those viewflow's own activation writes (assign, start, execute; the Switch
    task; the next View task with its permission, or the End task and the finished process;
    the `previous` links), written directly in four queries instead of its seventeen. No lock
    of viewflow's is needed: every change to a dossier's tasks (the door, take, release,
    reassign) holds the dossier's row lock first. viewflow's task signals are not sent; nothing
    here listens to them. tests/test_process.py holds these rows equal to viewflow's.
    """
    now = timezone.now()
    done = {
        "owner_id": user.pk,
        "status": STATUS.DONE,
        "assigned": now if task.status == STATUS.NEW else task.assigned,
        "started": now,
        "finished": now,
    }
    route = _new_task(task, DossierFlow.route, status=STATUS.DONE, finished=now)
    target = steps.step_for(dossier.state)
    if target is None:
        following = _new_task(task, DossierFlow.end, status=STATUS.DONE, started=now, finished=now)
    else:
        following = _new_task(
            task, getattr(DossierFlow, target), status=STATUS.NEW,
            owner_permission=steps.step_permission(
                target, institution_id=dossier.institution_id, unit_id=dossier.unit_id
            ),
        )  # fmt: skip
    if writes.in_one_statement():
        _write_in_one_statement(task, done, route, following, batch or writes.Batch())
    else:
        Task.objects.filter(pk=task.pk).update(**done)
        route, following = Task.objects.bulk_create([route, following])
        Task.previous.through.objects.bulk_create([
            Task.previous.through(from_task_id=route.pk, to_task_id=task.pk),
            Task.previous.through(from_task_id=following.pk, to_task_id=route.pk),
        ])  # fmt: skip
    if target is None and last:
        Process.objects.filter(pk=task.process_id).update(status=PROCESS.DONE, finished=now)


def _write_in_one_statement(
    task: Task, done: dict, route: Task, following: Task, batch: writes.Batch
) -> None:
    """The completed task, the router's and the next step's tasks and their `previous` links:
    what the ORM path writes in three round trips, in one (PostgreSQL), with the batch's held
    writes."""
    done_sql, done_params = writes.update(Task, task.pk, done)
    route_sql, route_params = writes.insert(route)
    following_sql, following_params = writes.insert(following)
    links = connection.ops.quote_name(Task.previous.through._meta.db_table)
    parts = [  # the statements are ours, their values parameters
        f"WITH done AS ({done_sql}), route AS ({route_sql}), following AS ({following_sql}),",
        f"links AS (INSERT INTO {links} (from_task_id, to_task_id)",
        "SELECT route.id, %s FROM route UNION ALL SELECT following.id, route.id",
        "FROM following, route) SELECT route.id, following.id FROM route, following",
    ]
    sql, params = batch.with_held(
        " ".join(parts), [*done_params, *route_params, *following_params, task.pk]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        route.pk, following.pk = cursor.fetchone()
    route._state.adding = following._state.adding = False


def _new_task(previous: Task, node, **fields) -> Task:
    return Task(
        process_id=previous.process_id, flow_task=node, flow_task_type=node.task_type,
        token=previous.token, data={}, **fields,
    )  # fmt: skip


def taken_by_someone_else(tasks: list[Task], *, user, acting_role: str):
    """The open task's owner, when another person has taken the work this role does; else None."""
    for task in tasks:
        if task.owner_id is None or task.owner_id == user.pk:
            continue
        if acting_role in steps.STEP_ROLES.get(step_of(task), ()):
            return task.owner
    return None
