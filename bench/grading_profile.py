"""Where one full-course submission's grading CPU goes, per phase, per process tree.

    python -m bench.grading_profile [--label before|after] [--execute] [--out bench/grading_profile.md]

CPU seconds (user + system), never wall time alone: every sandboxed job's
whole tree comes back from ``wait4`` (`sandbox.Outcome.cpu`: the sandbox's
init reaps every process of the job, so its children's time is in there),
and every command run here is measured as a ``RUSAGE_CHILDREN`` delta. The
machine may be shared: CPU seconds are what a busy neighbour disturbs least.

Phases:

* building blocks, each alone in the sandbox (best of 2): the sandbox
  itself (``/bin/true``), Python + NumPy, the release package, IPython,
  nbgrader's import, one kernel start and shutdown, the set-up cells of all
  notebooks in one IPython;
* ``grade-one`` on one submission (every notebook, the reference answers,
  outputs as saved): the whole process, and inside it each sandboxed job
  (``result["timings"]["cpu"]``) and the grader's own work;
* ``merge``, ``export``, ``feedback``, ``report`` for that one result, each
  its own ``python -m autograder`` process;
* ``grade`` on the same zip (a warm batch of one): the whole command, and the
  submission's own forked grader (its jobs and its own CPU, from the result):
  what every further submission of a class costs.

Each run is stored under its label in ``bench/results/grading_profile.json``;
the Markdown table shows every label stored, side by side.
"""

from __future__ import annotations

import argparse
import json
import os
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
from autograder.grading.course import SOLUTIONS, Course  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "grading_profile.json"
KERNEL = """
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="python3")
kc.execute_interactive("1 + 1", timeout=60)
kc.stop_channels(); km.shutdown_kernel(now=True)
"""
SETUP = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
class Shell(InteractiveShell):
    def enable_gui(self, gui=None):  # as the grading child does: `%matplotlib inline` outside a kernel
        return None
shell = Shell.instance()
for path in sys.argv[1:]:
    shell.reset(new_session=False)
    for cell in json.load(open(path))["cells"]:
        if cell["cell_type"] == "code" and "setup" in cell.get("metadata", {}).get("tags", []):
            r = shell.run_cell("".join(cell["source"]), silent=True)
            if not r.success:
                print(path, repr(r.error_in_exec or r.error_before_exec)[:200])
