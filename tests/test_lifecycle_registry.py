"""The lifecycle registry is the one description of the lifecycle, and `manage.py check` says so.

workflow.transitions describes every transition; the Dossier model's fsm methods, the guards,
the audit actions and the dossier page's buttons must agree with it, or the system checks
(workflow.checks) fail before the server starts.
"""

from __future__ import annotations

import dataclasses
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE

from audit import checks as audit_checks
from audit import log
from audit.actions import AuditAction
from audit.models import AuditChainHead, AuditEvent
from dossiers.models import Dossier, Role, State
from workflow import checks, transitions
from workflow.transitions import TRANSITIONS, Button, Transition

S = State


def check_errors() -> str:
    """What `manage.py check` reports, or '' when it passes."""
    try:
        call_command("check", stdout=StringIO(), stderr=StringIO())
    except SystemCheckError as failure:
        return str(failure)
    return ""


def replace(monkeypatch, action: str, **changes) -> None:
    """Change one transition of the registry for the duration of the test."""
    monkeypatch.setitem(TRANSITIONS, action, dataclasses.replace(TRANSITIONS[action], **changes))


# manage.py check


def test_check_passes_on_the_real_registry():
    assert checks.lifecycle_matches_registry() == []
    assert audit_checks.every_audit_action_has_a_title() == []
    assert check_errors() == ""


def test_check_fails_when_the_registry_has_a_transition_the_dossier_has_no_method_for(
    monkeypatch,
):
    bogus = Transition(
        "teleport", (S.DRAFT,), (S.SIGNED,), (Role.PRINCIPAL,), AuditAction.DOSSIER_SIGNED,
        button=Button(_("Teleport")),
    )  # fmt: skip
    monkeypatch.setitem(TRANSITIONS, "teleport", bogus)

    errors = check_errors()

    assert "workflow.E002" in errors
    assert "The registry's 'teleport' has no Dossier method." in errors


def test_check_fails_when_a_dossier_fsm_method_is_missing_from_the_registry(monkeypatch):
    monkeypatch.delitem(TRANSITIONS, "withdraw")

    errors = check_errors()

    assert "workflow.E001" in errors
    assert "Dossier.withdraw is an fsm transition missing from the registry." in errors


def test_check_fails_when_a_method_moves_differently_from_the_registry(monkeypatch):
    replace(monkeypatch, "withdraw", source=(S.DRAFT,))

    errors = check_errors()

    assert "workflow.E003" in errors
    assert "Dossier.withdraw moves differently from the registry." in errors


def test_check_fails_when_a_transition_records_a_code_that_is_no_audit_action(monkeypatch):
    replace(monkeypatch, "approve", audit_action="dossier.teleported")

    errors = check_errors()

    assert "workflow.E004" in errors
    assert "'approve' records 'dossier.teleported', no audit action." in errors


def test_check_fails_when_a_transition_names_a_guard_nobody_registered(monkeypatch):
    replace(monkeypatch, "submit", guards=(*TRANSITIONS["submit"].guards, "stars_aligned"))

    errors = check_errors()

    assert "workflow.E005" in errors
    assert "'submit' names 'stars_aligned', a guard nobody registered." in errors


def test_check_fails_when_an_action_done_on_the_dossier_page_has_no_button(monkeypatch):
    replace(monkeypatch, "approve", button=None, done_on="dossier")

    errors = check_errors()

    assert "workflow.E006" in errors
    assert "'approve' is offered nowhere: give it a button or a page." in errors


def test_check_fails_when_nobody_may_perform_a_transition(monkeypatch):
    replace(monkeypatch, "approve", roles=())

    errors = check_errors()

    assert "workflow.E007" in errors
    assert "Nobody may perform 'approve'." in errors


def test_check_fails_when_nobody_works_on_a_step(monkeypatch):
    step = transitions.STEPS["review"]
    monkeypatch.setitem(transitions.STEPS, "review", dataclasses.replace(step, roles=()))

    errors = check_errors()

    assert "workflow.E008" in errors
    assert "Nobody works on the step 'review'." in errors


WithUntitled = models.TextChoices(
    "WithUntitled",
    [(a.name, (a.value, a.label)) for a in AuditAction] + [("TELEPORTED", "dossier.teleported")],
)


def test_check_fails_when_an_audit_action_has_no_translated_title(monkeypatch):
    assert not isinstance(WithUntitled("dossier.teleported").label, Promise)  # a made-up title
    monkeypatch.setattr(audit_checks, "AuditAction", WithUntitled)

    errors = check_errors()

    assert "workflow.E009" in errors
    assert "The audit action 'dossier.teleported' has no translated title." in errors
    assert errors.count("workflow.E009") == 1  # the real actions all have one


# The model follows the registry


def fsm_moves() -> dict[str, tuple[set[str], set[str]]]:
    """Each Dossier fsm method's sources and targets, as django-fsm declares them."""
    field = Dossier._meta.get_field("state")
    moves: dict[str, tuple[set[str], set[str]]] = {}
    for t in field.get_all_transitions(Dossier):
        sources, targets = moves.setdefault(t.name, (set(), set()))
        sources.add(t.source)
        targets |= (
            set(t.target.allowed_states) if isinstance(t.target, RETURN_VALUE) else {t.target}
        )
    return moves


def test_every_dossier_fsm_method_is_in_the_registry_with_the_same_sources_and_targets():
    registry = {a: (set(t.source), set(t.target)) for a, t in TRANSITIONS.items()}

    assert fsm_moves() == registry


# Every action has a title people read


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_the_audit_action_of_each_lifecycle_action_has_a_vietnamese_title(action):
    code = TRANSITIONS[action].audit_action
    with translation.override("en"):
        english = str(AuditAction(code).label)
    with translation.override("vi"):
        vietnamese = str(AuditAction(code).label)

    assert vietnamese != english, f"{code} is not translated"


@pytest.mark.parametrize("code", AuditAction.values)
def test_every_audit_action_has_a_vietnamese_title(code):
    with translation.override("en"):
        english = str(AuditAction(code).label)
    with translation.override("vi"):
        vietnamese = str(AuditAction(code).label)

    assert vietnamese != english, f"{code} is not translated"


# The trail records only actions it knows


def test_appending_an_unknown_action_code_is_refused_and_stores_nothing(institution):
    with pytest.raises(ValueError, match="not an audit action"), transaction.atomic():
        log.append(
            institution=institution, actor=log.SYSTEM, action="dossier.teleported",
            object_type="dossier", object_id=1,
        )  # fmt: skip

    assert not AuditEvent.objects.exists()
    assert not AuditChainHead.objects.filter(institution=institution, sequence__gt=0).exists()


def test_appending_a_known_action_code_is_recorded(institution):
    with transaction.atomic():
        log.append(
            institution=institution, actor=log.SYSTEM, action=AuditAction.DOSSIER_EDITED,
            object_type="dossier", object_id=1,
        )  # fmt: skip

    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["dossier.edited"]
