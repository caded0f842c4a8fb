"""Hidden cases of ``backproplab/activations.py``."""

from __future__ import annotations

import numpy as np

from .base import Case
from .inputs import either_dtype, normal

KINK = np.array([[-1e4, -50.0, -1.0, -1e-3, 0.0, 0.0], [1e-3, 0.5, 1.0, 3.0, 50.0, 1e4]])
"""Elementwise grid: extremes, exact zeros, small and moderate values."""


def _elementwise(rng) -> list[Case]:
    return [
        Case((KINK.copy(),), note="extremes (±1e4), exact zeros and small values"),
        Case((KINK.astype(np.float32),), note="extremes and exact zeros, float32"),
        Case((normal(rng, (4, 4), 3),), note="a square batch"),
        Case((normal(rng, (1, 3), 2),), note="a batch of one"),
        Case((normal(rng, 5, 2),), note="a 1-D array"),
    ] + [Case((normal(rng, (int(rng.integers(1, 6)), int(rng.integers(1, 6))), float(rng.uniform(0.5, 10)), either_dtype(rng)),), note="random values") for _ in range(2)]


CASES = dict.fromkeys(["sigmoid", "sigmoid_grad", "relu", "relu_grad", "tanh", "tanh_grad", "silu", "silu_grad"], _elementwise)
