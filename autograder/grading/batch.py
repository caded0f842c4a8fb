"""``grade``: many submissions in parallel, one forked grader each, from one warm process; then merge.

The batch process loads the course once, picks the class's seed, and grades
the reference solution first (`calibrate`): that fills every cache the
submissions share (the hidden cases of that seed, the reference's answers to
them, the dependencies' recorded answers, the code answers' retraining) and
checks that the reference earns full marks. It then forks one grader per
submission (default: one per core) from that warm state, so Python, the
course and the reference's work are paid once per class, not once per
submission. Student code still runs only in the sandboxed children each
grader starts; a forked grader only reads files and compares.

A grader that dies (its own OOM, a signal from outside) costs only its own
result: it is run once more, then its result says "grader error, regrade".
``grade-one`` is the same grading (`grade_to_file`) as a command of its own,
the unit a batch engine fans out.
"""

from __future__ import annotations

import os
import secrets
import signal
import tempfile
import time
import traceback
import zipfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder.grading import result as results
from autograder.grading.result import Result
from autograder.sandbox.untrusted import clean
from autograder.student.submit import student_id

POLL = 0.05  # seconds between looks at the running graders


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


def settings_of(args):
    """The harness settings the CLI's limit options ask for."""
    from autograder.grading.harness import Settings
    from autograder.sandbox import Limits

    limits = Limits(wall=float(args.job_timeout), memory=args.memory_mb << 20)
    return Settings(seed=args.seed or 0, limits=limits, call_seconds=args.timeout, cell_seconds=args.cell_timeout, isolation=args.isolation)


def grade_to_file(zip_path: Path, out: Path, args, course=None, seed: int | None = None, course_key: str | None = None,
                  student: str | None = None) -> Result:
    """Grade `zip_path` into `out`; always leaves a result there (a failure of the grader becomes ``grader_error``).

    `course` (loaded from `args` when None), `seed` (``args.seed``, else fresh) and `course_key`
    (`unchanged.course_key`) may come from a warm batch process.
    """
    from autograder.grading import unchanged
    from autograder.grading.grade_one import grade_one

    sid = student_id(student or zip_path.name) or "student"
    # first a placeholder: if this process is killed (OOM, a batch engine's limit), no older score stays silently
    failed_result(sid, zip_path, "grading did not finish (the grader was stopped): grader error, regrade").write(out)
    try:
        if course is None:
            from autograder.grading.course import Course

            course = Course.from_args(args)
        result = grade_one(zip_path, course, student=student, seed=args.seed if seed is None else seed, settings=settings_of(args),
                           nbgrader=not args.no_nbgrader, execute=getattr(args, "execute", False))
    except Exception as exc:  # noqa: BLE001 - a grader bug must still leave a result that says so
        result = failed_result(sid, zip_path, f"grader error, regrade: {clean(f'{type(exc).__name__}: {exc}')}")
        result.log += [clean(line, 500) for line in traceback.format_exc().splitlines()[-20:]]
    else:
        key = course_key or unchanged.course_key(course, args)
        result.extra[unchanged.KEY] = unchanged.submission_key(zip_path, key)
    result.write(out)
    return result


def reference_zip(course, dst: Path) -> Path:
    """The reference solution as a submission: the source notebooks and the reference package's modules."""
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for nb in sorted(course.source.glob("*.ipynb")):
            zf.write(nb, nb.name)
        for module in sorted(course.reference_pkg.glob("*.py")):
            zf.write(module, f"{course.reference_pkg.name}/{module.name}")
    return dst


def calibrate(course, args, seed: int, scratch: Path) -> Result:
    """Grade the reference solution with the class's seed: fills the shared caches; its score shows the grader is sound."""
    from autograder.grading.grade_one import grade_one

    return grade_one(reference_zip(course, scratch / "reference.zip"), course, student="reference", seed=seed,
                     settings=settings_of(args), nbgrader=False)


def calibration_line(course, args, seed: int, quiet: bool = False) -> str:
    """`calibrate`, said in one line (with `quiet`, only when the reference does not earn full marks); never raises."""
    try:
        with tempfile.TemporaryDirectory(prefix="calibrate-") as scratch:
            check = calibrate(course, args, seed, Path(scratch))
    except Exception as exc:  # noqa: BLE001 - each grader then computes what it needs itself
        return f"seed {seed}; grading the reference solution failed ({clean(f'{type(exc).__name__}: {exc}')}): check the course\n"
    full = sum(nb.get("auto_max", 0) for nb in check.notebooks.values())
    if check.auto >= full:
        return "" if quiet else f"seed {seed} for this class; the reference solution scores {check.auto:g}/{full:g} on the grader\n"
    return (f"seed {seed}; the reference solution scores only {check.auto:g}/{full:g} on the grader (status {check.status}: "
            f"{check.status_detail}): check the hidden tests and the limits\n")


