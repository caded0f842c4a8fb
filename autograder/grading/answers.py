"""Code-answer cells: the student's cell computes a value in the sandbox; the instructor's test judges it.

Step 1 (student code, sandboxed, in the child that grades the student's own
package): per notebook, in a fresh IPython namespace, the set-up cells from
the instructor's source (not the student's copy) and then the student's
answer cell; the variable named by ``metadata.backproplab.answer`` comes
back as raw data. See `student_cells`.
Step 2 (no student code): a fresh child with the release package runs the
set-up cells, receives only that value, and runs the source notebook's
graded test cell for the answer; an assertion there fails the answer with
its message. `CHECKS` may add an instructor-side check per answer (run here,
on the decoded data) that the visible test does not show. See `judge`.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from autograder.grading import compose, harness
from autograder.grading.notebooks import ANSWER, GradedCell, StudentNotebook, answer_source, same_text_key
from autograder.layout import ROOT
from autograder.sandbox import wire

DATA = ROOT / "data" / "mnist"

CHECKS: dict[str, Callable[[object], str | None]] = {}
"""Answer variable → extra check on the value (None when right, else a student-facing reason)."""


def cell_id(grade_id: str) -> str:
    return f"cell.{grade_id}"


def copy_data(pkg_root: Path) -> None:
    """The course's data next to a job's package, where `backproplab.data` finds it (set-up cells load MNIST)."""
    if DATA.is_dir():
        shutil.copytree(DATA, pkg_root / "data" / "mnist", dirs_exist_ok=True)


def needs_setup(sources: list[str], given: set[str]) -> bool:
    """Whether cells use a name they neither define, import nor are `given` (so the notebook's set-up must run first)."""
    import ast
    import builtins

    defined, used = set(given) | set(dir(builtins)), set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return True
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (defined if isinstance(node.ctx, (ast.Store, ast.Del)) else used).add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                defined.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.arg):
                defined.add(node.arg)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                defined.add(node.name)
    return bool(used - defined)


def student_cells(course, notebooks: dict[str, StudentNotebook]) -> tuple[list[dict], dict[str, GradedCell], dict[str, harness.Verdict]]:
    """(notebook specs for the student's child, answer cells to judge, verdicts already decided)."""
    specs, todo, decided = [], {}, {}
    for source in course.notebooks.values():
        cells = []
        for cell in source.cells(ANSWER):
            mine = notebooks.get(source.name)
            code = answer_source(mine, cell) if mine is not None and mine.usable else None
            if code is None:
                why = f"notebook {source.name} {mine.problem}" if mine is not None and not mine.usable else f"the answer cell '{cell.answer_cell}' is missing"
                decided[cell.grade_id] = harness.Verdict(cell.grade_id, False, why)
                continue
            released = course.released_source(source.name, cell.answer_cell or "")
            if released.strip() and same_text_key(code) == same_text_key(released):  # as handed out: no child needed
                decided[cell.grade_id] = harness.Verdict(cell.grade_id, False, "your answer cell is not done yet (it is as released)")
                continue
            cells.append({"id": cell_id(cell.grade_id), "source": code, "names": [cell.answer]})
            todo[cell.grade_id] = cell
        if cells:
            specs.append({"setup": source.setup, "cells": cells})
    return specs, todo, decided


def _value(cell: GradedCell, record: dict) -> tuple[object, str | None]:
    if "error" in record:
        message = str(record.get("message") or record["error"])
        if message.startswith("NotImplementedError"):
            return None, "your answer cell is not done yet (NotImplementedError)"
        if record.get("error") == "Crashed" and message.startswith(harness.GRADER_ERROR):
            return None, message  # the grader's failure, not the answer's
        return None, f"your answer cell failed: {message}"
    try:
        return wire.decode(record.get("got"), Path(record["_dir"]) / "out")[cell.answer], None
    except (wire.WireError, KeyError, TypeError):
        reason = (record.get("unsendable") or {}).get("got")
        return None, f"`{cell.answer}` is {reason}, which cannot be graded" if reason else "the answer could not be read back"


def judge(course, todo: dict[str, GradedCell], records: dict[str, dict], settings: harness.Settings, workdir: Path,
          log: list) -> dict[str, harness.Verdict]:
    """Run each answer's graded test cell on the student's value, in a child that never ran student code."""
    verdicts, values = {}, {}
    for gid, cell in todo.items():
        value, why = _value(cell, records.get(cell_id(gid)) or {"error": "Crashed", "message": "no answer from the grading process"})
        if why:
            verdicts[gid] = harness.Verdict(gid, False, why)
        else:
            values[gid] = value
    if not values:
        return verdicts
    by_notebook: dict[str, list[str]] = {}
    for source in course.notebooks.values():
        for cell in source.cells(ANSWER):
            if cell.grade_id in values:
                by_notebook.setdefault(source.name, []).append(cell.grade_id)
    names = list(by_notebook)
    items = [harness.Item(cell_id(g), notebook=k) for k, n in enumerate(names) for g in by_notebook[n]]

    def prepare(here: Path, remaining: set[str]) -> None:
        spec = {"package": compose.PACKAGE, "seed": settings.seed, "cell_seconds": settings.cell_seconds, "calls": [], "notebooks": []}
        harness.prepare_job(here, spec)
        for name in names:
            gids = [g for g in by_notebook[name] if cell_id(g) in remaining]
            inject = {todo[g].answer: wire.encode(values[g], here / "in", prefix=f"inject.{g}.") for g in gids}
            cells = [{"id": cell_id(g), "source": todo[g].source, "names": []} for g in gids]
            setup = course.notebooks[name].setup if needs_setup([c["source"] for c in cells], set(inject)) else []
            spec["notebooks"].append({"setup": setup, "inject": inject, "cells": cells})
        (here / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        shutil.copytree(course.release_pkg, here / "pkg" / compose.PACKAGE, dirs_exist_ok=True)
        if any(nb["setup"] for nb in spec["notebooks"]):
            copy_data(here / "pkg")

    # no student code runs here: the student's time-outs elsewhere do not count against these children
    fresh = dataclasses.replace(settings, timeouts=0, hanging=set(), import_failed=set())
    checked, job_log = harness.run_with_retries(workdir / "answer-tests", items, fresh, prepare)
    log += job_log
    for gid, value in values.items():
        record = checked.get(cell_id(gid)) or {}
        reason = None
        if "error" in record:
            reason = str(record.get("message") or record["error"])
            reason = reason.split(": ", 1)[1] if reason.startswith("AssertionError: ") else reason
        # hidden checks (autograder/hidden/answers.py) after the visible test: what the student's numbers cannot prove
        extra = CHECKS.get(todo[gid].answer) or hidden_checks(course).get(todo[gid].answer)
        if reason is None and extra is not None:
            reason = extra(value)
        verdicts[gid] = harness.Verdict(gid, reason is None, reason, 1)
    return verdicts


def hidden_checks(course) -> dict[str, Callable[[object], str | None]]:
    """``CHECKS`` of the hidden tests' ``answers`` module (``autograder/hidden/answers.py``); {} when it has none."""
    import importlib
    import importlib.util

    parent = importlib.import_module(course.hidden_name)
    if not hasattr(parent, "__path__") or importlib.util.find_spec(f"{course.hidden_name}.answers") is None:
        return {}
    return getattr(importlib.import_module(f"{course.hidden_name}.answers"), "CHECKS", {})
