"""The mutant catalogue: wrong versions of the exercise functions, as students write them.

Each file ``<module>.py`` in this folder holds wrong versions of the functions
of ``backproplab/<module>.py``. The files are parsed, never imported: a
function ``<exercise>__<slug>`` is one mutant, its docstring is the hint a
student sees when their function behaves like it, and its body replaces the
solution block of the reference function (its parameters are the names in
scope there; anything else comes from the module, as in the reference: the
imports at the top of each file only name what the bodies use).

A mutant becomes real code by splicing (`Mutant.module_source`): the
reference module with one solution block replaced. `Mutant.bind` executes
that source as a module of a private copy of the reference package, so a
composite's dependencies stay the reference's.
"""

from __future__ import annotations

import ast
import importlib.util
import textwrap
import types
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from autograder import layout
from autograder.imports import load_private

HERE = Path(__file__).resolve().parent
REFERENCE_PKG = layout.REFERENCE_PKG
ALIAS = "_bpl_mutant_reference"


@dataclass(frozen=True)
class Mutant:
    """One wrong variant of exercise function `function` (in module `module`)."""

    function: str
    slug: str
    module: str
    hint: str
    body: str  # the replacement for the solution block, dedented

    @property
    def id(self) -> str:
        return f"{self.function}__{self.slug}"

    def module_source(self, reference_pkg: Path = REFERENCE_PKG) -> str:
        """The reference module's source with this mutant's body in place of the function's solution block."""
        return splice((reference_pkg / f"{self.module}.py").read_text(encoding="utf-8"), self.function, self.body)

    def bind(self, reference_pkg: Path = REFERENCE_PKG):
        """The mutant as a callable whose module (and relative imports) are the reference package's."""
        return _bound(self, reference_pkg)


def splice(source: str, function: str, body: str) -> str:
    """Replace the solution block (markers included) of top-level `function` in `source` by `body`."""
    lines = source.splitlines(keepends=True)
    node = next((n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == function), None)
    if node is None:
        raise ValueError(f"no function {function} in the reference module")
    begin = next((i for i in range(node.lineno - 1, node.end_lineno) if lines[i].strip() == "### BEGIN SOLUTION"), None)
    end = next((i for i in range(begin or 0, len(lines)) if lines[i].strip() == "### END SOLUTION"), None)
    if begin is None or end is None:
        raise ValueError(f"{function} has no solution block")
    indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
    return "".join(lines[:begin]) + textwrap.indent(body, indent) + "".join(lines[end + 1 :])


def _parse(path: Path) -> list[Mutant]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    found = []
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.FunctionDef) and "__" in node.name.strip("_")):
            continue
        function, slug = node.name.split("__", 1)
        hint = ast.get_docstring(node)
        if not hint:
            raise ValueError(f"{path.name}: mutant {node.name} has no hint (docstring)")
        first = node.body[1] if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) else node.body[0]
        body = textwrap.dedent("".join(lines[first.lineno - 1 : node.end_lineno]))
        found.append(Mutant(function, slug, path.stem, " ".join(hint.split()), body))
    return found


@cache
def catalogue() -> tuple[Mutant, ...]:
    """Every mutant, in file order."""
    out = []
    for path in sorted(HERE.glob("*.py")):
        if not path.name.startswith("_"):
            out += _parse(path)
    ids = [m.id for m in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate mutant ids: {dupes}")
    return tuple(out)


def by_function() -> dict[str, list[Mutant]]:
    """Exercise function → its mutants."""
    out: dict[str, list[Mutant]] = {}
    for m in catalogue():
        out.setdefault(m.function, []).append(m)
    return out


def load_package(pkg_dir: Path) -> str:
    """Import the package in `pkg_dir` under a private alias (once, never as ``backproplab``); return the alias."""
    return load_private(pkg_dir, ALIAS).__name__


def reference_package(reference_pkg: Path = REFERENCE_PKG) -> str:
    """The private alias of the reference package (imported on first use)."""
    return load_package(reference_pkg)


def reference(function: str, module: str, reference_pkg: Path = REFERENCE_PKG):
    """The reference `function` from the private copy of the package."""
    return getattr(importlib.import_module(f"{reference_package(reference_pkg)}.{module}"), function)


@cache
def _bound(mutant: Mutant, reference_pkg: Path):
    alias = reference_package(reference_pkg)
    name = f"{alias}.{mutant.module}__{mutant.slug}__{mutant.function}"
    module = types.ModuleType(name)
    module.__package__ = alias
    module.__file__ = f"<mutant {mutant.id}>"
    code = compile(mutant.module_source(reference_pkg), module.__file__, "exec")
    exec(code, module.__dict__)  # noqa: S102 - instructor code from this folder
    return getattr(module, mutant.function)
