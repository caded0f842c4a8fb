"""TEMPORARY stand-in for notebook 01 while it is being written (branch nb13).

A small nbgrader source notebook that follows the cell conventions of the brief
(set-up cell tagged ``setup``, a plot, one locked graded test cell per exercise
function, a code-answer cell with its test, a written answer). Deleted once
``01_softmax.ipynb`` is on main.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

# %autoreload 3, not 2: on IPython 9, mode 2's new "deduperreload" leaves a name imported
# before the first edit on the first edited version (see tests/test_editing_loop.py).
SETUP = """\
%load_ext autoreload
%autoreload 3
%matplotlib inline
import numpy as np
import matplotlib.pyplot as plt
rng = np.random.default_rng(0)"""

PLOT = """\
z = np.linspace(-4, 4, 9)
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(np.arange(z.size), np.exp(z) / np.exp(z).sum())
ax.set(xlabel="class", ylabel="probability", title="softmax of a ramp");"""

ANSWER = """\
### BEGIN SOLUTION
global_max_nan_batch = np.array([[0.0, 1.0], [-1000.0, -1001.0]])
### END SOLUTION"""

ANSWER_TEST = """\
shifted = global_max_nan_batch - global_max_nan_batch.max()
with np.errstate(all="ignore"):
    naive = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
assert np.isnan(naive).any(), "one global max should give 0/0 on some row of your batch"
print("visible checks passed")"""


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _check_cell(name: str, points: int):
    source = f"from backproplab.softmax import {name}\nfrom backproplab.checks import check_{name}\ncheck_{name}({name})"
    return new_code_cell(source, metadata=_nbgrader(name, grade=True, solution=False, locked=True, points=points))


def source_notebook() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# 01 Softmax (stand-in)"),
        new_code_cell(SETUP, metadata={"tags": ["setup"]}),
        new_code_cell(PLOT),
        _check_cell("softmax", 2),
        _check_cell("log_softmax", 2),
        _check_cell("softmax_jacobian", 1),
        new_code_cell(ANSWER, metadata={**_nbgrader("global_max_nan_batch_answer", grade=False, solution=True, locked=False),
                                        "backproplab": {"answer": "global_max_nan_batch"}}),
        new_code_cell(ANSWER_TEST, metadata=_nbgrader("global_max_nan_batch", grade=True, solution=False, locked=True, points=1)),
        new_markdown_cell("Why does one global max fail on this batch?"),
        new_markdown_cell("Rows far below the global max underflow to 0, and 0/0 is NaN.",
                          metadata=_nbgrader("q_global_max", grade=True, solution=True, locked=False, points=1)),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    return nb


def write(source_dir: Path, student_dir: Path) -> None:
    """Write the stand-in source into `source_dir` and its student version into `student_dir`."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from autograder.notebook_release import release_notebook

    source_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(source_notebook(), source_dir / "01_softmax.ipynb")
    release_notebook(source_dir / "01_softmax.ipynb", student_dir / "01_softmax.ipynb")
