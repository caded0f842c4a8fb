"""``grade``: many submissions in parallel, one ``grade-one`` process each, then merge.

Each submission is graded by its own ``python -m autograder grade-one``
process (default: one per core), so a submission that breaks the grader
itself costs only its own result; its row then says why. Results are
merged into the gradebook afterwards, in one process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder.grading.course import ROOT
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
    if args.isolation:
        cmd += ["--isolation", args.isolation]
    return cmd


def failed_result(student: str, zip_path: Path, why: str) -> dict:
    return {"schema": 1, "student": student, "submission": zip_path.name, "status": f"ungradable: {why}", "issues": [],
            "notebooks": {}, "autograded": {}, "timings": {}, "seed": None, "isolation": None,
            "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "log": [f"{student}: grader failure: {why}"]}


def grade_many(zips: list[Path], outdir: Path, args, jobs: int | None = None, progress: bool = True) -> list[Path]:
    """Grade `zips` in parallel into `outdir/<student>.json`; return the result files."""
    outdir.mkdir(parents=True, exist_ok=True)
    jobs = jobs or os.cpu_count() or 1
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))

    def one(zip_path: Path) -> Path:
        sid = student_id(zip_path.name) or "student"
        out = outdir / f"{sid}.json"
        try:
            proc = subprocess.run(grade_one_command(zip_path, out, args), capture_output=True, text=True, env=env,
                                  timeout=args.submission_timeout)
            ok = proc.returncode == 0 and out.exists()
            why = None if ok else f"the grader failed (exit {proc.returncode}): {clean((proc.stderr.strip().splitlines() or [''])[-1])}"
        except subprocess.TimeoutExpired:
            why = f"grading took longer than {args.submission_timeout} s"
        if why:
            out.write_text(json.dumps(failed_result(sid, zip_path, why)), encoding="utf-8")
        return out

    from tqdm.auto import tqdm

    results = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one, z) for z in zips]
        for fut in tqdm(as_completed(futures), total=len(futures), desc="grading", unit="submission", disable=not progress):
            results.append(fut.result())
    return sorted(results)
