"""The student's working copy, ``work/``: made from the course's ``notebooks/``, never overwritten.

Shipped in the student bundle as ``tools/workspace.py`` (standard library only)
and run by every student command (``make lab``, ``check``, ``progress``,
``submit``). ``notebooks/`` is the course as released: ``make release`` and
``git pull`` replace it freely, so nobody works there. ``work/`` is the
student's: this tool only ever adds files to it.

On each run, for every file of ``notebooks/``:

* missing from ``work/``: copied (the first run, a new notebook, a deleted file);
* in ``work/`` exactly as it was last copied: replaced by the course's new
  version, if there is one (a fixed hint reaches an untouched stub);
* changed by the student, while the course changed it too: the student's file is
  kept, and the course's new version is written to ``work/.course-updates/``
  beside a note, to compare at leisure.

``work/.course-manifest.json`` records the course version each file was
copied from, which is how an untouched file is told from an edited one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

COURSE = "notebooks"
WORK = "work"
MANIFEST = ".course-manifest.json"
UPDATES = ".course-updates"
SKIP = {"__pycache__", ".ipynb_checkpoints"}


@dataclass
class Synced:
    """What one run did, by path relative to ``work/``."""

    created: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by the student; the course's version is in UPDATES

    def lines(self, work: Path) -> list[str]:
        out = []
        if self.created:
            out.append(f"Your working copy is {work}: edit the notebooks and backproplab/ there (no course command overwrites it).")
        elif self.added:
            out.append(f"New from the course: {', '.join(self.added)}")
        if self.updated:
            out.append(f"Updated from the course (you had not changed them): {', '.join(self.updated)}")
        for path in self.kept:
            out.append(f"The course changed {path}, which you edited: yours is kept as it is; "
                       f"the course's version is {work / UPDATES / path} (compare the two and copy what you need).")
        return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _course_files(course: Path) -> list[str]:
    return sorted(str(p.relative_to(course)) for p in course.rglob("*")
                  if p.is_file() and not SKIP & set(p.relative_to(course).parts))


def _copy(src: Path, dst: Path) -> None:
    """Write `dst` in one step (a temporary file renamed over it): never a half-written file."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.")
    os.close(fd)
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def _load_manifest(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(course version each file was copied from, course version last offered in UPDATES), by path."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}  # no record: every existing file counts as the student's

    def table(key: str) -> dict[str, str]:
        got = data.get(key) if isinstance(data, dict) else None
        return {k: v for k, v in got.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(got, dict) else {}

    return table("files"), table("offered")


def sync(root: Path) -> Synced:
    """Bring the course's new and updated files into ``root/work`` without touching the student's edits."""
    course, work = root / COURSE, root / WORK
    if not course.is_dir():
        raise FileNotFoundError(f"{course} is missing: this is not a course folder")
    done = Synced(created=not work.exists())
    manifest, offered = _load_manifest(work / MANIFEST)
    for rel in _course_files(course):
        src, dst = course / rel, work / rel
        new = _digest(src)
        if not dst.exists():
            _copy(src, dst)
            done.added.append(rel)
        elif dst.is_file() and _digest(dst) == new:
            pass
        elif dst.is_file() and manifest.get(rel) == _digest(dst):
            _copy(src, dst)
            done.updated.append(rel)
        elif manifest.get(rel) != new:  # edited by the student, and the course has a version they have not seen
            if offered.get(rel) != new:
                _copy(src, work / UPDATES / rel)
                done.kept.append(rel)
                offered[rel] = new
            continue  # the manifest still names the version the student started from
        else:
            continue  # edited by the student; nothing new from the course
        manifest[rel] = new
    (work / MANIFEST).write_text(json.dumps({"files": manifest, "offered": offered}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workspace.py", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the course folder (default: here)")
    args = parser.parse_args(argv)
    try:
        done = sync(args.root.resolve())
    except OSError as exc:
        print(f"workspace: {exc}", file=sys.stderr)
        return 1
    for line in done.lines(args.root.resolve() / WORK):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
