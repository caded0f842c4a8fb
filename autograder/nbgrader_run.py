"""Run real ``nbgrader autograde`` on one submission, in a throw-away course inside the sandbox.

The throw-away course holds a copy of the template gradebook (structure, no
solutions), an empty ``source/`` and the submission; ``exclude_overwriting``
lists every package file, so nbgrader executes the notebooks against the
student's package and not the reference. nbgrader's own scores are
discarded (they come from the student's kernel, which the student
controls); what is kept is the executed notebook for the formgrader and the
feedback. A notebook that breaks the run is retried on its own so one bad
notebook never costs the others.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import sandbox
from .course import ASSIGNMENT, PACKAGE, Course, nbgrader_config
from .notebooks import load_json

STUDENT = "student"


@dataclass
class Autograded:
    notebooks: dict[str, dict] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    log: list[str] = field(default_factory=list)


def _throwaway(folder: Path, course: Course, notebooks: dict[str, Path], package: Path, cell_timeout: int) -> Path:
    root = folder / "course"
    if folder.exists():
        shutil.rmtree(folder)
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    sub = root / "submitted" / STUDENT / ASSIGNMENT
    sub.mkdir(parents=True)
    shutil.copyfile(course.template_db, root / "gradebook.db")
    for name, path in notebooks.items():
        shutil.copyfile(path, sub / f"{name}.ipynb")
    shutil.copytree(package, sub / PACKAGE)
    (root / "nbgrader_config.py").write_text(
        nbgrader_config(root, db=root / "gradebook.db", exclude=course.package_files(), cell_timeout=cell_timeout), encoding="utf-8"
    )
    return root


def _run(folder: Path, course: Course, notebooks: dict[str, Path], package: Path, settings, cell_timeout: int) -> tuple[dict, str, float]:
    root = _throwaway(folder, course, notebooks, package, cell_timeout)
    wall = max(60.0, 30.0 + cell_timeout * 2.0 * len(notebooks))
    limits = sandbox.Limits(wall=min(wall, settings.limits.wall * 10), memory=max(settings.limits.memory, 3 << 30))
    outcome = sandbox.run(
        [sandbox.python(), "-m", "nbgrader", "autograde", ASSIGNMENT, "--student", STUDENT],
        rw=[folder],
        limits=limits,
        cwd=root,
        log_dir=folder.with_name(folder.name + ".log"),
        isolation=settings.isolation,
    )
    done = {}
    for name in notebooks:
        nb, _ = load_json(root / "autograded" / STUDENT / ASSIGNMENT / f"{name}.ipynb")
        if nb is not None:
            done[name] = nb
    return done, outcome.describe(), outcome.seconds


def autograde(course: Course, notebooks: dict[str, Path], package: Path, workdir: Path, settings, cell_timeout: int = 60) -> Autograded:
    """Autograde the usable `notebooks` (canonical name → file) with the composed student `package`."""
    result = Autograded()
    if not notebooks:
        return result
    done, how, seconds = _run(workdir / "nbgrader", course, notebooks, package, settings, cell_timeout)
    result.notebooks.update(done)
    result.seconds += seconds
    result.log.append(f"nbgrader autograde ({len(notebooks)} notebooks): {seconds:.1f} s, {how}")
    missing = [n for n in notebooks if n not in done]
    if len(notebooks) > 1:
        for name in missing:
            one, how, seconds = _run(workdir / f"nbgrader-{name}", course, {name: notebooks[name]}, package, settings, cell_timeout)
            result.notebooks.update(one)
            result.seconds += seconds
            result.log.append(f"nbgrader autograde ({name} alone): {seconds:.1f} s, {how}")
    for name in notebooks:
        if name not in result.notebooks:
            result.problems[name] = f"nbgrader could not execute it (the run {how})"
    return result
