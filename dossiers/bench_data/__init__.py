"""Realistic volumes for benchmarks (`manage.py bench_data`), written fast and consistent.

Dossiers, their viewflow processes and open tasks, and an audit trail whose hash chain verifies,
are written with bulk inserts (COPY on PostgreSQL), not through the services: a service call per
dossier would take hours for 100,000. The rows are those the services write (see plan.py);
`check_consistency` and `verify_audit` find nothing to report afterwards.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from viewflow.workflow.fields import get_flow_ref, get_task_ref
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from audit import hashchain, log
from audit.models import AuditEvent
from dossiers.bench_data import organisation
from dossiers.bench_data.plan import HISTORIES, MIX, Actor, Planned
from dossiers.bench_data.writing import as_json, insert, reserve_ids
from dossiers.models import AwardType, Dossier, Period, Person, Role, RoleAssignment, Unit
from workflow import steps
from workflow.flows import DossierFlow
from workflow.models import DossierProcess

STATES = tuple(HISTORIES)
MIN_PEOPLE = 300
SUMMARY = "Hoàn thành xuất sắc nhiệm vụ giảng dạy và nghiên cứu khoa học năm {year}."
TRAIL_YEARS = 4  # a new trail's events spread over the years before now
EMPTY = "{}"  # an empty JSON object, as JSON text


@dataclass
class Summary:
    institution: str
    created: bool
    dossiers: int
    events: int
    people: int
    seconds: float = 0.0


class NotEnoughEvents(ValueError):
    pass


def build(*, dossiers: int, events: int | None, state: str | None, code: str) -> Summary:
    """Add `dossiers` dossiers and `events` audit events (None: their histories alone)."""
    with transaction.atomic():
        _fast_session()
        institution, created = organisation.institution_for(code)
        head = log.locked_head(institution)  # no other append until this commits
        rng = random.Random(f"{code}-{head.sequence}-{dossiers}")  # noqa: S311 - test data
        planned = _plan(institution, dossiers, state, rng)
        base = sum(p.event_count for p in planned)
        total = base if events is None else events
        if total < base or (total > base and not planned):
            raise NotEnoughEvents(base)
        _spread_edits(planned, total - base)
        clock = _Clock(head, institution, total)
        _rank(planned, rng)
        _write_dossiers(institution, planned, clock)
        _write_processes(institution.pk, planned, clock)
        _write_trail(institution, head, planned, clock)
        people = Person.objects.of(institution).count()
    return Summary(code, created, len(planned), total, people)


def _fast_session() -> None:
    """PostgreSQL: foreign keys checked row by row rather than queued for the commit, and the
    commit not waiting for the disk (a crash loses the benchmark data, nothing else)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _plan(institution, count: int, state: str | None, rng) -> list[Planned]:
    awards = list(AwardType.objects.of(institution).order_by("pk"))
    periods = list(Period.objects.of(institution).order_by("starts_on"))
    slots = _free_slots(institution, awards, periods, count, rng)
    heads = _actors(institution, Role.UNIT_HEAD)
    reviewers = list(_actors(institution, Role.REVIEWER).values())
    years = {p.pk: p.starts_on.year for p in periods}
    units = dict(Person.objects.of(institution).values_list("pk", "unit_id"))
    states = [state] * count if state else rng.choices(list(MIX), list(MIX.values()), k=count)
    planned = []
    for pk, (period_id, award_id, person_id, unit_id), st in zip(
        reserve_ids(Dossier._meta.db_table, count), slots, states, strict=True
    ):
        unit_id = units[person_id] if person_id else unit_id
        planned.append(Planned(
            id=pk, period_id=period_id, award_type_id=award_id, unit_id=unit_id,
            nominee_person_id=person_id, nominee_unit_id=None if person_id else unit_id,
            state=st, edits=0, head=heads[unit_id], reviewer=rng.choice(reviewers),
            summary=SUMMARY.format(year=years[period_id]),
        ))  # fmt: skip
    return planned


