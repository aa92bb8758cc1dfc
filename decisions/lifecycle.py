"""How decisions take part in the dossier lifecycle: guards on signing, and drafts kept in step."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.models import Decision, DecisionItem
from dossiers.models import AwardType, State
from dossiers.reasons import Reason
from workflow.guards import Attempt, register
from workflow.services import after_transition


@register("decided_by_principal")
def decided_by_principal(attempt: Attempt) -> list[Reason]:
    dossier = attempt.dossier
    if dossier.award_type.decided_by != AwardType.DecidedBy.PRINCIPAL:
        return [Reason(_("This award is decided by a higher authority: submit it upward."))]
    if dossier.state == State.RECOMMENDED and dossier.public_notice_applies:
        return [Reason(_("This award must be published for public notice before signing."))]
    return []


def _in_signed_decision(attempt: Attempt, kind: str) -> list[Reason]:
    """The dossier is in the decision being signed (signing moves its dossiers, nothing else)."""
    signed = DecisionItem.objects.filter(
        dossier=attempt.dossier, decision__state=Decision.State.SIGNED, decision__kind=kind
    )
    if not signed.exists():
        return [Reason(_("Only signing a decision that includes the dossier can do this."))]
    return []


@register("in_signed_award_decision")
def in_signed_award_decision(attempt: Attempt) -> list[Reason]:
    return _in_signed_decision(attempt, Decision.Kind.AWARD)


@register("in_signed_revocation")
def in_signed_revocation(attempt: Attempt) -> list[Reason]:
    return _in_signed_decision(attempt, Decision.Kind.REVOCATION)


@register("notice_over_without_objection")
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


# The states a dossier must be in to stay in a draft decision of each kind.
DRAFT_FITS = {
    Decision.Kind.AWARD: (State.RECOMMENDED, State.PUBLIC_NOTICE),
    Decision.Kind.REVOCATION: (State.SIGNED,),
}


@after_transition
def leave_drafts_it_no_longer_fits(dossier, transition) -> None:
    """A dossier returned to the council, suspended, revoked... leaves the drafts it was in.

    A dossier is in a draft of a kind only while in a state that fits it, so a transition that
    could not start from such a state (submitting, approving...) has no draft to look at.
    """
    for kind, states in DRAFT_FITS.items():
        could_be_in_a_draft = not set(transition.source).isdisjoint(states)
        if could_be_in_a_draft and dossier.state not in states:
            DecisionItem.objects.filter(
                dossier=dossier, decision__state=Decision.State.DRAFT, decision__kind=kind
            ).delete()
