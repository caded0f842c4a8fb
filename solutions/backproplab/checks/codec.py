"""Values as JSON (the recorded model answers) and digests of arguments (their lookup keys)."""

from __future__ import annotations

import hashlib
import inspect
import math
from collections.abc import Mapping

import numpy as np

from .inputs import Probe


def encode(value):
    """A JSON-able, exact image of a value (arrays, NumPy scalars, tuples, lists, dicts, str, numbers, None)."""
    if isinstance(value, np.ndarray):
        return {"__array__": value.dtype.str, "shape": list(value.shape), "data": [_num(v) for v in value.ravel().tolist()]}
    if isinstance(value, np.generic):
        return {"__scalar__": value.dtype.str, "value": _num(value.item())}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {"__dict__": {str(k): encode(v) for k, v in value.items()}}
    return value


def _num(v):
    return v if not isinstance(v, float) or math.isfinite(v) else repr(v)


def _unnum(v):
    return float(v) if isinstance(v, str) else v


def decode(obj):
    """Inverse of `encode`."""
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    if isinstance(obj, dict):
        if "__array__" in obj:
            return np.array([_unnum(v) for v in obj["data"]], dtype=np.dtype(obj["__array__"])).reshape(obj["shape"])
        if "__scalar__" in obj:
            return np.dtype(obj["__scalar__"]).type(_unnum(obj["value"]))
        if "__tuple__" in obj:
            return tuple(decode(v) for v in obj["__tuple__"])
        if "__dict__" in obj:
            return {k: decode(v) for k, v in obj["__dict__"].items()}
    return obj


def key(function: str, signature: inspect.Signature | None, args: tuple, kwargs: dict) -> str:
    """Digest of a call's arguments, rounded to about 9 (float64) or 4 (float32) digits."""
    values: list = [function]
    try:
        bound = signature.bind(*args, **kwargs) if signature else None
    except TypeError:
        bound = None
    if bound is not None:
        bound.apply_defaults()
        values += list(bound.arguments.values())
    else:
        values += [list(args), dict(kwargs)]
    h = hashlib.sha1()
    _digest(values, h)
    return h.hexdigest()[:20]


def _digest(value, h) -> None:
    if isinstance(value, (np.ndarray, np.generic, float, int)) and not isinstance(value, bool):
        a = np.asarray(value)
        if a.dtype.kind in "fiu":
            bits = 12 if a.dtype == np.float32 else 30
            x = a.astype(np.float64)
            finite = np.isfinite(x)
            mant, expo = np.frexp(np.where(finite, x, 0.0))
            q = np.round(mant * 2.0**bits)
            edge = np.abs(q) == 2.0**bits
            q, expo = np.where(edge, q / 2, q), np.where(edge, expo + 1, expo)
            h.update(f"a{bits}{a.shape}".encode())  # float32 and float64 calls answer in their own dtype
            h.update(q.astype(np.int64).tobytes() + expo.astype(np.int64).tobytes() + np.where(finite, 0, np.sign(x) + 2).astype(np.int8).tobytes())
            return
        h.update(f"b{a.dtype.str}{a.shape}".encode() + a.tobytes())
    elif isinstance(value, Mapping):
        h.update(b"{")
        for k in sorted(value, key=str):
            h.update(str(k).encode() + b":")
            _digest(value[k], h)
        h.update(b"}")
    elif isinstance(value, (list, tuple)):
        h.update(b"[")
        for v in value:
            _digest(v, h)
        h.update(b"]")
    else:
        h.update(repr(value).encode())


def probe_digest(name: str, items: list[Probe]) -> str:
    h = hashlib.sha1()
    _digest([[p.args, p.kwargs] for p in items], h)
    return f"{name}:{h.hexdigest()[:16]}"
