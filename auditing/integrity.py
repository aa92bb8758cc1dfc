"""The integrity panel: verify an institution's chain in the background and record the outcome.

A check walks the chain in keyset chunks up to the head it found when it started, saving its
progress after each chunk so the panel can show it, then compares the chain head printed on
every signed decision with the chain. Events appended meanwhile (the check's own
"audit.integrity_checked" among them) are left for the next check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import hashchain, log
from audit.models import AuditChainHead, AuditEvent
from auditing.models import IntegrityCheck
from auditing.selectors import may_inspect
from decisions.models import Decision
from dossiers.models import Institution, Person
from outbox import services as outbox
from workflow import permissions
from workflow.errors import NotPermitted

CHUNK_SIZE = 5000
RECENT_CHECKS = 20
# Why a signed decision's printed head disagrees with the chain (stored codes, shown translated).
MISMATCHES = {
    "no_head": _("No chain head was printed on the decision."),
    "no_signing_event": _("The trail has no “decision signed” event for this decision."),
    "not_in_chain": _("The printed head is the hash of no event of the trail."),
    "after_signing": _("The printed head is an event recorded after the signing."),
    "unverified": _("The printed head lies in the broken part of the chain."),
}


def request_check(*, institution: Institution, person: Person) -> IntegrityCheck:
    """Queue a verification of the institution's chain, in the outbox: it runs on the next drain
    once this transaction commits (at once without a broker), whatever the broker's state."""
    if not may_inspect(person) or person.institution_id != institution.pk:
        raise NotPermitted()
    with transaction.atomic():
        check = IntegrityCheck.objects.create(institution=institution, requested_by=person)
        outbox.enqueue("integrity_check", [{"check_id": check.pk}], institution_id=institution.pk)
    return check


def run_queued(payload: dict) -> None:
    """The outbox handler of an "integrity_check" row; a check already run is left alone, and
    one whose worker died (running for longer than the outbox's lease) is run again."""
    run_check(check_id=payload["check_id"], abandoned_before=timezone.now() - outbox.lease())


def give_up(payload: dict, error: str) -> None:
    """The check's outbox row failed for the last time: show the check failed, with why."""
    IntegrityCheck.objects.filter(
        pk=payload["check_id"],
        state__in=[IntegrityCheck.State.QUEUED, IntegrityCheck.State.RUNNING],
    ).update(state=IntegrityCheck.State.FAILED, finished_at=timezone.now(), problem=error[:1000])


def checks_of(institution: Institution) -> QuerySet[IntegrityCheck]:
    """The institution's checks, newest first, with who asked for each."""
    return (
        IntegrityCheck.objects.filter(institution=institution)
        .select_related("requested_by")
        .order_by("-requested_at", "-id")
    )


def recent_checks(institution: Institution) -> QuerySet[IntegrityCheck]:
    return checks_of(institution)[:RECENT_CHECKS]


def run_check(
    *, check_id: int, chunk_size: int = CHUNK_SIZE, abandoned_before=None
) -> IntegrityCheck:
    """Verify the chain for one queued check; a check already started is left alone, unless it
    started before `abandoned_before` (its worker died: the outbox ran the row again)."""
    startable = Q(state=IntegrityCheck.State.QUEUED)
    if abandoned_before is not None:
        startable |= Q(state=IntegrityCheck.State.RUNNING, started_at__lt=abandoned_before)
    started = IntegrityCheck.objects.filter(startable, pk=check_id)
    if not started.update(
        state=IntegrityCheck.State.RUNNING, started_at=timezone.now(), events_checked=0
    ):
        return IntegrityCheck.objects.get(pk=check_id)
    check = IntegrityCheck.objects.select_related("institution", "requested_by").get(pk=check_id)
    try:
        _run(check, chunk_size)
    except Exception as exc:
        IntegrityCheck.objects.filter(pk=check.pk).update(
            state=IntegrityCheck.State.FAILED, finished_at=timezone.now(),
            problem=f"{type(exc).__name__}: {exc}"[:1000],
        )  # fmt: skip
        raise
    return check


def _run(check: IntegrityCheck, chunk_size: int) -> None:
    institution = check.institution
    # Decisions first, then the head: a decision committed before this query has its signing
    # events under the head read next, so none is taken for unsigned in the trail.
    decisions = list(
        Decision.objects.of(institution)
        .filter(state=Decision.State.SIGNED)
        .only("pk", "chain_head", "number", "series")
        .order_by("pk")
    )
    head = AuditChainHead.objects.filter(institution=institution).first()
    head_sequence, head_hash = (head.sequence, head.hash) if head else (0, hashchain.GENESIS)
    check.events_total = head_sequence
    IntegrityCheck.objects.filter(pk=check.pk).update(events_total=head_sequence)

    report = walk(check, up_to=head_sequence, chunk_size=chunk_size)
    if report.intact and (report.events, report.head_hash) != (head_sequence, head_hash):
        report.problem = (
            f"the chain head says sequence {head_sequence}, the trail ends at {report.events}"
        )
    check.events_checked = report.events
    check.head_hash = report.head_hash
    check.first_broken_sequence = report.first_broken_sequence
    check.problem = report.problem
    check.decisions_checked = len(decisions)
    check.decisions_mismatched = [
        m.as_dict()
        for m in decision_mismatches(
            institution, decisions, up_to=head_sequence, broken_at=report.first_broken_sequence
        )
    ]
    _finish(check)


