"""The instructor's side of each comparison: the hidden-test module and the reference package.

The reference is imported into the grading process under a private name
(never ``backproplab``), so it cannot collide with anything; student code
is never imported here.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace

from autograder.imports import load_private
from autograder.sandbox.wire import Raised

DEFAULT_HIDDEN = "autograder.hidden"


def load_hidden(name: str = DEFAULT_HIDDEN, reference_pkg: Path | None = None) -> ModuleType | SimpleNamespace:
    """The hidden-test module: ``FUNCTIONS``, ``DEPENDS``, ``cases(name, seed)``, ``evaluate(...)``.

    With `reference_pkg`, and a module that has ``for_reference``, its
    interface bound to that reference package: case inputs and the verdict
    then come from the reference that judges (the course's ``--source``).
    """
    module = importlib.import_module(name)
    for attr in ("FUNCTIONS", "DEPENDS", "cases", "evaluate"):
        if not hasattr(module, attr):
            raise AttributeError(f"hidden-test module {name} lacks {attr}")
    if reference_pkg is not None and hasattr(module, "for_reference"):
        return module.for_reference(reference_pkg)
    return module


def load_package(pkg_dir: Path) -> str:
    """Import the package in `pkg_dir` under a private name; return that name."""
    return load_private(pkg_dir, "_bpl_reference").__name__


class Reference:
    """Calls reference functions on deep copies of the arguments."""

    def __init__(self, pkg_dir: Path, functions: dict[str, str]) -> None:
        self.alias = load_package(pkg_dir)
        self.functions = functions

    def function(self, name: str):
        return getattr(importlib.import_module(f"{self.alias}.{self.functions[name]}"), name)

    def call(self, name: str, args: tuple, kwargs: dict):
        try:
            return self.function(name)(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except Exception as exc:  # the reference raising is an expected outcome (validation cases)
            return Raised(type(exc).__name__, str(exc))
