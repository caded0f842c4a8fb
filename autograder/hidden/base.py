"""What every hidden-test file shares: `Case`, the contract's tables, the reference functions.

The reference is the package `using` names (the course's ``--source``; by
default ``solutions/backproplab``): case inputs built by reference calls
(caches, log-probabilities) and the verdict's catalogued mistakes then come
from the same reference as the expected answers.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from autograder import contract
from autograder.layout import REFERENCE_PKG, ROOT

__all__ = ["REFERENCE_PKG", "ROOT", "Case", "arg_names", "reference", "reference_pkg", "using"]

CONTRACT = contract.load(REFERENCE_PKG)
EXERCISES = CONTRACT.EXERCISES
FUNCTIONS: dict[str, str] = {e.name: e.module for e in CONTRACT.CONTRACT}
"""Exercise function → its module (``backproplab.<module>``)."""

NOTEBOOK: dict[str, str] = {e.name: e.notebook for e in CONTRACT.CONTRACT}
"""Exercise function → its notebook ("01" … "06")."""

DEPENDS: dict[str, list[str]] = {e.name: list(e.depends) for e in CONTRACT.CONTRACT if e.depends}
"""Composite function → the exercise functions it may call. The harness grades a composite with the
reference versions of these substituted, so one early mistake is charged once."""

OUTPUTS: dict[str, tuple[str, ...]] = {e.name: e.outputs for e in CONTRACT.CONTRACT if e.outputs}
"""Names of the parts of a tuple output, for messages."""

RETURNS = {e.name: e.returns for e in CONTRACT.CONTRACT if e.returns}
"""Names of dict outputs, for messages."""

CACHES = {(e.name, path) for e in CONTRACT.CONTRACT for path in e.caches}
"""Outputs that are caches: extra keys are allowed there."""

@dataclass(frozen=True)
class Case:
    """One hidden call: ``fn(*args, **kwargs)``; `note` (student-facing) says what it probes.

    `group` names its points group (default: from its inputs, see `summary.group_of`);
    `visible` marks a visible probe, whose input and answers the feedback page may show.
    """

    args: tuple
    kwargs: dict = field(default_factory=dict)
    note: str = ""
    group: str = ""
    visible: bool = False


_REFERENCE: ContextVar[Path] = ContextVar("reference_pkg", default=REFERENCE_PKG)


def reference_pkg() -> Path:
    """The reference package the hidden tests use now (see `using`)."""
    return _REFERENCE.get()


@contextlib.contextmanager
def using(pkg: Path) -> Iterator[Path]:
    """While active, every reference call of the hidden tests goes to the package folder `pkg`."""
    token = _REFERENCE.set(Path(pkg).resolve())
    try:
        yield _REFERENCE.get()
    finally:
        _REFERENCE.reset(token)


def reference(name: str) -> Callable:
    """The reference implementation of exercise function `name` (from a private copy of the package)."""
    from autograder.mutants import reference as load

    return load(name, FUNCTIONS[name], reference_pkg())


def arg_names(name: str) -> list[str]:
    """Positional parameter names of exercise function `name` (for messages)."""
    return list(inspect.signature(reference(name)).parameters)
