"""Hidden cases of ``backproplab/backprop_single.py``."""

from __future__ import annotations

import numpy as np

from .base import Case, reference
from .inputs import normal, params_column

NOTE_NET = (2, 3, 2, 1)


def _column_input(rng, sizes, dtype=np.float64, scale=1.0):
    return params_column(rng, sizes, scale, dtype), normal(rng, (sizes[0], 1), 1, dtype)


def _forward_single(rng) -> list[Case]:
    return [
        Case(_column_input(rng, NOTE_NET), note="the 2-3-2-1 network of notebook 04"),
        Case(_column_input(rng, (3, 3, 3)), note="square layers (3-3-3)"),
        Case(_column_input(rng, NOTE_NET, np.float32), note="float32 parameters"),
        Case(_column_input(rng, NOTE_NET, scale=30.0), note="large weights (saturated units)"),
    ] + [Case(_column_input(rng, tuple(int(n) for n in rng.integers(1, 5, int(rng.integers(2, 5))))), note="random network") for _ in range(2)]


def _backward_single(rng) -> list[Case]:
    forward = reference("forward_single")

    def case(sizes, y, dtype=np.float64, output_bias=None):
        params, x = _column_input(rng, sizes, dtype)
        if output_bias is not None:  # push z of the output far out: a rounds to exactly 0 or 1
            params[f"b{len(sizes) - 1}"] = np.full_like(params[f"b{len(sizes) - 1}"], output_bias)
        return params, forward(params, x), y

    return [
        Case(case(NOTE_NET, np.array([[1.0]])), note="the 2-3-2-1 network of notebook 04, y = 1"),
        Case(case(NOTE_NET, 0.0, output_bias=50.0), note="a saturated output (z about 50) on the wrong side, y = 0"),
        Case(case(NOTE_NET, 1.0, output_bias=50.0), note="a saturated output (z about 50) on the right side, y = 1"),
        Case(case(NOTE_NET, 1.0, output_bias=-1000.0), note="a saturated output (z about -1000) on the wrong side, y = 1"),
        Case(case(NOTE_NET, 0.0), note="the 2-3-2-1 network, y = 0 as a number"),
        Case(case((3, 3, 3), np.array([[1.0], [0.0], [0.3]])), note="square layers (3-3-3)"),
        Case(case(NOTE_NET, np.array([[1.0]], dtype=np.float32), np.float32), note="float32 parameters"),
    ] + [Case(case(tuple(int(n) for n in rng.integers(1, 5, int(rng.integers(2, 5)))) + (1,), float(rng.uniform())), note="random network") for _ in range(2)]


CASES = {"forward_single": _forward_single, "backward_single": _backward_single}
