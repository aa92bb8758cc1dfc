"""Separation of duties: nobody decides their own case unless their institution's rule allows it.

Each rule is data per institution (workflow.models.SeparationRule): it blocks (the action is
refused with its reasons) or warns (the action goes ahead and a `separation.warning_recorded`
event names the rule and the reasons, for the auditor's anomalies page). A rule nobody changed
applies its default below. The door (workflow.services), the permission answer, delegations, the
council and the decision services ask here; none of them decides a conflict of interest itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit import log
from audit.actions import AuditAction
from audit.models import AuditEvent
from dossiers.models import Dossier, Person, Role, RoleAssignment
from dossiers.reasons import Reason
from workflow.models import SeparationRule

BLOCK, WARN = SeparationRule.Mode.BLOCK, SeparationRule.Mode.WARN
OWN_CASE_REVIEW = "own_case_review"
AUDITOR_INDEPENDENT = "auditor_independent"
COUNCIL_RECUSAL = "council_recusal"
SIGNER_AWARDED = "signer_awarded"
# The principles every rule serves: public, transparent, fair (Luật Thi đua, khen thưởng 2022).
LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15, Điều 5 (công khai, minh bạch, công bằng)"


@dataclass(frozen=True)
class Rule:
    code: str
    title: Promise
    default_mode: str
    basis: str = LAW


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(OWN_CASE_REVIEW, _("Nobody reviews a dossier they created, submitted, head the unit "
                                "of, or are nominated by"), BLOCK),
        Rule(AUDITOR_INDEPENDENT, _("The auditor stays read-only and is lent no role"), BLOCK),
        Rule(COUNCIL_RECUSAL, _("A council member does not vote on their own nomination or "
                                "their own collective's"), BLOCK),
        Rule(SIGNER_AWARDED, _("The signer of a decision is not among its awardees"), WARN),
    )
}  # fmt: skip
# What a reviewer decides: the actions the own-case rule is about.
REVIEW_ACTIONS = ("approve", "return_for_revision", "decline")
# What an auditor may still do under the independence rule: read and export.
AUDITOR_READS = frozenset(
    {
        "dossier.view_all",
        "dossier.view_council_stage",
        "meeting.view_all",
        "decision.read",
        "upward.read",
        "trail.read",
        "trail.export",
        "movement.read",
        "registration.view_all",
        "statistics.read",
    }
)


def modes(institution_id: int) -> dict[str, str]:
    """Every rule's mode in the institution: its own choice, or the default."""
    chosen = dict(
        SeparationRule.objects.filter(institution_id=institution_id).values_list("rule", "mode")
    )
    return {code: chosen.get(code, rule.default_mode) for code, rule in RULES.items()}


def mode(institution_id: int, code: str) -> str:
    return modes(institution_id)[code]


@dataclass(frozen=True)
class Conflict:
    """A rule the action would break, how the institution applies it, and why it applies."""

    rule: str
    mode: str
    reasons: tuple[Reason, ...]

    @property
    def blocks(self) -> bool:
        return self.mode == BLOCK

    def as_payload(self) -> dict:
        return {"rule": self.rule, "reasons": [r.text("vi") for r in self.reasons]}


def conflict(institution_id: int, code: str, reasons: list[Reason]) -> Conflict | None:
    """The conflict when `reasons` is not empty, in the institution's mode for the rule."""
    return Conflict(code, mode(institution_id, code), tuple(reasons)) if reasons else None


# --- Whose case is it? ----------------------------------------------------------------------------


def own_case_reasons(dossier: Dossier, person: Person) -> list[Reason]:
    """Why the dossier is `person`'s own case: they created or submitted it, head its unit (own
    role or lent), or are its nominee or head the nominated collective."""
    name = person.full_name
    reasons = []
    if dossier.created_by_id == person.pk:
        reasons.append(Reason(_("{name} created this dossier."), {"name": name}))
    if _submitted_by(dossier, person):
        reasons.append(Reason(_("{name} submitted this dossier."), {"name": name}))
    heads = _units_headed(person)
    if dossier.unit_id in heads:
        reasons.append(Reason(_("{name} heads the unit that proposes it."), {"name": name}))
    reasons += nominee_reasons(dossier, person, heads=heads)
    return reasons


def nominee_reasons(dossier: Dossier, person: Person, *, heads: set[int] | None = None) -> list:
    """Why `person` is the nominee of the dossier: themselves, or as head of the collective."""
    name = person.full_name
    if dossier.nominee_person_id is not None and dossier.nominee_person_id == person.pk:
        return [Reason(_("{name} is the nominee."), {"name": name})]
    if dossier.nominee_unit_id is not None:
        heads = _units_headed(person) if heads is None else heads
        if dossier.nominee_unit_id in heads:
            return [Reason(_("{name} heads the nominated collective."), {"name": name})]
    return []


def _units_headed(person: Person) -> set[int]:
    from workflow import permissions  # permissions asks this module about auditors

    return {a.unit_id for a in permissions.actings(person) if a.role == Role.UNIT_HEAD}


