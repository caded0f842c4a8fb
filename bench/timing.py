"""Side-by-side timing on a shared, noisy machine.

Every figure of the benchmarks is a ratio of two times measured in the same
run. Both sides are timed in alternating blocks (A, B, A, B, … with the order
flipped every round), so a burst of load from another process hits both; each
side's time is the **minimum** over rounds (the run least disturbed), and the
median is kept to show how noisy the run was.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    best: float  # wall seconds per call, minimum over rounds
    median: float  # wall seconds per call, median over rounds
    cpu_best: float = float("nan")  # CPU seconds (all threads of the process) per call, minimum over rounds

    @property
    def noise(self) -> float:
        """median / best - 1: 0 on a quiet machine, large when other work interfered."""
        return self.median / self.best - 1


def calls_per_block(fn: Callable[[], object], min_time: float) -> int:
    """How many calls of `fn` take at least `min_time` seconds (at least 1); warms `fn` up."""
    fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start >= min_time:
            return n
        n *= 2


def block_time(fn: Callable[[], object], n: int) -> float:
    """Wall seconds per call over `n` back-to-back calls."""
    return block_times(fn, n)[0]


def block_times(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """Wall and process-CPU seconds per call over `n` back-to-back calls."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n, (time.process_time() - cpu) / n


def compare(fns: dict[str, Callable[[], object]], rounds: int = 9, min_time: float = 0.03) -> dict[str, Timing]:
    """Time each function in interleaved blocks; return its best and median seconds per call.

    Parameters
    ----------
    fns : dict of name -> zero-argument callable
    rounds : int
        Blocks per function; the order of the functions alternates every round.
    min_time : float
        Target seconds per block (the number of calls per block is calibrated once).
    """
    counts = {name: calls_per_block(fn, min_time) for name, fn in fns.items()}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    names = list(fns)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            samples[name].append(block_times(fns[name], counts[name]))
    return {name: Timing(min(w for w, _ in s), statistics.median(w for w, _ in s), min(c for _, c in s)) for name, s in samples.items()}


def wall_time(fn: Callable[[], object], repeat: int = 3) -> Timing:
    """Best and median wall time of `repeat` single calls (for things that take seconds)."""
    samples = [block_time(fn, 1) for _ in range(repeat)]
    return Timing(min(samples), statistics.median(samples))
