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


def merge(course: Course, root: Path, result_files: list[Path]) -> list[str]:
    """Merge results into the gradebook at `root`; return one line per student."""
    import warnings

    from nbgrader.api import Gradebook

    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")
    paths = init_course(course, root)
    paths.results.mkdir(exist_ok=True)
    conflicts = load_conflicts(paths.root / "collect.json")
    lines = []
    with Gradebook(paths.db_url, ASSIGNMENT) as gb:
        for path in result_files:
            graded = results.read(path)  # the one reader: schema-checked, bounded (raises ValueError)
            for text in conflicts.get(graded.student, []):  # who sent it is in doubt (collect): the status says so
                graded.flag(results.CONFLICT, text)
            result = graded.to_json()
            student = result["student"]
            gb.update_or_create_student(student)
            gb.update_or_create_submission(ASSIGNMENT, student)
            for nb_name, report in result["notebooks"].items():
                if nb_name in course.notebooks:
                    _set_grades(gb, student, nb_name, report)
            for nb_name in course.notebooks.keys() - result["notebooks"].keys():
                _zero_grades(gb, student, nb_name)  # an ungradable result: no older automatic score stays standing
            gb.db.commit()
            _write_notebooks(paths, student, result.get("autograded", {}), course)
            slim = {k: v for k, v in result.items() if k != "autograded"}
            (paths.results / f"{student}.json").write_text(json.dumps(slim, indent=1), encoding="utf-8")
            with open(paths.log, "a", encoding="utf-8") as log:
                log.write("\n".join(result.get("log", [])) + "\n")
            auto = sum(nb["auto"] for nb in result["notebooks"].values())
            lines.append(f"{student}: {auto:g} automatic points, {result['status']}")
    return lines


def _set_grades(gb, student: str, nb_name: str, report: dict) -> None:
    for grade_id, cell in report["cells"].items():
        try:
            grade = gb.find_grade(grade_id, nb_name, ASSIGNMENT, student)
        except Exception:  # a cell the gradebook does not know (source changed): nothing to set
            continue
        if cell["kind"] == WRITTEN:
            if cell.get("answered") and report.get("problem") is None:
                grade.auto_score = None
                grade.needs_manual_grade = grade.manual_score is None
            else:
                grade.auto_score = 0.0
                grade.needs_manual_grade = False
            continue
        grade.auto_score = float(cell.get("points") or 0.0)
        grade.needs_manual_grade = False


def _zero_grades(gb, student: str, nb_name: str) -> None:
    try:
        notebook = gb.find_submission_notebook(nb_name, ASSIGNMENT, student)
    except Exception:  # nothing merged for this notebook yet
        return
    for grade in notebook.grades:
        grade.auto_score = 0.0
        grade.needs_manual_grade = False


def _write_notebooks(paths: CourseDir, student: str, notebooks: dict, course: Course) -> None:
    # autograded/ is what the formgrader shows; submitted/ is what makes nbgrader list the submission (Manage Assignments)
    for folder in (paths.autograded / student / ASSIGNMENT, paths.root / "submitted" / student / ASSIGNMENT):
        folder.mkdir(parents=True, exist_ok=True)
        for name, nb in notebooks.items():
            if name in course.notebooks and isinstance(nb, dict) and isinstance(nb.get("cells"), list):
                (folder / f"{name}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
