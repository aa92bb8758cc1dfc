"""The conditions lifecycle actions need besides the right state and role, by name.

workflow.transitions names each action's guards; the guards are registered here by the apps
whose data they read (this module: the dossier itself; council.guards; decisions.guards), so the
one door never imports the apps built on it. Each guard returns the reasons it refuses (empty when
satisfied); the door runs them all before the move and refuses with every reason at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from dossiers.eligibility import eligibility_problems
from dossiers.models import AwardType, DocumentKind, Dossier
from dossiers.reasons import Reason
from workflow.transitions import Transition


@dataclass
class Attempt:
    """What a guard may look at: the locked dossier and what the actor supplied."""

    dossier: Dossier
    transition: Transition
    reason: str = ""
    arguments: dict = field(default_factory=dict)

    @property
    def action(self) -> str:
        return self.transition.action


Guard = Callable[[Attempt], list[Reason]]
GUARDS: dict[str, Guard] = {}


def register(name: str) -> Callable[[Guard], Guard]:
    """Make a guard available to the registry under `name` (used as a decorator)."""

    def add(guard: Guard) -> Guard:
        if GUARDS.get(name, guard) is not guard:
            raise ValueError(f"two guards are registered as {name!r}")
        GUARDS[name] = guard
        return guard

    return add


def refusals(attempt: Attempt) -> list[Reason]:
    """Every reason the attempt is refused: the missing reason first, then each named guard."""
    reasons = []
    if attempt.transition.reason_required and not attempt.reason.strip():
        reasons.append(Reason(_("A reason is required for this action.")))
    for name in attempt.transition.guards:
        reasons += GUARDS[name](attempt)
    return reasons


def missing_required_kinds(dossier: Dossier) -> list[DocumentKind]:
    """Required kinds the dossier has no current document of (uses prefetched rows if any)."""
    present = {document.kind_id for document in dossier.current_documents()}
    required = sorted(dossier.required_document_kinds(), key=lambda k: k.code)
    return [kind for kind in required if kind.pk not in present]


@register("required_documents_present")
def required_documents_present(attempt: Attempt) -> list[Reason]:
    missing = missing_required_kinds(attempt.dossier)
    if missing:
        return [Reason(_("Required documents are missing: {kinds}."), {"kinds": missing})]
    return []


@register("nominee_fits")
def nominee_fits(attempt: Attempt) -> list[Reason]:
    return nominee_problems(attempt.dossier)


def nominee_problems(dossier: Dossier) -> list[Reason]:
    """The nominee is of the award's kind and belongs to the submitting unit (forms ask too)."""
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


@register("eligible")
def eligible(attempt: Attempt) -> list[Reason]:
    return eligibility_problems(attempt.dossier)


@register("award_has_public_notice")
def award_has_public_notice(attempt: Attempt) -> list[Reason]:
    if not attempt.dossier.public_notice_applies:
        return [Reason(_("This award has no public-notice period."))]
    return []


@register("decided_upward")
def decided_upward(attempt: Attempt) -> list[Reason]:
    if attempt.dossier.award_type.decided_by != AwardType.DecidedBy.UPWARD:
        return [Reason(_("This award is decided by the principal, not a higher authority."))]
    return []


@register("higher_decision_given")
def higher_decision_given(attempt: Attempt) -> list[Reason]:
    number = (attempt.arguments.get("decision_number") or "").strip()
    if not number or not attempt.arguments.get("decision_date"):
        return [Reason(_("Give the number and date of the higher authority's decision."))]
    return []
