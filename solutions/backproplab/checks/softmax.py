"""Visible probes and properties of ``softmax.py`` (notebook 01)."""

from __future__ import annotations

import numpy as np

from .inputs import Probe, grid, square
from .properties import (
    close,
    finite,
    shape_of,
)
from .running import quiet


def _logits(rng):
    return [
        Probe((np.array([[2.0, -1e4, 1e4, 0.0], [-1e4 + 4, -1e4, -1e4 + 1, -1e4 + 2]]),), note="logits of ±1e4, one row far below the other"),
        Probe((np.array([[1e4, 1.0, -1e4], [-5e3, -5e3 - 3, -5e3 + 1]], dtype=np.float32),), note="float32 logits of ±1e4"),
        Probe((square(rng, 3, 2.0),), note="a square batch (m = k)"),
        Probe((grid(rng, (1, 4), 2.0),), note="a batch of one"),
        Probe((grid(rng, 5, 2.0),), note="one 1-D row"),
    ]


def _jacobian(rng):
    return [
        Probe((np.array([0.5, 0.0, 0.25, 0.25]),), note="a probability of exactly 0"),
        Probe((np.array([0.125, 0.375, 0.5], dtype=np.float32),), note="float32 probabilities"),
        Probe((np.array([0.75, 0.25]),), note="two classes"),
    ]


def _rows_sum_to_one(fn, p, out):
    S = np.asarray(out, dtype=np.float64)
    return None if close(S.sum(axis=-1), 1, 1e-3) and (S >= 0).all() else "rows do not sum to 1 (or hold negative entries)"


def _exp_rows_sum_to_one(fn, p, out):
    return None if close(np.exp(np.asarray(out, dtype=np.float64)).sum(axis=-1), 1, 1e-3) else "exp of each row does not sum to 1"


def _shift_invariant(fn, p, out):
    Z = p.args[0]
    with quiet():
        again = fn(Z + np.asarray(3, Z.dtype), *p.args[1:])
    return None if close(again, out, 1e-3) else "adding the same number to every logit of a row changed the result"


def _jacobian_props(fn, p, out):
    J = np.asarray(out, dtype=np.float64)
    if not close(J, J.T, 1e-5):
        return "the Jacobian of the softmax is symmetric; this one is not"
    return None if close(J.sum(axis=1), 0, 1e-5) else "each row of the Jacobian should sum to 0 (the probabilities always sum to 1)"


PROBES = {"softmax": _logits, "log_softmax": _logits, "softmax_jacobian": _jacobian}

PROPERTIES = {
    "softmax": [shape_of(lambda Z: Z.shape), finite, _rows_sum_to_one, _shift_invariant],
    "log_softmax": [shape_of(lambda Z: Z.shape), finite, _exp_rows_sum_to_one, _shift_invariant],
    "softmax_jacobian": [shape_of(lambda s: (s.size, s.size)), _jacobian_props],
}
