"""The inbox: the open tasks a person works on, with what each row shows joined once.

A person's inbox holds the tasks assigned to them and the shared queue of NEW tasks whose
permission they hold (viewflow's `Task.objects.user_queue`, see _tasks); a lead reviewer also
sees the review tasks others have taken, to hand them out again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from dossiers.models import Delegation, Dossier, Institution, Person, RoleAssignment
from workflow import permissions, steps
from workflow.flows import DossierFlow

# Steps whose tasks a lead reviewer may hand to another person (workflow.assignment.reassign).
REASSIGNABLE_STEPS = (steps.REVIEW, steps.UPWARD)

_DOSSIER = "process__dossierprocess__dossier"
# The badge and the step counts count this many tasks and one more, shown as "999+": counting a
# queue of 30,000 tasks exactly on every page would cost more than the rest of the page.
COUNT_LIMIT = 999


step_permissions = permissions.step_permissions


def acting_for_task(person: Person | None, task: Task) -> permissions.Acting | None:
    """The role (own or delegated) in which the person may work on the task, or None."""
    return permissions.may(person, "task.work", task)


def is_lead_reviewer(person: Person | None) -> bool:
    return permissions.may(person, "task.reassign") is not None


def inbox(
    person: Person | None,
    *,
    step: str | None = None,
    unit_id: int | None = None,
    award_id: int | None = None,
    overdue_only: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[Task]:
    """The person's open tasks, oldest first, each annotated with `deadline` and `overdue`.

    The dossier, its unit, award, nominee and period and the task's owner come in the same query.
    """
    today = today or timezone.localdate()
    tasks = (
        _tasks(person)
        .annotate(deadline=_deadline())
        .annotate(
            overdue=Case(
                When(deadline__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related(
            "owner__person",
            f"{_DOSSIER}__unit",
            f"{_DOSSIER}__award_type",
            f"{_DOSSIER}__period",
            f"{_DOSSIER}__nominee_person",
            f"{_DOSSIER}__nominee_unit",
        )
        .order_by("created", "pk")
    )
    if step:
        tasks = tasks.filter(flow_task=_node(step))
    if unit_id:
        tasks = tasks.filter(**{f"{_DOSSIER}__unit_id": unit_id})
    if award_id:
        tasks = tasks.filter(**{f"{_DOSSIER}__award_type_id": award_id})
    if overdue_only:
        tasks = tasks.filter(deadline__lt=today)
    return tasks


def inbox_counts(person: Person | None) -> dict[str, int]:
    """How many tasks of each step the inbox holds, steps in process order (one query).

    Each step is counted up to COUNT_LIMIT + 1 tasks, which `shown_count` shows as "999+".
    """
    if person is None or person.user_id is None:
        return {}
    tasks = _tasks(person)
    counted = {
        step: _count_up_to(tasks.filter(flow_task=_node(step)), COUNT_LIMIT + 1)
        for step in steps.STEP_LABELS
    }
    found = Institution.objects.filter(pk=person.institution_id).values(**counted).first() or {}
    return {step: n for step, n in found.items() if n}


def inbox_count(person: Person | None) -> int:
    """How many tasks the inbox holds, up to COUNT_LIMIT + 1, for the navigation badge (one
    query)."""
    return _tasks(person).order_by()[: COUNT_LIMIT + 1].count()


def shown_count(count: int) -> str:
    """A count of tasks as a badge shows it: the number, or "999+" past what was counted."""
    return f"{COUNT_LIMIT}+" if count > COUNT_LIMIT else str(count)


def _count_up_to(tasks: QuerySet[Task], limit: int) -> Subquery:
    """How many of the tasks there are, reading no more than `limit` of them."""
    first = Task.objects.filter(pk__in=tasks.order_by().values("pk")[:limit])
    count = Func(F("pk"), function="COUNT", output_field=IntegerField())
    return Subquery(first.order_by().values(n=count))


@dataclass(frozen=True)
class InboxEntry:
    """One row of the inbox page: the task, its dossier, and what the person may do with it."""

    task: Task
    step: str
    age: datetime.timedelta
    mine: bool

    @property
    def dossier(self) -> Dossier:
        return self.task.process.dossierprocess.dossier

    @property
    def label(self) -> str:
        return str(steps.STEP_LABELS[self.step])

    @property
    def deadline(self) -> datetime.date | None:
        return self.task.deadline

    @property
    def overdue(self) -> bool:
        return self.task.overdue

    @property
    def age_days(self) -> int:
        return self.age.days

    @property
    def takeable(self) -> bool:
        return self.task.status == STATUS.NEW

    @property
    def owner_name(self) -> str:
        """Who took the task, when someone did."""
        owner = self.task.owner
        if owner is None:
            return ""
        person = getattr(owner, "person", None)
        return person.full_name if person else owner.get_username()

    @property
    def reassignable(self) -> bool:
        return self.step in REASSIGNABLE_STEPS


def entries(tasks, person: Person, *, now: datetime.datetime | None = None) -> list[InboxEntry]:
    """The rows of a page of `inbox()` tasks (no further queries)."""
    now = now or timezone.now()
    return [
        InboxEntry(
            task=task,
            step=task.flow_task.name,
            age=now - task.created,
            mine=task.owner_id is not None and task.owner_id == person.user_id,
        )
        for task in tasks
    ]


def eligible_people(institution_id: int, step: str) -> QuerySet[Person]:
    """People of the institution who may work on a task of this (institution-wide) step today.

    For offering a choice only: workflow.assignment.reassign checks the chosen person again.
    """
    today = timezone.localdate()
    roles = steps.STEP_ROLES[step]
    holds = RoleAssignment.objects.active(today).filter(
        institution_id=institution_id, role__in=roles
    )
    delegated = Delegation.objects.active(today).filter(
        Exists(holds.filter(person=OuterRef("delegator"), role=OuterRef("role"))),
        institution_id=institution_id,
        role__in=roles,
    )
    return (
        Person.objects.filter(institution_id=institution_id, user__isnull=False)
        .filter(Q(pk__in=holds.values("person")) | Q(pk__in=delegated.values("delegate")))
        .order_by("full_name", "pk")
    )


def _tasks(person: Person | None) -> QuerySet[Task]:
    """Open tasks of the person's institution in their inbox (see the module docstring).

    This is viewflow's `user_queue(user, flow_class=DossierFlow)` condition, built from the step
    permissions the person's roles grant: user_queue would ask every authentication backend
    (ModelBackend costs two queries a request, so the badge would cost three) and show a
    superuser every task of every unit.

    It reads the task table alone, so that the badge and the counts of a queue of tens of
    thousands of tasks cost one index scan (workflow_task_queue_idx), not a join per task to the
    process and the dossier: the step permissions name the person's institution or one of its
    units (steps.step_permission), a task assigned to the person is theirs, and the steps are
    DossierFlow's human tasks, which is what joining to the dossier and the process would check.
    """
    if person is None or person.user_id is None:
        return Task.objects.none()
    granted = step_permissions(person)
    visible = Q(status=STATUS.ASSIGNED, owner_id=person.user_id) | Q(
        status=STATUS.NEW, owner_permission__in=granted
    )
    if is_lead_reviewer(person):
        visible |= Q(
            status=STATUS.ASSIGNED,
            owner_permission__in=granted,
            flow_task__in=[_node(step) for step in REASSIGNABLE_STEPS],
        )
    return Task.objects.filter(visible, flow_task__in=[_node(step) for step in steps.STEP_LABELS])


def _node(step: str):
    if step not in steps.STEP_LABELS:
        raise ValueError(f"unknown step {step!r}")
    return getattr(DossierFlow, step)


def _deadline() -> Case:
    """The period's deadline for the task's step (None for steps without one)."""
    return Case(
        *[
            When(flow_task=_node(step), then=F(f"{_DOSSIER}__period__{field}"))
            for step, field in steps.STEP_DEADLINE.items()
        ],
        default=None,
        output_field=DateField(),
    )
