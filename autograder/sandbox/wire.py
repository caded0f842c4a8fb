"""Values across the sandbox boundary: JSON structure + ``.npy`` arrays, never pickle.

A value is arrays, NumPy scalars, Python scalars, strings, None, and tuples,
lists or ``str``-keyed dicts of those. `encode` writes each array to its own
``.npy`` file (``allow_pickle=False``) and returns a JSON-able spec; `decode`
reads it back with size, depth and count limits, so a hostile child can send
nothing but inert data.

This file is copied next to the sandbox child, so it imports only the
standard library and NumPy.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import numpy as np

MAX_DEPTH = 8
MAX_ITEMS = 4096
MAX_ARRAY_BYTES = 64 << 20
MAX_JOB_BYTES = 128 << 20  # the whole course's hidden cases need about 3 MB
MAX_STR = 10_000
NPY_MAGIC = b"\x93NUMPY"


class WireError(ValueError):
    """A value that cannot cross the boundary (unsupported type, too big, malformed); the message says why."""


class Budget:
    """Bytes the parent may still read back from one job: every array load counts, a repeated one each time."""

    def __init__(self, total: int = MAX_JOB_BYTES) -> None:
        self.total, self.left = total, total

    def take(self, n: int) -> None:
        if n > self.left:
            raise WireError(f"more data than the {self.total >> 20} MB one grading job may send back")
        self.left -= n


def open_regular(path: Path, limit: int):
    """A binary file object for `path` if it is a regular file of at most `limit` bytes (no symlink, FIFO, device)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise WireError(f"{Path(path).name} cannot be opened ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise WireError(f"{Path(path).name} is not a regular file")
        if info.st_size > limit:
            raise WireError(f"{Path(path).name} is larger than {limit} bytes")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class Raised:
    """A call that raised instead of returning: exception type name and message."""

    def __init__(self, type_name: str, message: str) -> None:
        self.type_name, self.message = type_name, message

    def __repr__(self) -> str:
        return f"{self.type_name}: {self.message}" if self.message else self.type_name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Raised) and (self.type_name, self.message) == (other.type_name, other.message)

    def __hash__(self) -> int:
        return hash((self.type_name, self.message))


class _Writer:
    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder, self.prefix, self.count = folder, prefix, 0

    def array(self, a: np.ndarray) -> str:
        if a.dtype.hasobject:
            raise WireError(f"an array of Python objects (dtype {a.dtype})")
        if a.nbytes > MAX_ARRAY_BYTES:
            raise WireError(f"an array of {a.nbytes} bytes")
        name = f"{self.prefix}{self.count}.npy"
        self.count += 1
        np.save(self.folder / name, a, allow_pickle=False)
        return name


def encode(value, folder: Path, prefix: str = "v") -> dict:
    """Write `value` under `folder`; return its JSON spec."""
    folder.mkdir(parents=True, exist_ok=True)
    return _encode(value, _Writer(folder, prefix), 0)


