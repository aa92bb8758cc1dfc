"""Authentication backend granting the step permissions that viewflow's tasks require.

A task's `owner_permission` names its step and scope ('workflow.review.3'); a user holds it while
they (or a person who delegated the role to them) hold a role that works on that step. This is
what lets viewflow's own queue, assign and execute checks work with our roles.
"""

from __future__ import annotations

from dossiers.models import Person
from workflow import permissions


class StepPermissionBackend:
    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        cached = getattr(user_obj, "_step_permissions", None)
        if cached is None:
            cached = user_obj._step_permissions = self._compute(user_obj)
        return cached

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm.startswith("workflow.") and perm in self.get_all_permissions(user_obj)

    def _compute(self, user) -> set[str]:
        # The middleware hands over the person it loaded, so a request asks only once.
        person = getattr(user, "current_person", None) or Person.objects.filter(user=user).first()
        return permissions.step_permissions(person)
