"""Hidden cases of ``backproplab/autograd.py`` (notebook 07)."""

from __future__ import annotations

import numpy as np

from .base import Case, reference
from .inputs import normal, one_hot, params_rowmajor, random_batches, square
from .layers import ACTIVATION_NAMES

MATMUL, ADD, RELU, SIGMOID, TANH, LOG_SOFTMAX, SUM, MUL = range(8)  # autograd.PROGRAM_OPS


def _output(name: str, z: np.ndarray) -> np.ndarray:
    """What an activation op saves: the reference activation of notebook 03 at `z`."""
    return reference(name)(z)


def _accumulate(rng) -> list[Case]:
    pairs = [((4,), (5, 4), "a bias (k,) broadcast over a batch"), ((5, 1), (5, 3), "a column stretched (keepdims)"),
             ((4, 4), (4, 4), "same shape: a tensor used twice"), ((1, 3), (2, 5, 3), "a new leading axis and a stretched one"),
             ((), (3, 2), "a scalar broadcast everywhere"), ((1, 1), (1, 1), "one entry")]
    out = [Case((normal(rng, g, 1), normal(rng, c, 1)), note=note) for g, c, note in pairs]
    out.append(Case((normal(rng, (3,), 1, np.float32), normal(rng, (4, 3), 1, np.float32)), note="float32 bias"))
    for _ in range(2):
        k, m = int(rng.integers(1, 5)), int(rng.integers(2, 5))
        out.append(Case((normal(rng, (k,), 1), normal(rng, (m, k), 1)), note="random bias"))
    return out


def _matmul_backward(rng) -> list[Case]:
    def case(m, n, k, dtype=np.float64):
        A = square(rng, m, dtype) if m == n else normal(rng, (m, n), 1, dtype)
        B = square(rng, n, dtype) if n == k else normal(rng, (n, k), 1, dtype)
        return normal(rng, (m, k), 1, dtype), A, B

    out = [Case(case(5, 3, 4), note="m, n, k all different"), Case(case(4, 4, 4), note="square matrices"),
           Case(case(1, 3, 2), note="a batch of one"), Case(case(3, 4, 2, np.float32), note="float32")]
    return out + [Case(case(*(int(v) for v in rng.integers(1, 6, 3))), note="random shapes") for _ in range(2)]


def _unary_backward(rng) -> list[Case]:
    kink = np.array([[-2.0, 0.0, 0.5, -0.25], [0.0, 3.0, -1.0, 1.0]])
    out = []
    for name in ACTIVATION_NAMES:
        out.append(Case((normal(rng, kink.shape, 1), _output(name, kink), name), note=f"{name} with exact zeros"))
        out.append(Case((normal(rng, (3, 3), 1, np.float32), _output(name, normal(rng, (3, 3), 2, np.float32)), name), note=f"{name}, float32"))
    for _ in range(2):
        name, shape = str(rng.choice(ACTIVATION_NAMES)), (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        out.append(Case((normal(rng, shape, 1), _output(name, normal(rng, shape, 2)), name), note="random batch"))
    return out


def _log_softmax_backward(rng) -> list[Case]:
    def case(m, k, dtype=np.float64, scale=2.0):
        return normal(rng, (m, k), 1, dtype), reference("log_softmax")(normal(rng, (m, k), scale, dtype))

    out = [Case(case(4, 3), note="a batch of 4, 3 classes"), Case(case(3, 3), note="a square batch"),
           Case(case(1, 5), note="a batch of one"), Case(case(3, 4, np.float32), note="float32"),
           Case(case(2, 4, scale=100.0), note="confident rows (probabilities near 0 and 1)")]
    return out + random_batches(rng, lambda shape: case(*shape), m=(1, 5), k=(2, 6))


def _nll_backward(rng) -> list[Case]:
    def case(g, m, k, dtype=np.float64):
        return g, reference("log_softmax")(normal(rng, (m, k), 2, dtype)), one_hot(rng, m, k, dtype)

    out = [Case(case(1.0, 4, 3), note="g = 1"), Case(case(0.3, 3, 3), note="g = 0.3, a square batch"),
           Case(case(2.5, 1, 4), note="g = 2.5, a batch of one"), Case(case(1.0, 3, 4, np.float32), note="float32")]
    return out + [Case(case(float(rng.uniform(0.1, 3)), int(rng.integers(1, 5)), int(rng.integers(2, 5))), note="random batch") for _ in range(2)]


FIXED_PROGRAMS = [
    ("one tensor reached by a short and a long path, a bias, a weight used twice", [(3, 3), (3, 3), (3,)],
     [(MATMUL, 0, 1), (TANH, 3, -1), (ADD, 3, 4), (ADD, 5, 2), (MATMUL, 6, 1), (SIGMOID, 7, -1), (SUM, 8, -1)]),
    ("x * x", [(2, 4)], [(MUL, 0, 0), (SUM, 1, -1)]),
    ("a chain", [(3, 2), (2, 4)], [(MATMUL, 0, 1), (RELU, 2, -1), (LOG_SOFTMAX, 3, -1), (SUM, 4, -1)]),
    ("paths of length 1 and 3 meet", [(2, 2)], [(SIGMOID, 0, -1), (TANH, 1, -1), (SIGMOID, 2, -1), (ADD, 1, 3), (MUL, 4, 0), (SUM, 5, -1)]),
]


def _random_program(rng, n: int) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]]]:
    """Square (n, n) nodes throughout, a bias (n,) as the last input; many nodes used more than once."""
    shapes = [(n, n), (n, n), (n,)]
    rows, square_nodes = [], [0, 1]
    for _ in range(int(rng.integers(4, 9))):
        op = int(rng.choice([MATMUL, ADD, MUL, RELU, SIGMOID, TANH, LOG_SOFTMAX, ADD]))
        i = int(rng.choice(square_nodes[-3:])) if rng.random() < 0.7 else int(rng.choice(square_nodes))
        j = int(rng.choice(square_nodes)) if op != ADD or rng.random() < 0.6 else 2
        rows.append((op, i, j if op in (MATMUL, ADD, MUL) else -1))
        square_nodes.append(len(shapes) + len(rows) - 1)
    rows.append((SUM, square_nodes[-1], -1))
    return shapes, rows


