"""People and their accounts leave by deactivation: whoever has a history is never deleted.

Tasks of the process belong to a user account and would vanish with it (viewflow cascades);
dossiers, documents and audit events refer to the person. Deactivation keeps all of it and stops
the account from signing in or receiving work.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from viewflow.workflow.models import Task

from audit import log
from audit.models import AuditEvent
from dossiers.models import Document, Dossier, Institution, Person
from workflow.errors import Conflict


def history_of_user(user) -> list[str]:
    """What the account owns or did: tasks, and its person's history. Empty: it may be deleted."""
    found = []
    tasks = Task.objects.filter(owner=user).count()
    if tasks:
        found.append(ngettext("%(n)d task of the process", "%(n)d tasks of the process", tasks)
                     % {"n": tasks})  # fmt: skip
    person = Person.objects.filter(user=user).first()
    if person is not None:
        found += history_of_person(person, with_account=False)
    return found


def history_of_person(person: Person, *, with_account: bool = True) -> list[str]:
    found = history_of_user(person.user) if with_account and person.user_id else []
    if Dossier.objects.filter(created_by=person).exists():
        found.append(str(_("dossiers they created")))
    if Dossier.objects.filter(nominee_person=person).exists():
        found.append(str(_("dossiers nominating them")))
    if Document.objects.filter(uploaded_by=person).exists():
        found.append(str(_("documents they uploaded")))
    if AuditEvent.objects.filter(actor=person).exists():
        found.append(str(_("events of the audit trail")))
    return found


def refuse_deleting_a_task_owner(sender, instance, **kwargs) -> None:
    """pre_delete of the user model: viewflow's tasks cascade with their owner, so no code path
    (a shell, a script, a bulk delete) may delete an account that owns any."""
    if Task.objects.filter(owner=instance).exists():
        raise ProtectedError(
            f"the account {instance.get_username()!r} owns tasks of the process: deactivate it",
            {instance},
        )


def delete_user(user, *, actor: log.Actor) -> None:
    """Delete an account without history; one with history is refused (deactivate it)."""
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        history = history_of_user(user)
        if history:
            raise Conflict(
                _("The account “%(name)s” has a history (%(history)s): deactivate it instead.")
                % {"name": user.get_username(), "history": ", ".join(history)}
            )
        user.delete()


def deactivate_user(user, *, actor: log.Actor) -> None:
    """The account can no longer sign in; its person, if any, is deactivated with it."""
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        person = Person.objects.filter(user=user).first()
        if person is not None:
            deactivate_person(person, actor=actor)
        elif user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            for institution in Institution.objects.order_by("pk"):
                _record(institution, actor, "user", user.pk, user.get_username())


def deactivate_person(person: Person, *, actor: log.Actor) -> Person:
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        )
        user = person.user
        if not person.is_active and (user is None or not user.is_active):
            return person
        person.is_active = False
        person.save(update_fields=["is_active"])
        if user is not None and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        _record(person.institution, actor, "person", person.pk, person.full_name)
    return person


def _record(institution, actor: log.Actor, object_type: str, object_id, name: str) -> None:
    log.append(
        institution=institution,
        actor=actor,
        action="account.deactivated",
        object_type=object_type,
        object_id=object_id,
        payload={"object": name, "changes": {"is_active": [True, False]}},
    )
