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

# Every figure of a whole `make bench` run (issue 14's names).
FIGURE_NAMES = frozenset({
    "transition_c1_vs_floor", "transition_c4_vs_floor", "transition_c1_vs_peer",
    "transition_c4_vs_peer", "transition_queries", "list_queries_growth", "inbox_queries_growth",
    "history_queries_growth", "trail_queries_growth", "list_p95_ms_100k", "inbox_p95_ms_100k",
    "trail_p95_ms_1m", "verify_vs_sha256", "pdf500_vs_weasyprint_pyhanko", "sign500_lock_ms",
})  # fmt: skip


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
        """The committed results come from whole runs only: a run of some benchmarks (one file,
        `-k`) writes results.partial.{json,md} beside them, which git ignores."""
        if not self.items:
            return
        stem = "results" if set(self.items) >= FIGURE_NAMES else "results.partial"
        machine = {"python": platform.python_version(), "machine": platform.machine(),
                   "database": connection.vendor}  # fmt: skip
        rows = [asdict(f) | {"ratio": f.ratio} for f in self.items.values()]
        (folder / f"{stem}.json").write_text(
            json.dumps({"machine": machine, "figures": rows}, indent=1, ensure_ascii=False) + "\n"
        )
        lines = ["| figure | ours | reference | ratio (lower is better) | note |",
                 "|---|---|---|---|---|"]  # fmt: skip
        lines += [
            f"| `{f.name}` | {f.value:g} {f.unit} | {f.reference}: {f.reference_value:g} "
            f"{f.unit} | {f.ratio} | {f.note} |"
            for f in self.items.values()
        ]
        (folder / f"{stem}.md").write_text("\n".join(lines) + "\n")
        print(f"\nbench: {len(self.items)} figures written to {folder / stem}.json and .md")


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
