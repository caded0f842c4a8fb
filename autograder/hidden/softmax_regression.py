"""Hidden cases of ``backproplab/softmax_regression.py``."""

from __future__ import annotations

import numpy as np

from .base import Case
from .inputs import normal, one_hot, square


def _softmax_regression(rng) -> list[Case]:
    def case(n, k, m, lam, dtype=np.float64, scale=1.0):
        W = (square(rng, n) if n == k else normal(rng, (n, k))) * 0.5
        return (W.astype(dtype), normal(rng, (m, n), scale, dtype), one_hot(rng, m, k, dtype), lam)

    return [
        Case(case(4, 4, 6, 0.3), note="square W (n = k), λ = 0.3"),
        Case(case(6, 3, 5, 0.0), note="non-square W, λ = 0"),
        Case(case(5, 3, 7, 0.1, np.float32), note="float32, λ = 0.1"),
        Case(case(3, 4, 1, 0.2), note="a batch of one, λ = 0.2"),
        Case(case(4, 4, 4, 1.0), note="a square batch (m = n = k), λ = 1"),
    ] + [Case(case(int(rng.integers(2, 7)), int(rng.integers(2, 6)), int(rng.integers(1, 9)), float(rng.uniform(0, 1))), note="random problem") for _ in range(2)]


def _softmax_regression_large(rng) -> list[Case]:
    """The vectorised loss promises stability (it works from the scores): scores of about ±1e3 as well."""
    def large(dtype):
        W, X, Y = normal(rng, (4, 3), 1.0), normal(rng, (5, 4), 1000.0), one_hot(rng, 5, 3)
        Y[0] = np.eye(3)[int(np.argmin(X[0] @ W))]  # a target whose probability underflows to 0
        return W.astype(dtype), X.astype(dtype), Y.astype(dtype), 0.2

    return _softmax_regression(rng) + [Case(large(np.float64), note="large scores (about ±1e3)"),
                                       Case(large(np.float32), note="large scores (about ±1e3), float32")]


CASES = {"softmax_regression_loss": _softmax_regression_large, "softmax_regression_loss_loop": _softmax_regression}
