"""Input generators of the hidden cases (normal draws, probabilities, far-from-symmetric squares, parameters).

Generators the visible probes use too (one-hot targets, the arguments of
``mlp_loss``) exist once, in the reference package's ``checks/inputs.py``,
read here by path.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

from autograder.imports import load_private
from autograder.layout import REFERENCE_PKG

from .base import Case

_probe_inputs = load_private(REFERENCE_PKG / "checks" / "inputs.py", "_bpl_probe_inputs")
one_hot = _probe_inputs.one_hot
mlp_loss_args = _probe_inputs.mlp_loss_args


def rng_for(name: str, seed: int) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(name.encode())])


def normal(rng: np.random.Generator, shape, scale: float = 1.0, dtype=np.float64) -> np.ndarray:
    return (scale * rng.standard_normal(shape)).astype(dtype)


def probs(rng: np.random.Generator, m: int | None, k: int, dtype=np.float64) -> np.ndarray:
    P = rng.dirichlet(np.ones(k), size=m)
    return P.astype(dtype)


def either_dtype(rng: np.random.Generator):
    return (np.float64, np.float32)[int(rng.integers(0, 2))]


def square(rng: np.random.Generator, n: int, dtype=np.float64) -> np.ndarray:
    """A square matrix far from symmetric, so a transpose always shows."""
    A = rng.standard_normal((n, n))
    return (A + np.triu(np.full((n, n), 1.5), 1)).astype(dtype)


def params_rowmajor(rng, sizes, scale=1.0, dtype=np.float64, bias=0.5) -> dict[str, np.ndarray]:
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = normal(rng, (sizes[l - 1], sizes[l]), scale / np.sqrt(sizes[l - 1]), dtype)
        params[f"b{l}"] = normal(rng, (sizes[l],), bias, dtype)
    return params


def params_column(rng, sizes, scale=1.0, dtype=np.float64) -> dict[str, np.ndarray]:
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = normal(rng, (sizes[l], sizes[l - 1]), scale, dtype)
        params[f"b{l}"] = normal(rng, (sizes[l], 1), 0.5 * scale, dtype)
    return params


def random_batches(rng: np.random.Generator, make: Callable[[tuple[int, int]], tuple], m=(1, 7), k=(1, 4), n: int = 2) -> list[Case]:
    """`n` cases ``make((m, k))`` of a random batch size and width (``rng.integers`` bounds), noted "random batch"."""
    return [Case(make((int(rng.integers(*m)), int(rng.integers(*k)))), note="random batch") for _ in range(n)]