def _backward(rng) -> list[Case]:
    def case(shapes, rows, dtype=np.float64):
        return [normal(rng, s, 0.8, dtype) for s in shapes], np.array(rows, dtype=np.int64)

    out = [Case(case(s, r), note=note) for note, s, r in FIXED_PROGRAMS]
    note, s, r = FIXED_PROGRAMS[0]
    out.append(Case(case(s, r, np.float32), note="float32, " + note))
    return out + [Case(case(*_random_program(rng, int(rng.integers(2, 4)))), note="a random graph") for _ in range(3)]


def _net(rng, sizes, m, dtype=np.float64):
    return params_rowmajor(rng, sizes, 1.5, dtype), normal(rng, (m, sizes[0]), 1, dtype), one_hot(rng, m, sizes[-1], dtype)


def _autograd_mlp_grads(rng) -> list[Case]:
    def case(sizes, m, lam, activation, dtype=np.float64):
        return (*_net(rng, sizes, m, dtype), lam, activation)

    def kink():
        params, X, Y, lam, activation = case((3, 4, 3), 4, 0.1, "relu")
        params["b1"][:], X[:2] = 0, 0  # Z1 exactly 0 for two samples: ReLU's derivative there is 0
        return params, X, Y, lam, activation

    return [
        Case(kink(), note="relu, Z exactly 0 for two samples"),
        Case(case((3, 4, 3), 5, 0.1, "relu"), note="3-4-3, relu, λ = 0.1"),
        Case(case((4, 4, 4, 4), 4, 0.5, "tanh"), note="square layers, tanh, λ = 0.5"),
        Case(case((3, 5, 2), 1, 0.0, "sigmoid"), note="a batch of one, sigmoid, λ = 0"),
        Case(case((3, 4, 3), 3, 0.2, "relu", np.float32), note="float32, relu, λ = 0.2"),
        Case(case((3, 2), 3, 0.3, "relu"), note="a single linear layer, λ = 0.3"),
    ] + [Case(case(tuple(int(n) for n in rng.integers(2, 6, 3)), int(rng.integers(1, 6)), float(rng.uniform(0, 1)),
                   str(rng.choice(ACTIVATION_NAMES))), note="random network") for _ in range(2)]


def _autograd_train(rng) -> list[Case]:
    def case(sizes, m, lam, lr, batch, activation, dtype=np.float64):
        return (*_net(rng, sizes, m, dtype), lam, lr, batch, activation)

    return [
        Case(case((3, 4, 3), 6, 0.1, 0.5, 2, "relu"), note="3-4-3, relu, 3 batches of 2"),
        Case(case((4, 4, 4, 4), 5, 0.2, 0.3, 2, "tanh"), note="square layers, tanh, batches of 2, 2 and 1"),
        Case(case((3, 3, 2), 4, 0.0, 1.0, 4, "sigmoid"), note="one batch, sigmoid, λ = 0"),
        Case(case((3, 4, 3), 4, 0.1, 0.5, 1, "relu", np.float32), note="float32, 4 batches of one"),
    ] + [Case(case(tuple(int(n) for n in rng.integers(2, 5, 3)), int(rng.integers(2, 7)), float(rng.uniform(0, 0.5)),
                   float(rng.uniform(0.1, 1)), int(rng.integers(1, 3)), str(rng.choice(ACTIVATION_NAMES))), note="random run") for _ in range(2)]


CASES = {"accumulate": _accumulate, "matmul_backward": _matmul_backward, "unary_backward": _unary_backward,
         "log_softmax_backward": _log_softmax_backward, "nll_backward": _nll_backward, "backward": _backward,
         "autograd_mlp_grads": _autograd_mlp_grads, "autograd_train": _autograd_train}
