"""What bench_data writes for each dossier: its nominee, its history, its process and tasks.

A dossier's history is the events the services would have appended (created, edited while in
draft, then each move), and its process the rows viewflow writes on the way: the start task, a
switch before each step, a human task per step (done by whoever moved the dossier on), and the
open task of its state or the end of the process.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dossiers.models import State
from workflow import steps

S = State
REASON_RETURNED = "Bổ sung minh chứng về sáng kiến và bản nhận xét của đơn vị."
REASON_DECLINED = "Không đủ điều kiện: chưa đạt số năm liên tục hoàn thành tốt nhiệm vụ."


@dataclass(frozen=True)
class Move:
    action: str
    source: str
    target: str
    by_reviewer: bool
    reason: str = ""


SUBMIT = Move("dossier.submitted", S.DRAFT, S.SUBMITTED, False)
RETURN = Move("dossier.returned", S.SUBMITTED, S.RETURNED, True, REASON_RETURNED)
APPROVE = Move("dossier.approved", S.SUBMITTED, S.REVIEWED, True)
DECLINE = Move("dossier.declined", S.SUBMITTED, S.DECLINED, True, REASON_DECLINED)
WITHDRAW = Move("dossier.withdrawn", S.DRAFT, S.WITHDRAWN, False)

# The states bench_data builds: those reached without meetings, ballots or decisions.
HISTORIES: dict[str, tuple[Move, ...]] = {
    S.DRAFT: (),
    S.SUBMITTED: (SUBMIT,),
    S.RETURNED: (SUBMIT, RETURN),
    S.REVIEWED: (SUBMIT, APPROVE),
    S.DECLINED: (SUBMIT, DECLINE),
    S.WITHDRAWN: (WITHDRAW,),
}
# The mix when no --state is given, in percent.
MIX = {S.DRAFT: 15, S.SUBMITTED: 30, S.RETURNED: 10, S.REVIEWED: 15, S.DECLINED: 15,
       S.WITHDRAWN: 15}  # fmt: skip


@dataclass(frozen=True)
class Actor:
    person_id: int
    user_id: int
    name: str
    role: str


@dataclass
class Planned:
    """One dossier to write; `ranks` are its events' places in the trail, filled in later."""

    id: int
    period_id: int
    award_type_id: int
    unit_id: int
    nominee_person_id: int | None
    nominee_unit_id: int | None
    state: str
    edits: int
    head: Actor
    reviewer: Actor
    summary: str
    ranks: list[int] = field(default_factory=list)

    @property
    def moves(self) -> tuple[Move, ...]:
        return HISTORIES[self.state]

    @property
    def event_count(self) -> int:
        return 1 + self.edits + len(self.moves)

    def summary_after(self, edits: int) -> str:
        return self.summary if not edits else f"{self.summary} (bản sửa {edits})"

    def actor_of(self, move: Move) -> Actor:
        return self.reviewer if move.by_reviewer else self.head

    def event(self, j: int) -> tuple[Actor, str, str, str, str, dict]:
        """Event j of the history: actor, action, from, to, reason, payload."""
        if j == 0:
            fields = {"award_type_id": self.award_type_id,
                      "nominee_person_id": self.nominee_person_id,
                      "nominee_unit_id": self.nominee_unit_id,
                      "achievement_summary": self.summary}  # fmt: skip
            return self.head, "dossier.created", "", S.DRAFT, "", {"fields": fields}
        if j <= self.edits:
            change = [self.summary_after(j - 1), self.summary_after(j)]
            payload = {"changes": {"achievement_summary": change}}
            return self.head, "dossier.edited", S.DRAFT, S.DRAFT, "", payload
        move = self.moves[j - 1 - self.edits]
        return self.actor_of(move), move.action, move.source, move.target, move.reason, {}

    def stages(self) -> list[tuple[str | None, int, int | None, Actor | None]]:
        """Each step the dossier was in: its name (None: the process ended), the rank of the
        event that opened it, and the rank of the move that closed it and who made that move
        (None, None: still open)."""
        states = [S.DRAFT, *(m.target for m in self.moves)]
        moved = [self.ranks[1 + self.edits + i] for i in range(len(self.moves))]
        opened = [self.ranks[0], *moved]
        closed = [*moved, None]
        closers = [*(self.actor_of(m) for m in self.moves), None]
        return [
            (steps.step_for(s), o, c, a)
            for s, o, c, a in zip(states, opened, closed, closers, strict=True)
        ]
