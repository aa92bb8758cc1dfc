"""The invariant between a dossier's state and its process: one open task, of the matching step."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from viewflow.workflow.models import Task

from dossiers.models import Dossier
from workflow import steps
from workflow.process import OPEN_STATUSES


@dataclass(frozen=True)
class Inconsistency:
    dossier_id: int
    state: str
    expected_step: str | None
    open_steps: tuple[str, ...]

    def __str__(self) -> str:
        expected = self.expected_step or "none (terminal)"
        found = ", ".join(self.open_steps) or "none"
        return (
            f"dossier {self.dossier_id} ({self.state}): expected open task {expected}, "
            f"found {found}"
        )


def inconsistencies(dossiers=None) -> Iterator[Inconsistency]:
    """Every dossier whose open tasks do not match its state, in two queries whatever the size."""
    dossiers = Dossier.objects.all() if dossiers is None else dossiers
    open_steps = defaultdict(list)
    tasks = Task.objects.filter(
        status__in=OPEN_STATUSES,
        flow_task_type="HUMAN",
        process__dossierprocess__dossier__in=dossiers,
    ).values_list("process__dossierprocess__dossier_id", "flow_task")
    for dossier_id, flow_task in tasks.iterator():
        open_steps[dossier_id].append(flow_task.name)
    for dossier_id, state in dossiers.values_list("pk", "state").order_by("pk").iterator():
        expected = steps.step_for(state)
        found = tuple(open_steps.get(dossier_id, ()))
        if found != ((expected,) if expected else ()):
            yield Inconsistency(dossier_id, state, expected, found)
