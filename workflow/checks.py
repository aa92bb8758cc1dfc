"""System checks: `manage.py check` fails when the lifecycle drifts from its registry.

The registry (workflow.transitions) is the one description of the lifecycle; these checks catch
a django-fsm method it does not describe, a transition without a model method, a guard nobody
registered, an audit action without a title, and an action offered nowhere.
"""

from __future__ import annotations

from django.core import checks
from django_fsm import RETURN_VALUE

from audit.actions import AuditAction


@checks.register()
def lifecycle_matches_registry(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from dossiers.models import Dossier
    from workflow import transitions
    from workflow.guards import GUARDS

    errors = []
    field = Dossier._meta.get_field("state")
    declared = {t.name: t for t in field.get_all_transitions(Dossier)}
    methods = {name for name in dir(Dossier) if hasattr(getattr(Dossier, name), "_django_fsm")}
    for name in sorted(methods - set(transitions.TRANSITIONS)):
        errors.append(_error(f"Dossier.{name} is an fsm transition missing from the registry.", 1))
    for action, spec in transitions.TRANSITIONS.items():
        if action not in methods:
            errors.append(_error(f"The registry's {action!r} has no Dossier method.", 2))
            continue
        sources = {t.source for t in field.get_all_transitions(Dossier) if t.name == action}
        target = declared[action].target
        targets = set(target.allowed_states) if isinstance(target, RETURN_VALUE) else {target}
        if sources != set(spec.source) or targets != set(spec.target):
            errors.append(_error(f"Dossier.{action} moves differently from the registry.", 3))
        if spec.audit_action not in AuditAction.values:
            errors.append(_error(f"{action!r} records {spec.audit_action!r}, no audit action.", 4))
        for guard in spec.guards:
            if guard not in GUARDS:
                errors.append(_error(f"{action!r} names {guard!r}, a guard nobody registered.", 5))
        if spec.button is None and spec.done_on == "dossier":
            errors.append(_error(f"{action!r} is offered nowhere: give it a button or a page.", 6))
        if not set(spec.roles):
            errors.append(_error(f"Nobody may perform {action!r}.", 7))
    for step in transitions.STEPS.values():
        if not step.roles:
            errors.append(_error(f"Nobody works on the step {step.name!r}.", 8))
    return errors


def _error(message: str, number: int) -> checks.Error:
    return checks.Error(message, obj="workflow.transitions", id=f"workflow.E{number:03d}")
