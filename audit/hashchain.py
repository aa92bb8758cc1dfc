"""The hash chain of the audit trail, independent of Django so an auditor can check a copy offline.

hash = SHA-256(previous hash + canonical JSON of the event), the first event of an institution's
chain having GENESIS as its previous hash. Run `python -m audit.hashchain FILE.jsonl` (or
`manage.py verify_audit --file FILE`) to verify an export without the database.

A filtered export holds some events of the chain, not all, so it cannot verify as a chain. With
`--partial` (verify_events_partial) each event is checked against its own stated previous hash
(its content is what was hashed into the chain) and linked to the event before it wherever the
two are consecutive. That proves the events were not altered; it cannot prove none were left out:
match the hashes against the database, or the last one against a signed head hash, for that.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

GENESIS = "0" * 64

# The fields that are hashed, in export order; the export adds prev_hash and hash.
EVENT_FIELDS = (
    "institution",
    "sequence",
    "created_at",
    "actor_id",
    "actor",
    "role",
    "on_behalf_of_id",
    "on_behalf_of",
    "action",
    "object_type",
    "object_id",
    "from_state",
    "to_state",
    "reason",
    "payload",
    "client_address",
)
# Each line of an export holds exactly these fields.
EXPORT_FIELDS = (*EVENT_FIELDS, "prev_hash", "hash")


# json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False), its encoder made once.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def format_timestamp(moment: datetime.datetime) -> str:
    """UTC with microseconds, the same text whatever database stored it.

    The text of `strftime("%Y-%m-%dT%H:%M:%S.%fZ")` in UTC, made by `isoformat`, which is about
    three times as fast; years before 1000 (which strftime does not pad) take the slow path.
    """
    if moment.tzinfo is not datetime.UTC:
        moment = moment.astimezone(datetime.UTC)
    if moment.year < 1000:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.isoformat(timespec="microseconds")[:26] + "Z"


def canonical_json(event: dict) -> str:
    """Sorted keys, no spaces, UTF-8 text: one byte string per event, on any machine."""
    return _CANONICAL.encode({name: event[name] for name in EVENT_FIELDS})


def event_hash(prev_hash: str, event: dict) -> str:
    return hashlib.sha256((prev_hash + canonical_json(event)).encode("utf-8")).hexdigest()


@dataclass
class ChainReport:
    """The outcome of verifying one institution's chain."""

    institution: str
    events: int = 0
    head_hash: str = GENESIS
    first_broken_sequence: int | None = None
    problem: str = ""
    # Partial verification (a filtered export): the range covered and how many runs are missing.
    partial: bool = False
    first_sequence: int | None = None
    last_sequence: int | None = None
    gaps: int = 0

    @property
    def intact(self) -> bool:
        return self.first_broken_sequence is None and not self.problem


@dataclass
class ChainWalker:
    """Walks one institution's events in order, stopping at the first broken one."""

    report: ChainReport
    expected_sequence: int = 1
    prev_hash: str = GENESIS
    done: bool = field(default=False)

    def step(self, event: dict) -> None:
        if self.done:
            return
        sequence = event["sequence"]
        if sequence != self.expected_sequence:
            expected = self.expected_sequence
            problem = f"expected sequence {expected}, found {sequence}"
            self._broken(sequence, problem + _missing(expected, sequence))
        elif event["prev_hash"] != self.prev_hash:
            self._broken(sequence, "its previous hash does not match the event before it")
        elif event_hash(self.prev_hash, event) != event["hash"]:
            self._broken(sequence, "its content does not match its hash")
        else:
            self.advance(event["hash"])

    def advance(self, hash_: str, count: int = 1) -> None:
        """Take the next `count` events as verified, the last with hash `hash_`.

        The caller has checked what `step` checks: their sequences follow `expected_sequence`,
        each links to the one before it (the first to `prev_hash`), and each one's content hashes
        to its hash (a faster reader of the database does so, audit.verification).
        """
        if count:
            self.report.events += count
            self.prev_hash = self.report.head_hash = hash_
            self.expected_sequence += count

    def _broken(self, sequence: int, problem: str) -> None:
        self.report.events += 1  # the broken event is counted
        self.report.first_broken_sequence = sequence
        self.report.problem = problem
        self.done = True


def _missing(expected: int, found) -> str:
    """Names the run of sequences a gap leaves out, e.g. ' (sequences 2–4 are missing)'."""
    if not isinstance(found, int) or found <= expected:
        return ""
    if found - 1 == expected:
        return f" (sequence {expected} is missing)"
    return f" (sequences {expected}–{found - 1} are missing)"


