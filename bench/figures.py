"""The figures `make bench` reports: each a value beside its reference, measured in the same run.

`ratio` is ours / reference as a cost (time or queries per operation): lower is better. Names
are stable across versions (issue 14), so results of two versions can be compared line by line.
The run writes bench/results.json and bench/results.md (a table for the README).
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.db import connection

HERE = Path(__file__).resolve().parent


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    reference: str
    reference_value: float
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return round(self.value / self.reference_value, 3) if self.reference_value else None


class Figures:
    """What one run measured; written out when the run ends."""

    def __init__(self):
        self.items: dict[str, Figure] = {}

    def record(self, figure: Figure) -> Figure:
        self.items[figure.name] = figure
        print(f"\n{figure.name}: {figure.value:g} {figure.unit} vs {figure.reference} "
              f"{figure.reference_value:g} (ratio {figure.ratio})")  # fmt: skip
        return figure

    def write(self, folder: Path = HERE) -> None:
        if not self.items:
            return
        machine = {"python": platform.python_version(), "machine": platform.machine(),
                   "database": connection.vendor}  # fmt: skip
        rows = [asdict(f) | {"ratio": f.ratio} for f in self.items.values()]
        (folder / "results.json").write_text(
            json.dumps({"machine": machine, "figures": rows}, indent=1, ensure_ascii=False) + "\n"
        )
        lines = ["| figure | ours | reference | ratio (lower is better) | note |",
                 "|---|---|---|---|---|"]  # fmt: skip
        lines += [
            f"| `{f.name}` | {f.value:g} {f.unit} | {f.reference}: {f.reference_value:g} "
            f"{f.unit} | {f.ratio} | {f.note} |"
            for f in self.items.values()
        ]
        (folder / "results.md").write_text("\n".join(lines) + "\n")


def timed(work, repeat: int) -> list[float]:
    """Seconds per call of `work`, `repeat` times."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return samples


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)
