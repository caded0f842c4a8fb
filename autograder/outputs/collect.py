"""Gather student submissions (an LMS download, nbgrader's exchange, any nesting) into ``inbox/<student>.zip``.

Where they may come from (the layouts are described, with their sources, in
`autograder/outputs/lms.py`; reading them safely is `autograder/outputs/downloads.py`):

* a folder of zips, any nesting (an unpacked LMS download, or zips by hand);
* the LMS's bulk-download zip itself (Canvas "Download Submissions",
  Moodle "Download all submissions"), read member by member, never extracted;
* nbgrader's exchange (``inbound/<student>+<assignment>+<timestamp>/``) or a
  course's ``submitted/<student>/<assignment>/`` folders, each zipped.

The student id comes from where the file came from, never from what the
student chose: the LMS's naming (Canvas user id, Moodle participant id,
nbgrader user name) mapped through the roster when one is given
(`autograder/outputs/roster.py`), else the name the LMS wrote, else (a
generic name such as "submission.zip") the nearest folder. The zip's own
name and the id ``make submit`` wrote inside are only compared with it:
every mismatch is a *conflict* for the instructor (``COURSE/collect.json``,
shown by ``report``), so a zip can never replace another student's
submission. Two different LMS ids that would share one id are both kept,
each under ``<id>_<lms id>``, and reported. Also reported: duplicates (the
newest is kept), notebooks with unexpected names, files that are not zips.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.outputs import downloads, lms
from autograder.outputs.downloads import Candidate, NotCollected, zip_folder  # noqa: F401 - zip_folder: part of collect's API
from autograder.outputs.roster import Roster
from autograder.sandbox.untrusted import clean
from autograder.student.submit import student_id

GENERIC = {"submission", "submissions", "backproplab", "backproplab_student", "archive", "download", "notebooks", "assignment", "files"}
LMS_SUFFIX = re.compile(r"_(\d+)_assignsubmission_file_?$|_assignsubmission_file_?$", re.IGNORECASE)
STUDENT_RE = re.compile(r"^[a-z0-9_]{1,64}$")


@dataclass
class Collected:
    chosen: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    students: dict[str, dict] = field(default_factory=dict)
    """Per student: where the submission came from and the roster's fields (read by ``export``)."""


# --------------------------------------------------------------------------- who sent it


def _generic_id(parts: list[str], top: str) -> tuple[str, str | None]:
    """(student id, the different id the zip's name claims or None) without LMS naming: the old folder rules."""
    named = student_id(LMS_SUFFIX.sub("", Path(parts[-1]).stem))
    named = None if not named or named in GENERIC else named
    if named:
        return named, None
    for folder in reversed(parts[:-1]):
        sid = student_id(LMS_SUFFIX.sub("", folder))
        if sid and sid not in GENERIC:
            return sid, None
    return student_id(top) or "student", None


def _own(claim: str, allowed: set[str]) -> bool:
    """Whether a claimed id is the sender's own: each of its words part of one of their ids ("fay" for smithfay)."""
    return claim in allowed or all(any(word in a for a in allowed) for word in claim.split("_") if word)


def _claim(file_name: str) -> str | None:
    """The id a file name the student chose claims (None for a generic one)."""
    named = student_id(LMS_SUFFIX.sub("", Path(file_name).stem))
    return None if not named or named in GENERIC else named


@dataclass
class Identified:
    candidate: Candidate
    student: str
    sender: lms.Sender | None
    allowed: set[str]  # ids the zip may claim without a conflict
    person: object = None


def _identify(c: Candidate, top: str, roster: Roster | None, out: Collected) -> Identified:
    sender = c.sender or lms.from_path(c.parts)
    if sender is None:
        sid, _ = _generic_id(c.parts, top)
        if roster is not None:
            out.conflicts.append(f"{sid}: {c.where} has no LMS id in its name, so the roster cannot place it: graded as {sid} (decide by hand)")
        return Identified(c, sid, None, {sid})
    sid, allowed, person = sender.student or "student", {sender.student}, None
    if roster is not None and sender.lms_id:
        person = roster.find(sender.lms_id)
        if person is None:
            out.conflicts.append(f"{sid}: {c.where}: {sender.lms} id {sender.lms_id} is not on the roster: graded as {sid} (decide by hand)")
        else:
            sid, allowed = person.student, allowed | person.identities()
    claimed = _claim(sender.file) if sender.file else None
    if claimed and not _own(claimed, allowed | {sid}):
        out.conflicts.append(f"{sid}: {c.where} is named after {claimed!r} but came from {sid}'s LMS entry: "
                             f"graded as {sid} only (decide by hand)")
    return Identified(c, sid, sender, allowed | {sid}, person)


