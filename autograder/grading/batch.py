"""``grade``: many submissions in parallel, one ``grade-one`` process each, then merge.

Each submission is graded by its own ``python -m autograder grade-one``
process (default: one per core), so a submission that breaks the grader
itself costs only its own result; its row then says why. Results are
merged into the gradebook afterwards, in one process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder.grading import result as results
from autograder.grading.course import ROOT
from autograder.grading.result import Result
from autograder.sandbox.untrusted import clean
from autograder.student.submit import student_id


def grade_one_command(zip_path: Path, out: Path, args) -> list[str]:
    cmd = [sys.executable, "-m", "autograder", "grade-one", str(zip_path), "--out", str(out),
           "--source", str(args.source), "--hidden", args.hidden, "--course", str(args.course),
           "--timeout", str(args.timeout), "--cell-timeout", str(args.cell_timeout), "--memory-mb", str(args.memory_mb),
           "--job-timeout", str(args.job_timeout)]
    if args.seed is not None:
        cmd += ["--seed", str(args.seed)]
    if args.no_nbgrader:
        cmd.append("--no-nbgrader")
    if getattr(args, "execute", False):
        cmd.append("--execute")
    if args.isolation:
        cmd += ["--isolation", args.isolation]
    return cmd


def failed_result(student: str, zip_path: Path, why: str, code: str = results.GRADER_ERROR) -> Result:
    """A result without scores: the grading failed (`code` says whose failure: by default the grader's)."""
    return Result.failed(student, zip_path.name, code, why)


def memory_scratch(need: int = 4 << 30) -> str | None:
    """``/dev/shm`` (memory) when it is writable with `need` bytes free, for grading's scratch files; else None."""
    try:
        st = os.statvfs("/dev/shm")
    except OSError:
        return None
    return "/dev/shm" if os.access("/dev/shm", os.W_OK) and st.f_bavail * st.f_frsize >= need else None


def grade_many(zips: list[Path], outdir: Path, args, jobs: int | None = None, progress: bool = True) -> list[Path]:
    """Grade `zips` in parallel into `outdir/<student>.json`; return the result files."""
    outdir.mkdir(parents=True, exist_ok=True)
    jobs = jobs or os.cpu_count() or 1
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    if "TMPDIR" not in os.environ and (scratch := memory_scratch()):
        env["TMPDIR"] = scratch  # thousands of small job files a submission: cheaper in memory (about 0.7 CPU-s each here)

    def one(zip_path: Path) -> Path:
        sid = student_id(zip_path.name) or "student"
        out = outdir / f"{sid}.json"
        for _attempt in (1, 2):  # a grader that dies (its own OOM, a signal from outside) is not the student's doing: once more
            try:
                proc = subprocess.run(grade_one_command(zip_path, out, args), capture_output=True, text=True, env=env,
                                      timeout=args.submission_timeout)
            except subprocess.TimeoutExpired:
                failed_result(sid, zip_path, f"grading took longer than {args.submission_timeout} s", results.TIMEOUT).write(out)
                return out
            if proc.returncode == 0 and out.exists():
                return out
            why = f"the grader failed (exit {proc.returncode}): {clean((proc.stderr.strip().splitlines() or [''])[-1])}"
        failed_result(sid, zip_path, f"{why}, twice: grader error, regrade").write(out)
        return out

    from tqdm.auto import tqdm

    results = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one, z) for z in zips]
        for fut in tqdm(as_completed(futures), total=len(futures), desc="grading", unit="submission", disable=not progress):
            results.append(fut.result())
    return sorted(results)
