"""Your progress through the course: which exercise functions are done.

Run it from the folder that holds ``backproplab/`` and the notebooks::

    python -m backproplab.progress               # or, from the course root: make progress
    python -m backproplab.progress --notebook 02 # one notebook: make check NB=02

It prints one row per exercise function of every notebook (the functions in
``backproplab.EXERCISES``): *not started* (the stub still raises
``NotImplementedError``), *wrong* (the visible check ``checks.check_<name>``
failed; its first line is shown), *correct* (the visible check passed), and the
points the function's graded cell is worth. It only runs the visible checks:
the grade comes from the hidden tests when you submit.

A half-written package never stops the table. Each module's checks run in a
child process with a time limit per function, so a file with a syntax error, a
function that raises, and a function that never returns are each reported in
their own row, and the other modules are still checked.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from .progress_child import CORRECT, ERROR, IMPORT_FAILED, NOT_STARTED, TIMED_OUT

PACKAGE_DIR = Path(__file__).resolve().parent
COURSE_DIR = PACKAGE_DIR.parent


_STARTUP_TIMEOUT = 60.0  # the child's own imports (Python, NumPy, checks): not student code


@dataclass
class Row:
    """One exercise function: its notebook, module, status and feedback."""

    notebook: str
    module: str
    function: str
    status: str = NOT_STARTED
    detail: str = ""
    points: float | None = None


# ---------------------------------------------------------------- points


def notebook_files(course_dir: Path = COURSE_DIR) -> dict[str, Path]:
    """Notebook key ("01") -> its notebook file (``01_softmax.ipynb``), for the notebooks present."""
    files: dict[str, Path] = {}
    for path in sorted(course_dir.glob("[0-9][0-9]_*.ipynb")):
        files.setdefault(path.name[:2], path)
    return files


def graded_points(notebook: Path) -> dict[str, float]:
    """``grade_id -> points`` of every graded cell of one notebook (nbgrader metadata)."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return {}
    points = {}
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and "grade_id" in meta:
            points[meta["grade_id"]] = float(meta.get("points", 0))
    return points


# ---------------------------------------------------------------- the parent