@dataclass
class _PartialWalker:
    """Walks a subset of one chain: content against stated prev_hash, links where consecutive."""

    report: ChainReport
    last_sequence: int | None = None
    last_hash: str = GENESIS
    done: bool = field(default=False)

    def step(self, event: dict) -> None:
        if self.done:
            return
        sequence, prev_hash, stated = event["sequence"], event["prev_hash"], event["hash"]
        self.report.events += 1
        if not (_is_sequence(sequence) and isinstance(prev_hash, str) and isinstance(stated, str)):
            self._broken(sequence, "its sequence or hashes are not of the right kind")
        elif self.last_sequence is not None and sequence <= self.last_sequence:
            self._broken(
                sequence, f"it follows sequence {self.last_sequence}; events must be in order"
            )
        elif self._follows_directly(sequence) and prev_hash != self.last_hash:
            self._broken(sequence, "its previous hash does not match the event before it")
        elif event_hash(prev_hash, event) != stated:
            self._broken(sequence, "its content does not match its hash")
        else:
            if not self._follows_directly(sequence):
                self.report.gaps += 1
            if self.report.first_sequence is None:
                self.report.first_sequence = sequence
            self.last_sequence, self.last_hash = sequence, stated
            self.report.last_sequence, self.report.head_hash = sequence, stated

    def _follows_directly(self, sequence: int) -> bool:
        """The event before this one in the chain is the one before it in the file (or genesis)."""
        expected = 1 if self.last_sequence is None else self.last_sequence + 1
        return sequence == expected

    def _broken(self, sequence, problem: str) -> None:
        self.report.first_broken_sequence = sequence
        self.report.problem = problem
        self.done = True


def _is_sequence(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def verify_events(events: Iterable[dict]) -> list[ChainReport]:
    """Verify events ordered by sequence within each institution; one report per institution."""
    return _verify(events, ChainWalker)


def verify_events_partial(events: Iterable[dict]) -> list[ChainReport]:
    """Verify a subset of chains (a filtered export), ordered by sequence within institutions.

    Each event's hash must be the hash of its content over the previous hash it states, and
    where two events of the file are consecutive in the chain the later one must link to the
    earlier. Missing runs of sequences (gaps) are counted, not refused.
    """
    return _verify(events, _PartialWalker, partial=True)


def _verify(events: Iterable[dict], walker_class, partial: bool = False) -> list[ChainReport]:
    walkers: dict = {}
    for event in events:
        institution = event["institution"]
        walker = walkers.get(institution)
        if walker is None:
            report = ChainReport(institution=institution, partial=partial)
            walker = walkers[institution] = walker_class(report)
        walker.step(event)
    return [w.report for w in walkers.values()]


def read_jsonl(lines: Iterable[str]) -> Iterator[dict]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number} is not JSON: {exc.msg}") from None
        if not isinstance(event, dict):
            raise ValueError(f"line {number} is not a JSON object")
        missing = [f for f in EXPORT_FIELDS if f not in event]
        if missing:
            raise ValueError(f"line {number} lacks {', '.join(missing)}")
        # A field outside the hash could carry anything past verification: refuse it.
        unknown = sorted(set(event) - set(EXPORT_FIELDS))
        if unknown:
            raise ValueError(f"line {number} has fields that are not hashed: {', '.join(unknown)}")
        yield event


def to_jsonl(event: dict) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str]) -> int:
    partial = "--partial" in argv
    argv = [a for a in argv if a != "--partial"]
    if len(argv) != 1:
        print("usage: python -m audit.hashchain [--partial] EXPORT.jsonl", file=sys.stderr)
        return 2
    verify = verify_events_partial if partial else verify_events
    try:
        with open(argv[0], encoding="utf-8") as f:
            reports = verify(read_jsonl(f))
    except OSError as exc:
        print(f"Cannot read {argv[0]}: {exc.strerror}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"Not an audit export: {exc}", file=sys.stderr)
        return 1
    for report in reports:
        print(describe(report))
    return 0 if reports and all(r.intact for r in reports) else 1


def describe(report: ChainReport) -> str:
    if report.intact and report.partial:
        return (
            f"{report.institution}: {report.events} events verified as a partial export "
            f"(sequences {report.first_sequence}–{report.last_sequence}, {report.gaps} gaps; "
            f"each event matches its hash, links checked where consecutive; "
            f"events left out cannot be detected), last hash {report.head_hash}"
        )
    if report.intact:
        return f"{report.institution}: {report.events} events verified, head {report.head_hash}"
    if report.first_broken_sequence is None:
        return f"{report.institution}: BROKEN: {report.problem}"
    return (
        f"{report.institution}: BROKEN at sequence {report.first_broken_sequence}: {report.problem}"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
