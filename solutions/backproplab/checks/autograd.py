"""Visible probes and properties of ``autograd.py`` (notebook 07)."""

from __future__ import annotations

import numpy as np

from .inputs import Probe, grid, one_hot, row_params, square
from .mlp import _dict_grad_check, _mlp_loss
from .properties import close, kind, shape_of, shapes_like_params, tuple_of
from .running import quiet


def sigmoid(z):
    return np.exp(-np.logaddexp(0, -z))


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


OUTPUTS = {"relu": lambda z: np.maximum(z, 0), "sigmoid": sigmoid, "tanh": np.tanh}
"""What an activation op saves: its output, from the probe's pre-activations."""


def _accumulate(rng):
    return [
        Probe((grid(rng, 3), grid(rng, (4, 3))), note="a bias (k,) broadcast over a batch of 4"),
        Probe((grid(rng, (4, 1)), grid(rng, (4, 3))), note="a column (m, 1) stretched over 3 columns"),
        Probe((grid(rng, (3, 3)), grid(rng, (3, 3))), note="same shape: the second use of a tensor"),
        Probe((grid(rng, (1, 3), 1, np.float32), grid(rng, (2, 4, 3), 1, np.float32)), note="float32, a new leading axis and a stretched one"),
    ]


def _matmul_backward(rng):
    def case(m, n, k, dtype=np.float64):
        B = square(rng, n, 1.0, dtype) if n == k else grid(rng, (n, k), 1.0, dtype)
        return grid(rng, (m, k), 1.0, dtype), square(rng, m, 1.0, dtype) if m == n else grid(rng, (m, n), 1.0, dtype), B

    return [Probe(case(4, 3, 2), note="m, n, k all different"), Probe(case(3, 3, 3), note="square matrices (m = n = k)"),
            Probe(case(1, 2, 3), note="a batch of one"), Probe(case(2, 3, 2, np.float32), note="float32")]


KINK = np.array([[-3.0, -0.5, 0.0, 0.25], [0.0, 1.5, -1.0, 4.0], [2.0, 0.0, -0.125, 0.5]])
"""Pre-activations with exact zeros (ReLU's kink) and both signs."""


def _unary_backward(rng):
    return [Probe((grid(rng, KINK.shape), OUTPUTS[a](KINK), a), note=f"{a}, with exact zeros") for a in OUTPUTS] + [
        Probe((grid(rng, (3, 3), 1, np.float32), np.tanh(square(rng, 3, 1.0, np.float32)), "tanh"), note="tanh, float32"),
        Probe((grid(rng, (2, 3), 1, np.float32), sigmoid(grid(rng, (2, 3), 2.0, np.float32)), "sigmoid"), note="sigmoid, float32"),
    ]


def _log_softmax_backward(rng):
    def case(m, k, dtype=np.float64):
        return grid(rng, (m, k), 1.0, dtype), log_softmax(grid(rng, (m, k), 2.0, dtype))

    return [Probe(case(3, 4), note="a batch of 3, 4 classes"), Probe(case(3, 3), note="a square batch (m = k)"),
            Probe(case(1, 4), note="a batch of one"), Probe(case(2, 3, np.float32), note="float32")]


def _nll_backward(rng):
    def case(g, m, k, dtype=np.float64):
        return g, log_softmax(grid(rng, (m, k), 2.0, dtype)), one_hot(rng, m, k, dtype)

    return [Probe(case(1.0, 3, 4), note="g = 1, a batch of 3"), Probe(case(0.5, 3, 3), note="g = 0.5, a square batch"),
            Probe(case(2.0, 1, 4), note="g = 2, a batch of one"), Probe(case(1.0, 2, 3, np.float32), note="float32")]


MATMUL, ADD, RELU, SIGMOID, TANH, LOG_SOFTMAX, SUM, MUL = range(8)
"""Op codes of ``autograd.PROGRAM_OPS``."""

PROGRAMS = [
    ("x1 used twice, x3 = x0 @ x1 reached by a short and a long path, a bias", [(3, 3), (3, 3), (3,)],
     [(MATMUL, 0, 1), (TANH, 3, -1), (ADD, 3, 4), (ADD, 5, 2), (MATMUL, 6, 1), (SIGMOID, 7, -1), (SUM, 8, -1)]),
    ("a tensor multiplied by itself, then a diamond", [(2, 3)],
     [(MUL, 0, 0), (TANH, 1, -1), (MUL, 2, 1), (SUM, 3, -1)]),
    ("a chain: matmul, relu, log_softmax", [(2, 3), (3, 4)],
     [(MATMUL, 0, 1), (RELU, 2, -1), (LOG_SOFTMAX, 3, -1), (SUM, 4, -1)]),
    ("a deep diamond: paths of length 1 and 3 meet", [(2, 2)],
     [(TANH, 0, -1), (SIGMOID, 1, -1), (TANH, 2, -1), (ADD, 1, 3), (MUL, 4, 0), (SUM, 5, -1)]),
    ("the sum of one input", [(2, 3)], [(SUM, 0, -1)]),
]


