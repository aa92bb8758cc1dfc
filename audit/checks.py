"""System check: every audit action has a translated title (the trail never shows a code)."""

from __future__ import annotations

from django.core import checks
from django.utils.functional import Promise

from audit.actions import AuditAction


@checks.register()
def every_audit_action_has_a_title(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A title given as a translatable string; Django makes one up from the name otherwise."""
    return [
        checks.Error(
            f"The audit action {action.value!r} has no translated title.",
            obj="audit.actions",
            id="workflow.E009",
        )
        for action in AuditAction
        if not isinstance(action.label, Promise)
    ]
