"""Fold grade-one results into the instructor's nbgrader course: gradebook, autograded notebooks, log.

The course directory (outside the repository) is a normal nbgrader course,
so ``nbgrader formgrader`` works on it for the written answers. Each graded
code cell's automatic score is set to the harness's result; written answers
are left for the formgrader (a manual score already given is never
touched). Merging the same student again replaces their automatic scores.
A student `collect` recorded a conflict about gets the ``conflict`` status.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from autograder.grading import result as results
from autograder.grading.course import ASSIGNMENT, Course, nbgrader_config
from autograder.grading.notebooks import WRITTEN
from autograder.layout import CourseDir
from autograder.outputs.collect import load_conflicts
from autograder.sandbox.untrusted import clean

STUDENT_RE = re.compile(r"^[a-z0-9_]{1,64}$")


def init_course(course: Course, root: Path) -> CourseDir:
    """Create the course directory from the build (gradebook with the assignment, source, release)."""
    paths = CourseDir(root)
    paths.root.mkdir(parents=True, exist_ok=True)
    if not paths.db.exists():
        shutil.copyfile(course.template_db, paths.db)
    for sub in ("source", "release"):
        src = course.build / sub / ASSIGNMENT
        dst = paths.root / sub / ASSIGNMENT
        if src.exists():
            shutil.copytree(src, dst, dirs_exist_ok=True)
    config = paths.root / "nbgrader_config.py"
    if not config.exists():
        config.write_text(nbgrader_config(paths.root, db=paths.db, exclude=course.package_files(), cell_timeout=60), encoding="utf-8")
    return paths


class Merger:
    """Folds results into the gradebook one at a time, in one open gradebook (`grade` merges each as it lands)."""

    def __init__(self, course: Course, root: Path) -> None:
        import warnings

        from nbgrader.api import Gradebook

        warnings.filterwarnings("ignore", module="nbgrader")
        warnings.filterwarnings("ignore", message=".*not in session.*")
        self.course = course
        self.paths = init_course(course, root)
        self.paths.results.mkdir(exist_ok=True)
        self.conflicts = load_conflicts(self.paths.root / "collect.json")
        self.gb = Gradebook(self.paths.db_url, ASSIGNMENT)
        self.lines: list[str] = []  # what `add_or_say` merged, a line each

    def __enter__(self) -> Merger:
        return self

    def __exit__(self, *exc) -> None:
        self.gb.close()

    def add(self, path: Path) -> str:
        """Merge one result file; one line saying what it brought."""
        graded = results.read(path)  # the one reader: schema-checked, bounded (raises ValueError)
        for text in self.conflicts.get(graded.student, []):  # who sent it is in doubt (collect): the status says so
            graded.flag(results.CONFLICT, text)
        result = graded.to_json()
        student, gb = result["student"], self.gb
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(ASSIGNMENT, student)
        for notebook in submission.notebooks:  # one pass over the gradebook's rows (a query per cell cost 0.1 s a student)
            if notebook.name in self.course.notebooks:
                # a notebook the result lacks (an ungradable result): no older automatic score stays standing
                _set_grades(notebook, result["notebooks"].get(notebook.name))
        gb.db.commit()
        _write_notebooks(self.paths, student, result.get("autograded", {}), self.course)
        slim = {k: v for k, v in result.items() if k != "autograded"}
        (self.paths.results / f"{student}.json").write_text(json.dumps(slim, indent=1), encoding="utf-8")
        with open(self.paths.log, "a", encoding="utf-8") as log:
            log.write("\n".join(result.get("log", [])) + "\n")
        return f"{student}: {graded.auto:g} automatic points, {result['status']}"

    def add_or_say(self, path: Path) -> None:
        """`add`, its line kept in `lines`; a result that cannot be merged is a line too, never the end of the batch."""
        try:
            self.lines.append(self.add(path))
        except (OSError, ValueError) as exc:
            self.lines.append(f"{path.name}: not merged: {clean(exc)}")


def merge(course: Course, root: Path, result_files: list[Path]) -> list[str]:
    """Merge results into the gradebook at `root`; return one line per student."""
    with Merger(course, root) as merger:
        return [merger.add(path) for path in result_files]


def _set_grades(notebook, report: dict | None) -> None:
    """The harness's points into one submitted notebook's grades; every automatic score 0 when `report` is None."""
    cells = report["cells"] if report is not None else {}
    for grade in notebook.grades:
        cell = cells.get(grade.cell.name)
        if report is None:
            grade.auto_score, grade.needs_manual_grade = 0.0, False
        elif cell is None:  # a cell the result does not know (source changed): nothing to set
            continue
        elif cell["kind"] == WRITTEN:
            if cell.get("answered") and report.get("problem") is None:
                grade.auto_score = None
                grade.needs_manual_grade = grade.manual_score is None
            else:
                grade.auto_score = 0.0
                grade.needs_manual_grade = False
        else:
            grade.auto_score = float(cell.get("points") or 0.0)
            grade.needs_manual_grade = False


def _write_notebooks(paths: CourseDir, student: str, notebooks: dict, course: Course) -> None:
    # autograded/ is what the formgrader shows; submitted/ is what makes nbgrader list the submission (Manage Assignments)
    texts = {name: json.dumps(nb, indent=1) for name, nb in notebooks.items()
             if name in course.notebooks and isinstance(nb, dict) and isinstance(nb.get("cells"), list)}
    for folder in (paths.autograded / student / ASSIGNMENT, paths.root / "submitted" / student / ASSIGNMENT):
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (folder / f"{name}.ipynb").write_text(text, encoding="utf-8")
