"""The package contract as the grader reads it: ``<package>/contract.py``, loaded by path, never the package.

The one reader of the course's registry of exercise functions (see
``solutions/backproplab/contract.py``). The file is plain data, so loading it
runs no course code beyond the table itself.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load(pkg: Path) -> ModuleType:
    """The ``contract`` module of the package in `pkg` (``CONTRACT``, ``BY_NAME``, ``EXERCISES``), under a private name."""
    path = (Path(pkg) / "contract.py").resolve()
    alias = "_bpl_contract_" + hashlib.sha1(str(path).encode()).hexdigest()[:10]
    if alias not in sys.modules:
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: the package defines no contract")
        spec = importlib.util.spec_from_file_location(alias, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[alias] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[alias]


def exercises(pkg: Path) -> dict[str, dict[str, list[str]]]:
    """Notebook → module → exercise functions of the package in `pkg`."""
    return load(pkg).EXERCISES
