"""Grade a student's package: probe calls run in a sandboxed child, compared here with the reference.

The grading process never imports student code. For each group of functions
that share a package plan (see `compose`), the inputs from
``hidden.cases(name, seed)`` are written to a job folder, a child imports the
student's module inside the sandbox and answers with raw arrays, and this
process calls the reference on the same inputs and asks
``hidden.evaluate`` whether they agree. A child that dies is charged for the
call it was running, and the rest are retried in a fresh child.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import compose, sandbox, wire
from .wire import Raised

CHILD_FILES = [Path(__file__).with_name("child.py"), Path(__file__).with_name("wire.py")]
MAX_RECORD_BYTES = 1 << 20
MAX_ATTEMPTS = 4
NOTE = "NOTE "
NOTE_LEFTOVER = NOTE + "your code left processes running in the background; they were killed when its grading ended"


@dataclass
class Verdict:
    """The harness's decision on one function or code answer."""

    name: str
    passed: bool
    reason: str | None = None
    cases: int = 0

    def to_json(self) -> dict:
        return {"passed": self.passed, "reason": self.reason, "cases": self.cases}


@dataclass
class Settings:
    """Limits and seed of one grading run."""

    seed: int
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    call_seconds: int = 10
    cell_seconds: int = 60
    isolation: str | None = None


@dataclass
class StudentPackage:
    """The student's exercise modules (name → file) and any helper modules they added."""

    modules: dict[str, Path]
    extras: dict[str, Path] = field(default_factory=dict)


# --------------------------------------------------------------------------- jobs


def prepare_job(folder: Path, spec: dict) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    for sub in ("in", "out", "work"):
        (folder / sub).mkdir(parents=True)
    for path in CHILD_FILES:
        shutil.copyfile(path, folder / path.name)
    (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")


def run_child(folder: Path, settings: Settings) -> sandbox.Outcome:
    return sandbox.run(
        [sandbox.python(), str(folder / "child.py"), str(folder)],
        rw=[folder],
        limits=settings.limits,
        cwd=folder / "work",
        log_dir=folder.with_name(folder.name + ".log"),
        isolation=settings.isolation,
    )


def read_record(folder: Path, ident: str) -> dict | None:
    path = folder / "out" / f"{ident}.json"
    if not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_RECORD_BYTES:
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) else None


def read_progress(folder: Path) -> str:
    try:
        return (folder / "progress").read_text(encoding="utf-8")[:200]
    except (OSError, UnicodeDecodeError):
        return ""


def run_with_retries(folder: Path, spec: dict, settings: Settings, prepare) -> tuple[dict[str, dict], list[str]]:
    """Run a job until every call has a record or is charged with a crash.

    Returns (call id → record, log lines); each record's ``"_dir"`` is the
    attempt folder its arrays live in. `prepare(folder, remaining)` writes an
    attempt folder for the calls still to run.
    """
    remaining = [c["id"] for c in spec["calls"]]
    records: dict[str, dict] = {}
    log: list[str] = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if not remaining:
            break
        here = folder.with_name(f"{folder.name}-{attempt}")
        prepare(here, remaining)
        outcome = run_child(here, settings)
        log.append(f"{here.name}: {len(remaining)} calls, {outcome.seconds:.2f} s, {outcome.describe()}")
        if outcome.extra.get("leftover"):
            log.append(NOTE_LEFTOVER)
        stage = read_record(here, "import") or read_record(here, "setup")
        if stage is not None:
            records.update({ident: dict(stage, stage="import") for ident in remaining})
            return records, log
        for ident in list(remaining):
            record = read_record(here, ident)
            if record is not None:
                records[ident] = dict(record, _dir=str(here))
                remaining.remove(ident)
        if not remaining:
            break
        progress = read_progress(here)
        if progress in ("", "import", "setup"):  # died before its first call
            message = f"the grading process {outcome.describe()} while importing your code"
            records.update({ident: {"error": "Crashed", "message": message, "stage": "import"} for ident in remaining})
            return records, log
        culprit = progress if progress in remaining else remaining[0]
        records[culprit] = {"error": "Crashed", "message": f"the grading process {outcome.describe()} during this call"}
        remaining.remove(culprit)
    for ident in remaining:
        records[ident] = {"error": "Crashed", "message": "not checked: the grading process kept crashing"}
    return records, log


# --------------------------------------------------------------------------- functions


def _raised(record: dict) -> Raised | None:
    if "error" not in record:
        return None
    return Raised(str(record.get("error")), str(record.get("message", ""))[:500])


