"""Visible probes and properties of ``softmax_regression.py`` (notebook 02)."""

from __future__ import annotations

import numpy as np

from .inputs import Probe, grid, one_hot, square
from .properties import (
    finite,
    loss_grad_check,
    tuple_of,
)


def _softmax_regression(rng):
    def problem(n, k, m, lam, dtype=np.float64):
        W = square(rng, n, 0.5, dtype) if n == k else grid(rng, (n, k), 0.5, dtype)
        return W, grid(rng, (m, n), 1.0, dtype), one_hot(rng, m, k, dtype), lam

    return [
        Probe(problem(3, 3, 4, 0.5), note="square W (n = k), λ = 0.5"),
        Probe(problem(4, 2, 3, 0.0), note="non-square W, λ = 0"),
        Probe(problem(3, 2, 2, 0.25, np.float32), note="float32, λ = 0.25"),
        Probe(problem(2, 3, 1, 0.125), note="a batch of one, λ = 0.125"),
    ]


PROBES = {"softmax_regression_loss": _softmax_regression, "softmax_regression_loss_loop": _softmax_regression}

PROPERTIES = {
    "softmax_regression_loss": [tuple_of(2, "loss, dW"), finite, loss_grad_check(0, "W")],
    "softmax_regression_loss_loop": [tuple_of(2, "loss, dW"), finite, loss_grad_check(0, "W")],
}