def _backward(rng):
    def case(shapes, rows, dtype=np.float64):
        values = [grid(rng, s, 0.5, dtype) + np.asarray(1 / 12, dtype) for s in shapes]
        return values, np.array(rows, dtype=np.int64)

    probes = [Probe(case(s, r), note=note) for note, s, r in PROGRAMS]
    note, s, r = PROGRAMS[0]
    return probes + [Probe(case(s, r, np.float32), note="float32, " + note)]


def _train(rng):
    def case(sizes, m, lam, lr, batch, activation, dtype=np.float64):
        params = row_params(rng, sizes, dtype)
        return params, grid(rng, (m, sizes[0]), 1.0, dtype), one_hot(rng, m, sizes[-1], dtype), lam, lr, batch, activation

    return [
        Probe(case((3, 4, 3), 4, 0.25, 0.5, 2, "relu"), note="3-4-3, relu, 2 batches of 2"),
        Probe(case((3, 3, 3, 3), 5, 0.125, 0.25, 2, "tanh"), note="square layers, tanh, batches of 2, 2 and 1"),
        Probe(case((2, 3, 2), 3, 0.0, 1.0, 3, "sigmoid"), note="one batch, sigmoid, λ = 0"),
        Probe(case((3, 4, 3), 4, 0.125, 0.5, 1, "relu", np.float32), note="float32, 4 batches of one"),
    ]


def _input_grads(fn, p, out):
    values = p.args[0]
    if not isinstance(out, (list, tuple)) or len(out) != len(values):
        return f"should return a tuple of {len(values)} gradients, one per input; returned {kind(out)}"
    for i, (v, g) in enumerate(zip(values, out)):
        if np.shape(g) != v.shape:
            return f"the gradient of input {i} has shape {np.shape(g)}; expected {v.shape}"
    return None


def _zero_in_zero_out(fn, p, out):
    G, saved = p.args[0], p.args[1]
    with quiet():
        zero = fn(np.zeros_like(G), saved, *p.args[2:])
    return None if close(zero, np.zeros(G.shape), 1e-12) else "a zero upstream gradient G should give a zero gradient"


def _relu_kink(fn, p, out):
    if p.args[2] == "relu" and not close(np.asarray(out)[p.args[1] <= 0], 0, 1e-12):
        return "relu′ is 0 where out is 0 (z ≤ 0)"
    return None


def _rows_of_dz_sum_to_zero(fn, p, out):
    return None if close(np.asarray(out, dtype=np.float64).sum(axis=1), 0, 1e-4) else "each row of dZ should sum to 0 (a softmax Jacobian kills constant shifts)"


def _train_props(fn, p, out):
    X, batch = p.args[1], p.args[5]
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return f"should return a tuple (losses, params); returned {kind(out)}"
    steps = -(-X.shape[0] // batch)
    if np.shape(out[0]) != (steps,):
        return f"losses has shape {np.shape(out[0])}; expected one loss per batch, ({steps},)"
    return shapes_like_params(fn, p, out[1])


PROBES = {
    "accumulate": _accumulate,
    "matmul_backward": _matmul_backward,
    "unary_backward": _unary_backward,
    "log_softmax_backward": _log_softmax_backward,
    "nll_backward": _nll_backward,
    "backward": _backward,
    "autograd_mlp_grads": _mlp_loss,  # the probes of notebook 06's mlp_loss (same arguments, other draws)
    "autograd_train": _train,
}

PROPERTIES = {
    "accumulate": [shape_of(lambda grad, contribution: grad.shape)],
    "matmul_backward": [tuple_of(2, "dA, dB")],
    "unary_backward": [shape_of(lambda G, out, name: G.shape), _zero_in_zero_out, _relu_kink],
    "log_softmax_backward": [shape_of(lambda G, out: G.shape), _rows_of_dz_sum_to_zero],
    "nll_backward": [shape_of(lambda g, logp, Y: logp.shape)],
    "backward": [_input_grads],
    "autograd_mlp_grads": [tuple_of(2, "loss, grads"), shapes_like_params, _dict_grad_check],
    "autograd_train": [_train_props],
}