"""


def submission_zip(dst: Path) -> Path:
    """A full-course submission: every solution notebook as run (outputs kept) and the reference package."""
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for nb in sorted(SOLUTIONS.glob("*.ipynb")):
            zf.write(nb, nb.name)
        for py in sorted((SOLUTIONS / "backproplab").glob("*.py")):
            zf.write(py, f"backproplab/{py.name}")
    return dst


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def command_cpu(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """(CPU seconds of `cmd` and everything it waited for, wall seconds)."""
    before, start = children_cpu(), time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:5]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return children_cpu() - before, time.monotonic() - start


def in_sandbox(argv: list[str], job: Path, rounds: int = 2) -> float:
    """Best-of-`rounds` CPU seconds of `argv` run in the sandbox with `job` writable."""
    best = float("inf")
    for _ in range(rounds):
        out = sandbox.run(argv, rw=[job], limits=sandbox.Limits(wall=300, memory=3 << 30), cwd=job, log_dir=job.with_name("log"))
        if out.returncode != 0:
            raise RuntimeError(f"{argv[:3]}: {out.describe()}\n{out.stderr[-1500:]}")
        best = min(best, out.cpu)
    return best


def building_blocks(course: Course, tmp: Path) -> dict[str, float]:
    job = tmp / "job"
    job.mkdir()
    shutil.copytree(course.release_pkg, job / "pkg" / "backproplab")
    for nb in SOLUTIONS.glob("*.ipynb"):
        shutil.copyfile(nb, job / nb.name)
    py = sandbox.python()
    env_pkg = f"import sys; sys.path.insert(0, {str(job / 'pkg')!r}); "
    start = in_sandbox(["/bin/true"], job)
    numpy = in_sandbox([py, "-c", "import numpy"], job)
    package = in_sandbox([py, "-c", env_pkg + "import numpy, importlib; [importlib.import_module('backproplab.' + m) for m in "
                          f"{sorted(course.exercise_modules())!r}]"], job)
    ipython = in_sandbox([py, "-c", "import numpy, IPython.core.interactiveshell"], job)
    nbgrader = in_sandbox([py, "-c", "import nbgrader.apps"], job)
    kernel = in_sandbox([py, "-c", KERNEL], job)
    (job / "setup.py").write_text(SETUP, encoding="utf-8")
    setup = in_sandbox([py, "-c", env_pkg + f"exec(open({str(job / 'setup.py')!r}).read())",
                        *sorted(str(job / nb.name) for nb in SOLUTIONS.glob("*.ipynb"))], job, rounds=1)
    return {
        "sandbox start (/bin/true)": start,
        "Python + NumPy import": numpy - start,
        "release package import (all modules)": package - numpy,
        "IPython import": ipython - numpy,
        "nbgrader import": nbgrader - start,
        "one kernel start + shutdown": kernel - start,
        f"set-up cells of all {len(course.notebooks)} notebooks (one IPython)": setup - ipython,
    }


def grading(course_root: Path, zip_path: Path, execute: bool) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    common = ["--course", str(course_root)]
    out = course_root.parent / "result.json"
    extra = ["--execute"] if execute else []
    total, wall = command_cpu([sys.executable, "-m", "autograder", "grade-one", str(zip_path), "--out", str(out), *common, *extra], ROOT, env)
    result = json.loads(out.read_text(encoding="utf-8"))
    rows = {"grade-one, whole process tree": total, "grade-one wall seconds (not CPU)": wall}
    cpu = result.get("timings", {}).get("cpu", {})
    jobs = 0.0
    for name, seconds in sorted(cpu.items()):
        if name != "grader":
            rows[f"  job {name}"] = seconds
            jobs += seconds
    rows["  grader process itself (start, course load, references, verdicts)"] = total - jobs
    for step in ("merge", "export", "feedback", "report"):
        args = [str(out)] if step == "merge" else []
        rows[f"{step} (own process)"] = command_cpu([sys.executable, "-m", "autograder", step, *args, *common], ROOT, env)[0]
    rows["auto points"] = sum(nb["auto"] for nb in result["notebooks"].values())
    rows["status"] = result["status"]
    rows.update(warm_batch(course_root.parent / "batch", zip_path, extra, env))
    return rows


def warm_batch(course_root: Path, zip_path: Path, extra: list[str], env: dict) -> dict[str, float]:
    """``grade`` on the one zip: the whole command, and the submission's own forked grader (what each more costs)."""
    total, wall = command_cpu([sys.executable, "-m", "autograder", "grade", str(zip_path), "--course", str(course_root), "-q", *extra],
                              ROOT, env)
    (path,) = (course_root / "graded").glob("*.json")
    cpu = json.loads(path.read_text(encoding="utf-8")).get("timings", {}).get("cpu", {})
    rows = {"grade (warm batch of one): whole command, incl. course load, reference calibration, merge, CSV, feedback, report": total,
            "grade: the submission's forked grader, whole tree (the cost of each further submission)": sum(cpu.values())}
    rows.update({f"  forked: job {name}": seconds for name, seconds in sorted(cpu.items()) if name != "grader"})
    rows["  forked: grader itself (verdicts; course, cases and reference answers inherited)"] = cpu.get("grader", 0.0)
    return rows


def markdown(stored: dict) -> str:
    labels = list(stored)
    phases = list(dict.fromkeys(p for label in labels for p in stored[label]["rows"]))
    head = "| phase (CPU seconds unless said) | " + " | ".join(labels) + " |"
    rule = "|---|" + "---:|" * len(labels)

    def fmt(v):
        return f"{v:.2f}" if isinstance(v, float) else ("" if v is None else str(v))

    lines = ["# Grading profile: one full-course submission, CPU seconds per phase", "",
             "Written by `python -m bench.grading_profile` (see its docstring for what each row measures).", ""]
    for label in labels:
        m = stored[label]["meta"]
        lines.append(f"* **{label}**: {m['when']}, commit {m['commit']}, {m['cores']} cores, isolation {m['isolation']}, "
                     f"load average {m['load'][0]:.1f} before / {m['load'][1]:.1f} after, mode: {m['mode']}")
    lines += ["", head, rule]
    lines += ["| " + p + " | " + " | ".join(fmt(stored[label]["rows"].get(p)) for label in labels) + " |" for p in phases]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.grading_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="now", help="name of this run's column (e.g. before, after)")
    parser.add_argument("--execute", action="store_true", help="grade with --execute (nbgrader re-runs the notebooks)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "grading_profile.md", help="report (Markdown)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        tmp = Path(tmp)
        course_root = tmp / "course"
        course = Course.load(SOLUTIONS, course_root / ".build")  # nbgrader's build outside the measurement
        rows = building_blocks(course, tmp)
        rows.update(grading(course_root, submission_zip(tmp / "perfect.zip"), args.execute))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    meta = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit, "cores": os.cpu_count(),
            "isolation": sandbox.available(), "load": [load_before, os.getloadavg()[0]], "mode": "--execute" if args.execute else "default"}
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stored[args.label] = {"meta": meta, "rows": rows}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(stored, indent=1), encoding="utf-8")
    text = markdown(stored)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
