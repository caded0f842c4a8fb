"""Re-execute the solution notebooks in place, so their stored outputs are those of the current code.

Run before ``python -m autograder.release`` (``make release`` should call both, in that order): the
release strips outputs from the student copy, but the nbval run of ``make test`` compares every stored
number of ``solutions/*.ipynb`` with a fresh run (``tests/support/nbval_numbers.py``), so outputs stored by an
older version of the package fail the suite instead of going stale.

Each notebook runs in a fresh kernel with ``solutions/`` as its working directory (it imports the
reference package), one BLAS thread, and is written back only when every cell succeeded and some output
really changed (`stored_outputs`; without nbclient's per-cell timestamps). The wall-clock
time of each notebook is printed; the course budget is well under 60 s per notebook on 2 cores.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

from autograder.release.stored_outputs import DEFAULTS, METADATA_KEY, cell_outputs_match

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
BUDGET_SECONDS = 60.0


def refresh(path: Path, timeout: int = 600) -> float:
    """Execute `path` top to bottom in a new kernel, store the outputs, return the seconds it took."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    stored = copy.deepcopy(nb)  # execution fills `nb` in place
    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # inherited by the kernel process
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
        seconds = time.perf_counter() - t0
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # per-cell timestamps: noise in every diff
    if not _changed(stored, nb):
        return seconds  # same outputs within tolerance: the file stays as it is (no churn between machines)
    nbformat.write(nb, path)
    return seconds


def _changed(stored, fresh) -> bool:
    """Whether the fresh run's outputs differ from the stored ones beyond `stored_outputs`' tolerances."""
    if [c.source for c in stored.cells] != [c.source for c in fresh.cells]:
        return True
    for old, new in zip(stored.cells, fresh.cells):
        if new.cell_type != "code":
            continue
        tolerances = {k: float(v) for k, v in dict(new.metadata.get(METADATA_KEY, {})).items() if k in DEFAULTS}
        if "nbval-ignore-output" not in new.metadata.get("tags", []) and not cell_outputs_match(old.outputs, new.outputs, **tolerances):
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.release.refresh_outputs", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: solutions/*.ipynb")
    args = parser.parse_args(argv)
    over = []
    for path in args.notebooks or sorted(SOLUTIONS.glob("*.ipynb")):
        seconds = refresh(path)
        print(f"{path.name}: {seconds:.1f} s", flush=True)
        if seconds > BUDGET_SECONDS:
            over.append(path.name)
    if over:
        print(f"over the {BUDGET_SECONDS:.0f} s budget: {', '.join(over)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
