"""The one door: the only code that changes a dossier's state.

Inside one transaction it locks the dossier, checks permission, version, state and guards,
performs the django-fsm transition and appends the audit event — or changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from dossiers.models import Dossier, Person, State
from dossiers.reasons import Reason
from workflow import audit, notifications, permissions, process
from workflow.decisions.models import Decision, DecisionItem
from workflow.errors import (
    BulkTransitionFailed,
    DossierNotFound,
    GuardFailed,
    IllegalTransition,
    NotPermitted,
    StaleVersion,
    WorkflowError,
)
from workflow.guards import Attempt, refusals
from workflow.selectors import changes_since_return

# Lifecycle action -> audit action name (stable: auditors filter on these and exports keep them).
AUDIT_ACTIONS = {
    "submit": "dossier.submitted",
    "return_for_revision": "dossier.returned",
    "resubmit": "dossier.resubmitted",
    "approve": "dossier.approved",
    "decline": "dossier.declined",
    "withdraw": "dossier.withdrawn",
    "suspend": "dossier.suspended",
    "resume": "dossier.resumed",
    "open_vote": "dossier.vote_opened",
    "close_vote": "dossier.vote_closed",
    "publish": "dossier.published",
    "sign": "dossier.signed",
    "submit_upward": "dossier.submitted_upward",
    "record_outcome": "dossier.outcome_recorded",
    "return_to_council": "dossier.returned_to_council",
    "revoke": "dossier.revoked",
}
# Arguments the transition method itself takes; everything else is recorded in the payload.
METHOD_ARGUMENTS = {"close_vote": ("recommended",), "record_outcome": ("granted",)}


def transition(
    *,
    dossier_id: int,
    action: str,
    person: Person,
    expected_version: int,
    reason: str = "",
    client_address: str = "",
    arguments: dict | None = None,
) -> Dossier:
    """Apply one lifecycle action: lock, check, move, audit — or raise and change nothing."""
    with transaction.atomic():
        dossier = _locked(person, [dossier_id])[0]
        return _apply(
            dossier,
            action=action,
            person=person,
            expected_version=expected_version,
            reason=reason,
            client_address=client_address,
            arguments=arguments or {},
        )


def transition_many(
    *,
    versions: dict[int, int],
    action: str,
    person: Person,
    reason: str = "",
    client_address: str = "",
    arguments: dict | None = None,
) -> list[Dossier]:
    """Apply one action to many dossiers, all or nothing, one audit event per dossier.

    `versions` maps each dossier id to the version the actor saw.
    """
    with transaction.atomic():
        moved = []
        for dossier in _locked(person, sorted(versions)):
            try:
                moved.append(
                    _apply(
                        dossier,
                        action=action,
                        person=person,
                        expected_version=versions[dossier.pk],
                        reason=reason,
                        client_address=client_address,
                        arguments=arguments or {},
                    )
                )
            except WorkflowError as error:
                raise BulkTransitionFailed(dossier.pk, error) from error
        return moved


def _locked(person: Person, dossier_ids: Sequence[int]) -> list[Dossier]:
    """Lock the rows in id order (so concurrent bulk actions cannot deadlock)."""
    if person is None:
        raise NotPermitted()
    dossiers = list(
        # of=self: PostgreSQL cannot lock the nullable side of the nominee outer joins.
        Dossier.objects.select_for_update(of=("self",))
        .filter(institution_id=person.institution_id, pk__in=dossier_ids)
        .select_related("award_type", "unit", "period", "nominee_person", "nominee_unit")
        .order_by("pk")
    )
    if len(dossiers) != len(set(dossier_ids)):
        raise DossierNotFound()
    return dossiers


def _apply(
    dossier: Dossier,
    *,
    action: str,
    person: Person,
    expected_version: int,
    reason: str,
    client_address: str,
    arguments: dict,
) -> Dossier:
    if action not in AUDIT_ACTIONS:
        raise IllegalTransition()
    acting = permissions.acting_for(
        person, action, unit_id=dossier.unit_id, institution_id=dossier.institution_id
    )
    if acting is None:
        raise NotPermitted()
    owner = process.taken_by_someone_else(dossier, user=person.user, acting_role=acting.role)
    if owner is not None:
        raise NotPermitted(
            Reason(_("{name} has taken this dossier's task."), {"name": _owner_name(owner)})
        )
    if dossier.version != expected_version:
        raise StaleVersion()
    method = getattr(dossier, action)
    if not can_proceed(method, check_conditions=False):
        raise IllegalTransition()
    attempt = Attempt(dossier=dossier, action=action, reason=reason, arguments=arguments)
    reasons = refusals(attempt)
    if reasons:
        raise GuardFailed(reasons)
    payload = {k: _jsonable(v) for k, v in arguments.items()}
    if action == "resubmit":
        payload["changes_since_return"] = changes_since_return(dossier)
    from_state = dossier.state
    method(**{k: arguments[k] for k in METHOD_ARGUMENTS.get(action, ())})
    dossier.version += 1
    dossier.save(update_fields=["state", "state_before_suspension", "version", "updated_at"])
    process.advance(dossier, user=person.user)
    _leave_drafts_it_no_longer_fits(dossier)
    notifications.after_transition(
        dossier, action=action, from_state=from_state, actor=person, reason=reason.strip()
    )
    audit.append(
        institution=person.institution,
        actor=audit.Actor(
            person=person,
            role=acting.role,
            on_behalf_of=acting.on_behalf_of,
            client_address=client_address,
        ),
        action=AUDIT_ACTIONS[action],
        object_type="dossier",
        object_id=dossier.pk,
        from_state=from_state,
        to_state=dossier.state,
        reason=reason.strip(),
        payload=payload,
    )
    return dossier


# The states a dossier must be in to stay in a draft decision of each kind.
DRAFT_FITS = {
    Decision.Kind.AWARD: (State.RECOMMENDED, State.PUBLIC_NOTICE),
    Decision.Kind.REVOCATION: (State.SIGNED,),
}


def _leave_drafts_it_no_longer_fits(dossier: Dossier) -> None:
    """A dossier returned to the council, suspended, revoked... leaves the drafts it was in."""
    for kind, states in DRAFT_FITS.items():
        if dossier.state not in states:
            DecisionItem.objects.filter(
                dossier=dossier, decision__state=Decision.State.DRAFT, decision__kind=kind
            ).delete()


def _owner_name(user) -> str:
    person = getattr(user, "person", None)
    return person.full_name if person else user.get_username()


def _jsonable(value):
    if isinstance(value, bool | int | str) or value is None:
        return value
    return str(value)
