"""Run real ``nbgrader autograde`` on one submission, in a throw-away course inside the sandbox.

The throw-away course holds a copy of the template gradebook (structure, no
solutions), an empty ``source/`` and the submission; ``exclude_overwriting``
lists every package file, so nbgrader executes the notebooks against the
student's package and not the reference. nbgrader's own scores are
discarded (they come from the student's kernel, which the student
controls); what is kept is the executed notebook for the formgrader and the
feedback. Each notebook runs in its own throw-away course and sandbox, so one
bad notebook never costs the others and no kernel can forge another
notebook's executed copy; what comes back is verified and sanitised
(`sanitize`) before anyone renders it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from autograder import sandbox
from autograder.grading import harness, sanitize
from autograder.grading.course import ASSIGNMENT, PACKAGE, Course, nbgrader_config
from autograder.grading.notebooks import load_json
from autograder.layout import ROOT

STUDENT = "student"
DATA = ROOT / "data" / "mnist"


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
    if DATA.is_dir():  # the course's data, as a student has it next to the notebooks (02 and 06 load MNIST in cell 2)
        shutil.copytree(DATA, folder / "data" / "mnist")
    (root / "nbgrader_config.py").write_text(
        nbgrader_config(root, db=root / "gradebook.db", exclude=course.package_files(), cell_timeout=cell_timeout), encoding="utf-8"
    )
    return root


def _run(folder: Path, course: Course, notebooks: dict[str, Path], package: Path, settings) -> tuple[dict, sandbox.Outcome]:
    root = _throwaway(folder, course, notebooks, package, settings.cell_seconds)
    wall = 60.0 + settings.cell_seconds * 3.0 * len(notebooks)
    limits = sandbox.Limits(wall=wall, memory=max(settings.limits.memory, 3 << 30))
    outcome = sandbox.run(
        [sandbox.python(), "-m", "nbgrader", "autograde", ASSIGNMENT, "--student", STUDENT],
        rw=[folder],
        limits=limits,
        cwd=root,
        log_dir=folder.with_name(folder.name + ".log"),
        env={"BACKPROPLAB_DATA": str(folder / "data" / "mnist")} if DATA.is_dir() else None,
        isolation=settings.isolation,
    )
    done = {}
    for name in notebooks:
        path = root / "autograded" / STUDENT / ASSIGNMENT / f"{name}.ipynb"
        nb, why = load_json(path)
        if nb is not None:
            done[name] = nb
        elif path.exists():  # executed, but unusable (e.g. 100 MB of output): retrying would not help
            done[name] = None
            outcome.extra.setdefault("unusable", {})[name] = why
    return done, outcome


def autograde(course: Course, notebooks: dict[str, Path], package: Path, workdir: Path, settings) -> Autograded:
    """Autograde the usable `notebooks` (canonical name → file) with the composed student `package`.

    Each notebook gets its own throw-away course and sandbox, so a kernel can only ever touch the
    notebook it runs in; its executed copy is used only if that nbgrader run ended normally and its
    editable cells are the submitted ones (`sanitize.verify`), and then only sanitised.
    """
    result = Autograded()
    for name, path in notebooks.items():
        done, outcome = _run(workdir / f"nbgrader-{name}", course, {name: path}, package, settings)
        _account(result, settings, name, outcome)
        if _failed(done.get(name), outcome):  # a dead kernel or process may be the machine's (OOM, a signal): once more
            result.log.append(f"nbgrader autograde {name}: {outcome.describe()}; running it again before blaming the notebook")
            first = outcome
            done, outcome = _run(workdir / f"nbgrader-{name}-again", course, {name: path}, package, settings)
            _account(result, settings, name, outcome)
            if not _failed(done.get(name), outcome):
                result.log.append(f"nbgrader autograde {name}: the re-run worked (the first failure was not the notebook's)")
            elif first.outside or outcome.outside:
                why = f"{harness.GRADER_ERROR}: nbgrader's run of {name} was killed from outside the sandbox"
                result.problems[name] = why
                settings.grader_errors.append(why)
                continue
        executed, why = done.get(name), outcome.extra.get("unusable", {}).get(name)
        if why:
            result.problems[name] = f"nbgrader ran it, but the executed notebook {why}"
        elif executed is None:
            result.problems[name] = _failure(outcome)
        elif outcome.returncode != 0 or outcome.timed_out:
            result.problems[name] = f"nbgrader did not finish it (the run {outcome.describe()}): its executed copy is not shown"
        elif mismatch := sanitize.verify(executed, load_json(path)[0]):
            result.problems[name] = f"the executed notebook does not match the submitted one ({mismatch}): it is not shown"
        else:
            result.notebooks[name] = sanitize.clean_notebook(executed)
            if trouble := cell_trouble(executed, settings.cell_seconds):
                result.problems[name] = "; ".join(trouble[:3])
    return result


def _failed(executed: dict | None, outcome: sandbox.Outcome) -> bool:
    """nbgrader's run did not end normally with an executed copy (a copy too large to use is final: not retried)."""
    return not outcome.extra.get("unusable") and (executed is None or outcome.returncode != 0 or outcome.timed_out)


def _account(result: Autograded, settings, name: str, outcome: sandbox.Outcome) -> None:
    result.seconds += outcome.seconds
    settings.cpu[f"nbgrader-{name}"] = round(settings.cpu.get(f"nbgrader-{name}", 0.0) + outcome.cpu, 3)
    result.log.append(f"nbgrader autograde {name}: {outcome.seconds:.1f} s, {outcome.cpu:.1f} CPU-s, {outcome.describe()}")
    if outcome.extra.get("leftover"):
        result.log.append(harness.NOTE_LEFTOVER)


def _failure(outcome: sandbox.Outcome) -> str:
    if "DeadKernelError" in outcome.stderr or "Kernel died" in outcome.stderr:
        return "the kernel died while nbgrader ran it, and again when it was re-run (the notebook's memory use, or its code stopped it)"
    return f"nbgrader could not execute it (the run {outcome.describe()})"


def cell_trouble(nb: dict, cell_seconds: int) -> list[str]:
    """Cells nbgrader had to stop (time-outs, a dead kernel), for the feedback."""
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            name = output.get("ename", "") if isinstance(output, dict) else ""
            if name in ("CellTimeoutError", "TimeoutError") or "Timeout" in name:
                out.append(f"cell {i + 1} did not finish within {cell_seconds} s when nbgrader ran it")
            elif name == "DeadKernelError" or "DeadKernel" in name:
                out.append(f"the kernel died at cell {i + 1} when nbgrader ran it (memory, or the code killed it)")
    return out
