"""Validators of `backproplab.backprop_single` (notebook 04)."""

from __future__ import annotations

import numpy as np

from .arrays import as_float_array, check_cache, check_params


def forward_single(params, x):
    """Returns ``(L, x)``."""
    L = check_params(params, "forward_single", bias_ndim=2)
    x = as_float_array(x, "x", "forward_single", ndim=2)
    n0 = np.shape(params["W1"])[1]
    if x.shape != (n0, 1):
        raise ValueError(f"forward_single(): x must be a column vector of shape ({n0}, 1); got {x.shape}")
    return L, x


def backward_single(params, cache, y):
    """Returns ``(L, y)`` with `y` a column ``(n_L, 1)``."""
    L = check_params(params, "backward_single", bias_ndim=2)
    y = as_float_array(y, "y", "backward_single", ndim=(0, 2)).reshape(-1, 1)
    check_cache(cache, ["a0"] + [f"{p}{l}" for l in range(1, L + 1) for p in "za"], "backward_single", "forward_single")
    return L, y
