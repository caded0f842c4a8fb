"""Unpack a student's zip without trusting it.

Refused outright: not a zip, too many entries, too much uncompressed data
(declared or actual: a zip bomb), a suspicious compression ratio. Skipped
and reported: absolute paths and ``..`` (zip-slip), symlinks and other
non-regular files, encrypted entries, names too long for the file system,
entries that clash with another (a file and a folder of the same name);
nested archives are kept as plain files (never opened).
Entry names that are not valid UTF-8 are decoded the way `zipfile` does.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_ENTRIES = 2000
MAX_TOTAL = 100 << 20
MAX_FILE = 30 << 20
MAX_RATIO = 200
MAX_NAME = 255  # bytes in one path component (the usual file-system limit)
MAX_PATH = 1024
ENCRYPTED = 0x1
CHUNK = 1 << 16


class Refused(ValueError):
    """The archive as a whole cannot be used."""


@dataclass
class Unpacked:
    root: Path
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _safe_name(name: str) -> PurePosixPath | None:
    """The entry's relative path, or None for absolute paths, drive letters and ``..``."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not path.parts or path.is_absolute() or ":" in path.parts[0] or ".." in path.parts:
        return None
    return path


def extract(archive: Path, dest: Path) -> Unpacked:
    """Extract `archive` into `dest` (created); raise `Refused` for unusable archives."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused(f"not a readable zip file ({exc})") from None
    out = Unpacked(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise Refused(f"{len(infos)} entries (the limit is {MAX_ENTRIES})")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_TOTAL:
            raise Refused(f"{declared >> 20} MB uncompressed, over the {MAX_TOTAL >> 20} MB limit (a zip bomb?)")
        total = 0
        for info in infos:
            mode = info.external_attr >> 16
            if info.is_dir():
                continue
            rel = _safe_name(info.filename)
            if rel is None:
                out.skipped.append(f"{info.filename!r}: a path outside the submission folder")
                continue
            if stat.S_IFMT(mode) and not stat.S_ISREG(mode):  # no type bits at all: a plain file (zipfile.writestr)
                kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
                out.skipped.append(f"{info.filename!r}: {kind}")
                continue
            if info.flag_bits & ENCRYPTED:
                out.skipped.append(f"{_short(info.filename)}: an encrypted entry")
                continue
            if len(info.filename.encode()) > MAX_PATH or any(len(part.encode()) > MAX_NAME for part in rel.parts):
                out.skipped.append(f"{_short(info.filename)}: a name too long for the file system")
                continue
            if info.file_size > MAX_FILE:
                out.skipped.append(f"{info.filename!r}: larger than {MAX_FILE >> 20} MB")
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1 << 20:
                raise Refused(f"{info.filename!r} expands {info.file_size // info.compress_size}x (a zip bomb?)")
            target = dest.joinpath(*rel.parts)
            try:
                if target.exists() or target.is_symlink():
                    out.skipped.append(f"{_short(info.filename)}: a duplicate entry")
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                total += _copy(zf, info, target, MAX_TOTAL - total)
            except OSError as exc:  # e.g. a file and a folder of the same name
                out.skipped.append(f"{_short(info.filename)}: clashes with another entry ({exc.strerror})")
                continue
            out.files.append(target)
    return out


def _short(name: str) -> str:
    return repr(name if len(name) <= 80 else name[:77] + "...")


def _copy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
    written = 0
    try:
        with zf.open(info) as src, open(target, "xb") as dst:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > min(budget, MAX_FILE):
                    raise Refused(f"{info.filename!r} expands beyond its declared size (a zip bomb?)")
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib_error(), EOFError, NotImplementedError, RuntimeError) as exc:
        target.unlink(missing_ok=True)
        raise Refused(f"{info.filename!r} is corrupt ({exc})") from None
    return written


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error
