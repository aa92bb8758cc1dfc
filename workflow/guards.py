"""The conditions each lifecycle action needs besides the right state and role.

Each guard returns the reasons it refuses (empty when satisfied); the service refuses the action
with all of them at once, so the user can fix everything in one go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.eligibility import eligibility_problems
from dossiers.models import AwardType, DocumentKind, Dossier, State
from dossiers.reasons import Reason
from workflow.council.models import AgendaItem, Meeting
from workflow.decisions.models import Decision, DecisionItem

# Actions that need a written reason (design.md, table of transitions).
REASON_REQUIRED = frozenset(
    {"return_for_revision", "decline", "suspend", "resume", "return_to_council", "revoke"}
)


@dataclass
class Attempt:
    """What a guard may look at: the locked dossier and what the actor supplied."""

    dossier: Dossier
    action: str
    reason: str = ""
    arguments: dict = field(default_factory=dict)


Guard = Callable[[Attempt], list[Reason]]


def reason_given(attempt: Attempt) -> list[Reason]:
    if attempt.action in REASON_REQUIRED and not attempt.reason.strip():
        return [Reason(_("A reason is required for this action."))]
    return []


def missing_required_kinds(dossier: Dossier) -> list[DocumentKind]:
    """Required document kinds the dossier has no document of (uses prefetched rows if any)."""
    present = {document.kind_id for document in dossier.documents.all()}
    required = sorted(dossier.award_type.required_document_kinds.all(), key=lambda k: k.code)
    return [kind for kind in required if kind.pk not in present]


def required_documents_present(attempt: Attempt) -> list[Reason]:
    missing = missing_required_kinds(attempt.dossier)
    if missing:
        return [Reason(_("Required documents are missing: {kinds}."), {"kinds": missing})]
    return []


def nominee_fits(attempt: Attempt) -> list[Reason]:
    """The nominee is of the award's kind and belongs to the submitting unit."""
    dossier = attempt.dossier
    award = dossier.award_type
    if award.nominee_kind == AwardType.NomineeKind.INDIVIDUAL and not dossier.nominee_person_id:
        return [Reason(_("“{award}” is awarded to individuals."), {"award": award})]
    if award.nominee_kind == AwardType.NomineeKind.COLLECTIVE and not dossier.nominee_unit_id:
        return [Reason(_("“{award}” is awarded to collectives."), {"award": award})]
    if dossier.nominee_person_id and dossier.nominee_person.unit_id != dossier.unit_id:
        return [
            Reason(
                _("{name} is not a member of {unit}."),
                {"name": dossier.nominee_person.full_name, "unit": dossier.unit.name},
            )
        ]
    if dossier.nominee_unit_id and dossier.nominee_unit_id != dossier.unit_id:
        return [Reason(_("A unit can only nominate itself as a collective."))]
    return []


def eligible(attempt: Attempt) -> list[Reason]:
    return eligibility_problems(attempt.dossier)


def award_has_public_notice(attempt: Attempt) -> list[Reason]:
    if not attempt.dossier.award_type.public_notice_applies:
        return [Reason(_("This award has no public-notice period."))]
    return []


def decided_by_principal(attempt: Attempt) -> list[Reason]:
    dossier = attempt.dossier
    if dossier.award_type.decided_by != AwardType.DecidedBy.PRINCIPAL:
        return [Reason(_("This award is decided by a higher authority: submit it upward."))]
    if dossier.state == State.RECOMMENDED and dossier.award_type.public_notice_applies:
        return [Reason(_("This award must be published for public notice before signing."))]
    return []


def decided_upward(attempt: Attempt) -> list[Reason]:
    if attempt.dossier.award_type.decided_by != AwardType.DecidedBy.UPWARD:
        return [Reason(_("This award is decided by the principal, not a higher authority."))]
    return []


def outcome_recorded(attempt: Attempt) -> list[Reason]:
    arguments = attempt.arguments
    if not str(arguments.get("decision_number", "")).strip() or not arguments.get("decision_date"):
        return [Reason(_("Give the number and date of the higher authority's decision."))]
    return []


def on_open_agenda(attempt: Attempt) -> list[Reason]:
    items = AgendaItem.objects.filter(dossier=attempt.dossier, meeting__state=Meeting.State.OPEN)
    if not items.exists():
        return [Reason(_("The dossier is not on the agenda of a meeting open for voting."))]
    return []


def outcome_from_tally(attempt: Attempt) -> list[Reason]:
    """The outcome is the one computed from the council's tally, never typed in."""
    item = (
        AgendaItem.objects.filter(
            dossier=attempt.dossier, meeting__state=Meeting.State.CLOSED, recommended__isnull=False
        )
        .order_by("-meeting__closed_at")
        .first()
    )
    if item is None:
        return [Reason(_("The council's vote on this dossier has not been closed."))]
    if attempt.arguments.get("recommended") != item.recommended:
        return [Reason(_("The outcome must be the one computed from the council's tally."))]
    return []


def in_signed_decision(kind: str) -> Guard:
    """The dossier is in the decision being signed (signing moves its dossiers, nothing else)."""

    def guard(attempt: Attempt) -> list[Reason]:
        signed = DecisionItem.objects.filter(
            dossier=attempt.dossier, decision__state=Decision.State.SIGNED, decision__kind=kind
        )
        if not signed.exists():
            return [Reason(_("Only signing a decision that includes the dossier can do this."))]
        return []

    return guard


def notice_over_without_objection(attempt: Attempt) -> list[Reason]:
    if attempt.dossier.state != State.PUBLIC_NOTICE:
        return []
    notice = attempt.dossier.notices.order_by("-opened_at").first()
    if notice is not None and notice.ends_on >= timezone.localdate():
        return [Reason(_("The public notice runs until {date}."),
                       {"date": notice.ends_on.strftime("%d/%m/%Y")})]  # fmt: skip
    if notice is not None and notice.objections.filter(resolved_at__isnull=True).exists():
        return [Reason(_("An objection to the public notice is still open."))]
    return []


def outcome_argument(name: str) -> Guard:
    def present(attempt: Attempt) -> list[Reason]:
        if not isinstance(attempt.arguments.get(name), bool):
            return [Reason(_("The outcome is missing."))]
        return []

    return present


GUARDS: dict[str, list[Guard]] = {
    "submit": [nominee_fits, required_documents_present, eligible],
    "resubmit": [nominee_fits, required_documents_present, eligible],
    "open_vote": [on_open_agenda],
    "close_vote": [outcome_argument("recommended"), outcome_from_tally],
    "publish": [award_has_public_notice],
    "sign": [
        decided_by_principal,
        notice_over_without_objection,
        in_signed_decision(Decision.Kind.AWARD),
    ],
    "revoke": [in_signed_decision(Decision.Kind.REVOCATION)],
    "submit_upward": [decided_upward],
    "record_outcome": [outcome_argument("granted"), outcome_recorded],
}


def refusals(attempt: Attempt) -> list[Reason]:
    reasons = reason_given(attempt)
    for guard in GUARDS.get(attempt.action, []):
        reasons += guard(attempt)
    return reasons
