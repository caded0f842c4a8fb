"""Benchmarks of the backproplab reference package (``make bench``; never part of ``make test``).

Run ``python -m bench --help``. Each figure is a ratio of two times measured
side by side in one run; the report and plots go to ``bench/results/``.
Importing this package imports nothing heavy, so ``bench.loop_vs_batch`` can be
used from a notebook.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def solutions_on_path() -> None:
    """Make ``import backproplab`` load the reference package in ``solutions/``."""
    path = str(ROOT / "solutions")
    if path not in sys.path:
        sys.path.insert(0, path)
