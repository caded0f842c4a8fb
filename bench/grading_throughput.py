"""Grading throughput: our default pipeline vs plain sequential ``nbgrader autograde``, in one run.

    python -m bench.grading_throughput [-n 24] [--plain-n 6] [-j JOBS] [--out bench/grading_throughput.md]
    make bench-grading                                               # -n 500 --plain-n 6: the class target, on a quiet machine
    make bench-grading BENCH_GRADING_ARGS="-n 500 --plain-n 500"     # plain nbgrader on all 500 too (hours)

N generated full-course submissions, in turn (`KINDS`): perfect (solution
notebooks as run, reference package), blank (the student copy as released),
one wrong function per notebook (from the mutant catalogue), a syntax error in
``losses.py``, a missing notebook, and mixed (every other module a stub).

* ours: ``python -m autograder grade`` on the N zips in the default mode
  (harness in the sandbox; the formgrader gets the submitted notebooks,
  sanitised), then merge, grades.csv, feedback and the report: one command;
* plain: one nbgrader course, the first ``--plain-n`` submissions (the same
  zips, the same mix) in ``submitted/`` with the course's data beside each, and
  one sequential ``nbgrader autograde backproplab`` (so every notebook really
  runs, training cells included).

CPU seconds are ``RUSAGE_CHILDREN`` deltas (every process each command
waited for); per-submission figures divide by the submissions each side
graded; the projections multiply them out (ours: the measured wall rate with
``-j`` parallel submissions, and the CPU rate spread over every core).
Course builds (``generate_assignment``) are done before the clocks start.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import sandbox  # noqa: E402
from autograder.grading.course import SOLUTIONS, Course, nbgrader_config, nbgrader_env  # noqa: E402

KINDS = ("perfect", "blank", "one_wrong_per_notebook", "syntax_error", "missing_notebook", "mixed")
TARGET_CLASS, TARGET_SECONDS, TARGET_RATIO = 500, 15 * 60, 5.0
STUDENT_COPY = ROOT / "notebooks"
DATA = ROOT / "data" / "mnist"


def _package(kind: str, course: Course) -> dict[str, str]:
    ref = {p.name: p.read_text(encoding="utf-8") for p in sorted(course.reference_pkg.glob("*.py"))}
    stub = {p.name: p.read_text(encoding="utf-8") for p in sorted(course.release_pkg.glob("*.py"))}
    if kind == "blank":
        return stub
    if kind == "mixed":
        modules = sorted(course.exercise_modules())
        return ref | {f"{m}.py": stub[f"{m}.py"] for m in modules[::2]}
    if kind == "syntax_error":
        return ref | {"losses.py": ref["losses.py"] + "\n\ndef oops(:\n    pass\n"}
    if kind == "one_wrong_per_notebook":
        from autograder.mutants import by_function, splice

        mutants, out = by_function(), dict(ref)
        for nb in course.notebooks.values():
            name = next((c.grade_id for c in nb.cells("function") if mutants.get(c.grade_id)), None)
            if name:
                m = mutants[name][0]
                out[f"{m.module}.py"] = splice(out[f"{m.module}.py"], m.function, m.body)
        return out
    return ref


def submission_zip(dst: Path, kind: str, course: Course) -> Path:
    """One full-course submission of `kind` (see `KINDS`)."""
    notebooks = sorted((STUDENT_COPY if kind == "blank" else SOLUTIONS).glob("*.ipynb"))
    if kind == "missing_notebook":
        notebooks = notebooks[:-1]
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for nb in notebooks:
            zf.write(nb, nb.name)
        for name, text in _package(kind, course).items():
            zf.writestr(f"backproplab/{name}", text)
    return dst


def plain_course(root: Path, zips: list[Path], course: Course) -> None:
    src = root / "source" / "backproplab"
    src.mkdir(parents=True)
    for nb in SOLUTIONS.glob("*.ipynb"):
        shutil.copyfile(nb, src / nb.name)
    (root / "nbgrader_config.py").write_text(
        nbgrader_config(root, db=root / "gradebook.db", exclude=course.package_files(), cell_timeout=300), encoding="utf-8"
    )
    subprocess.run([sandbox.python(), "-m", "nbgrader", "generate_assignment", "backproplab", "--force"], cwd=root,
                   env=nbgrader_env(), check=True, capture_output=True)
    for z in zips:
        dst = root / "submitted" / z.stem / "backproplab"
        dst.mkdir(parents=True)
        with zipfile.ZipFile(z) as zf:
            zf.extractall(dst)
        if DATA.is_dir():  # given the data, so 02 and 06 really train
            shutil.copytree(DATA, dst / "data" / "mnist")


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the command and everything it waited for, the process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc


def _h(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds < 3 * 3600 else f"{seconds / 3600:.1f} h"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.grading_throughput", description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=24, help="generated submissions graded by ours (default 24)")
    parser.add_argument("--plain-n", type=int, default=6, help="of those, how many plain nbgrader grades (default 6: one of each kind)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="our parallel submissions (default: one per core)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "grading_throughput.md", help="report (Markdown)")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    jobs = args.jobs or cores
    plain_n = max(1, min(args.plain_n, args.n))
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        ours_root = tmp / "ours"
        course = Course.load(SOLUTIONS, ours_root / ".build")  # nbgrader build outside the clocks
        zips = [submission_zip(tmp / "zips" / f"s{i:04d}_{KINDS[i % len(KINDS)]}.zip", KINDS[i % len(KINDS)], course) for i in range(args.n)]
        plain_course(tmp / "plain", zips[:plain_n], course)
        load_before = os.getloadavg()
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        ours, ours_cpu, proc = timed([sys.executable, "-m", "autograder", "grade", *map(str, zips), "--course", str(ours_root),
                                      "-j", str(jobs), "-q"], ROOT, env)
        if proc.returncode != 0:
            raise RuntimeError(f"grade failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        statuses = {}
        for line in (ours_root / "grades.csv").read_text().splitlines()[1:]:
            status = line.split(",")[1]
            statuses[status] = statuses.get(status, 0) + 1
        plain, plain_cpu, proc = timed([sandbox.python(), "-m", "nbgrader", "autograde", "backproplab"], tmp / "plain", nbgrader_env())
        if proc.returncode != 0:
            print(f"plain nbgrader exited {proc.returncode} (some notebooks failed, as they should for some kinds)", file=sys.stderr)
        load_after = os.getloadavg()
    ours_sub, ours_cpu_sub = ours / args.n, ours_cpu / args.n
    plain_sub, plain_cpu_sub = plain / plain_n, plain_cpu / plain_n
    ratio_wall, ratio_cpu = plain_sub / ours_sub, plain_cpu_sub / ours_cpu_sub
    class_wall = ours_sub * TARGET_CLASS
    class_cpu = ours_cpu_sub * TARGET_CLASS / cores  # every core busy: the rate on an otherwise idle machine
    lines = [
        "# Grading throughput: our default pipeline vs plain sequential nbgrader autograde",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `python -m bench.grading_throughput -n {args.n} "
        f"--plain-n {plain_n} -j {jobs}` on {cores} cores ({platform.machine()}, Python {platform.python_version()}); "
        f"isolation: {sandbox.available()}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        "(a shared machine: the CPU seconds are the steadier figure).",
        "",
        f"Submissions: {args.n} generated full-course submissions, kinds in turn: {', '.join(KINDS)}. "
        f"Plain nbgrader graded the first {plain_n} of them (the same mix), with the data beside each so every notebook runs. "
        f"Our statuses (grades.csv): {', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}.",
        "",
        "| | submissions | wall | CPU | per submission, wall | per submission, CPU |",
        "|---|---:|---:|---:|---:|---:|",
        f"| plain `nbgrader autograde` (sequential) | {plain_n} | {plain:.0f} s | {plain_cpu:.0f} s | {plain_sub:.1f} s | {plain_cpu_sub:.1f} s |",
        f"| `python -m autograder grade -j {jobs}` (default mode; merge, CSV, feedback, report included) | {args.n} | {ours:.0f} s | "
        f"{ours_cpu:.0f} s | {ours_sub:.2f} s | {ours_cpu_sub:.2f} s |",
        "",
        f"**Ratio per submission: {ratio_wall:.1f}x wall, {ratio_cpu:.1f}x CPU** (plain / ours; target >= {TARGET_RATIO:g}x).",
        "",
        "| class | ours at the measured wall rate | ours, CPU spread over every core (idle machine) | plain nbgrader (wall rate) |",
        "|---:|---:|---:|---:|",
        *(f"| {n:,} | {_h(ours_sub * n)} | {_h(ours_cpu_sub * n / cores)} | {_h(plain_sub * n)} |" for n in (TARGET_CLASS, 5000)),
        "",
        f"Target: {TARGET_CLASS} in <= {TARGET_SECONDS // 60} min on 2 cores: "
        f"{'met' if min(class_wall, class_cpu) <= TARGET_SECONDS else 'not met'} at the CPU rate ({_h(class_cpu)}), "
        f"{'met' if class_wall <= TARGET_SECONDS else 'not met'} at this run's wall rate ({_h(class_wall)}, load-dependent).",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