def _free_slots(institution, awards, periods, count: int, rng) -> list[tuple]:
    """`count` (period, award, person, unit) nominations no dossier holds; staff are added when
    the institution has too few people to nominate (one open dossier per nominee, award and
    period)."""
    individual = [a.pk for a in awards if a.nominee_kind == AwardType.NomineeKind.INDIVIDUAL]
    collective = [a.pk for a in awards if a.nominee_kind == AwardType.NomineeKind.COLLECTIVE]
    used = set(Dossier.objects.of(institution).values_list(
        "period_id", "award_type_id", "nominee_person_id", "nominee_unit_id"))  # fmt: skip
    unit_ids = list(Unit.objects.of(institution).order_by("pk").values_list("pk", flat=True))
    per_person, fixed = (
        len(periods) * len(individual),
        len(periods) * len(collective) * len(unit_ids),
    )
    staff = organisation.staff(institution)
    wanted = max(math.ceil((count + len(used) - fixed) / per_person), 0)
    people = Person.objects.of(institution).count()
    missing = max(wanted - len(staff), MIN_PEOPLE - people, 0)
    if missing:
        organisation.add_staff(institution, missing)
        staff = organisation.staff(institution)
    free = [(p.pk, a, s.pk, None) for p in periods for a in individual for s in staff]
    free += [(p.pk, a, None, u) for p in periods for a in collective for u in unit_ids]
    free = [slot for slot in free if slot not in used]
    rng.shuffle(free)
    return free[:count]


def _actors(institution, role: str) -> dict[int, Actor]:
    """Holders of `role`: by unit for unit heads, by person otherwise."""
    held = (
        RoleAssignment.objects.active()
        .filter(institution=institution, role=role)
        .select_related("person")
        .order_by("pk")
    )
    return {
        (a.unit_id if role in Role.UNIT_SCOPED else a.person_id): Actor(
            a.person_id, a.person.user_id, a.person.full_name, role
        )
        for a in held
    }


def _spread_edits(planned: list[Planned], extra: int) -> None:
    """Filler events: the drafts edited a few times each before they moved on."""
    if not planned:
        return
    each, rest = divmod(extra, len(planned))
    for n, dossier in enumerate(planned):
        dossier.edits = each + (1 if n < rest else 0)


def _rank(planned: list[Planned], rng) -> None:
    """Interleave the histories in one timeline: each dossier starts at a random moment."""
    keys = []
    for n, dossier in enumerate(planned):
        start = rng.random()
        keys += [(start + j * 1e-4, n, j) for j in range(dossier.event_count)]
        dossier.ranks = [0] * dossier.event_count
    keys.sort()
    for rank, (_key, n, j) in enumerate(keys):
        planned[n].ranks[j] = rank


class _Clock:
    """The time of the event at each rank: evenly spread after the trail's last event."""

    def __init__(self, head, institution, total: int):
        now = timezone.now()
        last = (
            AuditEvent.objects.filter(institution=institution, sequence=head.sequence)
            .values_list("created_at", flat=True)
            .first()
        )
        self.start = (last or now - datetime.timedelta(days=365 * TRAIL_YEARS)).astimezone(
            datetime.UTC
        )
        self.step = (now - self.start) / (total + 1) if total else datetime.timedelta(0)

    def at(self, rank: int) -> datetime.datetime:
        return self.start + self.step * (rank + 1)

    def text(self, rank: int) -> str:
        """hashchain.format_timestamp of `at(rank)`, which is in UTC, three times faster."""
        return self.at(rank).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _write_dossiers(institution, planned: list[Planned], clock: _Clock) -> None:
    columns = ("id", "institution_id", "period_id", "award_type_id", "unit_id",
               "nominee_person_id", "nominee_unit_id", "achievement_summary", "state",
               "state_before_suspension", "version", "created_by_id", "created_at",
               "updated_at")  # fmt: skip
    insert(Dossier._meta.db_table, columns, (
        (d.id, institution.pk, d.period_id, d.award_type_id, d.unit_id, d.nominee_person_id,
         d.nominee_unit_id, d.summary_after(d.edits), d.state, "", d.event_count,
         d.head.person_id, clock.at(d.ranks[0]), clock.at(d.ranks[-1]))
        for d in planned
    ))  # fmt: skip


def _write_processes(institution_id: int, planned: list[Planned], clock: _Clock) -> None:
    """Each dossier's process and the tasks viewflow would have written for its history."""
    process_ids = reserve_ids(Process._meta.db_table, len(planned))
    flow = get_flow_ref(DossierFlow)
    processes, links, tasks = [], [], []
    task_count = sum(2 + 2 * len(d.moves) + 1 for d in planned)
    task_ids = iter(reserve_ids(Task._meta.db_table, task_count))
    for process_id, dossier in zip(process_ids, planned, strict=True):
        created, finished = clock.at(dossier.ranks[0]), clock.at(dossier.ranks[-1])
        done = steps.step_for(dossier.state) is None
        processes.append((process_id, flow, PROCESS.DONE if done else PROCESS.NEW, created,
                          finished if done else None, EMPTY))  # fmt: skip
        links.append((process_id, dossier.id))
        _tasks(dossier, process_id, institution_id, task_ids, clock, tasks)
    insert(Process._meta.db_table, ("id", "flow_class", "status", "created", "finished", "data"),
           processes)  # fmt: skip
    insert(DossierProcess._meta.db_table, ("process_ptr_id", "dossier_id"), links)
    insert(Task._meta.db_table, TASK_COLUMNS, (t[:-1] for t in tasks))
    previous = Task.previous.through._meta.db_table
    insert(previous, ("from_task_id", "to_task_id"), ((t[0], t[-1]) for t in tasks if t[-1]))