def _split_shared_ids(found: dict[str, list[Identified]], out: Collected) -> dict[str, list[Identified]]:
    """Two different LMS ids that map to one student id (two "John Smith"s): keep both, as <id>_<lms id>, and say so."""
    result: dict[str, list[Identified]] = {}
    for sid, items in found.items():
        ids = sorted({i.sender.lms_id for i in items if i.sender and i.sender.lms_id})
        if len(ids) < 2:
            result.setdefault(sid, []).extend(items)
            continue
        names = []
        for item in items:
            lms_id = item.sender.lms_id if item.sender else ""
            new = student_id(f"{sid[:64 - len(lms_id) - 1]}_{lms_id}") if lms_id else sid
            item.student = new
            item.allowed.add(new)
            result.setdefault(new, []).append(item)
            names.append(new)
        out.conflicts.append(f"{sid}: {len(ids)} different LMS ids ({', '.join(ids)}) would share this id: graded separately as "
                             f"{', '.join(sorted(set(names)))} (give a --roster to name them)")
    return result


# --------------------------------------------------------------------------- collect


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
    odd = sorted({clean(Path(n).name, 120) for n in names if n.endswith(".ipynb") and "__MACOSX" not in n
                  and ".ipynb_checkpoints" not in n and Path(n).stem not in expected})
    return claimed, odd


def _record(item: Identified) -> dict:
    s, p = item.sender, item.person
    rec = {"lms": s.lms if s else "", "lms_id": s.lms_id if s else "", "name": s.name if s else "", "late": bool(s and s.late),
           "from": item.candidate.where}
    if p is not None:
        rec.update(name=p.name or rec["name"], email=p.email, sis_id=p.sis_id, login=p.login, section=p.section)
    return rec


def collect(inbox: Path, dest: Path, expected_notebooks: list[str], roster: Roster | None = None) -> Collected:
    """Every submission under `inbox` (a folder, or an LMS bulk-download zip) → ``dest/<student>.zip``."""
    inbox, out = Path(inbox).resolve(), Collected()
    if roster is not None:
        out.conflicts += roster.conflicts
        out.notes += roster.notes
    candidates = downloads.candidates(inbox, out.notes, out.conflicts)
    top = inbox.stem if inbox.is_file() else inbox.name
    found: dict[str, list[Identified]] = {}
    for c in candidates:
        item = _identify(c, top, roster, out)
        found.setdefault(item.student, []).append(item)
    found = _split_shared_ids(found, out)
    dest.mkdir(parents=True, exist_ok=True)
    for sid, items in sorted(found.items()):
        if not STUDENT_RE.match(sid):  # cannot happen (student_id builds it); never a path from elsewhere
            continue
        items.sort(key=lambda i: (i.sender.timestamp if i.sender else "", i.candidate.when, i.candidate.where))
        chosen = items[-1]
        for other in items[:-1]:
            out.notes.append(f"{sid}: duplicate {other.candidate.where} ignored (kept the newest, {chosen.candidate.where})")
        target = dest / f"{sid}.zip"
        try:
            data = chosen.candidate.data()
        except (NotCollected, OSError) as exc:
            out.conflicts.append(f"{sid}: {chosen.candidate.where} could not be collected ({clean(exc, 120)}): not graded (decide by hand)")
            continue
        tmp = target.with_name(f".{sid}.zip.part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        claimed, odd = _peek(target, set(expected_notebooks))
        if claimed and not _own(student_id(claimed), chosen.allowed):
            out.conflicts.append(f"{sid}: the zip says it belongs to {clean(claimed, 80)!r}: graded as {sid} (decide by hand)")
        if odd:
            out.notes.append(f"{sid}: unexpected notebook names {odd} (renamed? matched by content when graded)")
        out.chosen[sid] = target
        out.students[sid] = _record(chosen)
    return out


def write_conflicts(collected: Collected, path: Path) -> None:
    """Keep the conflicts, notes and per-student origin for `report`, `export` and `merge` (``COURSE/collect.json``).

    ``by_student``: the conflicts about one collected student (they start with ``"<id>: "``); `merge` flags that
    student's result ``conflict`` with them.
    """
    by_student: dict[str, list[str]] = {}
    for text in collected.conflicts:
        sid = text.split(": ", 1)[0]
        if sid in collected.chosen or sid in collected.students:
            by_student.setdefault(sid, []).append(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"conflicts": collected.conflicts, "notes": collected.notes, "students": collected.students,
                                "by_student": by_student}, indent=1), encoding="utf-8")


MAX_CONFLICTS = 20  # per student, as read back


def load_conflicts(path: Path) -> dict[str, list[str]]:
    """``by_student`` of a ``collect.json``: student id → the conflicts about them (empty when none or malformed)."""
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8")).get("by_student", {})
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {k: [clean(t, 500) for t in v[:MAX_CONFLICTS] if isinstance(t, str)] for k, v in found.items()
            if isinstance(k, str) and STUDENT_RE.match(k) and isinstance(v, list)}


def load_students(path: Path) -> dict[str, dict]:
    """``students`` of a ``collect.json`` (empty when there is none, or it is malformed)."""
    try:
        students = json.loads(Path(path).read_text(encoding="utf-8")).get("students", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {k: v for k, v in students.items() if isinstance(k, str) and STUDENT_RE.match(k) and isinstance(v, dict)}
