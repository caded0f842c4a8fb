"""Validators of `backproplab.mlp` (notebook 06)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from .arrays import (
    as_float_array,
    check_activation_name,
    check_cache,
    check_lam,
    check_one_hot,
    check_params,
)

SCHEMES = ("he", "xavier", "small")


def init_params(sizes, scheme, seed):
    """Returns ``(sizes, scheme, rng)``: the layer widths as ints and the seeded generator."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Iterable):
        raise ValueError(f"init_params(): sizes must be at least two positive integers, e.g. [784, 100, 10]; got {sizes!r}")
    sizes = list(sizes)
    if len(sizes) < 2 or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in sizes):
        raise ValueError(f"init_params(): sizes must be at least two positive integers, e.g. [784, 100, 10]; got {sizes!r}")
    if scheme not in SCHEMES:
        raise ValueError(f"init_params(): scheme must be one of {SCHEMES}; got {scheme!r}")
    return [int(n) for n in sizes], scheme, np.random.default_rng(seed)


def _params_and_X(params: object, X: object, func: str) -> tuple[int, np.ndarray]:
    L = check_params(params, func)
    X = as_float_array(X, "X", func, ndim=2)
    n0 = np.shape(params["W1"])[0]
    if X.shape[1] != n0:
        raise ValueError(f"{func}(): X must have {n0} columns to match W1 {np.shape(params['W1'])}; got X of shape {X.shape}")
    return L, X


def mlp_forward(params, X, activation):
    """Returns ``(L, X)``."""
    L, X = _params_and_X(params, X, "mlp_forward")
    check_activation_name(activation, "mlp_forward")
    return L, X


def mlp_backward(dscores, cache, params, activation):
    """Returns ``(L, dscores)``."""
    L = check_params(params, "mlp_backward")
    check_activation_name(activation, "mlp_backward")
    dscores = as_float_array(dscores, "dscores", "mlp_backward", ndim=2)
    check_cache(cache, ["A0"] + [f"Z{l}" for l in range(1, L + 1)] + [f"A{l}" for l in range(1, L)], "mlp_backward", "mlp_forward")
    if dscores.shape != np.shape(cache[f"Z{L}"]):
        raise ValueError(f"mlp_backward(): dscores must have the scores' shape {np.shape(cache[f'Z{L}'])}; got {dscores.shape}")
    X = as_float_array(cache["A0"], "cache['A0']", "mlp_backward", ndim=2)
    if X.shape != (dscores.shape[0], np.shape(params["W1"])[0]):
        raise ValueError(f"mlp_backward(): cache['A0'] must be X of shape (m, n_0) = {(dscores.shape[0], np.shape(params['W1'])[0])}; got {X.shape}")
    return L, dscores


def mlp_loss(params, X, Y, lam, activation):
    """Returns ``(L, X, Y, lam)``."""
    L, X = _params_and_X(params, X, "mlp_loss")
    Y = as_float_array(Y, "Y", "mlp_loss", ndim=2)
    n_out = np.shape(params[f"W{L}"])[1]
    if Y.shape != (X.shape[0], n_out):
        raise ValueError(f"mlp_loss(): Y must have shape (m, n_L) = {(X.shape[0], n_out)}; got {Y.shape}")
    check_one_hot(Y, "Y", "mlp_loss")
    check_activation_name(activation, "mlp_loss")
    return L, X, Y, check_lam(lam, "mlp_loss")


def sgd_step(params, grads, lr):
    if not isinstance(params, Mapping) or not isinstance(grads, Mapping) or set(params) != set(grads):
        got = sorted(map(str, grads)) if isinstance(grads, Mapping) else type(grads).__name__
        raise ValueError(f"sgd_step(): params and grads must be dicts with the same keys; got {sorted(map(str, params)) if isinstance(params, Mapping) else type(params).__name__} and {got}")
    for k in params:
        if np.shape(params[k]) != np.shape(grads[k]):
            raise ValueError(f"sgd_step(): grads['{k}'] must have the shape of params['{k}'] {np.shape(params[k])}; got {np.shape(grads[k])}")
    return check_lam(lr, "sgd_step", "lr")