SUBMISSIONS = (AuditAction.DOSSIER_SUBMITTED, AuditAction.DOSSIER_RESUBMITTED)


def _submitted_by(dossier: Dossier, person: Person) -> bool:
    known = dossier.__dict__.get("known_submitters", {})
    if person.pk in known:
        return known[person.pk]
    return AuditEvent.objects.filter(
        institution_id=dossier.institution_id,
        object_type="dossier",
        object_id=str(dossier.pk),
        action__in=SUBMISSIONS,
        actor_id=person.pk,
    ).exists()


def with_submitted_by(dossiers: QuerySet[Dossier], person_id: int) -> QuerySet[Dossier]:
    """The dossiers annotated with whether the person submitted each, so that a review read with
    its lock needs no query of the trail for it (see `remember_submitter`)."""
    return dossiers.annotate(
        submitted_by_asker=Exists(
            AuditEvent.objects.filter(
                institution_id=OuterRef("institution_id"),
                object_type="dossier",
                object_id=Cast(OuterRef("pk"), CharField()),
                action__in=SUBMISSIONS,
                actor_id=person_id,
            )
        )
    )


def remember_submitter(dossier: Dossier, person: Person) -> None:
    """Keep what `with_submitted_by` read on the dossier for `_submitted_by`."""
    dossier.__dict__.setdefault("known_submitters", {})[person.pk] = dossier.submitted_by_asker


def heads_of_units(unit_ids, *, institution_id: int) -> dict[int, set[int]]:
    """Unit id -> the people heading it today (own role): for recusals in bulk."""
    heads: dict[int, set[int]] = {}
    for person_id, unit_id in (
        RoleAssignment.objects.active()
        .filter(institution_id=institution_id, role=Role.UNIT_HEAD, unit_id__in=list(unit_ids))
        .values_list("person_id", "unit_id")
    ):
        heads.setdefault(unit_id, set()).add(person_id)
    return heads


# --- The checks the services call -----------------------------------------------------------------


def review_conflict(dossier: Dossier, action: str, person: Person, on_behalf_of) -> Conflict | None:
    """The own-case rule for a reviewer's decision, for the actor and whoever lent them the role."""
    if action not in REVIEW_ACTIONS:
        return None
    reasons = own_case_reasons(dossier, person)
    if on_behalf_of is not None:
        reasons += own_case_reasons(dossier, on_behalf_of)
    return conflict(dossier.institution_id, OWN_CASE_REVIEW, reasons)


def auditor_conflict(person: Person, holds_auditor: bool) -> Conflict | None:
    """The independence rule for someone who holds the auditor role and is about to act."""
    if not holds_auditor:
        return None
    reason = Reason(_("{name} holds the auditor role, which stays read-only."),
                    {"name": person.full_name})  # fmt: skip
    return conflict(person.institution_id, AUDITOR_INDEPENDENT, [reason])


def delegation_conflict(delegate: Person, holds_auditor: bool) -> Conflict | None:
    """The independence rule for a delegation: no role is ever lent to an auditor."""
    if not holds_auditor:
        return None
    reason = Reason(_("{name} holds the auditor role: no role may be lent to an auditor."),
                    {"name": delegate.full_name})  # fmt: skip
    return conflict(delegate.institution_id, AUDITOR_INDEPENDENT, [reason])


def record_warning(
    found: Conflict, *, institution, actor: log.Actor, object_type: str, object_id, action: str,
    details: dict | None = None,
) -> None:  # fmt: skip
    """A rule in warn mode let an action through: say so in the trail, next to the action."""
    log.append(
        institution=institution,
        actor=actor,
        action=AuditAction.SEPARATION_WARNING,
        object_type=object_type,
        object_id=object_id,
        reason="; ".join(r.text("vi") for r in found.reasons),
        payload={**found.as_payload(), "action": action, **(details or {})},
    )


# --- Changing a rule ------------------------------------------------------------------------------


def save_rule(*, institution, rule: str, mode: str, basis: str, actor: log.Actor) -> SeparationRule:
    """Set how an institution applies a rule; audited with the old and new mode."""
    if rule not in RULES or mode not in SeparationRule.Mode.values:
        raise ValueError(f"unknown rule or mode: {rule!r}, {mode!r}")
    with transaction.atomic():
        stored = (
            SeparationRule.objects.select_for_update()
            .filter(institution=institution, rule=rule)
            .first()
        )
        before = (stored.mode, stored.basis) if stored else (RULES[rule].default_mode, "")
        stored = stored or SeparationRule(institution=institution, rule=rule)
        stored.mode, stored.basis = mode, basis.strip()
        stored.full_clean()
        stored.save()
        changes = {
            field: [old, new]
            for field, old, new in (("mode", before[0], mode), ("basis", before[1], stored.basis))
            if old != new
        }
        if changes:
            log.append(
                institution=institution,
                actor=actor,
                action=AuditAction.SEPARATION_RULE_CHANGED,
                object_type="separation_rule",
                object_id=rule,
                payload={"rule": rule, "changes": changes},
            )
    return stored
