"""4. Execution time of every solution notebook, and optionally of ``make test``.

Notebooks are whatever ``solutions/*.ipynb`` holds when the bench runs. Each is
executed by nbclient (as nbval does) in a fresh kernel, in the user's
environment (OpenBLAS overrides restored), from its own folder; the time
includes the kernel's start, and the slowest cell is named.
"""

from __future__ import annotations

import re
import subprocess
import time
from datetime import datetime
from pathlib import Path

from . import ROOT
from .env import user_environment
from .report import Section, Target, table

NOTEBOOK_BUDGET = 60.0  # seconds, the course's rule for one notebook on 2 cores
CI_BUDGET = 600.0  # seconds, the course's target for the whole suite


def run_notebook(path: Path, timeout: int = 600) -> dict:
    """Execute one notebook; return its wall time, slowest cell and error (None when it ran)."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = None
    try:
        client.execute(env=user_environment())
    except Exception as exc:  # a failing notebook is reported, not fatal
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"[:200]
    seconds = time.perf_counter() - start
    cells = []
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            t0, t1 = (datetime.fromisoformat(timing[k].replace("Z", "+00:00")) for k in ("iopub.execute_input", "shell.execute_reply"))
            cells.append(((t1 - t0).total_seconds(), i))
    slowest = max(cells) if cells else (float("nan"), -1)
    first_line = nb.cells[slowest[1]].source.strip().splitlines()[0][:50] if cells and nb.cells[slowest[1]].source.strip() else ""
    return {"notebook": path.name, "seconds": seconds, "cells_seconds": sum(s for s, _ in cells), "slowest_cell": (*slowest, first_line), "error": error}


def run_make_test() -> dict:
    """``make test`` in the user's environment: wall time, exit code and pytest's summary lines."""
    start = time.perf_counter()
    proc = subprocess.run(["make", "test"], cwd=ROOT, env=user_environment(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summaries = [line.strip("= ") for line in proc.stdout.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    failures = [line for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return {"seconds": seconds, "returncode": proc.returncode, "summary": summaries, "failures": failures[:10], "stderr": proc.stderr[-2000:]}


def run(make_test: bool) -> Section:
    paths = sorted((ROOT / "solutions").glob("*.ipynb"))
    results = []
    for path in paths:
        res = run_notebook(path)
        results.append(res)
        print(f"  {res['notebook']}: {res['seconds']:.1f} s" + (f"  ({res['error']})" if res["error"] else ""), flush=True)
    body = [
        f"Each `solutions/*.ipynb` present at run time ({len(paths)} found), executed once by nbclient in a fresh kernel. "
        "Wall time includes the kernel's start; 'cells' is the sum of the cells' own execution times.",
        "",
    ]
    targets = []
    if results:
        body.append(
            table(
                ["notebook", "wall time", "cells", "slowest cell", "status"],
                [
                    [r["notebook"], f"{r['seconds']:.1f} s", f"{r['cells_seconds']:.1f} s", f"{r['slowest_cell'][0]:.1f} s, cell {r['slowest_cell'][1]} `{r['slowest_cell'][2].replace('|', '/').replace('`', '')}`", r["error"] or "ran"]
                    for r in results
                ],
            )
        )
        worst = max(results, key=lambda r: r["seconds"])
        targets.append(
            Target(
                "every solution notebook runs, each well under a minute",
                f"< {NOTEBOOK_BUDGET:.0f} s each, no error",
                f"slowest {worst['notebook']} {worst['seconds']:.1f} s; {sum(r['error'] is not None for r in results)} failed",
                all(r["error"] is None and r["seconds"] < NOTEBOOK_BUDGET for r in results),
            )
        )
    else:
        body.append("> No solution notebooks exist yet.")
    suite = None
    if make_test:
        suite = run_make_test()
        print(f"  make test: {suite['seconds']:.0f} s, exit {suite['returncode']}", flush=True)
        body += ["", f"`make test` as a whole: **{suite['seconds']:.0f} s**, exit code {suite['returncode']}; pytest said: " + "; ".join(f"`{s}`" for s in suite["summary"])]
        body += [f"- `{line}`" for line in suite["failures"]]
        targets.append(
            Target("`make test` (CI) on this machine", f"< {CI_BUDGET / 60:.0f} min, exit 0", f"{suite['seconds']:.0f} s, exit {suite['returncode']}", suite["returncode"] == 0 and suite["seconds"] < CI_BUDGET)
        )
    else:
        body += ["", "`make test` was not timed in this run (`python -m bench --make-test` does it; it takes minutes)."]
    return Section("4. Notebook and suite times", "\n".join(body), targets, {"notebooks": results, "make_test": suite})
