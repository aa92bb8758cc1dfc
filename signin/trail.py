"""Sign-ins in the audit trail: passwords accepted or refused, lockouts, second-factor codes,
devices, sessions ended. Each in the chain of the account's person's institution.

An account with no person (an IT administrator, or a username nobody has) belongs to no
institution and so to no chain: its events go to the Python log instead (logger `signin`).
"""

from __future__ import annotations

import logging

from django.db import transaction

from audit import log
from dossiers.models import Person

logger = logging.getLogger("signin")

# Whoever typed a password that was refused: not known to be the account's person.
ANONYMOUS = "anonymous"


def person_of_username(username: str | None) -> Person | None:
    if not username:
        return None
    return (
        Person.objects.select_related("institution", "user").filter(user__username=username).first()
    )


def person_of_user(user) -> Person | None:
    return Person.objects.select_related("institution").filter(user=user).first()


def record(
    person: Person | None,
    action: str,
    *,
    username: str,
    client_address: str = "",
    by_the_person: bool = True,
    actor: log.Actor | None = None,
    **payload,
) -> None:
    """Append one sign-in event about `person`'s account, or log it when there is no person."""
    if person is None:
        logger.warning(
            "%s: username %r (no person, not in any audit trail) from %s",
            action,
            username,
            client_address or "?",
        )
        return
    if actor is None:
        actor = (
            log.Actor(person=person, client_address=client_address)
            if by_the_person
            else log.Actor(
                person=None, role=ANONYMOUS, name=ANONYMOUS, client_address=client_address
            )
        )
    with transaction.atomic():
        log.append(
            institution=person.institution,
            actor=actor,
            action=action,
            object_type="user",
            object_id=person.user_id,
            payload={"username": username, **payload},
        )
