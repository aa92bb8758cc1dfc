"""Signing in with a username and password, the signed-in account read with its person."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from dossiers.prepared import PreparedQuery


class PersonModelBackend(ModelBackend):
    """Django's ModelBackend, whose request user arrives with its person, institution and unit.

    Every page scopes its queries by the person (dossiers.middleware), so reading them with the
    account saves a query on every request.
    """

    def get_user(self, user_id):
        try:
            found = _ACCOUNT.fetch(user_id=int(user_id))
        except (TypeError, ValueError):  # a session naming no account id
            return None
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


# Read on every signed-in request: compiled once.
_ACCOUNT = PreparedQuery(
    lambda *, user_id: (
        get_user_model()
        ._default_manager.select_related("person__institution", "person__unit")
        .filter(pk=user_id)
        .order_by()[:1]
    )
)
