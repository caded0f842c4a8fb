"""Fingerprints of answers (shapes, dtypes, NaN/inf counts, a few projections) and their comparison."""

from __future__ import annotations

import json
import math
import traceback
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import numpy as np

FINGERPRINTS = Path(__file__).parent.parent / "fingerprints.json"


FORMAT = 1


RTOL = {"float64": 1e-6, "float32": 1e-3}
"""Relative tolerance of a fingerprint comparison, by the expected output's dtype."""


class Raised:
    """What a call raised instead of returning."""

    def __init__(self, exc: BaseException) -> None:
        self.type_name, self.message, self.exc = type(exc).__name__, str(exc), exc

    def where(self) -> str:
        """`` (file.py line N)`` of the innermost frame outside the checks, or ''."""
        frames = [f for f in traceback.extract_tb(self.exc.__traceback__) if Path(f.filename).parent.name != "checks"]
        return f" ({Path(frames[-1].filename).name} line {frames[-1].lineno})" if frames else ""


def summarize(value, stats: bool = False):
    """The fingerprint of one answer: structure, shapes, dtypes, NaN/inf counts and a few projections.

    With `stats`, arrays are summarised by mean and standard deviation instead
    (random initialisation, where only the distribution is specified).
    """
    if isinstance(value, Raised):
        return {"raises": value.type_name}
    if isinstance(value, (tuple, list)):
        return {"seq": [summarize(v, stats) for v in value]}
    if isinstance(value, Mapping):
        return {"dict": {str(k): summarize(v, stats) for k, v in value.items()}}
    try:
        a = np.asarray(value)
    except Exception:
        return {"type": type(value).__name__}
    if a.dtype.kind not in "fiub":
        return {"type": type(value).__name__}
    x = a.astype(np.float64).ravel()
    finite = np.isfinite(x)
    out = {"shape": list(a.shape), "dtype": a.dtype.name, "nan": int(np.isnan(x).sum()),
           "posinf": int((x == np.inf).sum()), "neginf": int((x == -np.inf).sum())}
    x = np.where(finite, x, 0.0)
    if stats:
        out["mean"], out["std"] = _round(x.mean() if x.size else 0.0), _round(x.std() if x.size else 0.0)
        return out
    out["scale"] = _round(np.abs(x).max() if x.size else 0.0)
    out["proj"] = [_round(math.fsum(p * x)) for p in _projections(x.size)]
    return out


def _round(v) -> float:
    """10 significant digits: far below any tolerance, and the same on every machine more often than 17."""
    return float(f"{float(v):.10g}")


@cache
def _projections(n: int) -> np.ndarray:
    P = np.random.default_rng(n).standard_normal((min(n, 4), n))
    return P / np.linalg.norm(P, axis=1, keepdims=True)


def mismatch(got, want, path: str = "", parts: tuple[str, ...] = (), whole: str = "") -> str | None:
    """``None`` when fingerprint `got` agrees with `want`, else what differs (for a student).

    `parts` names the parts of a tuple output (``("loss", "dW")``) and `whole`
    a dict output (``"grads"``), so a message says ``dW``, never "output 2".
    A tuple whose parts are partly right says which are.
    """
    what = path or whole or "the output"
    if "raises" in want or "raises" in got:
        if got.get("raises") == want.get("raises"):
            return None
        return f"raised {got['raises']}" if "raises" in got else f"should raise {want['raises']}"
    if "seq" in want:
        names = [parts[i] if i < len(parts) else f"output {i + 1}" for i in range(len(want["seq"]))]
        if "seq" not in got or len(got["seq"]) != len(want["seq"]):
            return f"should return {len(want['seq'])} values ({', '.join(names)})"
        reasons = [mismatch(g, w, f"{path}[{i}]" if path else names[i]) for i, (g, w) in enumerate(zip(got["seq"], want["seq"]))]
        wrong = [r for r in reasons if r]
        if not wrong:
            return None
        right = [n for n, r in zip(names, reasons) if r is None]
        return (f"{' and '.join(right)} {'is' if len(right) == 1 else 'are'} right; " if right else "") + "; ".join(wrong)
    if "dict" in want:
        if "dict" not in got:
            return f"{what} should be a dict"
        missing = sorted(set(want["dict"]) - set(got["dict"]))
        if missing:
            return f"{what} lacks the keys {missing}"
        for k in want["dict"]:
            reason = mismatch(got["dict"][k], want["dict"][k], f"{what}['{k}']")
            if reason:
                return reason
        return None
    if "type" in want or "type" in got:
        return None if got.get("type") == want.get("type") else f"{what} is {got.get('type', 'an array')}, not {want.get('type', 'an array')}"
    if got["shape"] != want["shape"]:
        return f"{what} has shape {tuple(got['shape'])}; expected {tuple(want['shape'])}"
    for kind, label in (("nan", "NaN"), ("posinf", "inf"), ("neginf", "-inf")):
        if got[kind] != want[kind]:
            return f"{what} has {got[kind]} {label} entries; expected {want[kind]}"
    values = _values_mismatch(got, want, what)
    if want["shape"] and got["dtype"] != want["dtype"]:
        right = "the right values but " if values is None else ""
        return f"{what} has {right}dtype {got['dtype']}; expected {want['dtype']}, the dtype of the input"
    return values


def _values_mismatch(got: dict, want: dict, what: str) -> str | None:
    rtol = max(RTOL.get(want["dtype"], RTOL["float64"]), RTOL.get(got["dtype"], RTOL["float64"]))
    if "std" in want:
        if want["std"] == 0:
            return None if got["std"] == 0 and abs(got["mean"] - want["mean"]) <= 1e-12 else f"{what} has the wrong values"
        if abs(got["std"] / want["std"] - 1) > 0.05:
            return f"{what} has standard deviation {got['std']:.3g}; expected about {want['std']:.3g}"
        if abs(got["mean"] - want["mean"]) > 0.1 * want["std"]:
            return f"{what} has mean {got['mean']:.3g}; expected about {want['mean']:.3g}"
        return None
    n = max(1, int(np.prod(want["shape"])))
    err = max((abs(g - w) for g, w in zip(got["proj"], want["proj"])), default=0.0)
    if err <= rtol * (want["scale"] * math.sqrt(n)) + 1e-300:
        return None
    rel = err / (want["scale"] * math.sqrt(n)) if want["scale"] else float("inf")
    return f"{what} has wrong values (relative error {rel:.2g})"


@cache
def recorded() -> dict | None:
    try:
        data = json.loads(FINGERPRINTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("format") == FORMAT else None
