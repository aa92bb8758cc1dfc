"""Reads of decisions for pages and the API."""

from __future__ import annotations

from django.db.models import Count

from decisions import credentials
from decisions.forms import ChooseCredentialForm, CompleteSigningForm, SignForm
from decisions.models import Decision, PreparedSigning, SigningCredential
from decisions.services import SIGNABLE, signer_conflict
from dossiers.models import AwardType, State
from workflow import permissions


def visible_decisions(person):
    """Decisions of the person's institution, for the roles that work with or inspect them."""
    if permissions.may(person, "decision.read") is None:
        return Decision.objects.none()
    return Decision.objects.of(person.institution_id).select_related("award_type", "signer")


def decision_rows(person):
    """The decisions a list shows, newest first, each with its number of awardees."""
    return (
        visible_decisions(person)
        .select_related("on_behalf_of", "revokes")
        .annotate(awardees=Count("items"))
        .order_by("-created_at", "-pk")
    )


def decidable_awards(person):
    """The awards the principal decides (the others go upward): what a decision may grant."""
    return AwardType.objects.of(person.institution).filter(
        is_active=True, decided_by=AwardType.DecidedBy.PRINCIPAL
    )


def decision_candidates(person, period, award):
    """Dossiers of the period the council recommended for this award, not in a draft already."""
    return (
        permissions.visible_dossiers(person)
        .filter(period=period, award_type=award, state__in=SIGNABLE)
        .exclude(decision_items__decision__state=Decision.State.DRAFT)
        .select_related("unit", "nominee_person", "nominee_unit")
        .order_by("unit__name", "pk")
    )


def decision_actions(person, decision: Decision, items) -> list[str]:
    """What the person may do on the decision now, as its page offers it: sign the draft, take a
    dossier out of it, or revoke some of a signed award's awardees (the services check again)."""
    draft = decision.state == Decision.State.DRAFT
    prepares = permissions.may(person, "decision.prepare") is not None
    actions = []
    if draft and items and permissions.may(person, "decision.sign") is not None:
        actions.append("sign")
    if draft and prepares:
        actions.append("remove")
    if (
        prepares
        and decision.state == Decision.State.SIGNED
        and decision.kind == Decision.Kind.AWARD
        and any(item.dossier.state == State.SIGNED for item in items)
    ):
        actions.append("revoke")
    return actions


def own_award(person, decision: Decision):
    """The signer among the awardees (separation.Conflict: the reasons, and whether the rule
    blocks or asks for an acknowledgement), or None; asked only of someone who may sign."""
    acting = permissions.may(person, "decision.sign", decision)
    return signer_conflict(decision, person, acting.on_behalf_of) if acting else None


def server_credentials(person):
    """The signer's own certificates whose key is on the server (they sign in one step)."""
    return SigningCredential.objects.filter(
        person=person, archived_at__isnull=True, kind__in=credentials.SERVER_KINDS
    ).order_by("-registered_at")


def own_computer_credentials(person):
    """The signer's own certificates whose key is at their computer (two steps)."""
    return credentials.active(person).filter(kind__in=credentials.OWN_COMPUTER_KINDS)


def signing_context(person, decision: Decision, sign_form=None) -> dict:
    """What the signer needs on the draft: their certificates, and a preparation under way."""
    own = list(SigningCredential.objects.filter(person=person, archived_at__isnull=True))
    on_server = [c for c in own if c.kind in credentials.SERVER_KINDS]
    at_computer = [c for c in own if c.kind in credentials.OWN_COMPUTER_KINDS]
    prepared = PreparedSigning.objects.filter(decision=decision, signer=person).first()
    return {
        "sign_form": sign_form or (SignForm(credentials=server_credentials(person)) if on_server
                                   else None),
        "signs_at_own_computer": bool(at_computer),
        # A choice only when there is one to make.
        "prepare_form": ChooseCredentialForm(credentials=own_computer_credentials(person))
        if len(at_computer) > 1 else None,
        "has_own_certificate": bool(own),
        "prepared": prepared,
        "complete_form": CompleteSigningForm() if prepared else None,
    }  # fmt: skip
