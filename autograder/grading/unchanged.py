"""Whether a submission needs grading again: same zip, same course, same grader → the stored result stands.

The key (``content_hash`` in the result) is a SHA-256 over the zip's bytes and
the *course key*: the source notebooks and reference package, the hidden
tests' files, the grader's own code (``grading/``, ``sandbox/``, the
contract reader), Python and NumPy versions, and the settings that change a
score (limits, ``--no-nbgrader``, isolation, an explicit seed). A result that
says the grader itself failed is never reused. ``grade --force`` regrades all.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

from autograder.grading import result as results
from autograder.grading.result import GRADER_ERROR
from autograder.layout import ROOT

KEY = "content_hash"
GRADER_CODE = ("autograder/grading", "autograder/sandbox", "autograder/contract.py", "autograder/imports.py", "autograder/layout.py")
SETTINGS = ("no_nbgrader", "execute", "timeout", "cell_timeout", "job_timeout", "memory_mb", "isolation", "seed")
"""The CLI options that change a score (an option added to grade-one that does must be added here)."""


def _files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)


def _hidden_files(hidden: str) -> list[Path]:
    spec = importlib.util.find_spec(hidden)
    if spec is None or spec.origin is None:
        return []
    origin = Path(spec.origin)
    return _files(origin.parent) if origin.name == "__init__.py" else [origin]


def course_key(course, args) -> str:
    """One hash for everything but the zip that decides a result (`course`: a loaded `Course`; `args`: the CLI's)."""
    h = hashlib.sha256()
    files = [*course.source_files(), *_hidden_files(course.hidden_name)]
    files += [p for rel in GRADER_CODE for p in _files(ROOT / rel)]
    for path in files:
        h.update(str(path.name).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    import numpy

    h.update(f"{sys.version}|{numpy.__version__}".encode())
    h.update(json.dumps({k: getattr(args, k, None) for k in SETTINGS}, sort_keys=True, default=str).encode())
    return h.hexdigest()


def submission_key(zip_path: Path, course: str) -> str:
    h = hashlib.sha256()
    with open(zip_path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return hashlib.sha256(f"{h.hexdigest()}|{course}".encode()).hexdigest()


def stored_key(result_path: Path) -> str | None:
    """The key of a stored result, if it may be reused (None if missing, malformed, too large or a grader failure)."""
    try:
        result = results.read(result_path)  # the one bounded, validating reader (schema 1's words become codes there)
    except (OSError, ValueError):
        return None
    if GRADER_ERROR in (result.status, *result.flags):
        return None
    key = result.extra.get(KEY)
    return key if isinstance(key, str) else None


def split(zips: list[Path], results: Path, course: str, student_of, force: bool = False) -> tuple[list[Path], list[Path]]:
    """(zips to grade, zips whose merged result in `results/<student>.json` has the same key)."""
    if force:
        return list(zips), []
    todo, same = [], []
    for z in zips:
        (same if stored_key(results / f"{student_of(z)}.json") == submission_key(z, course) else todo).append(z)
    return todo, same
