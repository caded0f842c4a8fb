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


def _softmax_regression_large(rng):
    """The vectorised loss promises stability: scores of about ±1e3, one target the row's smallest score."""
    W, X, Y, lam = grid(rng, (3, 3), 0.5), grid(rng, (4, 3), 1.0) * 1000, one_hot(rng, 4, 3), 0.25
    Y[0] = np.eye(3)[int(np.argmin(X[0] @ W))]
    return [*_softmax_regression(rng), Probe((W, X, Y, lam), note="large scores (about ±1e3), a target far below its row's max")]


PROBES = {"softmax_regression_loss": _softmax_regression_large, "softmax_regression_loss_loop": _softmax_regression}

PROPERTIES = {
    "softmax_regression_loss": [tuple_of(2, "loss, dW"), finite, loss_grad_check(0, "W")],
    "softmax_regression_loss_loop": [tuple_of(2, "loss, dW"), finite, loss_grad_check(0, "W")],
}
