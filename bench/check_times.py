"""How long one ``check_<function>`` takes: the median over a few runs per check, for the right and for a wrong answer.

Run ``.venv/bin/python -m bench.check_times`` (about 30 s). The checks are those of the
released student package (``notebooks/backproplab``, with its fingerprints); the
right answer is the reference function, the wrong one the first catalogued
mistake of that function. It prints one table (wall and CPU seconds) and the
medians over all checks; the target is a median below 0.3 s. Never a test.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import io
import statistics
import time
from pathlib import Path

import numpy as np

from autograder import hidden, mutants

STUDENT = Path(__file__).resolve().parents[1] / "notebooks" / "backproplab"


def _once(checks, name: str, fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(AssertionError):
        checks.check(name, fn)
    return time.perf_counter() - wall, time.process_time() - cpu


def _off(x):
    """The answer `x` with every float scaled by 1.01: a mistake no catalogue names."""
    if isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating):
        return x * x.dtype.type(1.01)
    if isinstance(x, np.floating | float):
        return type(x)(x * 1.01)
    if isinstance(x, dict):
        return {k: _off(v) for k, v in x.items()}
    if isinstance(x, tuple | list):
        return type(x)(_off(v) for v in x)
    return x


def _unknown(right):
    @functools.wraps(right)
    def wrong(*args, **kwargs):
        return _off(right(*args, **kwargs))

    return wrong


def measure(repeats: int = 5) -> list[tuple[str, ...]]:
    """(function, right wall, right CPU, wrong wall, wrong CPU, unknown wall): medians over `repeats` runs, seconds."""
    checks = importlib.import_module(f"{mutants.load_package(STUDENT)}.checks")
    catalogue = mutants.by_function()
    rows = []
    for name in hidden.FUNCTIONS:
        right = hidden.reference(name)
        wrong = catalogue[name][0].bind() if catalogue.get(name) else right
        _once(checks, name, right)  # imports and caches warmed
        r = [_once(checks, name, right) for _ in range(repeats)]
        w = [_once(checks, name, wrong) for _ in range(repeats)]
        u = [_once(checks, name, _unknown(right)) for _ in range(repeats)]
        rows.append((name, statistics.median(t for t, _ in r), statistics.median(c for _, c in r),
                     statistics.median(t for t, _ in w), statistics.median(c for _, c in w), statistics.median(t for t, _ in u)))
    return rows


def table(rows) -> str:
    head = "| check | right wall s | right CPU s | catalogued mistake wall s | its CPU s | unknown mistake wall s |"
    lines = [head, "|---|---:|---:|---:|---:|---:|"]
    for name, *t in rows:
        lines.append(f"| check_{name} | " + " | ".join(f"{v:.4f}" for v in t) + " |")
    med = [statistics.median(col) for col in zip(*(r[1:] for r in rows))]
    lines.append(f"| median of the {len(rows)} checks | " + " | ".join(f"{v:.4f}" for v in med) + " |")
    slowest = max(rows, key=lambda r: max(r[1:]))
    lines.append(f"\nslowest: check_{slowest[0]} ({max(slowest[1:]):.3f} s wall); target: median < 0.3 s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    print(table(measure(parser.parse_args(argv).repeats)))


if __name__ == "__main__":
    main()
