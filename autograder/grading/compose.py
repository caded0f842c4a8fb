"""Build the package a sandbox child imports to grade one function.

The graded function's module is the student's. Modules holding the
functions it depends on (``hidden.DEPENDS``, closed transitively) are the
reference, so one early mistake is charged once. A dependency in the graded
module itself is patched in from ``_ref_<module>``: a copy of the reference
module in which every function except those dependencies is stubbed, so the
graded function's reference never enters the child. Infrastructure modules
always come from the release (a student's edited ``checks/`` or
``validate/`` changes nothing).
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass
from pathlib import Path

from autograder.layout import PACKAGE
from autograder.release.student_copy import is_exercise_module, stub_source


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


def stub_except(source: str, keep: set[str], filename: str = "<source>") -> str:
    """`source` with the solution blocks of every function not in `keep` stubbed out."""
    lines = source.splitlines(keepends=True)
    spans = sorted((span, name) for name, span in function_spans(source).items() if name not in keep)
    out, pos = [], 0
    for (start, end), _name in spans:
        out.append("".join(lines[pos : start - 1]))
        out.append(stub_source("".join(lines[start - 1 : end]), filename))
        pos = end
    out.append("".join(lines[pos:]))
    return "".join(out)


def assemble(
    target: Path,
    group: Group | None,
    *,
    release_pkg: Path,
    reference_pkg: Path,
    student_modules: dict[str, Path],
    student_extras: dict[str, Path] | None = None,
) -> Path:
    """Write ``target/backproplab`` for `group` (None: the student's package alone); return the package folder.

    `release_pkg`: the student stubs + infrastructure; `student_modules`:
    exercise module name → the student's file; `student_extras`: helper
    modules the student added (never replacing a release file).
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
    group = group or Group.empty()
    for name, path in student_modules.items():
        if name not in group.reference_modules:
            shutil.copyfile(path, pkg / f"{name}.py")
    for name in group.reference_modules:
        shutil.copyfile(reference_pkg / f"{name}.py", pkg / f"{name}.py")
    for module, keep in group.patched.items():
        src = (reference_pkg / f"{module}.py").read_text(encoding="utf-8")
        (pkg / f"_ref_{module}.py").write_text(stub_except(src, keep), encoding="utf-8")
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
