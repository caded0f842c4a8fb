"""Gather a folder of student zips (any nesting, e.g. an LMS download) into ``inbox/<student>.zip``.

The student id comes from where the zip came from, never from what the
student chose: the LMS's per-student folder (``Name_123_assignsubmission_file_``)
when there is one, else the file name the LMS wrote, else (a generic name
such as "submission.zip") the nearest folder; LMS suffixes are dropped and
names normalised. The zip's own name and the id ``make submit`` wrote inside
are only compared with it: every mismatch is a *conflict* for the instructor
(``COURSE/collect.json``, shown by ``report``), so a zip can never replace
another student's submission. Also reported: duplicates (the newest is
kept), notebooks with unexpected names (graded under the expected name when
their content matches), files that are not zips.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox.untrusted import clean
from autograder.student.submit import student_id

GENERIC = {"submission", "backproplab", "backproplab_student", "archive", "download", "notebooks", "assignment", "files"}
LMS_SUFFIX = re.compile(r"_(\d+)_assignsubmission_file_?$|_assignsubmission_file_?$", re.IGNORECASE)


@dataclass
class Collected:
    chosen: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def _folders(path: Path, inbox: Path) -> list[Path]:
    """The folders between `inbox` and `path`, nearest first."""
    return [p for p in path.parents if p != inbox and inbox in p.parents]


def _id_for(path: Path, inbox: Path) -> tuple[str, str | None]:
    """(student id from where the zip came from, the different id its own name claims or None)."""
    named = student_id(LMS_SUFFIX.sub("", path.stem))
    named = None if not named or named in GENERIC else named
    lms = next((f for f in _folders(path, inbox) if LMS_SUFFIX.search(f.name)), None)
    if lms is not None:
        sid = student_id(LMS_SUFFIX.sub("", lms.name))
        return sid, named if named and named != sid else None
    if named:
        return named, None
    for folder in _folders(path, inbox):
        sid = student_id(LMS_SUFFIX.sub("", folder.name))
        if sid and sid not in GENERIC:
            return sid, None
    return student_id(path.parent.name) or "student", None


def _peek(path: Path, expected: set[str]) -> tuple[str | None, list[str]]:
    """(student id written by make submit, unexpected notebook names) without extracting."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            claimed = None
            meta = next((n for n in names if n.endswith("SUBMISSION.json")), None)
            if meta and zf.getinfo(meta).file_size < 1 << 20:
                try:
                    claimed = str(json.loads(zf.read(meta)).get("student", "")) or None
                except (ValueError, AttributeError):
                    claimed = None
    except (zipfile.BadZipFile, OSError):
        return None, ["<not a readable zip>"]
    odd = sorted({Path(n).name for n in names if n.endswith(".ipynb") and "__MACOSX" not in n
                  and ".ipynb_checkpoints" not in n and Path(n).stem not in expected})
    return claimed, odd


def collect(inbox: Path, dest: Path, expected_notebooks: list[str]) -> Collected:
    inbox, out = Path(inbox).resolve(), Collected()
    found: dict[str, list[Path]] = {}
    for path in sorted(inbox.rglob("*")):
        if "__MACOSX" in path.parts or not path.is_file() or path.is_symlink():
            continue
        if path.suffix.lower() != ".zip":
            out.notes.append(f"ignored {path.relative_to(inbox)}: not a zip")
            continue
        sid, named = _id_for(path, inbox)
        if named:
            out.conflicts.append(f"{sid}: {path.relative_to(inbox)} is named after {named!r} but came from {sid}'s folder: "
                                 f"graded as {sid} only (decide by hand)")
        found.setdefault(sid, []).append(path)
    dest.mkdir(parents=True, exist_ok=True)
    for sid, paths in sorted(found.items()):
        paths.sort(key=lambda p: (p.stat().st_mtime, str(p)))
        chosen = paths[-1]
        for other in paths[:-1]:
            out.notes.append(f"{sid}: duplicate {other.relative_to(inbox)} ignored (kept the newest, {chosen.relative_to(inbox)})")
        claimed, odd = _peek(chosen, set(expected_notebooks))
        if claimed and student_id(claimed) != sid:
            out.conflicts.append(f"{sid}: the zip says it belongs to {clean(claimed, 80)!r}: graded as {sid} (decide by hand)")
        if odd:
            out.notes.append(f"{sid}: unexpected notebook names {odd} (renamed? matched by content when graded)")
        shutil.copyfile(chosen, dest / f"{sid}.zip")
        out.chosen[sid] = dest / f"{sid}.zip"
    return out


def write_conflicts(collected: Collected, path: Path) -> None:
    """Keep the conflicts and notes for `report` (``COURSE/collect.json``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"conflicts": collected.conflicts, "notes": collected.notes}, indent=1), encoding="utf-8")
