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

import os
from pathlib import Path

import numpy as np

MAX_DEPTH = 8
MAX_ITEMS = 4096
MAX_ARRAY_BYTES = 64 << 20
MAX_STR = 10_000


class WireError(ValueError):
    """A value that cannot cross the boundary (unsupported type, too big, malformed)."""


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


def decode(spec, folder: Path):
    """Inverse of `encode`, defensive: raises `WireError` on anything malformed."""
    return _decode(spec, Path(folder), 0)


def _decode(spec, folder: Path, depth: int):
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
        a = _load(folder, spec.get("f"))
        return a[()] if t == "scalar" else a
    if t in ("tuple", "list"):
        if not isinstance(v, list) or len(v) > MAX_ITEMS:
            raise WireError("malformed sequence")
        items = [_decode(x, folder, depth + 1) for x in v]
        return tuple(items) if t == "tuple" else items
    if t == "dict":
        if not isinstance(v, dict) or len(v) > MAX_ITEMS:
            raise WireError("malformed dict")
        return {str(k): _decode(x, folder, depth + 1) for k, x in v.items()}
    raise WireError(f"unknown value kind {t!r}")


def _load(folder: Path, name) -> np.ndarray:
    if not isinstance(name, str) or os.sep in name or name.startswith(".") or not name.endswith(".npy"):
        raise WireError("malformed array reference")
    path = folder / name
    if path.is_symlink() or not path.is_file():
        raise WireError("missing array file")
    if path.stat().st_size > MAX_ARRAY_BYTES + 4096:
        raise WireError("array file too large")
    try:
        return np.load(path, allow_pickle=False)
    except Exception as exc:  # a corrupt file is the child's problem, reported as such
        raise WireError(f"unreadable array: {exc}") from None
