"""Appending to and reading the audit trail. Every write of the product records itself here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from audit import hashchain, references
from audit.actions import AuditAction
from audit.models import CHAIN_COLUMNS, AuditChainHead, AuditEvent, chain_event
from dossiers.models import Institution, Person


@dataclass(frozen=True)
class Actor:
    """Who acts, in which role, on whose behalf (delegation), and from where."""

    person: Person | None
    role: str = ""
    on_behalf_of: Person | None = None
    client_address: str = ""
    name: str = ""  # for actors without a person record (administrators, the system)

    @classmethod
    def acting(cls, person: Person, acting, client_address: str = "") -> Actor:
        """The person acting as `permissions.may` answered: in that role, on that behalf."""
        return cls(
            person=person,
            role=acting.role,
            on_behalf_of=acting.on_behalf_of,
            client_address=client_address,
        )

    @property
    def display_name(self) -> str:
        return self.person.full_name if self.person else self.name


SYSTEM = Actor(person=None, role="system", name="system")


def append(
    *,
    institution: Institution,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: int | str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict | None = None,
) -> AuditEvent:
    """Append one event to the institution's chain; must run inside the caller's transaction."""
    if action not in AuditAction.values:
        raise ValueError(f"{action!r} is not an audit action (audit.actions)")
    if not connection.in_atomic_block:
        raise RuntimeError("log.append must run inside the transaction of the change it records")
    head = locked_head(institution)
    event = AuditEvent(
        institution=institution,
        sequence=head.sequence + 1,
        created_at=timezone.now(),
        actor=actor.person,
        actor_name=actor.display_name,
        role=actor.role,
        on_behalf_of=actor.on_behalf_of,
        on_behalf_of_name=actor.on_behalf_of.full_name if actor.on_behalf_of else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
        client_address=actor.client_address,
        prev_hash=head.hash,
    )
    event.hash = hashchain.event_hash(head.hash, event.as_chain_event(institution.code))
    event.save(force_insert=True)
    head.sequence, head.hash = event.sequence, event.hash
    head.save(update_fields=["sequence", "hash"])
    return event


def locked_head(institution: Institution) -> AuditChainHead:
    """The chain head row, created on first use and locked until the transaction ends.

    One query once the institution has a head; the first append creates it (a concurrent first
    append waits on the insert, then both lock the one row).
    """
    heads = AuditChainHead.objects.select_for_update()
    head = heads.filter(institution=institution).first()
    if head is None:
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(institution=institution)], ignore_conflicts=True
        )
        head = heads.get(institution=institution)
    return head


def chain_events(institution: Institution, chunk_size: int = 2000) -> Iterator[dict]:
    """Every event of the institution's chain in order, streamed, as exported and hashed.

    Read as tuples of the hashed columns: building a model instance per event would cost more
    than hashing it.
    """
    rows = (
        AuditEvent.objects.filter(institution=institution)
        .order_by("sequence")
        .values_list(*CHAIN_COLUMNS)
        .iterator(chunk_size=chunk_size)
    )
    code = institution.code
    for row in rows:
        yield chain_event(code, row)


def verify_institution(institution: Institution) -> hashchain.ChainReport:
    """Recompute the chain from the database; the head row and every published head must agree."""
    reports = hashchain.verify_events(chain_events(institution))
    report = reports[0] if reports else hashchain.ChainReport(institution=institution.code)
    if report.intact:
        report.problem = _head_problem(institution, report) or _reference_problem(
            institution, report
        )
    return report


def _head_problem(institution: Institution, report: hashchain.ChainReport) -> str:
    head = AuditChainHead.objects.filter(institution=institution).first()
    if head is None:
        return "the chain head row is missing" if report.events else ""
    if (head.sequence, head.hash) == (report.events, report.head_hash):
        return ""
    if head.sequence > report.events:
        return f"the chain head says sequence {head.sequence}, the trail ends at {report.events}"
    if head.sequence < report.events:
        return (
            f"the chain head says sequence {head.sequence}, behind the trail, "
            f"which ends at {report.events}"
        )
    return f"the chain head's hash is not the hash of event {head.sequence}"


def _reference_problem(institution: Institution, report: hashchain.ChainReport) -> str:
    """The first published head that the verified chain does not contain, described."""
    published = list(references.of(institution))
    hashes = {r.hash for r in published} - {hashchain.GENESIS}
    at = dict(
        AuditEvent.objects.filter(
            institution=institution, hash__in=hashes, sequence__lte=report.events
        ).values_list("hash", "sequence")
    )
    at[hashchain.GENESIS] = 0
    if published and not report.events:
        return f"{published[0].label} was published, yet the trail has no events"
    for reference in published:
        sequence = at.get(reference.hash)
        if sequence is None:
            ahead = reference.sequence is not None and reference.sequence > report.events
            where = "ahead of the trail" if ahead else "not in the chain"
            return (
                f"{reference.label} names the chain head {reference.hash[:16]}…, "
                f"{where} (the trail has {report.events} events)"
            )
        if reference.sequence is not None and reference.sequence != sequence:
            return (
                f"{reference.label} names sequence {reference.sequence} with the hash of "
                f"event {sequence}"
            )
    return ""
