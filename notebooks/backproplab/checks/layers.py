"""Visible probes and properties of ``layers.py`` (notebook 05)."""

from __future__ import annotations

import numpy as np

from .activations import KINK
from .inputs import Probe, grid, square
from .properties import (
    close,
    finite,
    shape_of,
    tuple_of,
)
from .running import quiet

DENSE = [((4, 3, 2), "m, n, k all different"), ((3, 3, 3), "a square layer (m = n = k)"), ((1, 2, 3), "a batch of one")]


def _dense_forward(rng):
    def layer(m, n, k, dtype=np.float64):
        W = square(rng, n, 1.0, dtype) if n == k else grid(rng, (n, k), 1.0, dtype)
        return grid(rng, (m, n), 1.0, dtype), W, grid(rng, k, 1.0, dtype)

    return [Probe(layer(*s), note=note) for s, note in DENSE] + [Probe(layer(2, 3, 2, np.float32), note="float32 layer")]


def _dense_backward(rng):
    def layer(m, n, k, dtype=np.float64):
        W = square(rng, n, 1.0, dtype) if n == k else grid(rng, (n, k), 1.0, dtype)
        return grid(rng, (m, k), 1.0, dtype), grid(rng, (m, n), 1.0, dtype), W

    return [Probe(layer(*s), note=note) for s, note in DENSE] + [Probe(layer(2, 3, 2, np.float32), note="float32 layer")]


ACTIVATIONS = ("relu", "sigmoid", "tanh")


def _activation_forward(rng):
    return [Probe((KINK.copy(), a), note=f"{a} at extremes and exact zeros") for a in ACTIVATIONS] + [
        Probe((square(rng, 3, 2.0, np.float32), "tanh"), note="tanh, float32")
    ]


def _activation_backward(rng):
    return [Probe((grid(rng, KINK.shape), KINK.copy(), a), note=f"{a} at extremes and exact zeros") for a in ACTIVATIONS] + [
        Probe((grid(rng, (3, 3), 1, np.float32), square(rng, 3, 2.0, np.float32), "sigmoid"), note="sigmoid, a square float32 batch")
    ]


def _bias_shift(fn, p, out):
    A, W, b = p.args
    with quiet():
        again = fn(A, W, b + 1)
    return None if close(np.asarray(again) - np.asarray(out), np.ones_like(np.asarray(out, dtype=np.float64)), 1e-5) else "adding 1 to every bias should add 1 to every output"


def _dense_backward_props(fn, p, out):
    dZ, A, W = p.args
    m, n = A.shape
    k = W.shape[1]
    for part, want in zip(("dA", "dW", "db"), ((m, n), (n, k), (k,))):
        got = out[("dA", "dW", "db").index(part)]
        if np.shape(got) != want:
            return f"{part} has shape {np.shape(got)}; expected {want}"
    with quiet():
        twice = fn(np.concatenate([dZ, dZ]), np.concatenate([A, A]), W)
    if not (close(twice[1], 2 * np.asarray(out[1]), 1e-5) and close(twice[2], 2 * np.asarray(out[2]), 1e-5)):
        return "dW and db sum over the batch: with every sample twice they should double"
    return None


RANGES = {"relu": (0, np.inf), "sigmoid": (0, 1), "tanh": (-1, 1)}


def _activation_range(fn, p, out):
    low, high = RANGES[p.args[1]]
    return None if ((np.asarray(out) >= low) & (np.asarray(out) <= high)).all() else f"{p.args[1]} values should lie in [{low}, {high}]"


def _activation_backward_props(fn, p, out):
    dA, Z, name = p.args
    if np.shape(out) != np.shape(dA):
        return f"returned shape {np.shape(out)}; expected the shape of dA, {np.shape(dA)}"
    with quiet():
        zero = fn(np.zeros_like(dA), Z, name)
    if not close(zero, np.zeros(np.shape(dA)), 1e-12):
        return "a zero upstream gradient dA should give dZ = 0"
    if name == "relu" and not close(np.asarray(out)[Z <= 0], 0, 1e-12):
        return "dZ should be 0 where z ≤ 0 for ReLU"
    return None


PROBES = {
    "dense_forward": _dense_forward,
    "dense_backward": _dense_backward,
    "activation_forward": _activation_forward,
    "activation_backward": _activation_backward,
}

PROPERTIES = {
    "dense_forward": [shape_of(lambda A, W, b: (A.shape[0], W.shape[1])), _bias_shift],
    "dense_backward": [tuple_of(3, "dA, dW, db"), _dense_backward_props],
    "activation_forward": [shape_of(lambda Z, name: Z.shape), finite, _activation_range],
    "activation_backward": [_activation_backward_props],
}
