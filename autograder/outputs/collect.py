"""Gather a folder of student zips (any nesting, e.g. an LMS download) into ``inbox/<student>.zip``.

The student id comes from the zip's name, or from its folder when the zip has
a generic name ("submission.zip"); LMS suffixes are dropped and names
normalised. Reported: duplicates (the newest is kept), an id that differs
from the one ``make submit`` wrote inside, notebooks with unexpected names
(they are graded under the expected name when their content matches),
files that are not zips.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.student.submit import student_id

GENERIC = {"submission", "backproplab", "backproplab_student", "archive", "download", "notebooks", "assignment", "files"}
LMS_SUFFIX = re.compile(r"_(\d+)_assignsubmission_file_?$|_assignsubmission_file_?$", re.IGNORECASE)


@dataclass
class Collected:
    chosen: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _id_for(path: Path, inbox: Path) -> str:
    sid = student_id(LMS_SUFFIX.sub("", path.stem))
    parent = path.parent
    while (not sid or sid in GENERIC) and parent != inbox and inbox in parent.parents:
        sid = student_id(LMS_SUFFIX.sub("", parent.name))
        parent = parent.parent
    if not sid or sid in GENERIC:
        sid = student_id(LMS_SUFFIX.sub("", path.parent.name)) or sid
    return sid


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
        found.setdefault(_id_for(path, inbox), []).append(path)
    dest.mkdir(parents=True, exist_ok=True)
    for sid, paths in sorted(found.items()):
        paths.sort(key=lambda p: (p.stat().st_mtime, str(p)))
        chosen = paths[-1]
        for other in paths[:-1]:
            out.notes.append(f"{sid}: duplicate {other.relative_to(inbox)} ignored (kept the newest, {chosen.relative_to(inbox)})")
        claimed, odd = _peek(chosen, set(expected_notebooks))
        if claimed and student_id(claimed) != sid:
            out.notes.append(f"{sid}: the zip says it belongs to {claimed!r}: graded as {sid} (check by hand)")
        if odd:
            out.notes.append(f"{sid}: unexpected notebook names {odd} (renamed? matched by content when graded)")
        shutil.copyfile(chosen, dest / f"{sid}.zip")
        out.chosen[sid] = dest / f"{sid}.zip"
    return out
