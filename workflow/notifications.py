"""Emails about the workflow: who hears of what, each in their own language, never lost.

A change that should be announced writes an outbox row (kind "notification") in its own
transaction, so a refused or rolled-back change mails nobody and a committed one is announced
even if the broker or the mail server is down at the time. Draining that row decides the
recipients and writes one "email" row per message, each composed for one recipient under their
`person.language` from the templates in templates/workflow/email/ (`<name>_subject.txt`,
`<name>_body.txt`); draining an email row sends it, retried with back-off (outbox/). People
without an email address or an active login are skipped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from viewflow.workflow.models import Task

from dossiers.models import (
    Delegation,
    Dossier,
    Institution,
    Person,
    Role,
    RoleAssignment,
)
from outbox import services as outbox
from workflow import permissions, process, steps

# What every message shows about a dossier, loaded with it in one query.
DOSSIER_RELATED = ("institution", "period", "award_type", "unit", "nominee_person", "nominee_unit")


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    institution_id: int | None = None

    @property
    def payload(self) -> dict:
        return {"to": self.to, "subject": self.subject, "body": self.body}


def compose(template: str, person: Person, *, institution: Institution, **context) -> Email:
    """The message `template` for one person, rendered in their language."""
    context.update(person=person, institution=institution)
    with translation.override(person.language):
        subject = render_to_string(f"workflow/email/{template}_subject.txt", context)
        body = render_to_string(f"workflow/email/{template}_body.txt", context)
    body = re.sub(r"\n{3,}", "\n\n", body.strip())
    return Email(
        to=person.email, subject=" ".join(subject.split()), body=body + "\n",
        institution_id=institution.pk,
    )  # fmt: skip


def send(emails: Iterable[Email]) -> int:
    """Write each message to the outbox, in the caller's transaction; returns how many."""
    by_institution = defaultdict(list)
    for email in emails:
        by_institution[email.institution_id].append(email.payload)
    return sum(
        outbox.enqueue("email", payloads, institution_id=institution_id)
        for institution_id, payloads in by_institution.items()
    )


def deliver(payload: dict) -> int:
    """The outbox handler of an "email" row: send one plain-text message to one address."""
    # RFC 3834: tells mail servers not to answer with out-of-office replies.
    headers = {"Auto-Submitted": "auto-generated"}
    return EmailMessage(
        subject=payload["subject"], body=payload["body"], to=[payload["to"]], headers=headers
    ).send()


# Who: the set-based counterpart of workflow.permissions.actings, one query per call.


def role_holders(
    roles: Iterable[str], *, institution_id: int, unit_id: int | None = None, on=None
) -> QuerySet[RoleAssignment]:
    """Assignments of these roles in force on a day; a unit-scoped role only for `unit_id`."""
    roles = list(roles)
    wide = [r for r in roles if r not in Role.UNIT_SCOPED]
    scoped = [r for r in roles if r in Role.UNIT_SCOPED]
    return RoleAssignment.objects.active(on).filter(
        Q(role__in=wide) | Q(role__in=scoped, unit_id=unit_id), institution_id=institution_id
    )


def people_acting_as(
    roles: Iterable[str], *, institution_id: int, unit_id: int | None = None, on=None
) -> QuerySet[Person]:
    """Reachable people who may act in one of these roles: holders and their active delegates.

    The same people workflow.backends grants the matching step permission to.
    """
    held = role_holders(roles, institution_id=institution_id, unit_id=unit_id, on=on)
    lent = Delegation.objects.active(on).filter(
        Exists(held.filter(person_id=OuterRef("delegator_id"), role=OuterRef("role"))),
        institution_id=institution_id,
    )
    return reachable(
        Person.objects.filter(
            Q(pk__in=held.values("person_id")) | Q(pk__in=lent.values("delegate_id")),
            institution_id=institution_id,
        )
    )


def reachable(people: QuerySet[Person]) -> QuerySet[Person]:
    """Those who can read a mail and act on it: an email address and an active login."""
    return people.filter(user__is_active=True).exclude(email="").order_by("pk")


def people_who_can_take(step: str, dossier: Dossier, *, on=None) -> QuerySet[Person]:
    """Everyone holding the permission of the dossier's task at this step."""
    return people_acting_as(
        steps.STEP_ROLES[step],
        institution_id=dossier.institution_id,
        unit_id=dossier.unit_id,
        on=on,
    )


def unit_heads(dossier: Dossier) -> QuerySet[Person]:
    """The heads of the dossier's unit, and whoever they lent the role to."""
    return people_acting_as(
        permissions.roles_for("dossier.edit"),
        institution_id=dossier.institution_id,
        unit_id=dossier.unit_id,
    )


