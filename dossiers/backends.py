"""Signing in with a username and password, the signed-in account read with its person."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PersonModelBackend(ModelBackend):
    """Django's ModelBackend, whose request user arrives with its person, institution and unit.

    Every page scopes its queries by the person (dossiers.middleware), so reading them with the
    account saves a query on every request.
    """

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related(
            "person__institution", "person__unit"
        )
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
