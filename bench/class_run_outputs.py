"""CPU seconds of a class run's fixed tail: merge + export + feedback + report, four processes vs one.

    python -m bench.class_run_outputs [--course DIR] [--rounds 2]

The README's batch-engine recipes used to end with four commands
(``merge``, ``export``, ``feedback``, ``report``), each a process that loads
the course and imports nbgrader; ``finish`` does the four in one process.
Two full-course submissions (the reference package, and the untouched
release) are graded once with ``grade-one --no-nbgrader`` (not timed), then
both tails run on the same results, alternately, ``--rounds`` times each; the
CPU seconds (user + system of the whole process tree, from
``RUSAGE_CHILDREN``) and wall seconds of each are printed, best and median.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def _zip(dst: Path, notebooks: Path, package: Path) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for nb in sorted(notebooks.glob("*.ipynb")):
            zf.write(nb, nb.name)
        for py in sorted(package.glob("*.py")):
            zf.write(py, f"backproplab/{py.name}")
    return dst


def _run(cmd: list[str]) -> tuple[float, float]:
    """(CPU seconds of the process tree, wall seconds)."""
    before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=ENV, check=True, capture_output=True, timeout=1800)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--course", type=Path, default=None, help="course folder to use (default: a temporary one)")
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)
    course = args.course or Path(tempfile.mkdtemp(prefix="bench-outputs-"))
    py = [sys.executable, "-m", "autograder"]
    common = ["--course", str(course)]
    zips = [_zip(course / "ref.zip", ROOT / "solutions", ROOT / "solutions" / "backproplab"),
            _zip(course / "blank.zip", ROOT / "notebooks", ROOT / "notebooks" / "backproplab")]
    results = []
    for z in zips:
        out = course / "graded" / f"{z.stem}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([*py, "grade-one", str(z), "--out", str(out), "--no-nbgrader", *common], cwd=ROOT, env=ENV, check=True,
                       capture_output=True, timeout=1800)
        results.append(str(out))
    four = [[*py, "merge", *results, *common], [*py, "export", *common], [*py, "feedback", *common], [*py, "report", *common]]
    one = [[*py, "finish", *results, *common]]
    times: dict[str, list[tuple[float, float]]] = {"four processes": [], "finish (one process)": []}
    for _ in range(args.rounds):
        for name, cmds in (("four processes", four), ("finish (one process)", one)):
            runs = [_run(c) for c in cmds]
            times[name].append((sum(r[0] for r in runs), sum(r[1] for r in runs)))
    print(f"| tail of a class run ({len(results)} results, {args.rounds} rounds, load {os.getloadavg()[0]:.1f}) | CPU s best | CPU s median | wall s best |")
    print("|---|---|---|---|")
    for name, got in times.items():
        cpu = [c for c, _ in got]
        print(f"| {name} | {min(cpu):.1f} | {statistics.median(cpu):.1f} | {min(w for _, w in got):.1f} |")
    if args.course is None:
        shutil.rmtree(course, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
