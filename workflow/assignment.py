"""Who works on a task: taking it from the shared queue, putting it back, handing it to someone.

Each operation locks the dossier row and then the process (the order the transition service
uses), checks, changes the task through viewflow's activation and appends its audit event, in
one transaction. None of them changes the dossier's state.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit import log
from dossiers.models import Dossier, Person
from dossiers.reasons import Reason
from workflow import permissions, process
from workflow.errors import DossierNotFound, IllegalTransition, NotPermitted
from workflow.flows import DossierFlow
from workflow.inbox import REASSIGNABLE_STEPS, acting_for_task


def take(*, task_id: int, person: Person, client_address: str = "") -> Task:
    """Take a NEW task of the shared queue, so that the others see who works on it."""
    with transaction.atomic():
        dossier, task = _locked(task_id, person)
        with task.activation() as activation:
            acting = _acting(person, task)
            _refuse_unless_open(task)
            if task.status != STATUS.NEW:
                raise IllegalTransition(_taken_message(task, person))
            activation.assign(person.user)
            _stamp(task, assigned=timezone.now())
        _audit("task.taken", person, acting, dossier, task, client_address)
    return task


def release(*, task_id: int, person: Person, client_address: str = "") -> Task:
    """Put a task one has taken back into the shared queue."""
    with transaction.atomic():
        dossier, task = _locked(task_id, person)
        with task.activation() as activation:
            _refuse_unless_open(task)
            if task.status != STATUS.ASSIGNED:
                raise IllegalTransition(_("Nobody has taken this task."))
            if task.owner_id != person.user_id:
                raise NotPermitted(_("Only the person who took this task can put it back."))
            # A person whose role has since ended may still give the work back.
            acting = acting_for_task(person, task) or permissions.Acting("", None)
            activation.unassign()
            _stamp(task, assigned=None)
        _audit("task.released", person, acting, dossier, task, client_address)
    return task


def reassign(*, task_id: int, person: Person, to_person: Person, client_address: str = "") -> Task:
    """A lead reviewer hands a review or upward task, taken or not, to another person."""
    with transaction.atomic():
        dossier, task = _locked(task_id, person)
        lead = _lead_reviewer(person)
        with task.activation() as activation:
            _refuse_unless_open(task)
            if process.step_of(task) not in REASSIGNABLE_STEPS:
                raise NotPermitted(_("Only review tasks can be handed to someone else."))
            if _may_not_work_on(to_person, task, institution_id=person.institution_id):
                raise NotPermitted(
                    Reason(_("{name} may not work on this task."), {"name": to_person.full_name})
                )
            if task.owner_id == to_person.user_id:
                raise IllegalTransition(
                    Reason(_("{name} already has this task."), {"name": to_person.full_name})
                )
            previous = _owner_person(task)
            if task.status == STATUS.NEW:
                activation.assign(to_person.user)
            else:
                activation.reassign(user=to_person.user)
            _stamp(task, assigned=timezone.now())
        _audit(
            "task.reassigned", person, lead, dossier, task, client_address,
            from_person_id=previous.pk if previous else None,
            from_person=previous.full_name if previous else "",
            to_person_id=to_person.pk,
            to_person=to_person.full_name,
        )  # fmt: skip
    return task


def _locked(task_id: int, person: Person) -> tuple[Dossier, Task]:
    """The task (of the person's institution) and its dossier, the dossier's row locked."""
    if person is None:
        raise NotPermitted()
    task = (
        Task.objects.filter(
            pk=task_id,
            flow_task_type="HUMAN",
            process__flow_class=DossierFlow,
            process__dossierprocess__dossier__institution_id=person.institution_id,
        )
        .select_related("process__dossierprocess")
        .first()
    )
    if task is None:
        raise DossierNotFound()
    dossier = Dossier.objects.select_for_update(of=("self",)).get(
        pk=task.process.dossierprocess.dossier_id
    )
    return dossier, task


def _acting(person: Person, task: Task) -> permissions.Acting:
    acting = acting_for_task(person, task)
    if acting is None:
        raise NotPermitted()
    return acting


def _lead_reviewer(person: Person) -> permissions.Acting:
    acting = permissions.may(person, "task.reassign")
    if acting is None:
        raise NotPermitted(_("Only a lead reviewer can hand a task to someone else."))
    return acting


def _may_not_work_on(person: Person, task: Task, *, institution_id: int) -> bool:
    return (
        person.institution_id != institution_id
        or person.user_id is None
        or acting_for_task(person, task) is None
    )


def _refuse_unless_open(task: Task) -> None:
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
        raise IllegalTransition(_("This task is already done."))


def _taken_message(task: Task, person: Person):
    if task.owner_id == person.user_id:
        return _("You have already taken this task.")
    owner = _owner_person(task)
    name = owner.full_name if owner else task.owner.get_username()
    return Reason(_("{name} has already taken this task."), {"name": name})


def _owner_person(task: Task) -> Person | None:
    if task.owner_id is None:
        return None
    return Person.objects.filter(user_id=task.owner_id).first()


def _stamp(task: Task, *, assigned) -> None:
    # viewflow never fills in Task.assigned (../shared/stack-notes.md).
    task.assigned = assigned
    task.save(update_fields=["assigned"])


def _audit(action, person, acting, dossier, task, client_address, **details) -> None:
    log.append(
        institution=person.institution,
        actor=log.Actor(
            person=person,
            role=acting.role,
            on_behalf_of=acting.on_behalf_of,
            client_address=client_address,
        ),
        action=action,
        object_type="dossier",
        object_id=dossier.pk,
        payload={"task_id": task.pk, "step": process.step_of(task), **details},
    )