def _encode(value, w: _Writer, depth: int) -> dict:
    if depth > MAX_DEPTH:
        raise WireError("a value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str) and len(value) > MAX_STR:
            raise WireError("a string that is too long")
        return {"t": "py", "v": value}
    if isinstance(value, np.ndarray):
        return {"t": "array", "f": w.array(value)}
    if isinstance(value, np.generic):
        return {"t": "scalar", "f": w.array(np.asarray(value))}
    if isinstance(value, (int, float)):
        if isinstance(value, int) and abs(value) >= 2**63:
            raise WireError("an integer too large for int64")
        return {"t": type(value).__name__, "v": value if np.isfinite(value) else repr(float(value))}
    if isinstance(value, (tuple, list)):
        if len(value) > MAX_ITEMS:
            raise WireError(f"a {type(value).__name__} of {len(value)} items")
        return {"t": type(value).__name__, "v": [_encode(v, w, depth + 1) for v in value]}
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS or not all(isinstance(k, str) for k in value):
            raise WireError("a dict with non-string keys or too many items")
        return {"t": "dict", "v": {k: _encode(v, w, depth + 1) for k, v in value.items()}}
    raise WireError(f"a value of type {type(value).__name__}")


def decode(spec, folder: Path, budget: Budget | None = None):
    """Inverse of `encode`, defensive: raises `WireError` on anything malformed or over `budget`."""
    return _decode(spec, Path(folder), 0, budget or Budget())


def _decode(spec, folder: Path, depth: int, budget: Budget):
    if depth > MAX_DEPTH or not isinstance(spec, dict) or "t" not in spec:
        raise WireError("malformed value spec")
    t, v = spec["t"], spec.get("v")
    if t == "py":
        if v is not None and not isinstance(v, (bool, str)):
            raise WireError("malformed scalar")
        return v
    if t in ("int", "float"):
        if isinstance(v, str) and t == "float":
            return float(v)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise WireError("malformed number")
        return int(v) if t == "int" else float(v)
    if t in ("array", "scalar"):
        a = _load(folder, spec.get("f"), budget)
        return a[()] if t == "scalar" else a
    if t in ("tuple", "list"):
        if not isinstance(v, list) or len(v) > MAX_ITEMS:
            raise WireError("malformed sequence")
        items = [_decode(x, folder, depth + 1, budget) for x in v]
        return tuple(items) if t == "tuple" else items
    if t == "dict":
        if not isinstance(v, dict) or len(v) > MAX_ITEMS:
            raise WireError("malformed dict")
        return {str(k): _decode(x, folder, depth + 1, budget) for k, x in v.items()}
    raise WireError(f"unknown value kind {t!r}")


def _load(folder: Path, name, budget: Budget) -> np.ndarray:
    """One ``.npy`` file: regular, with the magic, no object dtype, within the size limits and the budget."""
    if not isinstance(name, str) or os.sep in name or name.startswith(".") or not name.endswith(".npy"):
        raise WireError("a malformed array reference")
    with open_regular(folder / name, MAX_ARRAY_BYTES + 4096) as f:
        if f.read(len(NPY_MAGIC)) != NPY_MAGIC:
            raise WireError(f"{name} is not an .npy array file")
        f.seek(0)
        try:
            fmt = np.lib.format
            header = fmt.read_array_header_1_0 if fmt.read_magic(f) == (1, 0) else fmt.read_array_header_2_0
            shape, _, dtype = header(f)
        except Exception as exc:  # a corrupt header is the child's problem, reported as such
            raise WireError(f"{name} has an unreadable .npy header ({type(exc).__name__})") from None
        if dtype.hasobject:
            raise WireError(f"{name} holds Python objects (dtype {dtype})")
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if nbytes > MAX_ARRAY_BYTES:
            raise WireError(f"{name} is an array of {nbytes} bytes")
        budget.take(nbytes)
        f.seek(0)
        try:
            return np.lib.format.read_array(f, allow_pickle=False)
        except Exception as exc:
            raise WireError(f"{name} is unreadable ({type(exc).__name__})") from None


# --------------------------------------------------------------------------- call digests (replayed dependencies)


def bind(params: list, args: tuple, kwargs: dict) -> list | None:
    """A call's arguments in parameter order, defaults filled in; None when they do not fit `params`.

    `params` is ``[[name, has_default, default], ...]`` (see `replay.params`).
    """
    names = [p[0] for p in params]
    if len(args) > len(names) or any(k not in names or k in names[: len(args)] for k in kwargs):
        return None
    given = dict(zip(names, args)) | kwargs
    if any(name not in given and not has_default for name, has_default, _ in params):
        return None
    return [given[name] if name in given else default for name, _, default in params]


def digest(name: str, values: list) -> str | None:
    """A content digest of the call ``name(*values)``; None for values it cannot digest (they are never replayed)."""
    h = hashlib.sha256(name.encode() + b"\0")
    try:
        _feed(h, values, 0)
    except (TypeError, ValueError):
        return None
    return h.hexdigest()


def _feed(h, v, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError("too deep")
    if isinstance(v, np.generic) and v.dtype.kind in "biuf":
        v = v.item()
    if v is None or isinstance(v, bool):
        h.update(b"P" + repr(v).encode())
    elif isinstance(v, (int, float)):  # 1 and 1.0 are the same argument
        h.update(b"N" + repr(float(v)).encode())
    elif isinstance(v, str):
        h.update(b"S%d:" % len(v.encode()) + v.encode())
    elif isinstance(v, np.ndarray) and not v.dtype.hasobject:
        a = np.ascontiguousarray(v)
        h.update(b"A" + a.dtype.str.encode() + repr(a.shape).encode())
        h.update(a.tobytes())
    elif isinstance(v, (list, tuple)):
        h.update(b"L%d:" % len(v))
        for x in v:
            _feed(h, x, depth + 1)
    elif isinstance(v, dict) and all(isinstance(k, str) for k in v):
        h.update(b"D%d:" % len(v))
        for k in sorted(v):
            _feed(h, k, depth + 1)
            _feed(h, v[k], depth + 1)
    else:
        raise TypeError(type(v).__name__)
