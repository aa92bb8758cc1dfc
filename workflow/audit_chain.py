"""The hash chain of the audit trail, independent of Django so an auditor can check a copy offline.

hash = SHA-256(previous hash + canonical JSON of the event), the first event of an institution's
chain having GENESIS as its previous hash. Run `python -m workflow.audit_chain FILE.jsonl` (or
`manage.py verify_audit --file FILE`) to verify an export without the database.
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


def format_timestamp(moment: datetime.datetime) -> str:
    """UTC with microseconds, the same text whatever database stored it."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(event: dict) -> str:
    """Sorted keys, no spaces, UTF-8 text: one byte string per event, on any machine."""
    body = {name: event[name] for name in EVENT_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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

    @property
    def intact(self) -> bool:
        return self.first_broken_sequence is None and not self.problem


@dataclass
class _Walker:
    report: ChainReport
    expected_sequence: int = 1
    prev_hash: str = GENESIS
    done: bool = field(default=False)

    def step(self, event: dict) -> None:
        if self.done:
            return
        sequence = event["sequence"]
        self.report.events += 1
        if sequence != self.expected_sequence:
            self._broken(sequence, f"expected sequence {self.expected_sequence}, found {sequence}")
        elif event["prev_hash"] != self.prev_hash:
            self._broken(sequence, "its previous hash does not match the event before it")
        elif event_hash(self.prev_hash, event) != event["hash"]:
            self._broken(sequence, "its content does not match its hash")
        else:
            self.prev_hash = event["hash"]
            self.report.head_hash = event["hash"]
            self.expected_sequence += 1

    def _broken(self, sequence: int, problem: str) -> None:
        self.report.first_broken_sequence = sequence
        self.report.problem = problem
        self.done = True


def verify_events(events: Iterable[dict]) -> list[ChainReport]:
    """Verify events ordered by sequence within each institution; one report per institution."""
    walkers: dict[str, _Walker] = {}
    for event in events:
        institution = event["institution"]
        walker = walkers.get(institution)
        if walker is None:
            walker = walkers[institution] = _Walker(ChainReport(institution=institution))
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
        missing = [f for f in (*EVENT_FIELDS, "prev_hash", "hash") if f not in event]
        if missing:
            raise ValueError(f"line {number} lacks {', '.join(missing)}")
        yield event


def to_jsonl(event: dict) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m workflow.audit_chain EXPORT.jsonl", file=sys.stderr)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as f:
            reports = verify_events(read_jsonl(f))
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
    if report.intact:
        return f"{report.institution}: {report.events} events verified, head {report.head_hash}"
    if report.first_broken_sequence is None:
        return f"{report.institution}: BROKEN: {report.problem}"
    return (
        f"{report.institution}: BROKEN at sequence {report.first_broken_sequence}: {report.problem}"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
