"""Daily reminders of open tasks near or past their step's deadline, and escalation when past.

Who gets a reminder: the task's owner once someone took it, otherwise everyone who can take it.
An overdue task is also escalated to the institution's council secretaries. Each person gets at
most one reminder digest and one escalation digest a run, listing their tasks.

Idempotent: a ReminderSent row per task, recipient and day is written in the transaction that
schedules the mails; its unique constraint keeps a second run on the same day (or an
overlapping one) from mailing anyone twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from viewflow.workflow.models import Task

from dossiers.models import Dossier, Person
from dossiers.models.dossier import TERMINAL
from operations import runs
from operations.models import Run
from workflow import notifications, permissions, process, steps
from workflow.flows import DossierFlow
from workflow.models import ReminderSent

DEFAULT_DAYS = 3
_DOSSIER = "process__dossierprocess__dossier"


@dataclass(frozen=True)
class DueTask:
    """An open task whose step's deadline falls on or before the reminder horizon."""

    task: Task
    step: str
    deadline: datetime.date
    overdue: bool

    @property
    def dossier(self) -> Dossier:
        return self.task.process.dossierprocess.dossier

    @property
    def step_label(self) -> str:
        return steps.STEP_LABELS[self.step]


@dataclass
class Summary:
    today: datetime.date
    days: int
    due: int = 0
    overdue: int = 0
    reminders: int = 0
    escalations: int = 0
    people: int = 0
    already_sent: int = 0

    def __str__(self) -> str:
        horizon = self.today + datetime.timedelta(days=self.days)
        return (
            f"Reminders for {self.today.isoformat()} (deadlines up to {horizon.isoformat()}): "
            f"{_count(self.due, 'open task')} due, {self.overdue} overdue; mailed "
            f"{_count(self.reminders, 'reminder')} and {_count(self.escalations, 'escalation')} "
            f"to {_count(self.people, 'person', 'people')}; "
            f"{self.already_sent} already mailed today."
        )


def _count(n: int, singular: str, plural: str = "") -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


@dataclass
class _Letters:
    """Who is told about which tasks, by kind, before what was already sent today is removed."""

    by_kind: dict[str, dict[Person, list[DueTask]]] = field(
        default_factory=lambda: {kind: defaultdict(list) for kind in ReminderSent.Kind.values}
    )
    told: set[tuple[int, int]] = field(default_factory=set)  # (person, task)

    def add(self, kind: str, person: Person, item: DueTask) -> None:
        if (person.pk, item.task.pk) not in self.told:
            self.told.add((person.pk, item.task.pk))
            self.by_kind[kind][person].append(item)


def send_reminders(*, today: datetime.date, days: int = DEFAULT_DAYS) -> Summary:
    """Mail today's reminders and escalations that were not mailed yet; report what was done."""
    if days < 0:
        raise ValueError("days must not be negative")
    due = due_tasks(today=today, horizon=today + datetime.timedelta(days=days))
    summary = Summary(today=today, days=days, due=len(due), overdue=sum(i.overdue for i in due))
    letters = _address(due, today=today)
    sent_before = set(
        ReminderSent.objects.filter(
            sent_on=today, task_id__in=[i.task.pk for i in due]
        ).values_list("task_id", "recipient_id")
    )
    rows, emails, people = [], [], set()
    for kind, by_person in letters.by_kind.items():
        for person, items in by_person.items():
            fresh = [i for i in items if (i.task.pk, person.user_id) not in sent_before]
            summary.already_sent += len(items) - len(fresh)
            if not fresh:
                continue
            rows += [
                ReminderSent(task=i.task, recipient_id=person.user_id, kind=kind, sent_on=today)
                for i in fresh
            ]
            emails.append(
                notifications.compose(
                    kind, person, institution=fresh[0].dossier.institution, items=_sorted(fresh)
                )
            )
            people.add(person.pk)
            if kind == ReminderSent.Kind.REMINDER:
                summary.reminders += 1
            else:
                summary.escalations += 1
    summary.people = len(people)
    if rows:
        with transaction.atomic():
            ReminderSent.objects.bulk_create(rows)
            notifications.send(emails)  # to the outbox, with the rows that say they were sent
    runs.record(Run.Job.REMINDERS, str(summary))  # /healthz reports the last run
    return summary


def due_tasks(*, today: datetime.date, horizon: datetime.date) -> list[DueTask]:
    """Open tasks of live dossiers whose step deadline is on or before `horizon` (one query)."""
    reached = Q()
    for step, deadline_field in steps.STEP_DEADLINE.items():
        reached |= Q(
            flow_task=getattr(DossierFlow, step),
            **{f"{_DOSSIER}__period__{deadline_field}__lte": horizon},
        )
    tasks = (
        Task.objects.filter(reached, status__in=process.OPEN_STATUSES, flow_task_type="HUMAN")
        .exclude(**{f"{_DOSSIER}__state__in": TERMINAL})
        .select_related(
            "owner__person", *(f"{_DOSSIER}__{name}" for name in notifications.DOSSIER_RELATED)
        )
        .order_by("pk")
    )
    due = []
    for task in tasks:
        step = process.step_of(task)
        deadline = steps.deadline_for(step, task.process.dossierprocess.dossier.period)
        due.append(DueTask(task=task, step=step, deadline=deadline, overdue=deadline < today))
    return due


def _address(due: Iterable[DueTask], *, today: datetime.date) -> _Letters:
    """Decide the recipients: one query per group of tasks sharing a permission or institution."""
    letters = _Letters()
    takers: dict[str, list[Person]] = {}
    secretaries: dict[int, list[Person]] = {}
    for item in due:
        owner = notifications.task_owner(item.task)
        if owner is not None:
            recipients = [owner]
        elif item.task.owner_id:
            recipients = []  # taken by someone we cannot reach; the others need not act
        else:
            permission = item.task.owner_permission
            if permission not in takers:
                takers[permission] = list(
                    notifications.people_who_can_take(item.step, item.dossier, on=today)
                )
            recipients = takers[permission]
        for person in recipients:
            letters.add(ReminderSent.Kind.REMINDER, person, item)
    for item in due:
        if not item.overdue:
            continue
        institution_id = item.dossier.institution_id
        if institution_id not in secretaries:
            secretaries[institution_id] = list(
                notifications.people_acting_as(
                    permissions.roles_for("meeting.manage"), institution_id=institution_id, on=today
                )
            )
        for person in secretaries[institution_id]:
            letters.add(ReminderSent.Kind.ESCALATION, person, item)  # unless reminded of it
    return letters


def _sorted(items: list[DueTask]) -> list[DueTask]:
    return sorted(items, key=lambda i: (i.deadline, i.dossier.pk))
