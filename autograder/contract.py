"""The package contract as the grader reads it: ``<package>/contract.py``, loaded by path, never the package.

The one reader of the course's registry of exercise functions (see
``solutions/backproplab/contract.py``). The file is plain data, so loading it
runs no course code beyond the table itself.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from autograder.imports import load_private


def load(pkg: Path) -> ModuleType:
    """The ``contract`` module of the package in `pkg` (``CONTRACT``, ``BY_NAME``, ``EXERCISES``), under a private name."""
    return load_private(Path(pkg) / "contract.py", "_bpl_contract")


def exercises(pkg: Path) -> dict[str, dict[str, list[str]]]:
    """Notebook → module → exercise functions of the package in `pkg`."""
    return load(pkg).EXERCISES
