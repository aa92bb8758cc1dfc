"""A small closed-loop load generator: N clients, each a thread doing one operation after
another for a fixed time, each on the next key of a shared supply (every key is used once);
throughput and latency percentiles of all of them."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field


class RanOut(Exception):
    """A client used up its keys before the time was over: the run needs more data."""


@dataclass
class Load:
    clients: int
    seconds: float  # from the common start to the last operation's end
    latencies: list[float]  # seconds, every operation of every client
    done: list[list] = field(default_factory=list)  # per client, the keys it completed
    failures: list[str] = field(default_factory=list)

    @property
    def operations(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.operations / self.seconds

    @property
    def ms_per_operation(self) -> float:
        return round(1000 / self.throughput, 3)

    def percentile_ms(self, p: int) -> float:
        return round(statistics.quantiles(self.latencies, n=100)[p - 1] * 1000, 2)

    def summary(self) -> str:
        return (f"{self.throughput:.1f}/s, p50 {self.percentile_ms(50)} ms, "
                f"p95 {self.percentile_ms(95)} ms")  # fmt: skip


def drive(operations: Sequence[Callable[[object], None]], keys: Iterator, seconds: float) -> Load:
    """Run `operations[i](key)` on client i for the next key, all clients starting together,
    until `seconds` have passed. An operation fails by raising; its client then stops."""
    clients = len(operations)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    done: list[list] = [[] for _ in range(clients)]
    failures: list[str] = []
    ends = [0.0] * clients
    start = threading.Barrier(clients + 1)
    begun = {}
    taking = threading.Lock()

    def take():
        with taking:
            return next(keys, None)

    def client(i: int) -> None:
        start.wait()
        deadline = begun["at"] + seconds
        try:
            while time.perf_counter() < deadline:
                key = take()
                if key is None:
                    raise RanOut(f"client {i} ran out of keys after {len(done[i])} operations")
                started = time.perf_counter()
                operations[i](key)
                ends[i] = time.perf_counter()
                latencies[i].append(ends[i] - started)
                done[i].append(key)
        except Exception as error:  # any failure is reported with the figures, never hidden
            failures.append(f"client {i}: {error!r}")

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    begun["at"] = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = max(ends) - begun["at"] if any(ends) else seconds
    return Load(clients, elapsed, [s for client in latencies for s in client], done, failures)
