"""Student version of one nbgrader source notebook, using nbgrader's own preprocessors.

The same steps as ``nbgrader generate_assignment`` minus the database: lock
cells, clear solutions, clear outputs, check metadata, compute checksums,
clear hidden tests and mark schemes. The result is deterministic, so
``notebooks/`` can be compared with a fresh release byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import nbformat


def _preprocessors():
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearMarkScheme,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        LockCells,
    )

    return [
        LockCells(),
        ClearSolutions(),
        ClearOutput(),
        CheckCellMetadata(),
        ComputeChecksums(),
        ClearHiddenTests(),
        ClearMarkScheme(),
        ComputeChecksums(),
        CheckCellMetadata(),
    ]


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    resources: dict = {}
    for pre in _preprocessors():
        nb, resources = pre.preprocess(nb, resources)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return nb


def release_notebook(src: Path, dst: Path) -> None:
    nb = nbformat.read(src, as_version=4)
    nb = student_notebook(nb)
    dst.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dst)
