"""Code-answer cells: the student's cell computes a value in the sandbox; the instructor's test judges it.

Step 1 (student code, sandboxed): the notebook's set-up cells (from the
instructor's source, not the student's copy) and then the student's answer
cell run in one IPython shell on the student's package; the variable named
by ``metadata.backproplab.answer`` comes back as raw data.
Step 2 (no student code): a fresh child with the release package runs the
set-up cells, receives only that value, and runs the source notebook's
graded test cell for the answer; an assertion there fails the answer with
its message. `CHECKS` may add an instructor-side check per answer (run here,
on the decoded data) that the visible test does not show.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from . import compose, harness, wire
from .notebooks import ANSWER, StudentNotebook, answer_source

CHECKS: dict[str, Callable[[object], str | None]] = {}
"""Answer variable → extra check on the value (None when right, else a student-facing reason)."""


def _run_cells(folder: Path, spec: dict, pkg_setup, settings: harness.Settings, inject: dict | None = None, log: list | None = None) -> dict[str, dict]:
    """Run `spec` (set-up + cells) in the sandbox; records by cell id."""

    def prepare(here: Path, remaining: list[str]) -> None:
        job = dict(spec, cells=[c for c in spec["cells"] if c["id"] in remaining], seed=settings.seed,
                   call_seconds=settings.cell_seconds)
        harness.prepare_job(here, job)
        if inject:
            job["inject"] = {k: wire.encode(v, here / "in", prefix=f"inject.{k}.") for k, v in inject.items()}
            (here / "spec.json").write_text(json.dumps(job), encoding="utf-8")
        pkg_setup(here / "pkg")

    records, job_log = harness.run_with_retries(folder, {"calls": spec["cells"]}, settings, prepare)
    if log is not None:
        log += job_log
    return records


def grade_answers(
    course, notebooks: dict[str, StudentNotebook], student: harness.StudentPackage, settings: harness.Settings, workdir: Path,
    log: list | None = None,
) -> dict[str, harness.Verdict]:
    """Verdict for every code answer of the course, keyed by the graded cell's grade_id (job log lines go to `log`)."""
    verdicts: dict[str, harness.Verdict] = {}
    for source in course.notebooks.values():
        cells = source.cells(ANSWER)
        if not cells:
            continue
        mine = notebooks.get(source.name)
        todo = []
        for cell in cells:
            code = answer_source(mine, cell) if mine is not None and mine.usable else None
            if code is None:
                why = f"notebook {source.name} {mine.problem}" if mine is not None and not mine.usable else f"the answer cell '{cell.answer_cell}' is missing"
                verdicts[cell.grade_id] = harness.Verdict(cell.grade_id, False, why)
            else:
                todo.append((cell, code))
        if not todo:
            continue
        values = _student_values(course, source, todo, student, settings, workdir / f"answers-{source.name}", log)
        verdicts.update(_judge(course, source, todo, values, settings, workdir / f"answer-tests-{source.name}"))
    return verdicts


def _student_values(course, source, todo, student, settings, folder: Path, log: list | None) -> dict[str, dict]:
    plan = compose.Plan(module="", reference_modules=frozenset(), patched=frozenset())
    spec = {"mode": "cells", "setup": source.setup, "cells": [{"id": c.grade_id, "source": code, "names": [c.answer]} for c, code in todo]}

    def pkg(target: Path) -> None:
        compose.assemble(target, plan, release_pkg=course.release_pkg, reference_pkg=course.reference_pkg,
                         student_modules=student.modules, student_extras=student.extras)

    return _run_cells(folder, spec, pkg, settings, log=log)


def _judge(course, source, todo, records, settings, folder: Path) -> dict[str, harness.Verdict]:
    verdicts, values = {}, {}
    for cell, _code in todo:
        record = records.get(cell.grade_id) or {}
        if "error" in record:
            message = str(record.get("message") or record["error"])
            why = "your answer cell is not done yet (NotImplementedError)" if message.startswith("NotImplementedError") else f"your answer cell failed: {message}"
            verdicts[cell.grade_id] = harness.Verdict(cell.grade_id, False, why)
            continue
        try:
            got = wire.decode(record.get("got"), Path(record["_dir"]) / "out")[cell.answer]
        except (wire.WireError, KeyError, TypeError):
            reason = (record.get("unsendable") or {}).get("got")
            verdicts[cell.grade_id] = harness.Verdict(cell.grade_id, False, f"`{cell.answer}` is {reason}, which cannot be graded" if reason else "the answer could not be read back")
            continue
        values[cell.grade_id] = got
    if not values:
        return verdicts
    by_id = {c.grade_id: c for c, _ in todo}
    spec = {
        "mode": "cells",
        "setup": source.setup,
        "cells": [{"id": gid, "source": by_id[gid].source, "names": []} for gid in values],
    }
    inject = {by_id[gid].answer: v for gid, v in values.items()}

    def pkg(target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(course.release_pkg, target / compose.PACKAGE, dirs_exist_ok=True)

    checked = _run_cells(folder, spec, pkg, settings, inject)
    for gid, value in values.items():
        record = checked.get(gid) or {}
        reason = None
        if "error" in record:
            reason = record.get("message") or record["error"]
            reason = reason.split(": ", 1)[1] if reason.startswith("AssertionError: ") else reason
        extra = CHECKS.get(by_id[gid].answer)
        if reason is None and extra is not None:
            reason = extra(value)
        verdicts[gid] = harness.Verdict(gid, reason is None, reason, 1)
    return verdicts
