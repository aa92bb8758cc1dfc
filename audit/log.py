"""Appending to and reading the audit trail. Every write of the product records itself here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from audit import actions, hashchain, references, verification
from audit.models import CHAIN_COLUMNS, AuditChainHead, AuditEvent, chain_event
from dossiers import writes
from dossiers.models import Institution, Person
from dossiers.prepared import PreparedQuery


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
    """Append one event to the institution's chain; must run inside the caller's transaction.

    Inside `deferred()` the event is only buffered: it gets its sequence, time and hash, and is
    written, when that block ends.
    """
    if action not in actions.CODES:
        raise ValueError(f"{action!r} is not an audit action (audit.actions)")
    if not connection.in_atomic_block:
        raise RuntimeError("log.append must run inside the transaction of the change it records")
    event = AuditEvent(
        institution=institution,
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
    )
    deferral = _deferral()
    if deferral is not None:
        deferral.add(event)
        return event
    head = locked_head(institution)
    _chain(head, event, timezone.now())
    if writes.in_one_statement():
        _write_with_head(event, head)
    else:
        event.save(force_insert=True)
        head.save(update_fields=["sequence", "hash"])
    return event


def _write_with_head(event: AuditEvent, head: AuditChainHead) -> None:
    """The event and the head moved onto it in one statement (PostgreSQL).

    The head's update reads the inserted event (UPDATE ... FROM event), so the insert has run
    when the head's trigger looks for the event it is moved onto; were it not, that trigger
    would refuse the move and the whole write, never record a head without its event.
    """
    insert_sql, insert_params = writes.insert(event)
    quote = connection.ops.quote_name
    table = quote(AuditChainHead._meta.db_table)
    key = quote(AuditChainHead._meta.pk.column)
    sql = (
        f"WITH event AS ({insert_sql}) UPDATE {table} SET sequence = %s, hash = %s "  # noqa: S608 - names from the model  # nosec B608
        f"FROM event WHERE {table}.{key} = %s RETURNING event.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*insert_params, head.sequence, head.hash, head.pk])
        (event.pk,) = cursor.fetchone()
    event._state.adding, event._state.db = False, connection.alias


def _chain(head: AuditChainHead, event: AuditEvent, moment) -> None:
    """Give the event the next place after `head`, and move `head` (in memory) onto it."""
    event.sequence, event.created_at, event.prev_hash = head.sequence + 1, moment, head.hash
    event.hash = hashchain.event_hash(head.hash, event.as_chain_event(event.institution.code))
    head.sequence, head.hash = event.sequence, event.hash


@contextmanager
def deferred() -> Iterator[None]:
    """Buffer the appends of the block, and write them when it ends, in the order appended.

    A long write (a signing moving hundreds of dossiers) then holds each institution's chain
    head only while its events are written at the end, instead of from its first append until
    it commits, so that the institution's other audited writes need not wait for it. The events
    are stamped with the time they are written. A block that raises writes nothing; events
    appended inside a savepoint rolled back within the block are dropped with it. Reading the
    trail or its head inside the block would miss the buffered events, so it is refused
    (DeferredRead). A nested block joins the outer one, which writes everything.
    """
    if _deferral() is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("log.deferred must run inside the transaction of the change it records")
    deferral = _Deferral()
    with connection.execute_wrapper(deferral):
        yield
    deferral.write()


class DeferredRead(RuntimeError):
    """The audit trail was read while appends to it were deferred (log.deferred)."""


_AUDIT_TABLES = (AuditEvent._meta.db_table, AuditChainHead._meta.db_table)
_SAVEPOINT_ROLLBACK = "ROLLBACK TO SAVEPOINT "


@dataclass
class _Deferral:
    """The events of one `deferred()` block, each with the savepoints open when appended."""

    events: list[tuple[AuditEvent, tuple[str, ...]]] = field(default_factory=list)

    def add(self, event: AuditEvent) -> None:
        self.events.append((event, tuple(filter(None, connection.savepoint_ids))))

    def __call__(self, execute, sql, params, many, context):
        """The connection's execute wrapper while the block runs."""
        if isinstance(sql, str):
            if sql.startswith(_SAVEPOINT_ROLLBACK):
                result = execute(sql, params, many, context)
                self._drop_since(sql.removeprefix(_SAVEPOINT_ROLLBACK).strip('"`'))
                return result
            if any(table in sql for table in _AUDIT_TABLES):
                raise DeferredRead(
                    "the audit trail cannot be read inside log.deferred(): "
                    "its buffered events are not written yet"
                )
        return execute(sql, params, many, context)

    def _drop_since(self, savepoint: str) -> None:
        self.events = [(e, open_) for e, open_ in self.events if savepoint not in open_]

    def write(self) -> None:
        """Each institution's events after its head (heads locked in a fixed order), at once."""
        by_institution: dict[int, list[AuditEvent]] = {}
        for event, _savepoints in self.events:
            by_institution.setdefault(event.institution_id, []).append(event)
        moment = timezone.now()
        for _pk, events in sorted(by_institution.items()):
            head = locked_head(events[0].institution)
            for event in events:
                _chain(head, event, moment)
            AuditEvent.objects.bulk_create(events)
            head.save(update_fields=["sequence", "hash"])


def _deferral() -> _Deferral | None:
    """The `deferred()` block open on this thread's connection, if any."""
    return next((w for w in connection.execute_wrappers if isinstance(w, _Deferral)), None)


def head_hash(institution: Institution) -> str:
    """The hash of the chain's head as last committed, read without waiting for its lock.

    Any head read so is one the chain contains (events are never removed), so a document may
    print it without holding up the institution's other writes.
    """
    head = AuditChainHead.objects.filter(institution=institution).values_list("hash", flat=True)
    return head.first() or hashchain.GENESIS


def locked_head(institution: Institution) -> AuditChainHead:
    """The chain head row, created on first use and locked until the transaction ends.

    One query once the institution has a head; the first append creates it (a concurrent first
    append waits on the insert, then both lock the one row).
    """
    found = _LOCKED_HEAD.fetch(institution_id=institution.pk)
    if found:
        return found[0]
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(institution=institution)], ignore_conflicts=True
    )
    return AuditChainHead.objects.select_for_update().get(institution=institution)


# Locked by every audited write: compiled once.
_LOCKED_HEAD = PreparedQuery(
    lambda *, institution_id: AuditChainHead.objects.select_for_update().filter(
        institution_id=institution_id
    )
)


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
    """Recompute the chain from the database; the head row and every published head must agree.

    The chain is verified as `hashchain.verify_events(chain_events(institution))` would, only
    faster (audit.verification).
    """
    report = verification.verify_chain(institution)
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