TASK_COLUMNS = ("id", "flow_task", "flow_task_type", "status", "created", "assigned",
                "started", "finished", "token", "owner_id", "owner_permission", "process_id",
                "data")  # fmt: skip
NODES = {name: get_task_ref(getattr(DossierFlow, name))
         for name in ("start", "route", "end", *steps.STEPS)}  # fmt: skip


def _tasks(dossier: Planned, process_id: int, institution_id: int, ids, clock, out) -> None:
    """start, then per step: the switch and the step's task (done, or open), or the end."""
    at = clock.at(dossier.ranks[0])
    previous = next(ids)
    out.append((previous, NODES["start"], "START", STATUS.DONE, at, None, at, at, "start", None,
                None, process_id, EMPTY, None))  # fmt: skip
    for step, opened, closed, closer in dossier.stages():
        at = clock.at(opened)
        switch = next(ids)
        out.append((switch, NODES["route"], "SWITCH", STATUS.DONE, at, None, None, at, "start",
                    None, None, process_id, EMPTY, previous))  # fmt: skip
        previous = next(ids)
        if step is None:
            out.append((previous, NODES["end"], "END", STATUS.DONE, at, None, None, at, "start",
                        None, None, process_id, EMPTY, switch))  # fmt: skip
            return
        permission = steps.step_permission(
            step, institution_id=institution_id, unit_id=dossier.unit_id
        )
        if closer is None:
            out.append((previous, NODES[step], "HUMAN", STATUS.NEW, at, None, None, None, "start",
                        None, permission, process_id, EMPTY, switch))  # fmt: skip
            return
        done = clock.at(closed)
        out.append((previous, NODES[step], "HUMAN", STATUS.DONE, at, done, done, done, "start",
                    closer.user_id, permission, process_id, EMPTY, switch))  # fmt: skip


def _write_trail(institution, head, planned: list[Planned], clock: _Clock) -> None:
    """Every event in timeline order, chained to the head, then the head moved to the last."""
    order = sorted((rank, n, j) for n, d in enumerate(planned) for j, rank in enumerate(d.ranks))
    code, state = institution.code, {"sequence": head.sequence, "hash": head.hash}

    def rows():
        for rank, n, j in order:
            dossier = planned[n]
            actor, action, source, target, reason, payload = dossier.event(j)
            state["sequence"] += 1
            event = {
                "institution": code, "sequence": state["sequence"],
                "created_at": clock.text(rank),
                "actor_id": actor.person_id, "actor": actor.name, "role": actor.role,
                "on_behalf_of_id": None, "on_behalf_of": "", "action": action,
                "object_type": "dossier", "object_id": str(dossier.id), "from_state": source,
                "to_state": target, "reason": reason, "payload": payload,
                "client_address": f"10.20.{dossier.unit_id % 250}.{actor.person_id % 250 + 1}",
            }  # fmt: skip
            prev, state["hash"] = state["hash"], hashchain.event_hash(state["hash"], event)
            yield (institution.pk, event["sequence"], clock.at(rank), actor.person_id, actor.name,
                   actor.role, None, "", action, "dossier", event["object_id"], source, target,
                   reason, as_json(payload) if payload else EMPTY, event["client_address"], prev,
                   state["hash"])  # fmt: skip

    insert(AuditEvent._meta.db_table, EVENT_COLUMNS, rows())
    head.sequence, head.hash = state["sequence"], state["hash"]
    head.save(update_fields=["sequence", "hash"])


EVENT_COLUMNS = ("institution_id", "sequence", "created_at", "actor_id", "actor_name", "role",
                 "on_behalf_of_id", "on_behalf_of_name", "action", "object_type", "object_id",
                 "from_state", "to_state", "reason", "payload", "client_address", "prev_hash",
                 "hash")  # fmt: skip
