"""Gather student submissions (an LMS download, nbgrader's exchange, any nesting) into ``inbox/<student>.zip``.

Where they may come from (the layouts are described, with their sources, in
`autograder/outputs/lms.py`):

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

import dataclasses
import io
import json
import os
import re
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.layout import ASSIGNMENT
from autograder.outputs import lms
from autograder.outputs.roster import Roster
from autograder.sandbox.untrusted import clean
from autograder.student.submit import student_id

GENERIC = {"submission", "submissions", "backproplab", "backproplab_student", "archive", "download", "notebooks", "assignment", "files"}
LMS_SUFFIX = re.compile(r"_(\d+)_assignsubmission_file_?$|_assignsubmission_file_?$", re.IGNORECASE)
STUDENT_RE = re.compile(r"^[a-z0-9_]{1,64}$")
MAX_MEMBER = 256 << 20  # one submission read from a bulk download, or one nbgrader folder zipped
MAX_MEMBERS = 20_000
MAX_FOLDER_FILES = 2000
SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", "__MACOSX", ".git"}
LOOSE = (".ipynb", ".py")  # files a student may upload one by one instead of a zip
RESUBMITTED = re.compile(r"-\d{1,3}(?=\.(?:ipynb|py)$)")  # Canvas appends -1, -2 … to a file uploaded again


@dataclass
class Collected:
    chosen: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    students: dict[str, dict] = field(default_factory=dict)
    """Per student: where the submission came from and the roster's fields (read by ``export``)."""


@dataclass
class Candidate:
    where: str  # for messages: the path inside the download (cleaned)
    parts: list[str]  # folders from the download's top, then the file name
    when: float
    data: Callable[[], bytes]
    sender: lms.Sender | None = None  # known already (nbgrader folders)


class TooLarge(Exception):
    pass


# --------------------------------------------------------------------------- where candidates come from


def _file_reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise TooLarge("not a regular file")
            return f.read()

    return read


def zip_folder(folder: Path) -> bytes:
    """The regular files under `folder` as a zip, byte-identical for identical content (sorted, fixed dates)."""
    buf, total, count = io.BytesIO(), 0, 0
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for top, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for name in sorted(files):
                path = Path(top) / name
                st = path.lstat()
                if not stat.S_ISREG(st.st_mode):
                    continue  # symlinks, fifos, devices: never followed or read
                count, total = count + 1, total + st.st_size
                if count > MAX_FOLDER_FILES or total > MAX_MEMBER:
                    raise TooLarge(f"more than {MAX_FOLDER_FILES} files or {MAX_MEMBER >> 20} MB")
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr, info.compress_type = 0o644 << 16, zipfile.ZIP_DEFLATED
                zf.writestr(info, _file_reader(path)())
    return buf.getvalue()


def _nbgrader_folder(parts: list[str], out: Collected) -> lms.Sender | None | bool:
    """A Sender if the folder at `parts` is one nbgrader submission; False if it is one of another assignment; None if neither."""
    got = lms.exchange(parts[-1], ASSIGNMENT)
    if isinstance(got, str):
        out.notes.append(f"ignored {clean('/'.join(parts[1:]))}: a submission of another assignment ({got!r})")
        return False
    if got is not None:
        return got
    if len(parts) >= 3 and parts[-3] == "submitted":
        if parts[-1] != ASSIGNMENT:
            out.notes.append(f"ignored {clean('/'.join(parts[1:]))}: a submission of another assignment")
            return False
        return lms.submitted(parts[-2])
    return None


def _from_folder(inbox: Path, out: Collected) -> list[Candidate]:
    found = []
    for top, dirs, files in os.walk(inbox, followlinks=False):
        here = Path(top)
        rel = [] if here == inbox else list(here.relative_to(inbox).parts)
        keep = []
        for d in sorted(dirs):
            if d in SKIP_DIRS:
                continue
            parts = [inbox.name, *rel, d]
            sender = _nbgrader_folder(parts, out)
            if sender is None:
                keep.append(d)
            elif sender:
                folder = here / d
                found.append(Candidate(clean("/".join([*rel, d])), [*rel, d], folder.stat().st_mtime,
                                       lambda folder=folder: zip_folder(folder), sender))
        dirs[:] = keep
        for name in sorted(files):
            path = here / name
            shown = clean("/".join([*rel, name]))
            st = path.lstat()
            if not stat.S_ISREG(st.st_mode):
                continue
            if not name.lower().endswith(".zip") and not name.lower().endswith(LOOSE):
                out.notes.append(f"ignored {shown}: not a zip")
                continue
            found.append(Candidate(shown, [*rel, name], st.st_mtime, _file_reader(path)))
    return found


def _member_parts(name: str) -> list[str] | None:
    """The parts of a bulk-download member's name; None for one that would point outside the download."""
    if "\x00" in name or "\\" in name or len(name.encode()) > 1024:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(p in ("..", ".") for p in path.parts) or not path.parts:
        return None
    return list(path.parts)


