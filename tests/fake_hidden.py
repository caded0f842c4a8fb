"""A tiny stand-in for ``autograder/hidden.py`` with the same interface, for the grader's tests.

Covers the functions of the grader's test notebook (softmax family + one
composite); the real hidden tests are the `checks` engineer's.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_INIT = Path(__file__).resolve().parent.parent / "solutions" / "backproplab" / "__init__.py"
_EXERCISES = next(
    ast.literal_eval(node.value)
    for node in ast.parse(_INIT.read_text(encoding="utf-8")).body
    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXERCISES"
)
FUNCTIONS = {f: module for nb in _EXERCISES.values() for module, names in nb.items() for f in names}
DEPENDS = {"softmax_cross_entropy": ["log_softmax"]}


@dataclass(frozen=True)
class Case:
    args: tuple
    kwargs: dict = field(default_factory=dict)
    note: str = ""


def _rows(rng, m, k, scale=3.0, dtype=np.float64):
    return (rng.normal(0, scale, size=(m, k))).astype(dtype)


def cases(name: str, seed: int) -> list[Case]:
    rng = np.random.default_rng([seed, sum(map(ord, name))])
    if name in ("softmax", "log_softmax"):
        return [
            Case((np.array([[1e4, -1e4, 0.0]], dtype=np.float32),), {}, "logits ±1e4, float32"),
            Case((_rows(rng, 1, 4),), {}, "a batch of one"),
            Case((_rows(rng, 5, 3),), {}, "random batch"),
            Case((np.array([[0.0, -1.2, -5.0], [-800.0, -801.2, -805.0]]),), {}, "rows far apart"),
            Case((rng.normal(size=6),), {}, "one 1-D row"),
        ]
    if name == "softmax_jacobian":
        z = rng.normal(size=5)
        s = np.exp(z - z.max())
        return [Case((s / s.sum(),), {}, "random probabilities")]
    if name == "cross_entropy":
        S = np.exp(_rows(rng, 4, 3))
        S /= S.sum(1, keepdims=True)
        return [Case((S, np.eye(3)[[0, 1, 2, 0]]), {}, "random batch")]
    if name == "softmax_cross_entropy":
        return [Case((_rows(rng, 6, 4), np.eye(4)[rng.integers(0, 4, 6)]), {}, "random batch")]
    return []


def evaluate(name: str, case: Case, got, want, args_after: tuple) -> str | None:
    for before, after in zip(case.args, args_after):
        if isinstance(before, np.ndarray) and not np.array_equal(before, after):
            return "modified its argument in place"
    if isinstance(want, tuple):
        if not isinstance(got, tuple) or len(got) != len(want):
            return f"expected a tuple of {len(want)} values"
        for g, w in zip(got, want):
            reason = evaluate(name, Case(()), g, w, ())
            if reason:
                return reason
        return None
    got_a = np.asarray(got)
    want_a = np.asarray(want)
    if got_a.shape != want_a.shape:
        return f"shape {got_a.shape}, expected {want_a.shape}"
    if got_a.dtype != want_a.dtype:
        return f"dtype {got_a.dtype}, expected {want_a.dtype}"
    tol = 1e-4 if want_a.dtype == np.float32 else 1e-8
    if not np.allclose(got_a, want_a, rtol=tol, atol=tol, equal_nan=False):
        err = np.nanmax(np.abs(got_a.astype(float) - want_a.astype(float))) if got_a.size else 0.0
        return f"wrong value: max abs error {err:.3g}"
    return None
