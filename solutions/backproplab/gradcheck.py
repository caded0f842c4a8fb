"""Numerical gradients by centered differences, and the relative error.

Use float64: in float32 the rounding error of ``f(x + h) - f(x - h)`` swamps
the difference for any useful ``h``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["numerical_gradient", "rel_error", "grad_check", "RIGHT", "BUG", "THRESHOLDS", "verdict"]

#: The one threshold table of the course, for float64 centered differences with h = 1e-5.
#: Below RIGHT the analytic gradient is right; above BUG it is wrong; in between, look closer
#: (a kink such as ReLU's at 0, float32, a badly chosen h, or a small bug).
RIGHT = 1e-7
BUG = 1e-3
THRESHOLDS = {"right": RIGHT, "bug": BUG}


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """``∂f/∂x`` by centered differences ``(f(x + h e_i) - f(x - h e_i)) / 2h``.

    Parameters
    ----------
    f : callable with no arguments
        Returns a scalar computed from the *current* contents of `x`
        (perturbed in place and restored exactly after each entry).
    x : ndarray
        The array to differentiate with respect to; must be float64.
    h : float
        Step.

    Returns
    -------
    ndarray, shape of `x`
    """
    if x.dtype != np.float64:
        raise ValueError(f"numerical_gradient(): x must be float64 for a meaningful check; got {x.dtype}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = float(f())
        x[i] = old - h
        f_minus = float(f())
        x[i] = old  # restore: a forgotten restore corrupts every later entry
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-12) -> float:
    """Relative error ``‖a - b‖ / max(‖a‖ + ‖b‖, floor)`` (Frobenius norms; 0 for two zero arrays).

    Norms rather than a per-entry ratio: an entry that is nearly zero in both
    gradients would otherwise turn rounding noise into a large "error".
    The price: the norms are dominated by the largest entries, so a few small
    entries that are completely wrong (a bias next to large weights, one row of
    a big matrix) can hide under a tiny total error. Check each parameter on
    its own. Thresholds: `RIGHT` (< 1e-7 is right) and `BUG` (> 1e-3 is a bug).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error(): shapes differ: {a.shape} vs {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor))


def verdict(err: float) -> str:
    """``"right"``, ``"look closer"`` or ``"bug"`` for a relative error, by `THRESHOLDS`."""
    return "right" if err < RIGHT else ("bug" if err > BUG else "look closer")


def grad_check(f: Callable[[], float], x: np.ndarray, analytic: np.ndarray, h: float = 1e-5) -> float:
    """Relative error between `analytic` and the numerical gradient of `f` at `x`."""
    return rel_error(analytic, numerical_gradient(f, x, h))
