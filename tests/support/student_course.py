"""Temporary copies of the student course (``notebooks/``) for tests that run it as a student would.

`copy_course(dst, solved=False)` is the untouched release; `solved=True` is the same
folder after a student finished everything: the package holds the reference answers
(``solutions/backproplab``) and every answer cell of the notebooks (code or written)
holds the source notebook's answer (matched by ``grade_id``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = ROOT / "solutions"
PACKAGE = "backproplab"
DATA = ROOT / "data" / "mnist"

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def fill_answers(student: Path, source: Path) -> int:
    """Put the source notebook's answer into every answer cell (code or written) of `student`; return how many."""
    solutions = {_grade_id(c): c.source for c in nbformat.read(source, as_version=4).cells if _grade_id(c)}
    nb = nbformat.read(student, as_version=4)
    filled = 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = solutions[meta["grade_id"]]
            filled += 1
    nbformat.write(nb, student)
    return filled


def copy_course(dst: Path, solved: bool = False) -> Path:
    """Copy ``notebooks/`` to `dst`; with `solved`, swap in the reference package and fill the answers."""
    shutil.copytree(NOTEBOOKS, dst, ignore=_IGNORE)
    if solved:
        shutil.rmtree(dst / PACKAGE)
        shutil.copytree(SOLUTIONS / PACKAGE, dst / PACKAGE, ignore=_IGNORE)
        for nb in sorted(dst.glob("*.ipynb")):
            fill_answers(nb, SOLUTIONS / nb.name)
    return dst

