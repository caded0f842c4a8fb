"""Shared helpers for the exercise tests: dtype tolerances and gradient checks."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from contextlib import contextmanager

import numpy as np
from backproplab.gradcheck import numerical_gradient, rel_error

# Tolerances chosen per dtype: float32 carries ~7 significant digits, float64 ~16.
TOL = {
    np.dtype(np.float32): {"rtol": 2e-5, "atol": 1e-6},
    np.dtype(np.float64): {"rtol": 1e-10, "atol": 1e-12},
}
GRAD_TOL = 1e-7  # relative error of an analytic gradient vs centered differences, float64


def assert_close(got, want, dtype=None) -> None:
    got, want = np.asarray(got), np.asarray(want)
    tol = TOL[np.dtype(dtype or got.dtype)]
    np.testing.assert_allclose(got, want, **tol)


def check_grad(loss: Callable[[], float], x: np.ndarray, analytic: np.ndarray, h: float = 1e-5) -> float:
    """Assert `analytic` matches centered differences of `loss` w.r.t. `x` (float64)."""
    assert analytic.shape == x.shape, f"gradient shape {analytic.shape} != parameter shape {x.shape}"
    err = rel_error(analytic, numerical_gradient(loss, x, h))
    assert err < GRAD_TOL, f"relative error {err:.2e} >= {GRAD_TOL}"
    return err


@contextmanager
def strict():
    """Every NumPy floating-point warning (overflow, divide, invalid) becomes an error; underflow is fine."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


def one_hot(labels, k: int, dtype=np.float64) -> np.ndarray:
    Y = np.zeros((len(labels), k), dtype=dtype)
    Y[np.arange(len(labels)), labels] = 1
    return Y
