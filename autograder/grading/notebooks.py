"""What the notebooks say: graded cells of the instructor's source, and a student's (untrusted) copies.

Source notebooks (trusted) give the structure: set-up cells (tag ``setup``),
one graded test cell per exercise function (``grade_id`` = function name),
code-answer cells (``metadata.backproplab.answer`` names the variable; the
graded cell whose ``grade_id`` is that name, or else the next graded code
cell, carries the points) and written answers (graded markdown cells, hand
graded). A student's notebook is only data: it is read defensively, and
anything odd about it becomes a sentence in the feedback.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from autograder.layout import PACKAGE
from autograder.sandbox.wire import WireError, open_regular

MAX_NOTEBOOK_BYTES = 20 << 20
IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__", ".git"}
"""Folders of a submission that are never the student's work (a Mac resource fork, checkpoints, caches)."""

FUNCTION, ANSWER, WRITTEN, OTHER = "function", "answer", "written", "other"


@dataclass
class GradedCell:
    grade_id: str
    kind: str
    points: float
    source: str
    cell_type: str
    answer: str | None = None
    answer_cell: str | None = None
    locked: bool = True


@dataclass
class SourceNotebook:
    name: str
    setup: list[str]
    graded: list[GradedCell]

    def cells(self, kind: str) -> list[GradedCell]:
        return [c for c in self.graded if c.kind == kind]

    def max_points(self, *kinds: str) -> float:
        return sum(c.points for c in self.graded if c.kind in kinds)


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def nbgrader_meta(cell: dict) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def read_source(path: Path, functions: dict[str, str]) -> SourceNotebook:
    """The graded structure of one instructor source notebook."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = nb["cells"]
    setup = [cell_source(c) for c in cells if c["cell_type"] == "code" and "setup" in c.get("metadata", {}).get("tags", [])]
    answers: list[tuple[int, str, str]] = []  # (index, variable, answer cell grade_id)
    for i, c in enumerate(cells):
        var = (c.get("metadata", {}).get("backproplab") or {}).get("answer")
        if var:
            answers.append((i, var, nbgrader_meta(c).get("grade_id", "")))
    graded: list[GradedCell] = []
    claimed: dict[int, tuple[str, str]] = {}
    for i, var, answer_id in answers:
        idx = next((j for j, c in enumerate(cells) if nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("grade_id") == var), None)
        if idx is None:
            idx = next((j for j in range(i + 1, len(cells)) if nbgrader_meta(cells[j]).get("grade") and cells[j]["cell_type"] == "code"), None)
        if idx is not None:
            claimed[idx] = (var, answer_id)
    for i, c in enumerate(cells):
        meta = nbgrader_meta(c)
        if not meta.get("grade"):
            continue
        gid, pts, kind = meta["grade_id"], float(meta.get("points", 0)), OTHER
        if i in claimed:
            kind = ANSWER
        elif c["cell_type"] == "markdown" or meta.get("solution"):
            kind = WRITTEN
        elif gid in functions:
            kind = FUNCTION
        var, answer_id = claimed.get(i, (None, None))
        graded.append(GradedCell(gid, kind, pts, cell_source(c), c["cell_type"], var, answer_id, bool(meta.get("locked"))))
    return SourceNotebook(Path(path).stem, setup, graded)


# --------------------------------------------------------------------------- student copies


@dataclass
class StudentNotebook:
    """A student's notebook as data: cells by grade_id (first occurrence) and what is odd about it."""

    name: str
    path: Path | None
    problem: str | None = None
    cells: dict[str, dict] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)
    renamed_from: str | None = None
    problem_code: str | None = None  # the result status the problem gives (`result.MISSING_NOTEBOOK`, `UNREADABLE_NOTEBOOK`)

    @property
    def usable(self) -> bool:
        return self.problem is None


def load_json(path: Path) -> tuple[dict | None, str | None]:
    """Parse a notebook file; (notebook, None) or (None, the reason it cannot be read)."""
    try:
        with open_regular(path, 1 << 62) as f:  # no FIFO, symlink or device: a kernel may have written it
            if os.fstat(f.fileno()).st_size > MAX_NOTEBOOK_BYTES:
                return None, f"is larger than {MAX_NOTEBOOK_BYTES >> 20} MB"
            raw = f.read(MAX_NOTEBOOK_BYTES + 1)
    except WireError as exc:
        return None, f"cannot be read ({exc})"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"is not UTF-8 text (bad byte at position {exc.start})"
    try:
        nb = json.loads(text)
    except ValueError as exc:
        return None, f"is not valid JSON ({exc})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or not all(isinstance(c, dict) for c in nb["cells"]):
        return None, "is not a Jupyter notebook (no list of cells)"
    return nb, None


