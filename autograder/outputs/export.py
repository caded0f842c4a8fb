"""``grades.csv``: one row per student, scores read back from the gradebook.

Reading the gradebook (not the result files) means a score changed in the
formgrader, manual or overridden, is what the CSV shows. Columns: student,
status, one total per notebook, automatic and hand-graded totals (with
their maxima), how many written answers still await a grader, total, and which case
groups each wrong function failed (``failed_groups``, from the result files).
``export_as`` writes the same rows in Canvas's or Moodle's import layout
(`autograder/outputs/lms_export.py`). Every cell is neutralised against
spreadsheet formula injection.
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.grading import result as results
from autograder.grading.course import ASSIGNMENT, Course
from autograder.grading.notebooks import WRITTEN
from autograder.layout import CourseDir
from autograder.outputs import csvsafe


def table(course: Course, root: Path) -> list[dict]:
    """One dict per student (the CSV rows)."""
    from nbgrader.api import Gradebook

    paths = CourseDir(root)
    kinds = {(nb.name, c.grade_id): c.kind for nb in course.notebooks.values() for c in nb.graded}
    rows = []
    with Gradebook(paths.db_url, ASSIGNMENT) as gb:
        for student in sorted(s.id for s in gb.students):
            try:
                submission = gb.find_submission(ASSIGNMENT, student)
            except Exception:
                continue
            row: dict = {"student": student, "status": _status(paths, student), "failed_groups": _failed_groups(paths, student)}
            auto = auto_max = manual = manual_max = 0.0
            waiting = 0
            for nb in submission.notebooks:
                nb_total = 0.0
                for grade in nb.grades:
                    kind = kinds.get((nb.name, grade.cell.name))
                    score = float(grade.score or 0.0)
                    nb_total += score
                    if kind == WRITTEN:
                        manual += score
                        manual_max += grade.max_score
                        waiting += bool(grade.needs_manual_grade)
                    else:
                        auto += score
                        auto_max += grade.max_score
                row[nb.name] = _fmt(nb_total)
            row.update(
                auto=_fmt(auto), auto_max=_fmt(auto_max), manual=_fmt(manual), manual_max=_fmt(manual_max),
                awaiting_hand_grading=waiting, total=_fmt(auto + manual),
            )
            rows.append(row)
    return rows


def _fmt(x: float) -> str:
    return f"{x:g}"


def _status(paths: CourseDir, student: str) -> str:
    try:
        return results.read(paths.results / f"{student}.json").status
    except (OSError, ValueError, KeyError):
        return "not graded"


def _failed_groups(paths: CourseDir, student: str) -> str:
    """Which case groups each wrong function failed ("softmax: large inputs, float32; …"), from the result file."""
    try:
        result = results.read(paths.results / f"{student}.json")
        cells = [(gid, c) for nb in result.notebooks.values() for gid, c in nb["cells"].items()]
    except (OSError, ValueError, KeyError, AttributeError):
        return ""
    return "; ".join(f"{gid}: {', '.join(map(str, c['failed_groups']))}" for gid, c in cells
                     if isinstance(c, dict) and not c.get("passed", True) and c.get("failed_groups"))


def export(course: Course, root: Path, out: Path | None = None) -> Path:
    rows = table(course, root)
    out = out or CourseDir(root).root / "grades.csv"
    columns = ["student", "status", *course.notebooks, "auto", "auto_max", "manual", "manual_max", "awaiting_hand_grading", "total", "failed_groups"]
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows([{k: csvsafe.cell(v) for k, v in row.items()} for row in rows])
    return out


FORMATS = ("csv", "canvas", "moodle")


def export_as(course: Course, root: Path, fmt: str = "csv", out: Path | None = None, roster=None, column: str | None = None,
              moodle_id: str = "email") -> tuple[Path, list[str]]:
    """grades.csv (`fmt` "csv"), or the Canvas / Moodle import CSV (``grades-canvas.csv`` …); returns (path, warnings)."""
    from autograder.outputs import lms_export

    if fmt not in FORMATS:
        raise ValueError(f"fmt: expected one of {FORMATS}, got {fmt!r}")
    if fmt == "csv":
        return export(course, root, out), []
    paths = CourseDir(root)
    out = out or paths.root / f"grades-{fmt}.csv"
    who = lms_export.identities(paths.root / "collect.json", roster)
    rows, column = table(course, root), column or ASSIGNMENT
    if fmt == "canvas":
        return lms_export.canvas(rows, who, out, column)
    return lms_export.moodle(rows, who, out, column, identifier=moodle_id)
