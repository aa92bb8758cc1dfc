"""The one door: the only code that changes a dossier's state.

Inside one transaction it locks the dossier, checks permission, version, state, arguments and
guards, performs the django-fsm transition, advances the viewflow task, runs the after-transition
hooks other apps registered, and appends the audit event — or raises and changes nothing. What a
transition needs is described in workflow.transitions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from audit import log
from dossiers import writes
from dossiers.models import Dossier, Person
from dossiers.prepared import PreparedQuery
from dossiers.reasons import Reason
from workflow import notifications, permissions, process, separation, transitions
from workflow.errors import (
    BulkTransitionFailed,
    DomainError,
    DossierNotFound,
    GuardFailed,
    IllegalTransition,
    InvalidInput,
    NotPermitted,
    SeparationRefused,
    StaleVersion,
)
from workflow.guards import Attempt, refusals
from workflow.selectors import changes_since_return
from workflow.transitions import Transition

AfterTransition = Callable[[Dossier, Transition], None]
_after_transition: list[AfterTransition] = []


def after_transition(hook: AfterTransition) -> AfterTransition:
    """Run `hook(dossier, transition)` inside the door's transaction after every move.

    Apps built on the door (decisions keeps its drafts in step) register here instead of being
    imported by it.
    """
    if hook not in _after_transition:
        _after_transition.append(hook)
    return hook


def transition(
    *,
    dossier_id: int,
    action: str,
    person: Person,
    expected_version: int | None,
    reason: str = "",
    client_address: str = "",
    arguments: Mapping | None = None,
) -> Dossier:
    """Apply one lifecycle action: lock, check, move, audit — or raise and change nothing.

    `expected_version` is the version the person saw; None is for a move the system makes on
    rows the caller already holds locked (opening a vote, signing a decision).
    """
    with transaction.atomic():
        reviewer = person if action in separation.REVIEW_ACTIONS else None
        dossier = lock_dossiers(person, [dossier_id], submitted_by=reviewer)[0]
        return _apply(
            dossier,
            action=action,
            person=person,
            expected_version=expected_version,
            reason=reason,
            client_address=client_address,
            arguments=dict(arguments or {}),
        )


def transition_many(
    *,
    versions: Mapping[int, int | None],
    action: str,
    person: Person,
    reason: str = "",
    client_address: str = "",
    arguments: Mapping | None = None,
) -> list[Dossier]:
    """Apply one action to many dossiers, all or nothing, one audit event per dossier.

    `versions` maps each dossier id to the version the actor saw (None: a system move).
    """
    with transaction.atomic():
        moved = []
        reviewer = person if action in separation.REVIEW_ACTIONS else None
        for dossier in lock_dossiers(person, sorted(versions), submitted_by=reviewer):
            try:
                moved.append(
                    _apply(
                        dossier,
                        action=action,
                        person=person,
                        expected_version=versions[dossier.pk],
                        reason=reason,
                        client_address=client_address,
                        arguments=dict(arguments or {}),
                    )
                )
            except DomainError as error:
                raise BulkTransitionFailed(dossier.pk, error) from error
        return moved


def lock_dossiers(
    person: Person | None, dossier_ids: Sequence[int], *, submitted_by: Person | None = None
) -> list[Dossier]:
    """The person's institution's dossiers, locked in id order (so concurrent bulk actions cannot
    deadlock), with what a list of them shows; callers that move them later lock them here.

    `submitted_by`: also read whether this person submitted each (a reviewer's own-case rule).
    """
    if person is None:
        raise NotPermitted()
    ids = sorted({int(pk) for pk in dossier_ids})
    if submitted_by is None:
        dossiers = _LOCKED.fetch(institution_id=person.institution_id, ids=ids)
    else:
        dossiers = _LOCKED_FOR_REVIEW.fetch(
            institution_id=person.institution_id, ids=ids, submitter_id=submitted_by.pk
        )
    if len(dossiers) != len(set(dossier_ids)):
        raise DossierNotFound()
    if submitted_by is not None:
        for dossier in dossiers:
            separation.remember_submitter(dossier, submitted_by)
    return dossiers


def _locked(*, institution_id: int, ids: list[int]):
    # of=self: PostgreSQL cannot lock the nullable side of the nominee outer joins.
    return (
        Dossier.objects.select_for_update(of=("self",))
        .filter(institution_id=institution_id, pk__in=ids)
        .select_related("award_type", "unit", "period", "nominee_person", "nominee_unit")
        .order_by("pk")
    )


# Compiled once: building and compiling this six-table select cost more than running it.
_LOCKED = PreparedQuery(_locked)
_LOCKED_FOR_REVIEW = PreparedQuery(
    lambda *, submitter_id, **rest: separation.with_submitted_by(_locked(**rest), submitter_id)
)


def _apply(
    dossier: Dossier,
    *,
    action: str,
    person: Person,
    expected_version: int | None,
    reason: str,
    client_address: str,
    arguments: dict,
) -> Dossier:
    spec = transitions.get(action)
    if spec is None:
        raise IllegalTransition()
    acting = permissions.require(person, action, dossier)
    conflicts = _separation_conflicts(dossier, action, person, acting)
    blocking = [reason for found in conflicts if found.blocks for reason in found.reasons]
    if blocking:
        raise SeparationRefused(blocking)
    tasks = process.open_task_list(dossier)
    owner = process.taken_by_someone_else(tasks, user=person.user, acting_role=acting.role)
    if owner is not None:
        raise NotPermitted(
            Reason(_("{name} has taken this dossier's task."), {"name": _owner_name(owner)})
        )
    if expected_version is not None and dossier.version != expected_version:
        raise StaleVersion()
    method = getattr(dossier, action)
    if not can_proceed(method, check_conditions=False):
        raise IllegalTransition()
    _check_arguments(spec, arguments)
    reasons = refusals(
        Attempt(dossier=dossier, transition=spec, reason=reason, arguments=arguments)
    )
    if reasons:
        raise GuardFailed(reasons)
    payload = {name: _jsonable(value) for name, value in arguments.items()}
    if action == "resubmit":
        payload["changes_since_return"] = changes_since_return(dossier)
    from_state = dossier.state
    method(**spec.method_arguments(arguments))
    dossier.version += 1
    # The dossier's row and its outbox row are held, to go with its task rows (dossiers.writes).
    batch = writes.Batch()
    batch.add(*writes.update_fields(dossier, ["state", "state_before_suspension", "version",
                                               "updated_at"]))  # fmt: skip
    notifications.after_transition(
        dossier, action=action, from_state=from_state, actor=person, reason=reason.strip(),
        batch=batch,
    )  # fmt: skip
    process.advance(dossier, user=person.user, tasks=tasks, batch=batch)
    for hook in _after_transition:
        hook(dossier, spec)
    actor = log.Actor.acting(person, acting, client_address)
    for found in conflicts:
        separation.record_warning(
            found, institution=person.institution, actor=actor, object_type="dossier",
            object_id=dossier.pk, action=action,
        )  # fmt: skip
    log.append(
        institution=person.institution,
        actor=actor,
        action=spec.audit_action,
        object_type="dossier",
        object_id=dossier.pk,
        from_state=from_state,
        to_state=dossier.state,
        reason=reason.strip(),
        payload=payload,
    )
    return dossier


def _separation_conflicts(dossier, action, person, acting) -> list[separation.Conflict]:
    """The separation-of-duties rules this move would break (blocking or only warning)."""
    found = [
        separation.review_conflict(dossier, action, person, acting.on_behalf_of),
        separation.auditor_conflict(person, permissions.holds_auditor_role(person)),
    ]
    return [c for c in found if c is not None]


def _check_arguments(spec: Transition, arguments: dict) -> None:
    """The action's declared arguments, each of its type; anything else is malformed input."""
    declared = {argument.name: argument for argument in spec.arguments}
    unknown = sorted(set(arguments) - set(declared))
    if unknown:
        raise InvalidInput(_("Unexpected values for this action: {names}.").format(
            names=", ".join(unknown)))  # fmt: skip
    for name, argument in declared.items():
        value = arguments.get(name)
        if value is None or value == "":
            if argument.required:
                raise InvalidInput(_("A value is missing for this action: {name}.").format(
                    name=name))  # fmt: skip
            continue
        if not isinstance(value, argument.kind) or (
            argument.kind is datetime.date and isinstance(value, datetime.datetime)
        ):
            raise InvalidInput(_("The value of {name} is of the wrong kind.").format(name=name))


def _owner_name(user) -> str:
    person = getattr(user, "person", None)
    return person.full_name if person else user.get_username()


def _jsonable(value):
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
