"""Hidden cases of ``backproplab/layers.py``."""

from __future__ import annotations

import numpy as np

from .activations import KINK
from .base import Case
from .inputs import normal, square


def _dense(rng, m, n, k, dtype=np.float64):
    W = square(rng, n, dtype) if n == k else normal(rng, (n, k), 1, dtype)
    return normal(rng, (m, n), 1, dtype), W, normal(rng, k, 1, dtype)


DENSE_SHAPES = [((5, 3, 4), "m, n, k all different"), ((4, 4, 4), "a square layer (m = n = k)"), ((1, 3, 2), "a batch of one")]


def _dense_forward(rng) -> list[Case]:
    fixed = [Case(_dense(rng, *s), note=note) for s, note in DENSE_SHAPES]
    fixed.append(Case(_dense(rng, 3, 4, 3, np.float32), note="float32 layer"))
    return fixed + [Case(_dense(rng, *(int(v) for v in rng.integers(1, 6, 3))), note="random layer") for _ in range(2)]


def _dense_backward(rng) -> list[Case]:
    def case(m, n, k, dtype=np.float64):
        A, W, _ = _dense(rng, m, n, k, dtype)
        return normal(rng, (m, k), 1, dtype), A, W

    fixed = [Case(case(*s), note=note) for s, note in DENSE_SHAPES]
    fixed.append(Case(case(3, 4, 3, np.float32), note="float32 layer"))
    return fixed + [Case(case(*(int(v) for v in rng.integers(1, 6, 3))), note="random layer") for _ in range(2)]


ACTIVATION_NAMES = ("relu", "sigmoid", "tanh")


def _activation_forward(rng) -> list[Case]:
    out = []
    for name in ACTIVATION_NAMES:
        out.append(Case((KINK.copy(), name), note=f"{name} at extremes and exact zeros"))
        out.append(Case((normal(rng, (3, 3), 2, np.float32), name), note=f"{name}, float32"))
    return out + [Case((normal(rng, (int(rng.integers(1, 6)), int(rng.integers(1, 6))), 3), str(rng.choice(ACTIVATION_NAMES))), note="random batch") for _ in range(2)]


def _activation_backward(rng) -> list[Case]:
    out = []
    for name in ACTIVATION_NAMES:
        out.append(Case((normal(rng, KINK.shape, 1), KINK.copy(), name), note=f"{name} at extremes and exact zeros"))
        out.append(Case((normal(rng, (3, 3), 1, np.float32), normal(rng, (3, 3), 2, np.float32), name), note=f"{name}, a square float32 batch"))
    return out + [
        Case((normal(rng, shape, 1), normal(rng, shape, 3), str(rng.choice(ACTIVATION_NAMES))), note="random batch")
        for shape in [(int(rng.integers(1, 6)), int(rng.integers(1, 6))) for _ in range(2)]
    ]


CASES = {
    "dense_forward": _dense_forward,
    "dense_backward": _dense_backward,
    "activation_forward": _activation_forward,
    "activation_backward": _activation_backward,
}
