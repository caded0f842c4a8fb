"""A tiny two-notebook course for the grader's tests, built from the reference package.

It follows the notebook conventions of the shared brief (set-up cell tagged
``setup``, one locked graded test cell per exercise function with
``grade_id`` = function name, a code-answer cell with
``metadata.backproplab.answer`` and its graded test cell, a hand-graded
written answer), so the grader's tests never wait for the real notebooks.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "solutions" / "backproplab"

SETUP = "%load_ext autoreload\n%autoreload 2\n%matplotlib inline\n\nimport numpy as np\n\nrng = np.random.default_rng(0)"
ANSWER = (
    "### BEGIN SOLUTION\n"
    "global_max_nan_batch = np.array([[0.0, -1.2, -5.0], [-800.0, -801.2, -805.0]])\n"
    "### END SOLUTION"
)
ANSWER_TEST = """import numpy as np

Z = np.asarray(global_max_nan_batch, dtype=np.float64)
assert Z.ndim == 2 and Z.shape[0] >= 2, f"need a 2-D batch with at least two rows; got shape {Z.shape}"
assert np.isfinite(Z).all(), "every logit must be finite"
with np.errstate(all="ignore"):
    E = np.exp(Z - Z.max())
    S_global = E / E.sum(axis=1, keepdims=True)
assert np.isnan(S_global).any(), "the global-max softmax gives no NaN here"
print("global_max_nan_batch: visible checks passed")"""
WRITTEN = "Subtracting one global max underflows rows far below it: their sum is 0 and 0/0 is NaN."

POINTS = {"softmax": 2, "log_softmax": 2, "softmax_jacobian": 1, "cross_entropy": 1, "softmax_cross_entropy": 2}
NOTEBOOKS = {"01_softmax": ["softmax", "log_softmax", "softmax_jacobian"], "02_losses": ["cross_entropy", "softmax_cross_entropy"]}
MODULE = {"softmax": "softmax", "log_softmax": "softmax", "softmax_jacobian": "softmax", "cross_entropy": "losses", "softmax_cross_entropy": "losses"}
ANSWER_POINTS, WRITTEN_POINTS = 1, 1


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def test_cell(name: str) -> nbformat.NotebookNode:
    src = f"from backproplab.{MODULE[name]} import {name}\nfrom backproplab.checks import check_{name}\ncheck_{name}({name})"
    return new_code_cell(src, metadata=_meta(name, grade=True, solution=False, locked=True, points=POINTS[name]))


def notebook(name: str) -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(f"# {name}\nA tiny notebook for the grader's tests."),
        new_code_cell(SETUP, metadata={"tags": ["setup"]}),
    ]
    if name == "01_softmax":
        answer_meta = _meta("global_max_nan_batch_answer", grade=False, solution=True, locked=False)
        answer_meta["backproplab"] = {"answer": "global_max_nan_batch"}
        cells += [
            new_markdown_cell("Build a batch on which one global max gives NaN."),
            new_code_cell(ANSWER, metadata=answer_meta),
            new_code_cell(ANSWER_TEST, metadata=_meta("global_max_nan_batch", grade=True, solution=False, locked=True, points=ANSWER_POINTS)),
            new_markdown_cell(WRITTEN, metadata=_meta("q_global_max", grade=True, solution=True, locked=False, points=WRITTEN_POINTS)),
        ]
    for fn in NOTEBOOKS[name]:
        cells.append(test_cell(fn))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    return nb


def make_source(dst: Path) -> Path:
    """Write a course source (reference package + two small notebooks) into `dst`."""
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REFERENCE, dst / "backproplab", ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    for name in NOTEBOOKS:
        nbformat.write(notebook(name), dst / f"{name}.ipynb")
    return dst


def full_marks() -> float:
    return sum(POINTS.values()) + ANSWER_POINTS


# --------------------------------------------------------------------------- submissions


def student_notebooks(course_build: Path) -> dict[str, nbformat.NotebookNode]:
    """The released (student) notebooks of a built course (``Course.release_notebooks``)."""
    return {p.stem: nbformat.read(p, as_version=4) for p in sorted(Path(course_build).glob("*.ipynb"))}


def perfect_notebooks(source: Path) -> dict[str, nbformat.NotebookNode]:
    """The source notebooks with outputs cleared: every answer is the model answer."""
    out = {}
    for p in sorted(source.glob("*.ipynb")):
        nb = nbformat.read(p, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        out[p.stem] = nb
    return out


def write_zip(dst: Path, files: dict[str, bytes | str], top: str | None = None) -> Path:
    """A zip of `files` (archive path → content), optionally under one top folder."""
    import zipfile

    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(f"{top}/{name}" if top else name, data)
    return dst


def package_files(pkg: Path) -> dict[str, str]:
    return {f"backproplab/{p.name}": p.read_text(encoding="utf-8") for p in sorted(pkg.glob("*.py"))}


def submission_files(notebooks: dict[str, nbformat.NotebookNode], pkg: Path) -> dict[str, str]:
    files = {f"{name}.ipynb": nbformat.writes(nb) for name, nb in notebooks.items()}
    files.update(package_files(pkg))
    return files


# --------------------------------------------------------------------------- shared build, variants

HIDDEN = "autograder.hidden"


@functools.cache
def built_course(base: Path, build: bool = True):
    """The test course (source + release + nbgrader build) under `base`, built once per process."""
    from autograder.grading.course import Course

    src = make_source(base / "source")
    return Course.load(src, base / "work", hidden=HIDDEN, build=build)


WRONG = {
    # one global max for the whole batch (the softmax note's erratum): NaN on rows far below it
    "softmax": ("shifted = Z - Z.max(axis=-1, keepdims=True)\n    E = np.exp(shifted)", "shifted = Z - Z.max()\n    E = np.exp(shifted)"),
    # the mean over the batch forgotten
    "cross_entropy": ("return -(Y * logS).sum() / m", "return -(Y * logS).sum()"),
    # log(softmax) instead of log-sum-exp: -inf where softmax underflows
    "log_softmax": ("return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))",
                    "return np.log(np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True))"),
}


def submission(course, *, wrong: tuple[str, ...] = (), notebooks: str = "perfect", extra: dict | None = None) -> dict[str, str]:
    """Archive files of a reference-answer submission with some functions wrong, plus `extra` files."""
    nbs = perfect_notebooks(course.source) if notebooks == "perfect" else student_notebooks(course.release_notebooks)
    files = {f"{n}.ipynb": nbformat.writes(nb) for n, nb in nbs.items()}
    pkg = package_files(course.reference_pkg)
    for name in wrong:
        key = f"backproplab/{MODULE[name]}.py"
        pkg[key] = mutated_text(pkg[key], name)
    files.update(pkg)
    files.update(extra or {})
    return files


def mutated_text(text: str, name: str) -> str:
    old, new = WRONG[name]
    assert text.count(old) == 1, (name, old)
    return text.replace(old, new)
