"""Reading an LMS download or nbgrader's folders: the candidate submissions, each with a bounded reader.

Nothing is extracted by name: a folder is walked without following links
(regular files only), a bulk-download zip is read member by member with a size
cap, and a member whose name would point outside the download is refused.
Folders and files uploaded one by one are zipped deterministically (sorted,
fixed dates), so the same files always give the same bytes (``grade`` skips
unchanged submissions by their hash). The layouts are in `autograder/outputs/lms.py`.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import stat
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.layout import ASSIGNMENT
from autograder.outputs import lms
from autograder.sandbox.untrusted import clean

MAX_MEMBER = 256 << 20  # one submission read from a bulk download, or one nbgrader folder zipped
MAX_MEMBERS = 20_000
MAX_FOLDER_FILES = 2000
SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", "__MACOSX", ".git"}
LOOSE = (".ipynb", ".py")  # files a student may upload one by one instead of a zip
RESUBMITTED = re.compile(r"-\d{1,3}(?=\.(?:ipynb|py)$)")  # Canvas appends -1, -2 … to a file uploaded again


@dataclass
class Candidate:
    where: str  # for messages: the path inside the download (cleaned)
    parts: list[str]  # folders from the download's top, then the file name
    when: float
    data: Callable[[], bytes]
    sender: lms.Sender | None = None  # known already (nbgrader folders)


class NotCollected(Exception):
    """A candidate that cannot be read safely (too large, not a regular file, a link): the message says which."""


# --------------------------------------------------------------------------- where candidates come from


def _file_reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise NotCollected("not a regular file")
            return f.read()

    return read


def zip_folder(folder: Path) -> bytes:
    """The regular files under `folder` as a zip, byte-identical for identical content (sorted, fixed dates)."""
    if Path(folder).is_symlink():
        raise NotCollected("a symbolic link, not a folder")
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
                    raise NotCollected(f"more than {MAX_FOLDER_FILES} files or {MAX_MEMBER >> 20} MB")
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr, info.compress_type = 0o644 << 16, zipfile.ZIP_DEFLATED
                zf.writestr(info, _file_reader(path)())
    return buf.getvalue()


def _nbgrader_folder(parts: list[str], notes: list[str], conflicts: list[str]) -> lms.Sender | None | bool:
    """A Sender if the folder at `parts` is one nbgrader submission; False if it is one of another assignment; None if neither."""
    got = lms.exchange(parts[-1], ASSIGNMENT)
    if isinstance(got, str):
        notes.append(f"ignored {clean('/'.join(parts[1:]))}: a submission of another assignment ({got!r})")
        return False
    if got is not None:
        return got
    if len(parts) >= 3 and parts[-3] == "submitted":
        if parts[-1] != ASSIGNMENT:
            notes.append(f"ignored {clean('/'.join(parts[1:]))}: a submission of another assignment")
            return False
        return lms.submitted(parts[-2])
    return None


def _from_folder(inbox: Path, notes: list[str], conflicts: list[str]) -> list[Candidate]:
    found = []
    for top, dirs, files in os.walk(inbox, followlinks=False):
        here = Path(top)
        rel = [] if here == inbox else list(here.relative_to(inbox).parts)
        keep = []
        for d in sorted(dirs):
            if d in SKIP_DIRS or (here / d).is_symlink():  # a linked folder could be anything on this machine
                continue
            parts = [inbox.name, *rel, d]
            sender = _nbgrader_folder(parts, notes, conflicts)
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
                notes.append(f"ignored {shown}: not a zip")
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


def _from_archive(archive: Path, notes: list[str], conflicts: list[str]) -> list[Candidate]:
    """Members of an LMS bulk download: zips by LMS name. Read on demand, size-capped; nothing is extracted."""
    found = []
    try:
        zf = zipfile.ZipFile(archive)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        conflicts.append(f"{clean(archive.name)}: not a readable zip ({clean(exc, 120)}): nothing collected")
        return found
    if len(infos) > MAX_MEMBERS:
        conflicts.append(f"{clean(archive.name)}: {len(infos)} members, more than {MAX_MEMBERS}: nothing collected")
        return found
    for info in infos:
        if info.is_dir() or "__MACOSX" in info.filename:
            continue
        parts = _member_parts(info.filename)
        shown = clean(info.filename)
        if parts is None:
            conflicts.append(f"{clean(archive.name)}: member {shown!r} points outside the download: not collected")
            continue
        if not parts[-1].lower().endswith((".zip", *LOOSE)):
            notes.append(f"ignored {shown}: not a zip")
            continue

        def read(info=info) -> bytes:
            if info.file_size > MAX_MEMBER:
                raise NotCollected(f"{info.file_size >> 20} MB, over the {MAX_MEMBER >> 20} MB limit")
            with zf.open(info) as f:
                data = f.read(MAX_MEMBER + 1)
            if len(data) > MAX_MEMBER:
                raise NotCollected(f"over the {MAX_MEMBER >> 20} MB limit")
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
                raise NotCollected(f"{c.where} is over the {MAX_MEMBER >> 20} MB limit")
            if info.filename not in zf.namelist():
                zf.writestr(info, data)
    return buf.getvalue()


def _bundle_loose(candidates: list[Candidate], notes: list[str], conflicts: list[str]) -> list[Candidate]:
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
            notes.append(f"ignored {c.where}: not a zip")
            continue
        loose.setdefault((sender.lms, sender.lms_id or sender.name), []).append((name, original, c, sender))
    with_zip = {(s.lms, s.lms_id or s.name) for s in (lms.from_path(c.parts) for c in zips if c.sender is None) if s}
    for key, files in sorted(loose.items()):
        if key in with_zip:
            notes.extend(f"ignored {c.where}: this student also handed in a zip" for _, _, c, _ in files)
            continue
        triples = [(n, o, c) for n, o, c, _ in files]
        sender = dataclasses.replace(files[0][3], file="", late=any(f[3].late for f in files))  # no file name to claim anyone by
        shown = f"{len(files)} files uploaded one by one ({', '.join(sorted({clean(n, 60) for n, _, _ in triples}))})"
        notes.append(f"{sender.student}: {shown}, zipped as a submission")
        first = files[0][2]
        zips.append(Candidate(first.where, first.parts, max(c.when for _, _, c in triples), lambda t=triples: _loose_zip(t), sender))
    return zips


def candidates(inbox: Path, notes: list[str], conflicts: list[str]) -> list[Candidate]:
    """Every candidate submission under `inbox` (a folder, or an LMS bulk-download zip), loose uploads bundled."""
    found = _from_archive(inbox, notes, conflicts) if inbox.is_file() else _from_folder(inbox, notes, conflicts)
    return _bundle_loose(found, notes, conflicts)
