"""Grade one submission zip into one self-contained result (JSON): the unit a batch engine fans out.

unzip safely → find notebooks and package → harness on every graded function
(untouched stub modules decided without a child) → code answers → the
notebooks for the formgrader (as submitted, sanitised; with ``execute``,
nbgrader autograde in a throw-away course) → a `Result` with a status code,
points, reasons, hints, the notebooks, the seed, CPU seconds per job and a log.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import secrets
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder import sandbox
from autograder.grading import answers, compose, harness, nbgrader_run, sanitize
from autograder.grading import result as results
from autograder.grading.course import Course
from autograder.grading.notebooks import (
    ANSWER,
    FUNCTION,
    WRITTEN,
    StudentNotebook,
    ignored,
    load_json,
    match_notebooks,
    package_folder,
    read_student,
    same_text_key,
    written_answer,
)
from autograder.grading.result import Result
from autograder.sandbox import safezip
from autograder.sandbox.untrusted import clean
from autograder.student.submit import student_id


def locate(files: list[Path], root: Path, modules: set[str]) -> tuple[list[Path], Path | None]:
    """The submitted notebooks and the package folder (`package_folder`: the rule the similarity report uses too)."""
    notebooks = [f for f in files if f.suffix == ".ipynb" and not ignored(f.relative_to(root).parts)]
    folder = package_folder((f.relative_to(root).parts for f in files), modules)
    return notebooks, (root.joinpath(*folder) if folder is not None else None)


def student_package(package: Path | None, course: Course) -> tuple[harness.StudentPackage, list[str]]:
    modules, extras, issues = {}, {}, []
    release = {p.stem for p in course.release_pkg.glob("*.py")}
    exercise = course.exercise_modules()
    if package is None:
        return harness.StudentPackage({}), ["no backproplab/ package folder in the submission"]
    for path in sorted(package.glob("*.py")):
        if path.is_symlink() or not path.is_file():
            continue
        if path.stem in exercise:
            modules[path.stem] = path
        elif path.stem not in release and path.stem.isidentifier():
            extras[path.stem] = path
    for missing in sorted(exercise - set(modules)):
        issues.append(f"backproplab/{missing}.py is missing: its functions were graded as not implemented")
    return harness.StudentPackage(modules, extras), issues


STUB = "not implemented yet (still raises NotImplementedError)"


@functools.lru_cache(maxsize=64)
def _stub_functions(release_file: Path) -> frozenset[str]:
    """Functions of a release module whose body raises NotImplementedError (what a student starts from)."""
    tree = ast.parse(release_file.read_text(encoding="utf-8"))
    return frozenset(node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                     and any(isinstance(n, ast.Raise) and "NotImplementedError" in ast.unparse(n) for n in ast.walk(node)))


def untouched_stubs(pkg: harness.StudentPackage, course: Course, names: list[str]) -> dict[str, harness.Verdict]:
    """Verdicts for the graded functions of modules the student left exactly as released: decided without a child."""
    functions, out = course.hidden.FUNCTIONS, {}
    for module, path in pkg.modules.items():
        release = course.release_pkg / f"{module}.py"
        if not release.is_file() or same_text_key(path.read_bytes().decode("utf-8", "replace")) != same_text_key(release.read_text(encoding="utf-8")):
            continue
        stubs = _stub_functions(release)
        out.update({name: harness.Verdict(name, False, STUB, 0) for name in names if functions.get(name) == module and name in stubs})
    return out


def _empty_result(student: str, submission: Path, seed: int, isolation: str) -> Result:
    sha = hashlib.sha256(submission.read_bytes()).hexdigest() if submission.is_file() else None
    return Result(student=student, submission=clean(submission.name), sha256=sha, seed=seed, isolation=isolation)


def notebook_report(course: Course, name: str, mine: StudentNotebook, verdicts: dict[str, harness.Verdict], hints: dict[str, str]) -> dict:
    source = course.notebooks[name]
    cells = {}
    for cell in source.graded:
        if cell.kind in (FUNCTION, ANSWER):
            v = verdicts.get(cell.grade_id) or harness.Verdict(cell.grade_id, False, "not graded")
            cells[cell.grade_id] = {
                "kind": cell.kind,
                "max": cell.points,
                "points": cell.points * v.score,
                "passed": v.passed,
                "reason": v.reason,
                "hint": hints.get(cell.grade_id),
                "groups": v.groups,  # issue 16: every distinct mistake; visible probes with input, expected, got
                "failed_groups": v.failed_groups,
            }
        elif cell.kind == WRITTEN:
            text = written_answer(mine, cell) if mine.usable else None
            answered = bool(text and text.strip()) and same_text_key(text) != same_text_key(course.released_source(name, cell.grade_id))
            cells[cell.grade_id] = {"kind": WRITTEN, "max": cell.points, "points": None, "answered": answered, "text": (text or "")[:5000]}
        else:
            cells[cell.grade_id] = {"kind": cell.kind, "max": cell.points, "points": 0.0, "passed": False, "reason": "not gradable by the harness"}
    auto = [c for c in cells.values() if c["kind"] in (FUNCTION, ANSWER)]
    return {
        "problem": clean(mine.problem) if mine.problem else None,
        "renamed_from": clean(mine.renamed_from) if mine.renamed_from else None,
        "issues": [clean(issue) for issue in mine.issues],
        "cells": cells,
        "auto": sum(c["points"] for c in auto),
        "auto_max": sum(c["max"] for c in auto),
        "manual_max": sum(c["max"] for c in cells.values() if c["kind"] == WRITTEN),
    }


def grade_one(
    submission: Path,
    course: Course,
    *,
    student: str | None = None,
    seed: int | None = None,
    settings: harness.Settings | None = None,
    nbgrader: bool = True,
    execute: bool = False,
    workdir: Path | None = None,
) -> Result:
    """Grade `submission` (a zip); return its `Result` (see module docstring).

    `nbgrader`: notebooks for the formgrader at all; `execute`: nbgrader re-runs them (else they are
    the submitted ones, outputs as saved, sanitised).
    """
    seed = secrets.randbits(31) if seed is None else seed
    settings = settings or harness.Settings(seed=seed)
    settings.seed = seed
    isolation = settings.isolation or sandbox.available()
    settings.isolation = isolation
    student = student_id(student or submission.name) or "student"
    result = _empty_result(student, submission, seed, isolation)
    start, own = time.monotonic(), time.process_time()
    with tempfile.TemporaryDirectory(prefix=f"grade-{student}-", dir=workdir) as tmp:
        tmp = Path(tmp)
        try:
            unpacked = safezip.extract(submission, tmp / "submission")
        except safezip.Refused as exc:
            unpacked = None
            reason = f"the archive was refused: {clean(exc)}"
        if unpacked is not None:
            result.issues += [f"skipped {s}" for s in unpacked.skipped]
            nb_files, package = locate(unpacked.files, unpacked.root, course.exercise_modules())
            reason = None if (nb_files or package) else "no notebooks and no backproplab/ package in the archive"
        if reason:
            result.flag(results.UNGRADABLE, reason)
            return _finish(result, course, {}, {}, start, settings, own)
        pkg, pkg_issues = student_package(package, course)
        result.issues += pkg_issues
        if pkg_issues:
            result.flag(results.MISSING_PACKAGE, "; ".join(pkg_issues))
        chosen, renamed, leftover = match_notebooks(nb_files, course.notebooks)
        mine = {}
        for name, source in course.notebooks.items():
            mine[name] = read_student(chosen.get(name), source)
            mine[name].renamed_from = renamed.get(name)
        result.issues += [f"notebook {f.name} is not part of the assignment: ignored" for f in leftover]
        result.log.append(f"{student}: seed={seed} isolation={isolation} submission={clean(submission.name)} sha256={result.sha256}")

        # nbgrader (mostly waiting on its kernel) runs beside the harness: the waits are filled.
        with ThreadPoolExecutor(max_workers=1) as pool:
            running = pool.submit(_autograde, course, mine, chosen, pkg, settings, tmp) if nbgrader and execute else None
            t = time.monotonic()
            specs, todo, decided = answers.student_cells(course, mine)
            stubs = untouched_stubs(pkg, course, course.graded_functions())
            names = [n for n in course.graded_functions() if n not in stubs]
            verdicts, cells, log = harness.grade_functions(names, pkg, course, settings, tmp / "harness", specs)
            verdicts.update(stubs)
            result.log += log
            verdicts.update(decided)
            verdicts.update(answers.judge(course, todo, cells, settings, tmp / "answers", result.log))
            result.timings["harness"] = round(time.monotonic() - t, 2)
            if running is not None:
                try:
                    done, result.autograded, seconds = running.result()
                except Exception as exc:  # a grader-side failure costs the executed notebooks, never the scores
                    result.log.append(f"nbgrader autograde failed in the grader: {type(exc).__name__}: {clean(exc)}")
                else:
                    result.log += done.log
                    result.issues += [f"notebook {n}: {why}" for n, why in done.problems.items()]
                    result.timings["nbgrader"] = seconds
            elif nbgrader:
                result.autograded = {n: as_submitted(chosen[n]) for n, nb in mine.items() if nb.usable}
        for module in sorted(settings.import_failed):
            result.flag(results.IMPORT_ERROR, f"backproplab/{module}.py does not import")
        for why in dict.fromkeys(settings.grader_errors):
            result.flag(results.GRADER_ERROR, why)
        if settings.timeouts >= harness.MAX_TIMEOUTS:
            result.flag(results.TIMEOUT, "the submission's code used up the time it may take")
        return _finish(result, course, mine, verdicts, start, settings, own)


def _autograde(course: Course, mine: dict, chosen: dict, pkg: harness.StudentPackage, settings: harness.Settings, tmp: Path):
    """nbgrader autograde of the usable notebooks → (outcome, notebooks for the formgrader, seconds)."""
    t = time.monotonic()
    usable = {n: chosen[n] for n, nb in mine.items() if nb.usable}
    composed = compose.assemble(tmp / "nbpkg", release_pkg=course.release_pkg, student_modules=pkg.modules, student_extras=pkg.extras)
    done = nbgrader_run.autograde(course, usable, composed, tmp / "nb", settings)
    notebooks = dict(done.notebooks)
    for name in usable.keys() - notebooks.keys():  # the formgrader still gets the student's answers
        notebooks[name] = cleared(chosen[name])
    return done, notebooks, round(time.monotonic() - t, 2)


def as_submitted(path: Path) -> dict | None:
    """The submitted notebook with the outputs the student saved, sanitised (the default: nothing re-executed)."""
    nb, _ = load_json(path)
    return sanitize.clean_notebook(nb) if nb is not None else None


def cleared(path: Path) -> dict | None:
    """The submitted notebook without outputs, sanitised (what the formgrader shows when nbgrader could not run it)."""
    nb, _ = load_json(path)
    if nb is None:
        return None
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return sanitize.clean_notebook(nb)


def _finish(result: Result, course: Course, mine: dict, verdicts: dict, start: float, settings: harness.Settings, own: float) -> Result:
    notes = [line[len(harness.NOTE):] for line in result.log if line.startswith(harness.NOTE)]
    result.issues += [n for n in dict.fromkeys(notes) if n not in result.issues]
    result.issues = [clean(issue) for issue in result.issues]  # they quote file names from the zip
    hints = compose.hints(course.reference_pkg)
    for name in course.notebooks:
        nb = mine.get(name) or StudentNotebook(name, None, problem="could not be graded")
        result.notebooks[name] = notebook_report(course, name, nb, verdicts, hints)
        if name in mine and nb.problem_code:
            result.flag(nb.problem_code, f"{name} {nb.problem}")
    result.flag(results.OK)
    result.timings["total"] = round(time.monotonic() - start, 2)
    # CPU seconds: each sandboxed job's whole tree, and this process (reference answers, verdicts, reading records)
    result.timings["cpu"] = dict(settings.cpu, grader=round(time.process_time() - own, 3))
    result.log.append(f"{result.student}: status={result.status} total={result.timings['total']} s")
    return result


def write_result(result: Result, out: Path) -> None:
    result.write(out)
