"""``grades.csv``: one row per student, scores read back from the gradebook.

Reading the gradebook (not the result files) means a score changed in the
formgrader, manual or overridden, is what the CSV shows. Columns: student,
status, one total per notebook, automatic and hand-graded totals (with
their maxima), how many written answers still await a grader, total.
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.grading import result as results
from autograder.grading.course import ASSIGNMENT, Course
from autograder.grading.notebooks import WRITTEN
from autograder.layout import CourseDir


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
            row: dict = {"student": student, "status": _status(paths, student)}
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


def export(course: Course, root: Path, out: Path | None = None) -> Path:
    rows = table(course, root)
    out = out or CourseDir(root).root / "grades.csv"
    columns = ["student", "status", *course.notebooks, "auto", "auto_max", "manual", "manual_max", "awaiting_hand_grading", "total"]
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return out
