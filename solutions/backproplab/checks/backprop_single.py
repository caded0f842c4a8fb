"""Visible probes and properties of ``backprop_single.py`` (notebook 04)."""

from __future__ import annotations

import numpy as np

from .inputs import Probe, column_params, grid
from .properties import (
    finite,
    has_keys,
    shapes_like_params,
)

NOTE_NET = (2, 3, 2, 1)


def _forward_single(rng):
    def net(sizes, dtype=np.float64):
        return column_params(rng, sizes, dtype), grid(rng, (sizes[0], 1), 1.0, dtype)

    return [
        Probe(net(NOTE_NET), note="the 2-3-2-1 network of notebook 04"),
        Probe(net((3, 3, 3)), note="square layers (3-3-3)"),
        Probe(net(NOTE_NET, np.float32), note="float32 parameters"),
    ]


def _backward_single(rng, call):
    def net(sizes, y, dtype=np.float64, output_bias=None):
        params, x = column_params(rng, sizes, dtype), grid(rng, (sizes[0], 1), 1.0, dtype)
        if output_bias is not None:  # a saturated output: sigmoid(z) rounds to exactly 0 or 1
            params[f"b{len(sizes) - 1}"] = np.full_like(params[f"b{len(sizes) - 1}"], output_bias)
        return params, call("forward_single", params, x), y

    return [
        Probe(net(NOTE_NET, np.array([[1.0]])), note="the 2-3-2-1 network of notebook 04, y = 1"),
        Probe(net(NOTE_NET, 0.0), note="the 2-3-2-1 network, y = 0"),
        Probe(net(NOTE_NET, 0.0, output_bias=40.0), note="a saturated output (z about 40), y = 0"),
        Probe(net((3, 3, 3), np.array([[1.0], [0.0], [0.5]])), note="square layers (3-3-3)"),
        Probe(net(NOTE_NET, np.array([[1.0]], dtype=np.float32), np.float32), note="float32 parameters"),
    ]


def _column_cache(params, x):
    L = len(params) // 2
    return ["a0"] + [f"{p}{l}" for l in range(1, L + 1) for p in "za"]


def _grad_keys(params, *rest):
    return list(params)


def _column_shapes(fn, p, out):
    for k, v in out.items():
        if k != "a0" and (np.ndim(v) != 2 or np.shape(v)[1] != 1):
            return f"cache['{k}'] should be a column (n, 1); got shape {np.shape(v)}"
    if not all(((np.asarray(out[k]) > 0) & (np.asarray(out[k]) < 1)).all() for k in out if k.startswith("a") and k != "a0"):
        return "every activation a = σ(z) should lie between 0 and 1"
    return None


PROBES = {"forward_single": _forward_single, "backward_single": _backward_single}

PROPERTIES = {
    "forward_single": [has_keys(_column_cache), _column_shapes],
    "backward_single": [has_keys(_grad_keys), shapes_like_params, finite],
}
