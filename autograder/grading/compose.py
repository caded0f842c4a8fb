"""Which functions can be graded in one sandbox child, and the package that child imports.

A composite is graded with the reference versions of the functions it
depends on (``hidden.DEPENDS``, closed transitively), so one early mistake
is charged once; their answers are replayed from the grader (`replay`), so
the package in the child is only ever the release infrastructure plus the
student's own files. `groups` packs functions into as few children as
possible without ever replaying a function that is graded in the same
child. Infrastructure modules always come from the release (a student's
edited ``checks/`` or ``validate/`` changes nothing).
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass
from pathlib import Path

from autograder.release.student_copy import is_exercise_module

PACKAGE = "backproplab"


@dataclass(frozen=True)
class Plan:
    """How to assemble the package for grading one function of `module` (or, merged, a `Group`)."""

    module: str
    reference_modules: frozenset[str]
    patched: frozenset[str]


@dataclass
class Group:
    """Functions graded in one child: the union of compatible plans.

    Compatible: no graded function's module is a reference module and no
    graded function is patched in, so no graded function's reference is in
    the child.
    """

    functions: list[str]
    graded_modules: set[str]
    reference_modules: set[str]
    patched: dict[str, set[str]]  # module → functions taken from _ref_<module>

    @classmethod
    def empty(cls) -> Group:
        return cls([], set(), set(), {})

    def accepts(self, name: str, p: Plan) -> bool:
        graded = self.graded_modules | {p.module}
        refs = self.reference_modules | set(p.reference_modules)
        patched = set().union(*self.patched.values(), p.patched)
        return not (graded & refs) and not (patched & {*self.functions, name})

    def add(self, name: str, p: Plan) -> None:
        self.functions.append(name)
        self.graded_modules.add(p.module)
        self.reference_modules |= set(p.reference_modules)
        if p.patched:
            self.patched.setdefault(p.module, set()).update(p.patched)


def groups(names: list[str], functions: dict[str, str], depends: dict[str, list[str]], reference_pkg: Path) -> list[Group]:
    """Greedy packing of the functions into as few children as compatibility allows.

    The first group always exists and holds the functions graded on the
    student's package alone (no reference dependency).
    """
    out = [Group.empty()]
    for name in names:
        p = plan(name, functions, depends, reference_pkg)
        if not (p.reference_modules or p.patched):
            out[0].add(name, p)
            continue
        target = next((g for g in out[1:] if g.accepts(name, p)), None)
        if target is None:
            target = Group.empty()
            out.append(target)
        target.add(name, p)
    return out


def closure(name: str, depends: dict[str, list[str]]) -> set[str]:
    """Every exercise function `name` reaches through `depends` (not `name` itself)."""
    seen: set[str] = set()
    todo = list(depends.get(name, []))
    while todo:
        dep = todo.pop()
        if dep not in seen and dep != name:
            seen.add(dep)
            todo.extend(depends.get(dep, []))
    return seen


def relative_imports(source: str) -> set[str]:
    """Sibling modules a module imports with ``from .x import ...``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            found.add(node.module.split(".")[0])
    return found


def plan(name: str, functions: dict[str, str], depends: dict[str, list[str]], reference_pkg: Path) -> Plan:
    """The package plan for grading `name` (``functions`` maps function → module)."""
    module = functions[name]
    deps = closure(name, depends)
    ref_modules = {functions[d] for d in deps if d in functions} - {module}
    todo = list(ref_modules)
    while todo:  # a reference module's own exercise imports must be the reference too
        src = (reference_pkg / f"{todo.pop()}.py").read_text(encoding="utf-8")
        for imported in relative_imports(src):
            path = reference_pkg / f"{imported}.py"
            if imported != module and imported not in ref_modules and path.exists() and is_exercise_module(path.read_text(encoding="utf-8")):
                ref_modules.add(imported)
                todo.append(imported)
    patched = frozenset(d for d in deps if functions.get(d) == module)
    return Plan(module, frozenset(ref_modules), patched)


def function_spans(source: str) -> dict[str, tuple[int, int]]:
    """Top-level function name → (first line, last line), 1-based, decorators and trailing comments included."""
    body = ast.parse(source).body
    starts = [min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", []))]) for n in body]
    last = len(source.splitlines())
    spans = {}
    for i, node in enumerate(body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            spans[node.name] = (starts[i], starts[i + 1] - 1 if i + 1 < len(body) else last)
    return spans


def assemble(
    target: Path,
    *,
    release_pkg: Path,
    student_modules: dict[str, Path],
    student_extras: dict[str, Path] | None = None,
) -> Path:
    """Write ``target/backproplab``: release infrastructure, the student's exercise modules and helpers; return it.

    `release_pkg`: the student stubs + infrastructure; `student_modules`:
    exercise module name → the student's file; `student_extras`: helper
    modules the student added (never replacing a release file). Nothing of
    the reference: dependencies are replayed (see `replay`).
    """
    pkg = target / PACKAGE
    if pkg.exists():
        shutil.rmtree(pkg)
    pkg.mkdir(parents=True)
    for path in release_pkg.glob("*.py"):
        shutil.copyfile(path, pkg / path.name)
    for sub in release_pkg.glob("*/__init__.py"):  # infrastructure subpackages (validate/, checks/)
        shutil.copytree(sub.parent, pkg / sub.parent.name, ignore=shutil.ignore_patterns("__pycache__"))
    for name, path in (student_extras or {}).items():
        if not (pkg / f"{name}.py").exists():
            shutil.copyfile(path, pkg / f"{name}.py")
    for name, path in student_modules.items():
        shutil.copyfile(path, pkg / f"{name}.py")
    return pkg


def hints(reference_pkg: Path) -> dict[str, str]:
    """Function name → the ``# hint:`` line of its solution block (what the stub says)."""
    import re

    out = {}
    for path in sorted(reference_pkg.glob("*.py")):
        src = path.read_text(encoding="utf-8")
        if not is_exercise_module(src):
            continue
        lines = src.splitlines()
        for name, (start, end) in function_spans(src).items():
            for i in range(start - 1, end - 1):
                if lines[i].strip() == "### BEGIN SOLUTION":
                    m = re.match(r"^\s*# hint:\s*(.+?)\s*$", lines[i + 1])
                    if m:
                        out[name] = m[1]
                    break
    return out
