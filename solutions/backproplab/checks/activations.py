"""Visible probes and properties of ``activations.py`` (notebook 03)."""

from __future__ import annotations

import numpy as np

from .inputs import Probe, grid, square
from .properties import (
    close,
    finite,
    shape_of,
)
from .running import quiet

KINK = np.array([[-1e4, -40.0, -1.0, -0.125, 0.0, 0.25], [0.0, 0.5, 2.0, 40.0, 1e4, -3.0]])


def _elementwise(rng):
    return [
        Probe((KINK.copy(),), note="extremes (±1e4) and exact zeros"),
        Probe((KINK.astype(np.float32),), note="float32 extremes and exact zeros"),
        Probe((square(rng, 3, 2.0),), note="a square batch"),
        Probe((grid(rng, 4, 2.0),), note="a 1-D array"),
    ]


def _in_range(low: float, high: float):
    def prop(fn, p, out):
        a = np.asarray(out, dtype=np.float64)
        return None if ((a >= low) & (a <= high)).all() else f"values should lie in [{low}, {high}]"

    return prop


def _symmetric(sign: int):
    def prop(fn, p, out):
        with quiet():
            mirrored = fn(-p.args[0])
        want = out if sign > 0 else (1 - np.asarray(out, dtype=np.float64) if sign == 0 else -np.asarray(out))
        text = {1: "g(-z) should equal g(z)", 0: "σ(-z) should equal 1 - σ(z)", -1: "tanh(-z) should equal -tanh(z)"}[sign]
        return None if close(mirrored, want, 1e-4) else text

    return prop


def _relu_like(derivative: bool):
    def prop(fn, p, out):
        Z = np.asarray(p.args[0], dtype=np.float64)
        want = (Z > 0).astype(float) if derivative else np.maximum(Z, 0)
        if close(out, want, 1e-6):
            return None
        if derivative and close(out, (Z >= 0).astype(float)):
            return "ReLU′(0) should be 0 in this course"
        return "should be 1 where z > 0 and 0 elsewhere" if derivative else "should be z where z > 0 and 0 elsewhere"

    return prop


PROBES = dict.fromkeys(["sigmoid", "sigmoid_grad", "relu", "relu_grad", "tanh", "tanh_grad", "silu", "silu_grad"], _elementwise)

PROPERTIES = {
    "sigmoid": [shape_of(lambda Z: Z.shape), finite, _in_range(0, 1), _symmetric(0)],
    "sigmoid_grad": [shape_of(lambda Z: Z.shape), finite, _in_range(0, 0.25), _symmetric(1)],
    "relu": [shape_of(lambda Z: Z.shape), _relu_like(False)],
    "relu_grad": [shape_of(lambda Z: Z.shape), _relu_like(True)],
    "tanh": [shape_of(lambda Z: Z.shape), finite, _in_range(-1, 1), _symmetric(-1)],
    "tanh_grad": [shape_of(lambda Z: Z.shape), finite, _in_range(0, 1), _symmetric(1)],
    "silu": [shape_of(lambda Z: Z.shape), finite],
    "silu_grad": [shape_of(lambda Z: Z.shape), finite],
}
