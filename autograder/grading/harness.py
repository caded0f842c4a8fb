"""Grade a student's package: probe calls run in a sandboxed child, compared here with the reference.

The grading process never imports student code. For each group of functions
that can share a child (see `compose`), the inputs from
``hidden.cases(name, seed)`` are written to a job folder, a child imports the
student's module inside the sandbox and answers with raw arrays, and this
process calls the reference on the same inputs and asks
``hidden.evaluate`` whether they agree. A composite's reference
dependencies are answered from a table recorded here (`replay`): the child
holds no reference code at all. A child that dies is charged for the
call it was running, and the rest are retried in a fresh child.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from autograder import sandbox
from autograder.grading import compose, replay
from autograder.sandbox import untrusted, wire
from autograder.sandbox.wire import Raised

CHILD_FILES = [Path(sandbox.__file__).with_name("child.py"), Path(sandbox.__file__).with_name("wire.py")]
MAX_RECORD_BYTES = 1 << 20
MAX_ATTEMPTS = 4
MAX_TIMEOUTS = 3  # grading processes of one submission that may run into the wall-clock limit
NOTE = "NOTE "
NOTE_LEFTOVER = NOTE + "your code left processes running in the background; they were killed when its grading ended"
REFUSED = "Refused"  # a record the parent would not use: its message is the reason
OUT_OF_TIME = "not checked: your code used up the time this submission may take"
GRADER_ERROR = "grader error, regrade"
STARVED = 0.25  # share of the wall-clock limit a timed-out tree spent waiting for a CPU for the time-out to be the machine's


def suspect(outcome: sandbox.Outcome) -> str | None:
    """Why a failed run may not be the submission's doing (re-run it once before charging anyone), or None.

    Killed by a signal from outside the sandbox; killed by SIGKILL that no limit of ours sent (the
    machine's OOM killer, an operator; or the code itself, which a re-run shows); stopped at the
    wall-clock limit after waiting for a CPU for a quarter of it (a load spike: a sleeping
    submission does not wait for a CPU; measured in namespace isolation only).
    """
    if outcome.outside:
        return f"the grading process was killed from outside (signal {-outcome.returncode})"
    if outcome.extra.get("limit"):
        return None
    if outcome.signal == 9 and not outcome.timed_out:
        return "the grading process was killed (signal 9) by no limit of ours"
    waited = outcome.extra.get("waited") or 0.0
    if outcome.timed_out and waited >= STARVED * float(outcome.extra.get("wall") or 0):
        return f"the grading process hit the time limit after waiting {waited:.1f} s for a CPU (a load spike)"
    return None


@dataclass
class Verdict:
    """The harness's decision on one function or code answer."""

    name: str
    passed: bool
    reason: str | None = None
    cases: int = 0
    # feedback (issue 16): every distinct mistake (hidden.summarize), the case groups that failed, the share earned
    groups: list[dict] = field(default_factory=list)
    failed_groups: list[str] = field(default_factory=list)
    fraction: float | None = None

    @property
    def score(self) -> float:
        """The share of the points earned: 1 when passed, else the course's split (0 by default)."""
        return 1.0 if self.passed else float(self.fraction or 0.0)

    def to_json(self) -> dict:
        return {"passed": self.passed, "reason": self.reason, "cases": self.cases,
                "groups": self.groups, "failed_groups": self.failed_groups, "fraction": self.score}


@dataclass
class Settings:
    """Limits and seed of one grading run."""

    seed: int
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    call_seconds: int = 10
    cell_seconds: int = 60
    isolation: str | None = None
    timeouts: int = 0  # children of this submission stopped by the wall-clock limit so far
    hanging: set[str] = field(default_factory=set)  # modules whose import ran into the wall-clock limit
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per sandboxed job (whole tree), for the profile
    import_failed: set[str] = field(default_factory=set)  # student modules that did not import (the status says so)
    grader_errors: list[str] = field(default_factory=list)  # failures that were not the submission's, after a re-run


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
    """The child's record for `ident`, schema-checked; None when there is none; a refusal when it is unusable."""
    path = folder / "out" / f"{ident}.json"
    if not (path.exists() or path.is_symlink()):
        return None
    try:
        return untrusted.check_record(untrusted.parse_json(untrusted.read_regular(path, MAX_RECORD_BYTES)))
    except untrusted.Refused as exc:
        return {"error": REFUSED, "message": f"sent back {exc}"}


def read_progress(folder: Path) -> str:
    """What the child ran last ("" when the file is missing or is anything but a small regular file)."""
    try:
        return untrusted.read_regular(folder / "progress", 200).decode("utf-8", "replace")
    except untrusted.Refused:
        return ""


@dataclass(frozen=True)
class Item:
    """One thing a job must answer: a call (charged by `module` if its import dies) or a cell (by `notebook`)."""

    ident: str
    module: str | None = None
    notebook: int | None = None


def _crash(outcome: sandbox.Outcome, when: str) -> dict:
    return _crash_text(f"the grading process {outcome.describe()} {when}")


def _crash_text(message: str) -> dict:
    return {"error": "Crashed", "message": message}


def run_with_retries(folder: Path, items: list[Item], settings: Settings, prepare) -> tuple[dict[str, dict], list[str]]:
    """Run a job until every item has a record or is charged with a crash.

    `prepare(folder, remaining_ids)` writes an attempt folder for what is
    left; after a crash the item (or module import, or notebook set-up) that
    was running is charged and the rest runs again in a fresh child. A
    failure that may not be the submission's (`suspect`) is first re-run
    once as it was; if the re-run fails the same way at the same point it is
    charged as usual, otherwise the items left are a grader error
    (``settings.grader_errors``), never the student's. Returns (id → record,
    log lines); each record's ``"_dir"`` is the attempt folder its arrays live in.
    """
    remaining = list(items)
    records: dict[str, dict] = {}
    log: list[str] = []
    rerun: tuple[str, str] | None = None  # (why, progress) of a suspect failure being re-run; one re-run per job
    rerun_used = False
    for attempt in range(1, MAX_ATTEMPTS + 2):
        if not remaining:
            break
        for item in [i for i in remaining if i.module in settings.hanging]:  # its import already ran into the time limit
            records[item.ident] = dict(_crash_text(f"not checked: importing {item.module} ran into the time limit earlier"), stage="import")
            remaining.remove(item)
        if not remaining or settings.timeouts >= MAX_TIMEOUTS:
            break
        here = folder.with_name(f"{folder.name}-{attempt}")
        prepare(here, {i.ident for i in remaining})
        outcome = run_child(here, settings)
        settings.timeouts += outcome.timed_out
        settings.cpu[folder.name] = round(settings.cpu.get(folder.name, 0.0) + outcome.cpu, 3)
        log.append(f"{here.name}: {len(remaining)} items, {outcome.seconds:.2f} s, {outcome.cpu:.2f} CPU-s, {outcome.describe()}")
        if outcome.extra.get("leftover"):
            log.append(NOTE_LEFTOVER)
        for item in list(remaining):
            record = read_record(here, item.ident)
            if record is None and item.module is not None:
                record = read_record(here, f"import.{item.module}")
                record = dict(record, stage="import") if record else None
                if record:
                    settings.import_failed.add(item.module)
            if record is None and item.notebook is not None:
                record = read_record(here, f"setup.{item.notebook}")
            if record is not None:
                records[item.ident] = dict(record, _dir=str(here))
                remaining.remove(item)
        progress = read_progress(here)
        if rerun is not None:
            why, before = rerun
            rerun = None
            if not remaining:
                log.append(f"{here.name}: re-run after '{why}': it did not happen again (not the submission's doing)")
                break
            again = suspect(outcome)
            if outcome.outside or (again and progress != before):  # not reproduced by the submission: the grader's failure
                message = f"{GRADER_ERROR}: {why}, and again on a re-run ({again or outcome.describe()})"
                settings.grader_errors.append(message)
                log.append(f"{here.name}: {message}")
                for item in remaining:
                    records[item.ident] = _crash_text(message)
                remaining = []
                break
            log.append(f"{here.name}: re-run after '{why}': it failed again at the same point, so it is the submission's")
        elif remaining and not rerun_used and (why := suspect(outcome)):
            rerun, rerun_used = (why, progress), True
            settings.timeouts -= outcome.timed_out  # a time-out that may be the machine's is not counted (yet)
            log.append(f"{here.name}: {why}: running it again before charging anyone")
            continue
        if not remaining:
            break
        if progress.startswith("import:"):
            charged = [i for i in remaining if i.module == progress[7:]]
            if charged:
                settings.import_failed.add(progress[7:])
            crash = dict(_crash(outcome, "while importing your code"), stage="import")
            if outcome.timed_out:
                settings.hanging.add(progress[7:])
        elif progress.startswith("setup:"):
            charged = [i for i in remaining if str(i.notebook) == progress[6:]]
            crash = _crash(outcome, "while running the notebook's set-up cells")
        else:
            charged = [i for i in remaining if i.ident == progress] or remaining
            crash = _crash(outcome, "during this call" if len(charged) == 1 else "")
        for item in charged or remaining:
            records[item.ident] = dict(crash)
            remaining.remove(item)
    why = OUT_OF_TIME if settings.timeouts >= MAX_TIMEOUTS else "not checked: the grading process kept crashing"
    for item in remaining:
        records[item.ident] = _crash_text(why)
    return records, log


# --------------------------------------------------------------------------- functions


def _raised(record: dict) -> Raised | None:
    if "error" not in record:
        return None
    return Raised(untrusted.clean(record.get("error"), 80), untrusted.clean(record.get("message", "")))


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
    if got.type_name in ("Crashed", REFUSED):
        return got.message
    return f"raised {got.type_name}: {got.message}" if got.message else f"raised {got.type_name}"


def judge(name: str, case, record: dict | None, course, settings: Settings, budget: wire.Budget | None = None,
          seen: dict | None = None) -> str | None:
    """None when the child's answer to `case` is right, else the student-facing reason.

    `budget` is shared by every call of one job: what the child sends back is read within it.
    `seen`, when given, receives the decoded answer (``got``) and the reference's (``want``).
    """
    want = course.answer(name, case)
    if seen is not None:
        seen["want"] = want
    if record is None:
        return "no answer from the grading process"
    got = _raised(record)
    folder = Path(record.get("_dir", "."))
    if got is None and record.get("unsendable", {}).get("got"):
        return f"returned {record['unsendable']['got']}, which cannot be graded"
    try:
        if got is None:
            got = wire.decode(record.get("got"), folder / "out", budget)
        args_after = wire.decode(record["args_after"], folder / "out", budget) if record.get("args_after") else case.args
        if seen is not None:
            seen["args_after"] = tuple(args_after) if isinstance(args_after, (list, tuple)) else None
    except wire.WireError as exc:
        return f"sent back a malformed answer: {untrusted.clean(exc)}"
    if seen is not None and not isinstance(got, Raised):
        seen["got"] = got
    if isinstance(want, Raised):
        if isinstance(got, Raised) and got.type_name == want.type_name:
            return None
        return f"should raise {want.type_name} on this input, " + ("returned a value" if not isinstance(got, Raised) else f"raised {got.type_name}")
    if isinstance(got, Raised):
        why = explain_raise(got, settings, settings.limits.memory, record.get("stage"))
        hint = course.hidden.known_mistake(name, case, None, case.args, raised=got.type_name) if hasattr(course.hidden, "known_mistake") else None
        return f"{hint} [{why}]" if hint else why
    try:
        return course.hidden.evaluate(name, case, got, want, tuple(args_after) if isinstance(args_after, (list, tuple)) else args_after)
    except Exception as exc:  # evaluate is instructor code; a weird `got` must not crash the batch
        return f"returned something that cannot be compared with the expected output ({type(got).__name__}: {type(exc).__name__})"


def grade_functions(
    names: list[str], student: StudentPackage, course, settings: Settings, workdir: Path, notebooks: list[dict] | None = None
) -> tuple[dict[str, Verdict], dict[str, dict], list[str]]:
    """Verdicts for the functions in `names`, the records of the `notebooks` cells, and a log.

    Functions graded on the student's package alone share one child, which
    also runs the code-answer `notebooks` (``{"setup", "cells"}`` each); each
    other package plan (reference dependencies) gets its own child.
    """
    functions, depends = course.hidden.FUNCTIONS, course.hidden.DEPENDS
    verdicts: dict[str, Verdict] = {}
    cells: dict[str, dict] = {}
    log: list[str] = []
    for index, group in enumerate(compose.groups(names, functions, depends, course.reference_pkg)):
        with_cells = notebooks if index == 0 else None
        if not group.functions and not with_cells:
            continue
        cases = {name: course.cases(name, settings.seed) for name in group.functions}
        calls = [(f"{name}.{i}", name, case) for name in group.functions for i, case in enumerate(cases[name])]
        items = [Item(ident, module=functions[name]) for ident, name, _ in calls]
        items += [Item(c["id"], notebook=k) for k, nb in enumerate(with_cells or []) for c in nb["cells"]]
        # the dependencies' reference answers, recorded here: no reference code goes into the child
        recorded = [course.recorded(name, settings.seed, frozenset(compose.closure(name, depends) & functions.keys()))
                    for name in group.functions if compose.closure(name, depends) & functions.keys()]

        def prepare(here: Path, remaining: set[str], calls=calls, with_cells=with_cells, recorded=recorded, group=group) -> None:
            spec = {"package": compose.PACKAGE, "seed": settings.seed, "call_seconds": settings.call_seconds,
                    "cell_seconds": settings.cell_seconds, "calls": [], "notebooks": []}
            prepare_job(here, spec)
            spec["replay"] = replay.spec(recorded, functions, group.graded_modules, here / "in")
            for ident, name, case in calls:
                if ident in remaining:
                    args = wire.encode(tuple(case.args), here / "in", prefix=f"{ident}.a.")
                    kwargs = wire.encode(dict(case.kwargs), here / "in", prefix=f"{ident}.k.")
                    spec["calls"].append({"id": ident, "module": functions[name], "function": name, "args": args, "kwargs": kwargs})
            for nb in with_cells or []:
                spec["notebooks"].append(dict(nb, cells=[c for c in nb["cells"] if c["id"] in remaining]))
            (here / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
            compose.assemble(here / "pkg", release_pkg=course.release_pkg, student_modules=student.modules,
                             student_extras=student.extras)
            if with_cells:
                from autograder.grading.answers import copy_data

                copy_data(here / "pkg")

        label = "student" if index == 0 else "-".join(sorted(group.graded_modules))
        records, job_log = run_with_retries(workdir / f"job{index:02d}-{label}", items, settings, prepare)
        log += job_log
        cells.update({c["id"]: records.get(c["id"], {}) for nb in with_cells or [] for c in nb["cells"]})
        budget = wire.Budget()
        for name in group.functions:
            verdicts[name] = judge_function(name, cases[name], records, course, settings, budget)
    return verdicts, cells, log


def judge_function(name: str, cases: list, records: dict[str, dict], course, settings: Settings,
                   budget: wire.Budget | None = None) -> Verdict:
    """Every case judged; the failures grouped by mistake (`hidden.summarize`), the most likely one first."""
    if not cases:
        return Verdict(name, False, "no hidden cases for this function (instructor: check autograder/hidden/)", 0)
    outcomes = []
    for i, case in enumerate(cases):
        seen: dict = {}
        reason = judge(name, case, records.get(f"{name}.{i}"), course, settings, budget, seen)
        outcomes.append((case, reason, seen))
    summarize = getattr(course.hidden, "summarize", None)
    if summarize is None:  # a course's own hidden module without grouping: the first wrong case
        first = next(((c, r) for c, r, _ in outcomes if r is not None), None)
        if first is None:
            return Verdict(name, True, None, len(cases))
        note = getattr(first[0], "note", "")
        return Verdict(name, False, f"{first[1]} (case: {note})" if note else first[1], len(cases))
    summary = summarize(name, [course.hidden.Outcome(c, r, seen.get("got"), seen.get("want"), seen.get("args_after")) for c, r, seen in outcomes])
    return Verdict(name, summary["passed"], summary["reason"], len(cases), summary["groups"], summary["failed_groups"], summary["fraction"])
