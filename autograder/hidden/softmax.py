"""Hidden cases of ``backproplab/softmax.py``."""

from __future__ import annotations

import numpy as np

from .base import Case
from .inputs import either_dtype, normal, probs, square

EXTREME = np.array([[1e4, -1e4, 0.0, 3.0], [-1e4, -1e4 + 2, -1e4 + 1, -1e4 + 5], [0.5, -0.3, 0.2, 0.1]])
"""Row 0 spans ±1e4; row 1 lies 2e4 below row 0's max (a global max gives 0/0 there)."""


def _softmax_like(rng) -> list[Case]:
    fixed = [
        Case((EXTREME.copy(),), note="logits of ±1e4 and a row far below the others"),
        Case((EXTREME.astype(np.float32),), note="logits of ±1e4, float32"),
        Case((square(rng, 4) * 2,), note="a square batch (m = k)"),
        Case((normal(rng, (1, 5), 3),), note="a batch of one"),
        Case((normal(rng, 6, 2),), note="one 1-D row"),
        Case((np.array([[800.0, 801.0, 799.0], [1000.0, 990.0, 1001.0]]),), note="large logits (about 1000) in every row"),
    ]
    return fixed + [
        Case((normal(rng, (int(rng.integers(2, 8)), int(rng.integers(2, 8))), float(rng.uniform(1, 20)), either_dtype(rng)),), note="random logits")
        for _ in range(3)
    ]


def _softmax_jacobian(rng) -> list[Case]:
    return [
        Case((np.array([1.0]),), note="one class (k = 1)"),
        Case((np.array([0.0, 0.25, 0.75]),), note="a probability of exactly 0"),
        Case((np.array([0.1, 0.2, 0.3, 0.4]),), note="four classes"),
        Case((probs(rng, None, 5, np.float32),), note="float32 probabilities"),
    ] + [Case((probs(rng, None, int(rng.integers(2, 7))),), note="random probabilities") for _ in range(2)]


CASES = {"softmax": _softmax_like, "log_softmax": _softmax_like, "softmax_jacobian": _softmax_jacobian}
