"""The dossier's lifecycle, described once: every transition and every step of the process.

The Dossier model's django-fsm methods take their sources and targets from here; the one door
(workflow.services) takes roles, guards, reasons, arguments and the audit action; the dossier
page takes its buttons; the viewflow flow and the inboxes take the steps; the permission module
takes the roles. `manage.py check` (workflow.checks) fails when any of them drifts from this.

Guards are named here and implemented where their data lives (workflow.guards, council.guards,
decisions.guards), registered through workflow.guards.register.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction
from dossiers.choices import SUSPENDABLE, Role, State

S = State
REVIEWERS = (Role.REVIEWER, Role.LEAD_REVIEWER)


@dataclass(frozen=True)
class Argument:
    """A typed value an action takes besides the reason (the outcome of a vote, a number...)."""

    name: str
    kind: type
    to_method: bool = False  # passed to the fsm method, which picks the target from it
    required: bool = True  # False: may be empty or None (a guard then says what is missing)


@dataclass(frozen=True)
class Button:
    """How the action is offered on the dossier page."""

    label: Promise
    style: str = "secondary"  # primary | secondary | danger
    confirm: Promise | None = None  # asked before an action that cannot simply be undone


@dataclass(frozen=True)
class Transition:
    action: str
    source: tuple[str, ...]
    target: tuple[str, ...]  # several: the method returns one of them
    roles: tuple[str, ...]
    audit_action: AuditAction
    guards: tuple[str, ...] = ()
    reason_required: bool = False
    arguments: tuple[Argument, ...] = ()
    # Offered as a button on the dossier page; otherwise `done_on` names the page that does it
    # (the vote on the meeting page, signing on the decision page...).
    button: Button | None = None
    done_on: str = "dossier"

    @property
    def steps(self) -> tuple[str, ...]:
        """The process steps whose task this transition completes (one per source state)."""
        return tuple(dict.fromkeys(STEP_OF_STATE[s] for s in self.source if s in STEP_OF_STATE))

    def method_arguments(self, arguments: dict) -> dict:
        return {a.name: arguments[a.name] for a in self.arguments if a.to_method}


@dataclass(frozen=True)
class Step:
    """One task of the viewflow process: the states it covers and the roles that work on it."""

    name: str
    label: Promise
    states: tuple[str, ...]
    roles: tuple[str, ...]
    deadline_field: str = ""  # the period's deadline for this step

    def deadline(self, period) -> datetime.date | None:
        return getattr(period, self.deadline_field) if self.deadline_field else None


def _t(action, source, target, roles, audit_action, **options) -> tuple[str, Transition]:
    source = (source,) if isinstance(source, str) else tuple(source)
    target = (target,) if isinstance(target, str) else tuple(target)
    return action, Transition(action, source, target, tuple(roles), audit_action, **options)


OUTCOME = Argument("recommended", bool, to_method=True)
GRANTED = Argument("granted", bool, to_method=True)
HIGHER_DECISION = (
    GRANTED,
    Argument("decision_number", str, required=False),
    Argument("decision_date", datetime.date, required=False),
)
DECISION_REFERENCE = Argument("decision", str, required=False)  # the guard says what is missing

A = AuditAction
TRANSITIONS: dict[str, Transition] = dict(
    [
        _t("submit", S.DRAFT, S.SUBMITTED, [Role.UNIT_HEAD], A.DOSSIER_SUBMITTED,
           guards=("nominee_fits", "required_documents_present", "eligible"),
           button=Button(_("Submit"), "primary")),
        _t("resubmit", S.RETURNED, S.SUBMITTED, [Role.UNIT_HEAD], A.DOSSIER_RESUBMITTED,
           guards=("nominee_fits", "required_documents_present", "eligible"),
           button=Button(_("Resubmit"), "primary")),
        _t("approve", S.SUBMITTED, S.REVIEWED, REVIEWERS, A.DOSSIER_APPROVED,
           button=Button(_("Approve for the council"), "primary")),
        _t("return_for_revision", S.SUBMITTED, S.RETURNED, REVIEWERS, A.DOSSIER_RETURNED,
           reason_required=True, button=Button(_("Return for revision"))),
        _t("decline", [S.SUBMITTED, S.SUSPENDED], S.DECLINED, REVIEWERS, A.DOSSIER_DECLINED,
           reason_required=True,
           button=Button(_("Decline"), "danger",
                         _("Decline this dossier? It will not go to the council."))),
        _t("withdraw", [S.DRAFT, S.SUBMITTED, S.RETURNED], S.WITHDRAWN, [Role.UNIT_HEAD],
           A.DOSSIER_WITHDRAWN,
           button=Button(_("Withdraw"), "danger",
                         _("Withdraw this dossier? It cannot be submitted again."))),
        _t("suspend", SUSPENDABLE, S.SUSPENDED, (*REVIEWERS, Role.PRINCIPAL), A.DOSSIER_SUSPENDED,
           reason_required=True, button=Button(_("Suspend"))),
        _t("resume", S.SUSPENDED, SUSPENDABLE, (*REVIEWERS, Role.PRINCIPAL), A.DOSSIER_RESUMED,
           reason_required=True, button=Button(_("Resume"), "primary")),
        _t("open_vote", S.REVIEWED, S.VOTING, [Role.COUNCIL_SECRETARY], A.DOSSIER_VOTE_OPENED,
           guards=("on_open_agenda",), done_on="meeting"),
        _t("close_vote", S.VOTING, [S.RECOMMENDED, S.NOT_RECOMMENDED], [Role.COUNCIL_SECRETARY],
           A.DOSSIER_VOTE_CLOSED, guards=("outcome_from_tally",), arguments=(OUTCOME,),
           done_on="meeting"),
        _t("publish", S.RECOMMENDED, S.PUBLIC_NOTICE, [Role.COUNCIL_SECRETARY],
           A.DOSSIER_PUBLISHED, guards=("award_has_public_notice",),
           arguments=(Argument("ends_on", datetime.date),), done_on="notice"),
        _t("sign", [S.RECOMMENDED, S.PUBLIC_NOTICE], S.SIGNED, [Role.PRINCIPAL], A.DOSSIER_SIGNED,
           guards=("decided_by_principal", "notice_over_without_objection",
                   "in_signed_award_decision"),
           arguments=(DECISION_REFERENCE,), done_on="decision"),
        _t("submit_upward", S.RECOMMENDED, S.SUBMITTED_UPWARD, [Role.PRINCIPAL],
           A.DOSSIER_SUBMITTED_UPWARD, guards=("decided_upward",),
           arguments=(Argument("memo_sha256", str),), done_on="upward"),
        _t("record_outcome", S.SUBMITTED_UPWARD, [S.SIGNED, S.NOT_RECOMMENDED], REVIEWERS,
           A.DOSSIER_OUTCOME_RECORDED, guards=("higher_decision_given",), arguments=HIGHER_DECISION,
           done_on="upward"),
        _t("return_to_council", [S.RECOMMENDED, S.PUBLIC_NOTICE], S.REVIEWED, [Role.PRINCIPAL],
           A.DOSSIER_RETURNED_TO_COUNCIL, reason_required=True,
           button=Button(_("Return to the council"))),
        _t("revoke", S.SIGNED, S.REVOKED, [Role.PRINCIPAL], A.DOSSIER_REVOKED,
           reason_required=True, guards=("in_signed_revocation",),
           arguments=(DECISION_REFERENCE,), done_on="decision"),
    ]
)  # fmt: skip

PREPARE, REVIEW, COUNCIL, DECIDE, UPWARD, SUSPENDED = (
    "prepare", "review", "council", "decide", "upward", "suspended",
)  # fmt: skip
STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            PREPARE, _("Prepare and submit"), (S.DRAFT, S.RETURNED), (Role.UNIT_HEAD,), "submit_by"
        ),
        Step(REVIEW, _("Review"), (S.SUBMITTED,), REVIEWERS, "review_by"),
        Step(
            COUNCIL,
            _("Council vote"),
            (S.REVIEWED, S.VOTING),
            (Role.COUNCIL_SECRETARY,),
            "council_by",
        ),
        Step(
            DECIDE,
            _("Decision and signature"),
            (S.RECOMMENDED, S.PUBLIC_NOTICE),
            (Role.PRINCIPAL,),
            "sign_by",
        ),
        Step(UPWARD, _("Awaiting the higher authority"), (S.SUBMITTED_UPWARD,), REVIEWERS),
        Step(SUSPENDED, _("Suspended"), (S.SUSPENDED,), (*REVIEWERS, Role.PRINCIPAL)),
    )
}  # fmt: skip; every state no step covers is terminal: the process has ended
STEP_OF_STATE: dict[str, str] = {state: s.name for s in STEPS.values() for state in s.states}


def fsm(action: str) -> dict:
    """The django-fsm `source` and `target` of an action, for the Dossier model's decorator."""
    from django_fsm import RETURN_VALUE

    t = TRANSITIONS[action]
    target = t.target[0] if len(t.target) == 1 else RETURN_VALUE(*t.target)
    return {"source": list(t.source), "target": target}


def get(action: str) -> Transition | None:
    return TRANSITIONS.get(action)


def buttons() -> list[Transition]:
    """The transitions offered on the dossier page, in the registry's order."""
    return [t for t in TRANSITIONS.values() if t.button is not None]