def _from_archive(archive: Path, out: Collected) -> list[Candidate]:
    """Members of an LMS bulk download: zips by LMS name. Read on demand, size-capped; nothing is extracted."""
    import time

    found = []
    try:
        zf = zipfile.ZipFile(archive)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        out.conflicts.append(f"{clean(archive.name)}: not a readable zip ({clean(exc, 120)}): nothing collected")
        return found
    if len(infos) > MAX_MEMBERS:
        out.conflicts.append(f"{clean(archive.name)}: {len(infos)} members, more than {MAX_MEMBERS}: nothing collected")
        return found
    for info in infos:
        if info.is_dir() or "__MACOSX" in info.filename:
            continue
        parts = _member_parts(info.filename)
        shown = clean(info.filename)
        if parts is None:
            out.conflicts.append(f"{clean(archive.name)}: member {shown!r} points outside the download: not collected")
            continue
        if not parts[-1].lower().endswith((".zip", *LOOSE)):
            out.notes.append(f"ignored {shown}: not a zip")
            continue

        def read(info=info) -> bytes:
            if info.file_size > MAX_MEMBER:
                raise TooLarge(f"{info.file_size >> 20} MB, over the {MAX_MEMBER >> 20} MB limit")
            with zf.open(info) as f:
                data = f.read(MAX_MEMBER + 1)
            if len(data) > MAX_MEMBER:
                raise TooLarge(f"over the {MAX_MEMBER >> 20} MB limit")
            return data

        when = time.mktime((*info.date_time, 0, 0, -1)) if info.date_time[0] >= 1980 else 0.0
        found.append(Candidate(shown, parts, when, read))
    return found


def _upload_number(original: str) -> int:
    m = re.search(r"-(\d{1,3})\.(?:ipynb|py)$", original)
    return int(m[1]) if m else 0


def _loose_zip(files: list[tuple[str, str, Candidate]]) -> bytes:
    """Files uploaded one by one, as the zip ``make submit`` would have made: notebooks on top, modules in backproplab/.

    Of two uploads of one name the newest is kept (the later time, else Canvas's higher ``-N``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, _, c in sorted(files, key=lambda f: (f[0], -f[2].when, -_upload_number(f[1]))):
            info = zipfile.ZipInfo(name if name.endswith(".ipynb") else f"backproplab/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr, info.compress_type = 0o644 << 16, zipfile.ZIP_DEFLATED
            data = c.data()
            if len(data) > MAX_MEMBER:
                raise TooLarge(f"{c.where} is over the {MAX_MEMBER >> 20} MB limit")
            if info.filename not in zf.namelist():
                zf.writestr(info, data)
    return buf.getvalue()


def _bundle_loose(candidates: list[Candidate], out: Collected) -> list[Candidate]:
    """Notebooks and modules uploaded one by one (no zip from that student): one zip per LMS sender; others ignored."""
    zips, loose = [], {}
    for c in candidates:
        if c.sender is not None or c.parts[-1].lower().endswith(".zip"):
            zips.append(c)
            continue
        sender = lms.from_path(c.parts)
        original = (sender.file or c.parts[-1]) if sender else ""
        name = RESUBMITTED.sub("", original)
        if sender is None or not re.fullmatch(r"[A-Za-z0-9_. -]{1,100}\.(ipynb|py)", name):
            out.notes.append(f"ignored {c.where}: not a zip")
            continue
        loose.setdefault((sender.lms, sender.lms_id or sender.name), []).append((name, original, c, sender))
    with_zip = {(s.lms, s.lms_id or s.name) for s in (lms.from_path(c.parts) for c in zips if c.sender is None) if s}
    for key, files in sorted(loose.items()):
        if key in with_zip:
            out.notes.extend(f"ignored {c.where}: this student also handed in a zip" for _, _, c, _ in files)
            continue
        triples = [(n, o, c) for n, o, c, _ in files]
        sender = dataclasses.replace(files[0][3], file="", late=any(f[3].late for f in files))  # no file name to claim anyone by
        shown = f"{len(files)} files uploaded one by one ({', '.join(sorted({clean(n, 60) for n, _, _ in triples}))})"
        out.notes.append(f"{sender.student}: {shown}, zipped as a submission")
        first = files[0][2]
        zips.append(Candidate(first.where, first.parts, max(c.when for _, _, c in triples), lambda t=triples: _loose_zip(t), sender))
    return zips


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
    candidates = _from_archive(inbox, out) if inbox.is_file() else _from_folder(inbox, out)
    candidates = _bundle_loose(candidates, out)
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
        except (TooLarge, OSError) as exc:
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
    """Keep the conflicts, notes and per-student origin for `report` and `export` (``COURSE/collect.json``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"conflicts": collected.conflicts, "notes": collected.notes, "students": collected.students}, indent=1),
                    encoding="utf-8")


def load_students(path: Path) -> dict[str, dict]:
    """``students`` of a ``collect.json`` (empty when there is none, or it is malformed)."""
    try:
        students = json.loads(Path(path).read_text(encoding="utf-8")).get("students", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {k: v for k, v in students.items() if isinstance(k, str) and STUDENT_RE.match(k) and isinstance(v, dict)}