def read_student(path: Path | None, source: SourceNotebook) -> StudentNotebook:
    """A student's notebook checked against its source; never raises on bad input."""
    out = StudentNotebook(source.name, path)
    if path is None:
        out.problem, out.problem_code = "is missing from the submission", "missing_notebook"
        return out
    nb, problem = load_json(path)
    if nb is None:
        out.problem, out.problem_code = problem, "unreadable_notebook"
        return out
    counts: dict[str, int] = {}
    for cell in nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id")
        if isinstance(gid, str):
            counts[gid] = counts.get(gid, 0) + 1
            out.cells.setdefault(gid, cell)
    for gid, n in counts.items():
        if n > 1:
            out.issues.append(f"cell id '{gid}' appears {n} times (a copied cell?): only the first one counts")
    expected = {c.grade_id: c for c in source.graded} | {c.answer_cell: None for c in source.graded if c.answer_cell}
    for gid, graded in expected.items():
        cell = out.cells.get(gid)
        if cell is None:
            what = "answer cell" if graded is None or graded.kind in (ANSWER, WRITTEN) else "test cell"
            out.issues.append(f"{what} '{gid}' was deleted")
            continue
        if graded is None:
            continue
        meta = nbgrader_meta(cell)
        if graded.locked and same_text_key(cell_source(cell)) != same_text_key(graded.source):
            out.issues.append(f"test cell '{gid}' was edited: ignored, it is graded from your code")
        if meta.get("grade") is not True or _points(meta) != graded.points:
            out.issues.append(f"the metadata of cell '{gid}' was changed: ignored")
    return out


def _points(meta: dict) -> float | None:
    try:
        return float(meta.get("points"))
    except (TypeError, ValueError):
        return None


def same_text_key(src: str) -> str:
    """A cell's text up to trailing spaces and surrounding blank lines (to compare it with the release)."""
    return "\n".join(line.rstrip() for line in src.strip().splitlines())


def answer_source(student: StudentNotebook, cell: GradedCell) -> str | None:
    """The student's code for a code-answer, or None when the answer cell is gone."""
    found = student.cells.get(cell.answer_cell or "")
    return cell_source(found) if found is not None and found.get("cell_type") == "code" else None


def written_answer(student: StudentNotebook, cell: GradedCell) -> str | None:
    found = student.cells.get(cell.grade_id)
    return cell_source(found) if found is not None else None


# --------------------------------------------------------------------------- matching names


_COPY = re.compile(r"(^copy of )|([ _-]*\(\d+\))|([ _-]+copy\d*)|([ _-]*-checkpoint)", re.IGNORECASE)


def normalise_name(stem: str) -> str:
    stem = _COPY.sub("", stem)
    return re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")


def grade_ids(path: Path) -> set[str]:
    nb, _ = load_json(path)
    if nb is None:
        return set()
    return {g for c in nb["cells"] if isinstance(g := nbgrader_meta(c).get("grade_id"), str)}


def match_notebooks(files: list[Path], sources: dict[str, SourceNotebook]) -> tuple[dict[str, Path], dict[str, str], list[Path]]:
    """Map each expected notebook to a submitted file.

    Exact names first, then names equal after normalising (case, separators,
    "Copy of", "(1)"), then content (the most shared graded cell ids).
    Returns (expected name → file, expected name → original file name for
    renamed ones, files left over).
    """
    chosen: dict[str, Path] = {}
    renamed: dict[str, str] = {}
    left = sorted(files, key=lambda p: (len(p.parts), str(p)))
    for rule in ("exact", "normalised", "prefix", "content"):
        for name, source in sources.items():
            if name in chosen:
                continue
            hit = _find(rule, name, source, left)
            if hit is not None:
                chosen[name] = hit
                left.remove(hit)
                if hit.stem != name:
                    renamed[name] = hit.name
    return chosen, renamed, left


def _find(rule: str, name: str, source: SourceNotebook, files: list[Path]) -> Path | None:
    if rule == "exact":
        return next((f for f in files if f.stem == name), None)
    if rule == "normalised":
        return next((f for f in files if normalise_name(f.stem) == normalise_name(name)), None)
    if rule == "prefix":
        prefix = name.split("_", 1)[0]
        hits = [f for f in files if normalise_name(f.stem).split("_", 1)[0] == prefix]
        return hits[0] if len(hits) == 1 else None
    ids = {c.grade_id for c in source.graded}
    best = max(files, key=lambda f: len(grade_ids(f) & ids), default=None)
    return best if best is not None and grade_ids(best) & ids else None


# --------------------------------------------------------------------------- where the student's package is


def ignored(parts: tuple[str, ...]) -> bool:
    """True for a path (relative to the submission's root, as parts) inside an `IGNORED_PARTS` folder."""
    return bool(IGNORED_PARTS & set(parts))


def package_folder(files: Iterable[tuple[str, ...]], modules: set[str]) -> tuple[str, ...] | None:
    """The student's package among a submission's `files` (relative paths, as parts): its folder, or None.

    Of the ``backproplab/`` folders holding exercise modules (``<module>.py``
    for a module in `modules`), the one with the most, then the shallowest,
    then the first by name: a stray copy of one file elsewhere does not hide
    the real package. Grading (``grade_one.locate``) and the similarity report
    both ask here, so they read the same folder.
    """
    found: dict[tuple[str, ...], set[str]] = {}
    for p in files:
        if len(p) >= 2 and p[-2] == PACKAGE and p[-1].endswith(".py") and p[-1][:-3] in modules and not ignored(p):
            found.setdefault(tuple(p[:-1]), set()).add(p[-1][:-3])
    return min(found, key=lambda d: (-len(found[d]), len(d), "/".join(d)), default=None)
