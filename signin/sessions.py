"""Log out everywhere: every session of an account ends, on every browser and computer."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from signin import trail

USER_KEY = "_auth_user_id"  # where django.contrib.auth keeps the account in a session


def sessions_of(user) -> list[str]:
    """The keys of the account's unexpired sessions (each session's data read once)."""
    wanted = str(user.pk)
    found = []
    unexpired = Session.objects.filter(expire_date__gt=timezone.now())
    for session in unexpired.only("session_key", "session_data").iterator():
        if str(session.get_decoded().get(USER_KEY)) == wanted:
            found.append(session.session_key)
    return found


def end_every_session(user, *, client_address: str = "") -> int:
    """Delete every session of the account, audited; returns how many ended."""
    with transaction.atomic():
        keys = sessions_of(user)
        Session.objects.filter(session_key__in=keys).delete()
        trail.record(
            trail.person_of_user(user),
            "login.sessions_ended",
            username=user.get_username(),
            client_address=client_address,
            sessions=len(keys),
        )
    return len(keys)
