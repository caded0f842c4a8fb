"""Input generators for the visible probes: exact grids, square matrices, one-hot targets, parameters.

The hidden tests draw their one-hot targets and `mlp_loss` arguments here too (``autograder/hidden/inputs.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Probe:
    """One visible call ``fn(*args, **kwargs)``; `note` says what it probes."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    note: str = ""


def grid(rng: np.random.Generator, shape, scale: float = 1.0, dtype=np.float64) -> np.ndarray:
    """Multiples of scale/8 in [-2 scale, 2 scale]: small sums of their products are exact in any order."""
    return (rng.integers(-16, 17, shape) * (scale / 8)).astype(dtype)


def square(rng: np.random.Generator, n: int, scale: float = 1.0, dtype=np.float64) -> np.ndarray:
    """A square `grid` matrix far from symmetric, so that a transpose always shows."""
    return (grid(rng, (n, n), scale) + np.triu(np.full((n, n), scale), 1)).astype(dtype)


def one_hot(rng: np.random.Generator, m: int, k: int, dtype=np.float64) -> np.ndarray:
    """`m` one-hot rows of width `k`, the hot column drawn at random."""
    Y = np.zeros((m, k), dtype=dtype)
    Y[np.arange(m), rng.integers(0, k, m)] = 1
    return Y


def mlp_loss_args(rng: np.random.Generator, net, sizes, m: int, lam: float, activation: str, dtype=np.float64) -> tuple:
    """``(params, X, Y, lam, activation)`` for ``mlp_loss``: ``net(sizes, m, dtype)`` draws (params, X), then one-hot Y."""
    params, X = net(sizes, m, dtype)
    return params, X, one_hot(rng, m, sizes[-1], dtype), lam, activation


def _layers(sizes, weight, bias) -> dict[str, np.ndarray]:
    """``W{l}`` = weight(n_(l-1), n_l) and ``b{l}`` = bias(n_l), drawn in that order, layer by layer."""
    out = {}
    for l in range(1, len(sizes)):
        out[f"W{l}"], out[f"b{l}"] = weight(sizes[l - 1], sizes[l]), bias(sizes[l])
    return out


def row_params(rng, sizes, dtype=np.float64) -> dict[str, np.ndarray]:
    """Row-major ``W{l}`` (n_(l-1), n_l) and non-zero ``b{l}`` (n_l,): never an exact 0 in Z, so no ReLU kink."""
    return _layers(sizes, lambda n, k: square(rng, n, 0.5, dtype) if n == k else grid(rng, (n, k), 0.5, dtype),
                   lambda k: (grid(rng, k, 0.25) + 1 / 12).astype(dtype))


def column_params(rng, sizes, dtype=np.float64) -> dict[str, np.ndarray]:
    """Column-convention ``W{l}`` (n_l, n_(l-1)) and ``b{l}`` (n_l, 1)."""
    return _layers(sizes, lambda n, k: square(rng, n, 1.0, dtype) if n == k else grid(rng, (k, n), 1.0, dtype),
                   lambda k: grid(rng, (k, 1), 0.5, dtype))