@dataclass
class _Running:
    zip_path: Path
    out: Path
    attempt: int
    started: float


def _fork(task: _Running, grade) -> int:
    pid = os.fork()
    if pid == 0:  # the grader: the warm course is inherited; leave without running the batch process's clean-ups
        code = 70
        try:
            os.setpgid(0, 0)  # its own process group: a time-out stops its sandbox too
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            grade(task.zip_path, task.out)
            code = 0
        except BaseException:  # noqa: BLE001 - the parent writes the grader-error result
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def run_forked(zips: list[Path], outdir: Path, grade, jobs: int, timeout: float, progress: bool = True,
               on_result: Callable[[Path], None] | None = None) -> list[Path]:
    """``grade(zip, out)`` for every zip in a forked process, `jobs` at a time; a death is retried once, then reported.

    `on_result(out)` runs here as each result is final (while the others are still grading).
    """
    from tqdm.auto import tqdm

    outdir.mkdir(parents=True, exist_ok=True)
    pending = deque(_Running(z, outdir / f"{student_id(z.name) or 'student'}.json", 1, 0.0) for z in zips)
    running: dict[int, _Running] = {}
    done: list[Path] = []
    bar = tqdm(total=len(zips), desc="grading", unit="submission", disable=not progress)

    def finished(out: Path) -> None:
        done.append(out)
        bar.update()
        if on_result is not None:
            on_result(out)
    try:
        while pending or running:
            while pending and len(running) < jobs:
                task = pending.popleft()
                task.started = time.monotonic()
                pid = _fork(task, grade)
                try:
                    os.setpgid(pid, pid)  # as the child does itself: whichever runs first
                except OSError:
                    pass
                running[pid] = task
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                for pid, task in list(running.items()):
                    if time.monotonic() - task.started > timeout:
                        _kill(pid)
                        os.waitpid(pid, 0)
                        del running[pid]
                        failed_result(task.out.stem, task.zip_path, f"grading took longer than {timeout:g} s", results.TIMEOUT).write(task.out)
                        finished(task.out)
                time.sleep(POLL)
                continue
            task = running.pop(pid, None)
            if task is None:
                continue
            if os.waitstatus_to_exitcode(status) == 0 and task.out.exists():
                finished(task.out)
                continue
            why = _death(status)
            if task.attempt == 1:  # not the student's doing (the grader's own OOM, a signal from outside): once more
                pending.appendleft(_Running(task.zip_path, task.out, 2, 0.0))
                continue
            failed_result(task.out.stem, task.zip_path, f"{why}, twice: grader error, regrade").write(task.out)
            finished(task.out)
    finally:
        for pid in running:
            _kill(pid)
        bar.close()
    return sorted(done)


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"the grader was killed (signal {os.WTERMSIG(status)})"
    return f"the grader failed (exit {os.waitstatus_to_exitcode(status)})"


def grade_many(zips: list[Path], outdir: Path, args, course, jobs: int | None = None, progress: bool = True,
               course_key: str | None = None, on_result: Callable[[Path], None] | None = None) -> list[Path]:
    """Grade `zips` in parallel into `outdir/<student>.json`, forked from this warm process; return the result files.

    `on_result(path)` runs in this process as each result lands (`grade` merges it into the gradebook then).
    """
    import tqdm

    tqdm.tqdm.monitor_interval = 0  # no monitor thread: this process forks
    seed = args.seed if args.seed is not None else secrets.randbits(31)
    scratch_root = None if "TMPDIR" in os.environ else memory_scratch()
    before = tempfile.tempdir
    tempfile.tempdir = scratch_root or before  # thousands of small job files a submission: cheaper in memory
    try:
        print(calibration_line(course, args, seed, quiet=not progress), end="", flush=True)

        def grade(zip_path: Path, out: Path) -> None:
            grade_to_file(zip_path, out, args, course=course, seed=seed, course_key=course_key)

        return run_forked(zips, outdir, grade, jobs or os.cpu_count() or 1, args.submission_timeout, progress, on_result)
    finally:
        tempfile.tempdir = before