def explain_raise(got: Raised, settings: Settings, memory: int, stage: str | None = None) -> str:
    if stage == "import" and got.type_name != "Crashed":
        if got.type_name == "TimeoutError" and "time limit" in got.message:
            return f"your module did not finish importing within {settings.call_seconds} s"
        return f"your module failed to import: {got.type_name}" + (f": {got.message}" if got.message else "")
    if got.type_name == "NotImplementedError":
        return "not implemented yet (still raises NotImplementedError)"
    if got.type_name == "TimeoutError" and "time limit" in got.message:
        return f"took longer than the {settings.call_seconds} s limit for one call"
    if got.type_name == "MemoryError":
        return f"ran out of memory (limit {memory >> 20} MB)"
    if got.type_name == "Crashed":
        return got.message
    return f"raised {got.type_name}: {got.message}" if got.message else f"raised {got.type_name}"


def judge(name: str, case, record: dict | None, course, settings: Settings) -> str | None:
    """None when the child's answer to `case` is right, else the student-facing reason."""
    want = course.reference.call(name, case.args, case.kwargs)
    if record is None:
        return "no answer from the grading process"
    got = _raised(record)
    folder = Path(record.get("_dir", "."))
    if got is None and record.get("unsendable", {}).get("got"):
        return f"returned {record['unsendable']['got']}, which cannot be graded"
    try:
        if got is None:
            got = wire.decode(record.get("got"), folder / "out")
        args_after = wire.decode(record["args_after"], folder / "out") if record.get("args_after") else case.args
    except (wire.WireError, KeyError):
        return "sent back a malformed answer"
    if isinstance(want, Raised):
        if isinstance(got, Raised) and got.type_name == want.type_name:
            return None
        return f"should raise {want.type_name} on this input, " + ("returned a value" if not isinstance(got, Raised) else f"raised {got.type_name}")
    if isinstance(got, Raised):
        return explain_raise(got, settings, settings.limits.memory, record.get("stage"))
    try:
        return course.hidden.evaluate(name, case, got, want, tuple(args_after) if isinstance(args_after, (list, tuple)) else args_after)
    except Exception as exc:  # evaluate is instructor code; a weird `got` must not crash the batch
        return f"returned something that cannot be compared with the expected output ({type(got).__name__}: {type(exc).__name__})"


def grade_functions(names: list[str], student: StudentPackage, course, settings: Settings, workdir: Path) -> tuple[dict[str, Verdict], list[str]]:
    """Verdict for each function in `names`, and a log."""
    functions, depends = course.hidden.FUNCTIONS, course.hidden.DEPENDS
    groups: dict[tuple, tuple[compose.Plan, list[str]]] = {}
    for name in names:
        p = compose.plan(name, functions, depends, course.reference_pkg)
        groups.setdefault(p.key, (p, []))[1].append(name)
    verdicts: dict[str, Verdict] = {}
    log: list[str] = []
    for index, (p, group) in enumerate(groups.values()):
        cases = {name: list(course.hidden.cases(name, settings.seed)) for name in group}
        calls = [(f"{name}.{i}", name, case) for name in group for i, case in enumerate(cases[name])]
        folder = workdir / f"job{index:02d}-{p.module}"

        def prepare(folder: Path, remaining: list[str], p=p, calls=calls) -> None:
            spec = {
                "mode": "calls",
                "package": compose.PACKAGE,
                "module": p.module,
                "patch": {n: f"_ref_{p.module}" for n in sorted(p.patched)},
                "seed": settings.seed,
                "call_seconds": settings.call_seconds,
                "calls": [],
            }
            prepare_job(folder, spec)
            for ident, name, case in calls:
                if ident in remaining:
                    args = wire.encode(tuple(case.args), folder / "in", prefix=f"{ident}.a.")
                    kwargs = wire.encode(dict(case.kwargs), folder / "in", prefix=f"{ident}.k.")
                    spec["calls"].append({"id": ident, "function": name, "args": args, "kwargs": kwargs})
            (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
            compose.assemble(folder / "pkg", p, release_pkg=course.release_pkg, reference_pkg=course.reference_pkg,
                             student_modules=student.modules, student_extras=student.extras)

        spec = {"mode": "calls", "calls": [{"id": ident} for ident, _, _ in calls]}
        records, job_log = run_with_retries(folder, spec, settings, prepare)
        log += job_log
        for name in group:
            verdicts[name] = Verdict(name, True, None, len(cases[name]))
        for ident, name, case in calls:
            if not verdicts[name].passed:
                continue
            reason = judge(name, case, records.get(ident), course, settings)
            if reason is not None:
                note = getattr(case, "note", "")
                verdicts[name] = Verdict(name, False, f"{reason} (case: {note})" if note else reason, len(cases[name]))
        for name in group:
            if not cases[name]:
                verdicts[name] = Verdict(name, False, "no hidden cases for this function (instructor: check autograder/hidden.py)", 0)
    return verdicts, log