def task_owner(task: Task) -> Person | None:
    """The reachable person who has taken the task (load it with `owner__person`)."""
    person = getattr(task.owner, "person", None) if task.owner_id else None
    if person is None or not person.email or not task.owner.is_active:
        return None
    return person


# Events.


def after_transition(
    dossier: Dossier, *, action: str, from_state: str, actor: Person, reason: str, batch=None
):
    """Record the mails a transition causes, in its transaction: sent only if it commits.

    A return tells the unit heads why (which also announces their new task); any other move
    that opens a task of a new step tells everyone who can take it, except the actor. `batch`:
    the door's held writes, which the outbox row joins.
    """
    if action == "return_for_revision":
        _announce("dossier_returned", [dossier], batch=batch, reason=reason)
    elif steps.step_for(dossier.state) not in (None, steps.step_for(from_state)):
        _announce("task_opened", [dossier], batch=batch, actor_id=actor.pk)


def notify_vote_opened(dossiers: Iterable[Dossier]) -> None:
    """Tell each council member the vote is open on these dossiers (one mail each), on commit."""
    _announce("vote_opened", list(dossiers))


def notify_decision_signed(dossiers: Iterable[Dossier]) -> None:
    """Tell the heads of the units concerned which of their dossiers were signed, on commit."""
    _announce("decision_signed", list(dossiers))


def _announce(event: str, dossiers: list[Dossier], *, batch=None, **details) -> None:
    if dossiers:
        payload = {"event": event, "dossier_ids": [d.pk for d in dossiers], **details}
        outbox.enqueue(
            "notification", [payload], institution_id=dossiers[0].institution_id, batch=batch
        )


def announce(payload: dict) -> int:
    """The outbox handler of a "notification" row: write the mails of one event to the outbox."""
    details = {k: v for k, v in payload.items() if k not in ("event", "dossier_ids")}
    return EVENTS[payload["event"]](payload["dossier_ids"], **details)


def _load(dossier_ids) -> list[Dossier]:
    return list(
        Dossier.objects.filter(pk__in=dossier_ids).select_related(*DOSSIER_RELATED).order_by("pk")
    )


def _task_opened(dossier_ids: list[int], actor_id: int) -> int:
    (dossier,) = _load(dossier_ids)
    task = process.open_tasks(dossier).select_related("owner__person").first()
    if task is None:  # the dossier reached its end before this ran
        return 0
    step = process.step_of(task)
    owner = task_owner(task)
    recipients = [owner] if owner else people_who_can_take(step, dossier)
    return send(
        compose(
            "task_assigned",
            person,
            institution=dossier.institution,
            dossier=dossier,
            step_label=steps.STEP_LABELS[step],
            deadline=steps.deadline_for(step, dossier.period),
        )
        for person in recipients
        if person is not None and person.pk != actor_id
    )


def _dossier_returned(dossier_ids: list[int], reason: str) -> int:
    (dossier,) = _load(dossier_ids)
    deadline = steps.deadline_for(steps.PREPARE, dossier.period)
    return send(
        compose(
            "dossier_returned",
            head,
            institution=dossier.institution,
            dossier=dossier,
            reason=reason,
            deadline=deadline,
        )
        for head in unit_heads(dossier)
    )


def _vote_opened(dossier_ids: list[int]) -> int:
    agendas = defaultdict(list)
    for dossier in _load(dossier_ids):
        agendas[dossier.institution_id].append(dossier)
    sent = 0
    for institution_id, agenda in agendas.items():
        # A seat on the council is personal: members only, never a delegate.
        seats = role_holders(permissions.roles_for("ballot.cast"), institution_id=institution_id)
        members = reachable(Person.objects.filter(pk__in=seats.values("person_id")))
        institution = agenda[0].institution
        sent += send(
            compose("vote_opened", member, institution=institution, dossiers=agenda)
            for member in members
        )
    return sent


def _decision_signed(dossier_ids: list[int]) -> int:
    by_unit = defaultdict(list)
    for dossier in _load(dossier_ids):
        by_unit[dossier.unit_id].append(dossier)
    letters: dict[Person, list[Dossier]] = defaultdict(list)
    for signed in by_unit.values():
        for head in unit_heads(signed[0]):
            letters[head].extend(signed)
    return send(
        compose("decision_signed", head, institution=signed[0].institution, dossiers=signed)
        for head, signed in letters.items()
    )


EVENTS = {
    "task_opened": _task_opened,
    "dossier_returned": _dossier_returned,
    "vote_opened": _vote_opened,
    "decision_signed": _decision_signed,
}