def walk(check: IntegrityCheck, *, up_to: int, chunk_size: int) -> hashchain.ChainReport:
    """Verify events 1..up_to in keyset chunks, recording progress after each chunk."""
    institution = check.institution
    walker = hashchain.ChainWalker(hashchain.ChainReport(institution=institution.code))
    after = 0
    while not walker.done:
        chunk = list(
            AuditEvent.objects.filter(
                institution=institution, sequence__gt=after, sequence__lte=up_to
            ).order_by("sequence")[:chunk_size]
        )
        if not chunk:
            break
        for event in chunk:
            walker.step(event.as_chain_event(institution.code))
            if walker.done:
                break
        after = chunk[-1].sequence
        record_progress(check, walker.report.events)
        if len(chunk) < chunk_size:
            break
    return walker.report


def record_progress(check: IntegrityCheck, events_checked: int) -> None:
    """Saved at once (autocommit), so the panel shows it while the walk goes on."""
    IntegrityCheck.objects.filter(pk=check.pk).update(events_checked=events_checked)


@dataclass(frozen=True)
class Mismatch:
    decision_id: int
    reference: str
    chain_head: str
    problem: str  # a key of MISMATCHES

    def as_dict(self) -> dict:
        return {
            "decision_id": self.decision_id,
            "reference": self.reference,
            "chain_head": self.chain_head,
            "problem": self.problem,
        }


def decision_mismatches(
    institution: Institution, decisions: list[Decision], *, up_to: int, broken_at: int | None
) -> list[Mismatch]:
    """Signed decisions whose printed head is not an event of the chain before their signing.

    Two queries whatever the number of decisions: the signing events, and the events whose
    hashes were printed.
    """
    events = AuditEvent.objects.filter(institution=institution, sequence__lte=up_to)
    signed_at = dict(
        events.filter(action="decision.signed", object_type="decision").values_list(
            "object_id", "sequence"
        )
    )
    printed = {d.chain_head for d in decisions if d.chain_head} - {hashchain.GENESIS}
    head_at = dict(events.filter(hash__in=printed).values_list("hash", "sequence"))
    head_at[hashchain.GENESIS] = 0  # the head of an empty chain precedes every event
    mismatches = []
    for decision in decisions:
        problem = _mismatch(decision, signed_at.get(str(decision.pk)), head_at, broken_at)
        if problem:
            mismatches.append(
                Mismatch(decision.pk, decision.reference, decision.chain_head, problem)
            )
    return mismatches


def _mismatch(decision: Decision, signed: int | None, head_at: dict, broken_at) -> str:
    if not decision.chain_head:
        return "no_head"
    if signed is None:
        return "no_signing_event"
    head = head_at.get(decision.chain_head)
    if head is None:
        return "not_in_chain"
    if head >= signed:
        return "after_signing"
    if broken_at is not None and head >= broken_at:
        return "unverified"
    return ""


def _finish(check: IntegrityCheck) -> None:
    """Store the outcome and record it in the trail, together."""
    check.state = IntegrityCheck.State.DONE
    check.finished_at = timezone.now()
    with transaction.atomic():
        check.save(
            update_fields=[
                "state", "finished_at", "events_checked", "head_hash", "first_broken_sequence",
                "problem", "decisions_checked", "decisions_mismatched",
            ]
        )  # fmt: skip
        log.append(
            institution=check.institution,
            actor=_actor(check.requested_by),
            action="audit.integrity_checked",
            object_type="integrity_check",
            object_id=check.pk,
            payload={
                "intact": check.intact,
                "up_to_sequence": check.events_total,
                "events_checked": check.events_checked,
                "head_hash": check.head_hash,
                "first_broken_sequence": check.first_broken_sequence,
                "problem": check.problem,
                "decisions_checked": check.decisions_checked,
                "decisions_mismatched": [m["decision_id"] for m in check.decisions_mismatched],
            },
        )


def _actor(person: Person) -> log.Actor:
    """The requester, in the role that lets them inspect (if they still hold it)."""
    acting = permissions.may(person, "trail.read")
    return log.Actor(
        person=person,
        role=acting.role if acting else "",
        on_behalf_of=acting.on_behalf_of if acting else None,
    )