class _Child:
    """A worker process and a thread that turns its JSON lines into a queue."""

    def __init__(self, module: str, names: list[str]) -> None:
        code = (
            f"import sys; sys.path.insert(0, {str(COURSE_DIR)!r}); "
            f"from {PACKAGE_DIR.name}.progress_child import worker; worker(sys.argv[1], sys.argv[2:])"
        )
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, module, *names],
            cwd=COURSE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
            encoding="utf-8",
        )
        self.messages: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                self.messages.put(json.loads(line))
            except ValueError:
                continue
        self.messages.put(None)

    def next(self, timeout: float) -> dict | None:
        """The next message; None when the child died; raises queue.Empty on timeout."""
        return self.messages.get(timeout=timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def check_module(module: str, names: list[str], timeout: float) -> dict[str, tuple[str, str]]:
    """``function -> (status, feedback)`` for the functions of one exercise module."""
    results: dict[str, tuple[str, str]] = {}
    remaining = list(names)
    while remaining:
        child = _Child(module, remaining)
        try:
            remaining = _collect(child, remaining, timeout, results)
        finally:
            child.kill()
    return results


def _collect(child: _Child, names: list[str], timeout: float, results: dict[str, tuple[str, str]]) -> list[str]:
    """Read one child's reports into `results`; return the functions still to check (after a hang or crash)."""

    def fail_all(status: str, detail: str) -> list[str]:
        results.update({n: (status, detail) for n in names})
        return []

    try:
        msg = child.next(_STARTUP_TIMEOUT)
        if msg is None or msg.get("event") != "ready":
            return fail_all(ERROR, msg["error"] if msg else "the checking process stopped before it started")
        msg = child.next(timeout)
    except queue.Empty:
        return fail_all(TIMED_OUT, f"importing the module took longer than {timeout:g} s (a loop at module level?)")
    if msg is None:
        return fail_all(IMPORT_FAILED, "the process stopped while importing the module")
    if msg.get("error"):
        return fail_all(IMPORT_FAILED, msg["error"])
    for i, name in enumerate(names):
        try:
            msg = child.next(timeout)  # "start"
            if msg is not None:
                msg = child.next(timeout)  # "done"
        except queue.Empty:
            results[name] = (TIMED_OUT, f"no answer within {timeout:g} s (an endless loop?)")
            return names[i + 1 :]
        if msg is None:
            results[name] = (ERROR, "the process stopped during the check (exit() or a crash?)")
            return names[i + 1 :]
        results[name] = (msg["status"], msg["detail"])
    return []


def progress(timeout: float = 3.0, jobs: int | None = None, notebook: str | None = None) -> list[Row]:
    """Check the exercise functions of this package (of one `notebook`, e.g. "02"); one `Row` per (notebook, function)."""
    from . import EXERCISES

    notebook = None if notebook is None else notebook.zfill(2)  # NB=2 means "02"
    if notebook is not None and notebook not in EXERCISES:
        raise ValueError(f"notebook must be one of {', '.join(EXERCISES)}; got {notebook!r}")
    chosen = {k: v for k, v in EXERCISES.items() if notebook in (None, k)}
    by_module: dict[str, list[str]] = {}
    for modules in chosen.values():
        for module, names in modules.items():
            known = by_module.setdefault(module, [])
            known += [n for n in names if n not in known]
    jobs = jobs or max(2, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {m: pool.submit(check_module, m, names, timeout) for m, names in by_module.items()}
        results = {m: f.result() for m, f in futures.items()}
    files = notebook_files()
    rows = []
    for key, modules in chosen.items():
        points = graded_points(files[key]) if key in files else {}
        for module, names in modules.items():
            for name in names:
                status, detail = results[module][name]
                rows.append(Row(key, module, name, status, detail, points.get(name)))
    return rows


# ---------------------------------------------------------------- the table


def _fmt_points(p: float | None) -> str:
    return "-" if p is None else f"{p:g}"


def format_table(rows: list[Row], seconds: float | None = None) -> Iterator[str]:
    """The lines of the progress table: per notebook, per module file, one line per function."""
    files = notebook_files()
    width = max(len(r.function) for r in rows) + 2
    yield f"backproplab progress: {PACKAGE_DIR}" + (f"  (checked in {seconds:.1f} s)" if seconds is not None else "")
    for key in dict.fromkeys(r.notebook for r in rows):
        nb_rows = [r for r in rows if r.notebook == key]
        yield ""
        yield files[key].stem if key in files else f"notebook {key}"
        for module in dict.fromkeys(r.module for r in nb_rows):
            yield f"  {PACKAGE_DIR.name}/{module + '.py':<{width + 2}}{'status':<15}{'points':>6}  feedback"
            shown = set()  # an import failure is the same for every function of the module: say it once
            for r in (r for r in nb_rows if r.module == module):
                detail = "" if r.status == IMPORT_FAILED and r.detail in shown else r.detail
                shown.add(r.detail)
                yield f"    {r.function:<{width + len(PACKAGE_DIR.name) + 1}}{r.status:<15}{_fmt_points(r.points):>6}  {detail}".rstrip()
        if key in files:
            other = sum(p for gid, p in graded_points(files[key]).items() if gid not in {r.function for r in nb_rows})
            if other:
                yield f"  + {other:g} points for the answers you write in {files[key].name}"
    done = [r for r in rows if r.status == CORRECT]
    total = sum(r.points or 0 for r in rows)
    earned = sum(r.points or 0 for r in done)
    yield ""
    yield f"{len(done)} of {len(rows)} functions pass their visible checks" + (
        f" ({earned:g} of {total:g} points)" if total else ""
    )
    yield "Visible checks only: your grade comes from the hidden tests run when you submit."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backproplab.progress", description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds each function may take (default 3)")
    parser.add_argument("--jobs", type=int, default=None, help="modules checked at once (default: 2-4 by CPU count)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    parser.add_argument("--notebook", metavar="NB", default=None, help="only the functions of notebook NB (e.g. 02)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        rows = progress(timeout=args.timeout, jobs=args.jobs, notebook=args.notebook)
    except ValueError as exc:
        print(f"progress: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=1))
    else:
        print("\n".join(format_table(rows, time.perf_counter() - start)))
    return 0 if args.notebook is None or all(r.status == CORRECT for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
