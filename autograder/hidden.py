"""Hidden tests: the cases the grading harness sends to a student's functions, and the verdict.

Instructor side only; never shipped. For every exercise function,
``cases(name, seed)`` returns fixed cases hand-picked to expose the mistakes
in the mutant catalogue (logits of ±1e4, float32, a batch of one, square
shapes where a missing ``keepdims`` or a transpose still broadcasts, ReLU at
exactly 0, λ > 0, non-zero biases, …) followed by random probes drawn from
`seed`. ``evaluate(name, case, got, want, args_after)`` compares a
candidate's output with the reference's and returns ``None`` or a short
student-facing reason (shape, dtype, NaN/inf where the answer is finite,
value with the error size, a constant factor or transpose, in-place
modification of an argument). It never shows reference code or values.

Arguments in a `Case` are NumPy arrays, ``str``-keyed dicts of arrays, lists
of arrays (``l2_penalty``) or of ints (``init_params``), str, int, float or
None. Arrays are always positional (so ``args_after`` covers every array).
"""

from __future__ import annotations

import ast
import inspect
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_PKG = ROOT / "solutions" / "backproplab"


def _exercises(init: Path = REFERENCE_PKG / "__init__.py") -> dict:
    tree = ast.parse(init.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXERCISES":
            return ast.literal_eval(node.value)
    raise RuntimeError(f"{init} defines no EXERCISES")


EXERCISES = _exercises()
FUNCTIONS: dict[str, str] = {f: module for nb in EXERCISES.values() for module, names in nb.items() for f in names}
"""Exercise function → its module (``backproplab.<module>``)."""

NOTEBOOK: dict[str, str] = {f: nb for nb, modules in EXERCISES.items() for names in modules.values() for f in names}
"""Exercise function → its notebook ("01" … "06")."""

DEPENDS: dict[str, list[str]] = {
    "sigmoid_grad": ["sigmoid"],
    "tanh_grad": ["tanh"],
    "relu_grad": [],
    "silu": ["sigmoid"],
    "silu_grad": ["sigmoid", "sigmoid_grad", "silu"],
    "softmax_cross_entropy": ["log_softmax", "softmax"],
    "softmax_regression_loss": ["softmax_cross_entropy", "l2_penalty", "softmax", "log_softmax"],
    "softmax_regression_loss_loop": ["softmax", "log_softmax", "softmax_jacobian", "l2_penalty"],
    "binary_cross_entropy_grad": [],
    "forward_single": ["sigmoid"],
    "backward_single": ["sigmoid", "sigmoid_grad"],
    "activation_forward": ["relu", "sigmoid", "tanh"],
    "activation_backward": ["relu_grad", "sigmoid_grad", "tanh_grad", "relu", "sigmoid", "tanh"],
    "mlp_forward": ["dense_forward", "activation_forward"],
    "mlp_backward": ["dense_backward", "activation_backward"],
    "mlp_loss": ["mlp_forward", "mlp_backward", "softmax_cross_entropy", "l2_penalty"],
}
"""Composite function → the exercise functions it may call (the reference's calls, plus the
ones its hint or module imports invite). The harness grades a composite with the reference
versions of these substituted, so one early mistake is charged once."""

OUTPUTS: dict[str, tuple[str, ...]] = {
    "softmax_cross_entropy": ("loss", "dZ"),
    "binary_cross_entropy_with_logits": ("loss", "dZ"),
    "softmax_regression_loss": ("loss", "dW"),
    "softmax_regression_loss_loop": ("loss", "dW"),
    "dense_backward": ("dA", "dW", "db"),
    "mlp_forward": ("scores", "cache"),
    "mlp_loss": ("loss", "grads"),
}
"""Names of the parts of a tuple output, for messages."""

RETURNS = {"forward_single": "cache", "backward_single": "grads", "mlp_backward": "grads", "init_params": "params", "sgd_step": "the new params"}
"""Names of dict outputs, for messages."""

CACHES = {("forward_single", ()), ("mlp_forward", (1,))}
"""Outputs that are caches: extra keys are allowed there."""

RTOL = {np.dtype(np.float64): 1e-7, np.dtype(np.float32): 2e-4}
"""Relative tolerance per dtype; the absolute floor is RTOL × the largest expected magnitude."""


@dataclass(frozen=True)
class Case:
    """One hidden call: ``fn(*args, **kwargs)``; `note` (student-facing) says what it probes."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    note: str = ""


# --------------------------------------------------------------------------- reference


def reference(name: str) -> Callable:
    """The reference implementation of exercise function `name` (from a private copy of the package)."""
    from .mutants import reference as load

    return load(name, FUNCTIONS[name], REFERENCE_PKG)


def arg_names(name: str) -> list[str]:
    """Positional parameter names of exercise function `name` (for messages)."""
    return list(inspect.signature(reference(name)).parameters)


# --------------------------------------------------------------------------- inputs


def _rng(name: str, seed: int) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(name.encode())])


def _normal(rng: np.random.Generator, shape, scale: float = 1.0, dtype=np.float64) -> np.ndarray:
    return (scale * rng.standard_normal(shape)).astype(dtype)


def _one_hot(rng: np.random.Generator, m: int, k: int, dtype=np.float64) -> np.ndarray:
    Y = np.zeros((m, k), dtype=dtype)
    Y[np.arange(m), rng.integers(0, k, m)] = 1
    return Y


def _probs(rng: np.random.Generator, m: int | None, k: int, dtype=np.float64) -> np.ndarray:
    P = rng.dirichlet(np.ones(k), size=m)
    return P.astype(dtype)


def _dtype(rng: np.random.Generator):
    return (np.float64, np.float32)[int(rng.integers(0, 2))]


def _square(rng: np.random.Generator, n: int, dtype=np.float64) -> np.ndarray:
    """A square matrix far from symmetric, so a transpose always shows."""
    A = rng.standard_normal((n, n))
    return (A + np.triu(np.full((n, n), 1.5), 1)).astype(dtype)


def _params_rowmajor(rng, sizes, scale=1.0, dtype=np.float64, bias=0.5) -> dict[str, np.ndarray]:
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = _normal(rng, (sizes[l - 1], sizes[l]), scale / np.sqrt(sizes[l - 1]), dtype)
        params[f"b{l}"] = _normal(rng, (sizes[l],), bias, dtype)
    return params


def _params_column(rng, sizes, scale=1.0, dtype=np.float64) -> dict[str, np.ndarray]:
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = _normal(rng, (sizes[l], sizes[l - 1]), scale, dtype)
        params[f"b{l}"] = _normal(rng, (sizes[l], 1), 0.5 * scale, dtype)
    return params


EXTREME = np.array([[1e4, -1e4, 0.0, 3.0], [-1e4, -1e4 + 2, -1e4 + 1, -1e4 + 5], [0.5, -0.3, 0.2, 0.1]])
"""Row 0 spans ±1e4; row 1 lies 2e4 below row 0's max (a global max gives 0/0 there)."""

KINK = np.array([[-1e4, -50.0, -1.0, -1e-3, 0.0, 0.0], [1e-3, 0.5, 1.0, 3.0, 50.0, 1e4]])
"""Elementwise grid: extremes, exact zeros, small and moderate values."""


def _softmax_like(rng) -> list[Case]:
    fixed = [
        Case((EXTREME.copy(),), note="logits of ±1e4 and a row far below the others"),
        Case((EXTREME.astype(np.float32),), note="logits of ±1e4, float32"),
        Case((_square(rng, 4) * 2,), note="a square batch (m = k)"),
        Case((_normal(rng, (1, 5), 3),), note="a batch of one"),
        Case((_normal(rng, 6, 2),), note="one 1-D row"),
        Case((np.array([[800.0, 801.0, 799.0], [1000.0, 990.0, 1001.0]]),), note="large logits (about 1000) in every row"),
    ]
    return fixed + [
        Case((_normal(rng, (int(rng.integers(2, 8)), int(rng.integers(2, 8))), float(rng.uniform(1, 20)), _dtype(rng)),), note="random logits")
        for _ in range(3)
    ]


def _softmax_jacobian(rng) -> list[Case]:
    return [
        Case((np.array([1.0]),), note="one class (k = 1)"),
        Case((np.array([0.0, 0.25, 0.75]),), note="a probability of exactly 0"),
        Case((np.array([0.1, 0.2, 0.3, 0.4]),), note="four classes"),
        Case((_probs(rng, None, 5, np.float32),), note="float32 probabilities"),
    ] + [Case((_probs(rng, None, int(rng.integers(2, 7))),), note="random probabilities") for _ in range(2)]


def _cross_entropy(rng) -> list[Case]:
    def batch(m, k, dtype=np.float64):
        return _probs(rng, m, k, dtype), _one_hot(rng, m, k, dtype)

    Y1 = np.eye(4)[1]
    return [
        Case((np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]]), np.array([[1.0, 0, 0], [0, 0, 1.0]])), note="probability exactly 0 on a target"),
        Case((np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]]), np.array([[0, 1.0, 0], [1.0, 0, 0]])), note="probabilities exactly 0 off the targets"),
        Case(batch(5, 3, np.float32), note="float32 batch"),
        Case(batch(1, 4), note="a batch of one"),
        Case((np.array([0.1, 0.6, 0.2, 0.1]), Y1), note="one 1-D row"),
        Case(batch(4, 4), note="a square batch (m = k)"),
    ] + [Case(batch(int(rng.integers(2, 9)), int(rng.integers(2, 6))), note="random batch") for _ in range(2)]


def _softmax_cross_entropy(rng) -> list[Case]:
    return [
        Case((EXTREME.copy(), np.eye(4)[[1, 0, 3]]), note="logits of ±1e4"),
        Case((EXTREME.astype(np.float32), np.eye(4, dtype=np.float32)[[2, 3, 0]]), note="logits of ±1e4, float32"),
        Case((_normal(rng, (1, 5), 2), np.eye(5)[[3]]), note="a batch of one"),
        Case((_square(rng, 4), _one_hot(rng, 4, 4)), note="a square batch (m = k)"),
    ] + [
        Case((_normal(rng, (m, k), 3), _one_hot(rng, m, k)), note="random batch")
        for m, k in [(int(rng.integers(2, 9)), int(rng.integers(2, 6))) for _ in range(2)]
    ]


def _l2_penalty(rng) -> list[Case]:
    return [
        Case((_normal(rng, (3, 4)), 0.5), note="one matrix, λ = 0.5"),
        Case(([_normal(rng, (4, 3)), _normal(rng, (3, 2)), _normal(rng, (2, 5))], 0.1), note="three matrices, λ = 0.1"),
        Case(([_normal(rng, (3, 3)), _normal(rng, (3, 1))], 0.0), note="λ = 0"),
        Case(([_normal(rng, (5, 4), 1, np.float32), _normal(rng, (4, 2), 1, np.float32)], 2.0), note="float32 matrices, λ = 2"),
        Case(([_normal(rng, (int(rng.integers(1, 6)), int(rng.integers(1, 6)))) for _ in range(2)], float(rng.uniform(0.01, 1))), note="random matrices"),
    ]


def _softmax_regression(rng) -> list[Case]:
    def case(n, k, m, lam, dtype=np.float64, scale=1.0):
        W = (_square(rng, n) if n == k else _normal(rng, (n, k))) * 0.5
        return (W.astype(dtype), _normal(rng, (m, n), scale, dtype), _one_hot(rng, m, k, dtype), lam)

    return [
        Case(case(4, 4, 6, 0.3), note="square W (n = k), λ = 0.3"),
        Case(case(6, 3, 5, 0.0), note="non-square W, λ = 0"),
        Case(case(5, 3, 7, 0.1, np.float32), note="float32, λ = 0.1"),
        Case(case(3, 4, 1, 0.2), note="a batch of one, λ = 0.2"),
        Case(case(4, 4, 4, 1.0), note="a square batch (m = n = k), λ = 1"),
    ] + [Case(case(int(rng.integers(2, 7)), int(rng.integers(2, 6)), int(rng.integers(1, 9)), float(rng.uniform(0, 1))), note="random problem") for _ in range(2)]


def _elementwise(rng) -> list[Case]:
    return [
        Case((KINK.copy(),), note="extremes (±1e4), exact zeros and small values"),
        Case((KINK.astype(np.float32),), note="extremes and exact zeros, float32"),
        Case((_normal(rng, (4, 4), 3),), note="a square batch"),
        Case((_normal(rng, (1, 3), 2),), note="a batch of one"),
        Case((_normal(rng, 5, 2),), note="a 1-D array"),
    ] + [Case((_normal(rng, (int(rng.integers(1, 6)), int(rng.integers(1, 6))), float(rng.uniform(0.5, 10)), _dtype(rng)),), note="random values") for _ in range(2)]


def _regression_pair(rng) -> list[Case]:
    def pair(shape, dtype=np.float64):
        return _normal(rng, shape, 1, dtype), _normal(rng, shape, 1, dtype)

    A, Y = pair((4, 3))
    Y[0] = A[0]  # sign(0) = 0 matters
    return [
        Case((A, Y), note="a (4, 3) batch, some predictions exactly on target"),
        Case(pair((5, 2), np.float32), note="float32 batch"),
        Case(pair((1, 4)), note="a batch of one"),
        Case(pair((6,)), note="1-D predictions (m,)"),
        Case(pair((3, 3)), note="a square batch (m = k)"),
    ] + [Case(pair((int(rng.integers(1, 7)), int(rng.integers(1, 5)))), note="random batch") for _ in range(2)]


def _bce(rng) -> list[Case]:
    def batch(shape, dtype=np.float64):
        return rng.uniform(0.02, 0.98, shape).astype(dtype), rng.integers(0, 2, shape).astype(dtype)

    return [
        Case((np.array([[0.0, 1.0, 0.3], [0.9, 0.2, 1.0]]), np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])), note="probabilities exactly 0 and 1 on matching targets"),
        Case((np.array([[0.0, 0.5], [0.5, 0.5]]), np.array([[1.0, 0.0], [0.0, 1.0]])), note="probability 0 for a target of 1"),
        Case(batch((4, 3), np.float32), note="float32 batch"),
        Case(batch((1, 3)), note="a batch of one"),
        Case(batch((5,)), note="1-D predictions (m,)"),
        Case(batch((3, 3)), note="a square batch"),
    ] + [Case(batch((int(rng.integers(1, 7)), int(rng.integers(1, 4)))), note="random batch") for _ in range(2)]


def _bce_grad(rng) -> list[Case]:
    def batch(shape, dtype=np.float64, low=0.02):
        return rng.uniform(low, 1 - low, shape).astype(dtype), rng.integers(0, 2, shape).astype(dtype)

    return [
        Case((np.array([[1e-6, 1 - 1e-6], [0.3, 0.7]]), np.array([[1.0, 0.0], [0.0, 1.0]])), note="probabilities near 0 and 1"),
        Case((np.array([[0.2, 0.6, 0.9]]), np.array([[0.0, 0.5, 1.0]])), note="a batch of one with a soft target"),
        Case(batch((4, 3), np.float32), note="float32 batch"),
        Case(batch((5,)), note="1-D predictions (m,)"),
        Case(batch((3, 3)), note="a square batch"),
    ] + [Case(batch((int(rng.integers(1, 7)), int(rng.integers(1, 4)))), note="random batch") for _ in range(2)]


def _bce_logits(rng) -> list[Case]:
    def batch(shape, scale=3.0, dtype=np.float64):
        return _normal(rng, shape, scale, dtype), rng.integers(0, 2, shape).astype(dtype)

    return [
        Case((np.array([[60.0, -60.0, 0.7], [-800.0, 900.0, -1.5]]), np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])), note="saturated logits (±60, ±800) on the wrong side"),
        Case((np.array([[45.0, -1200.0], [1200.0, -45.0]]), np.array([[1.0, 0.0], [1.0, 0.0]])), note="saturated logits on the right side"),
        Case((np.array([[90.0, -3.0], [0.5, -95.0]], dtype=np.float32), np.array([[0.0, 1.0], [1.0, 1.0]], dtype=np.float32)), note="float32 logits of about ±90"),
        Case((np.array([[0.4, -1.1, 2.3]]), np.array([[0.0, 0.5, 1.0]])), note="a batch of one with a soft target"),
        Case(batch((5,)), note="1-D logits (m,)"),
        Case(batch((3, 3)), note="a square batch"),
        Case(batch((4, 2), 2.0, np.float32), note="float32 batch"),
    ] + [Case(batch((int(rng.integers(1, 7)), int(rng.integers(1, 4))), float(rng.uniform(0.5, 40))), note="random batch") for _ in range(2)]


NOTE_NET = (2, 3, 2, 1)


def _column_input(rng, sizes, dtype=np.float64, scale=1.0):
    return _params_column(rng, sizes, scale, dtype), _normal(rng, (sizes[0], 1), 1, dtype)


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


def _dense(rng, m, n, k, dtype=np.float64):
    W = _square(rng, n, dtype) if n == k else _normal(rng, (n, k), 1, dtype)
    return _normal(rng, (m, n), 1, dtype), W, _normal(rng, k, 1, dtype)


DENSE_SHAPES = [((5, 3, 4), "m, n, k all different"), ((4, 4, 4), "a square layer (m = n = k)"), ((1, 3, 2), "a batch of one")]


def _dense_forward(rng) -> list[Case]:
    fixed = [Case(_dense(rng, *s), note=note) for s, note in DENSE_SHAPES]
    fixed.append(Case(_dense(rng, 3, 4, 3, np.float32), note="float32 layer"))
    return fixed + [Case(_dense(rng, *(int(v) for v in rng.integers(1, 6, 3))), note="random layer") for _ in range(2)]


def _dense_backward(rng) -> list[Case]:
    def case(m, n, k, dtype=np.float64):
        A, W, _ = _dense(rng, m, n, k, dtype)
        return _normal(rng, (m, k), 1, dtype), A, W

    fixed = [Case(case(*s), note=note) for s, note in DENSE_SHAPES]
    fixed.append(Case(case(3, 4, 3, np.float32), note="float32 layer"))
    return fixed + [Case(case(*(int(v) for v in rng.integers(1, 6, 3))), note="random layer") for _ in range(2)]


ACTIVATION_NAMES = ("relu", "sigmoid", "tanh")


def _activation_forward(rng) -> list[Case]:
    out = []
    for name in ACTIVATION_NAMES:
        out.append(Case((KINK.copy(), name), note=f"{name} at extremes and exact zeros"))
        out.append(Case((_normal(rng, (3, 3), 2, np.float32), name), note=f"{name}, float32"))
    return out + [Case((_normal(rng, (int(rng.integers(1, 6)), int(rng.integers(1, 6))), 3), str(rng.choice(ACTIVATION_NAMES))), note="random batch") for _ in range(2)]


def _activation_backward(rng) -> list[Case]:
    out = []
    for name in ACTIVATION_NAMES:
        out.append(Case((_normal(rng, KINK.shape, 1), KINK.copy(), name), note=f"{name} at extremes and exact zeros"))
        out.append(Case((_normal(rng, (3, 3), 1, np.float32), _normal(rng, (3, 3), 2, np.float32), name), note=f"{name}, a square float32 batch"))
    return out + [
        Case((_normal(rng, shape, 1), _normal(rng, shape, 3), str(rng.choice(ACTIVATION_NAMES))), note="random batch")
        for shape in [(int(rng.integers(1, 6)), int(rng.integers(1, 6))) for _ in range(2)]
    ]


def _init_params(rng) -> list[Case]:
    return [
        Case(([300, 200, 100],), {"scheme": "he", "seed": 3}, note="He, sizes [300, 200, 100]"),
        Case(([300, 100, 400], "xavier", 1), note="Xavier, sizes [300, 100, 400]"),
        Case(([200, 150], "small", 0), note="'small', sizes [200, 150]"),
        Case(([2, 3],), note="default scheme and seed, one small layer"),
    ] + [
        Case(([int(n) for n in rng.integers(100, 300, 3)], str(rng.choice(["he", "xavier", "small"])), int(rng.integers(0, 1000))), note="random sizes")
        for _ in range(2)
    ]


def _mlp_input(rng, sizes, m, dtype=np.float64):
    return _params_rowmajor(rng, sizes, 1.5, dtype), _normal(rng, (m, sizes[0]), 1, dtype)


def _mlp_forward(rng) -> list[Case]:
    return [
        Case(_mlp_input(rng, (3, 4, 2), 5), note="TestNet 3-4-2, relu"),
        Case(_mlp_input(rng, (4, 4, 4, 4), 4) + ("tanh",), note="square layers, tanh"),
        Case(_mlp_input(rng, (3, 5, 4, 2), 1) + ("sigmoid",), note="a batch of one, sigmoid"),
        Case(_mlp_input(rng, (3, 4, 2), 3, np.float32), note="float32, relu"),
        Case(_mlp_input(rng, (3, 2), 3), note="a single linear layer"),
    ] + [Case(_mlp_input(rng, tuple(int(n) for n in rng.integers(1, 6, 4)), int(rng.integers(1, 6))) + (str(rng.choice(ACTIVATION_NAMES)),), note="random network") for _ in range(2)]


def _mlp_backward(rng) -> list[Case]:
    forward = reference("mlp_forward")

    def case(sizes, m, activation, dtype=np.float64):
        params, X = _mlp_input(rng, sizes, m, dtype)
        scores, cache = forward(params, X, activation)
        return _normal(rng, scores.shape, 0.5, dtype), cache, params, activation

    return [
        Case(case((3, 4, 2), 5, "relu"), note="TestNet 3-4-2, relu"),
        Case(case((4, 4, 4, 4), 4, "tanh"), note="square layers, tanh"),
        Case(case((3, 5, 4, 2), 1, "sigmoid"), note="a batch of one, sigmoid"),
        Case(case((3, 4, 2), 3, "relu", np.float32), note="float32, relu"),
        Case(case((3, 2), 3, "relu"), note="a single linear layer"),
    ] + [Case(case(tuple(int(n) for n in rng.integers(1, 6, 4)), int(rng.integers(1, 6)), str(rng.choice(ACTIVATION_NAMES))), note="random network") for _ in range(2)]


def _mlp_loss(rng) -> list[Case]:
    def case(sizes, m, lam, activation, dtype=np.float64):
        params, X = _mlp_input(rng, sizes, m, dtype)
        return params, X, _one_hot(rng, m, sizes[-1], dtype), lam, activation

    return [
        Case(case((3, 4, 3), 5, 0.1, "relu"), note="3-4-3, relu, λ = 0.1"),
        Case(case((4, 4, 4, 4), 4, 0.5, "tanh"), note="square layers, tanh, λ = 0.5"),
        Case(case((3, 5, 2), 1, 0.0, "sigmoid"), note="a batch of one, sigmoid, λ = 0"),
        Case(case((3, 4, 3), 3, 0.2, "relu", np.float32), note="float32, relu, λ = 0.2"),
    ] + [Case(case(tuple(int(n) for n in rng.integers(2, 6, 3)), int(rng.integers(1, 6)), float(rng.uniform(0, 1)), str(rng.choice(ACTIVATION_NAMES))), note="random network") for _ in range(2)]


def _sgd_step(rng) -> list[Case]:
    def case(sizes, lr, dtype=np.float64):
        params = _params_rowmajor(rng, sizes, 1.0, dtype)
        grads = {k: _normal(rng, v.shape, 1, dtype) for k, v in params.items()}
        return params, grads, lr

    return [
        Case(case((3, 4, 2), 0.1), note="two layers, lr = 0.1"),
        Case(case((3, 4, 2), 0.5, np.float32), note="float32, lr = 0.5"),
        Case(case((2, 2), 0.0), note="lr = 0"),
        Case(case((4, 4, 4, 4), 1.0), note="square layers, lr = 1"),
    ] + [Case(case(tuple(int(n) for n in rng.integers(1, 6, 3)), float(rng.uniform(0.01, 2))), note="random step") for _ in range(2)]


BUILDERS: dict[str, Callable[[np.random.Generator], list[Case]]] = {
    "softmax": _softmax_like,
    "log_softmax": _softmax_like,
    "softmax_jacobian": _softmax_jacobian,
    "cross_entropy": _cross_entropy,
    "softmax_cross_entropy": _softmax_cross_entropy,
    "l2_penalty": _l2_penalty,
    "softmax_regression_loss": _softmax_regression,
    "softmax_regression_loss_loop": _softmax_regression,
    **dict.fromkeys(["sigmoid", "sigmoid_grad", "relu", "relu_grad", "tanh", "tanh_grad", "silu", "silu_grad"], _elementwise),
    **dict.fromkeys(["l1_loss", "l1_loss_grad", "l2_loss", "l2_loss_grad"], _regression_pair),
    "binary_cross_entropy": _bce,
    "binary_cross_entropy_grad": _bce_grad,
    "binary_cross_entropy_with_logits": _bce_logits,
    "forward_single": _forward_single,
    "backward_single": _backward_single,
    "dense_forward": _dense_forward,
    "dense_backward": _dense_backward,
    "activation_forward": _activation_forward,
    "activation_backward": _activation_backward,
    "init_params": _init_params,
    "mlp_forward": _mlp_forward,
    "mlp_backward": _mlp_backward,
    "mlp_loss": _mlp_loss,
    "sgd_step": _sgd_step,
}


def cases(name: str, seed: int) -> list[Case]:
    """The hidden cases of exercise function `name`: fixed ones, then random probes drawn from `seed`."""
    if name not in BUILDERS:
        raise KeyError(f"no hidden cases for {name!r}; exercise functions: {sorted(FUNCTIONS)}")
    return BUILDERS[name](_rng(name, seed))


# --------------------------------------------------------------------------- verdict


def _label(name: str, path: tuple) -> str:
    """'the output', 'dW', "grads['b1']" … for messages."""
    whole = RETURNS.get(name, "the output")
    if not path:
        return whole
    head, *rest = path
    parts = OUTPUTS.get(name, ())
    if isinstance(head, int):
        text = parts[head] if head < len(parts) else f"output {head + 1}"
    else:
        text, rest = whole, list(path)
    for key in rest:
        text += f"['{key}']" if isinstance(key, str) else f"[{key}]"
    return text


def _mutated(name: str, case: Case, args_after) -> str | None:
    names = arg_names(name)
    for i, before in enumerate(case.args):
        if i >= len(args_after):
            break
        if not _same(before, args_after[i]):
            return f"modified its argument {names[i] if i < len(names) else i} in place"
    return None


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        b = np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return True


def _compare(name: str, got, want, path: tuple = ()) -> str | None:
    what = _label(name, path)
    if isinstance(want, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            parts = ", ".join(OUTPUTS.get(name, ())) or f"{len(want)} values"
            return f"should return a tuple ({parts}); returned {_kind(got)}"
        for i, (g, w) in enumerate(zip(got, want)):
            reason = _compare(name, g, w, path + (i,))
            if reason:
                return reason
        return None
    if isinstance(want, Mapping):
        if not isinstance(got, Mapping):
            return f"{what} should be a dict; got {_kind(got)}"
        missing = sorted(set(want) - set(got))
        if missing:
            return f"{what} lacks the key(s) {missing}"
        extra = sorted(set(got) - set(want))
        if extra and (name, path) not in CACHES:
            return f"{what} has unexpected key(s) {extra}"
        for key in sorted(want):
            reason = _compare(name, got[key], want[key], path + (key,))
            if reason:
                return reason
        return None
    return _compare_array(name, got, want, what)


def _kind(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    return type(x).__name__


def _compare_array(name: str, got, want, what: str) -> str | None:
    w = np.asarray(want)
    try:
        g = np.asarray(got)
    except Exception:  # ragged lists
        return f"{what} is {_kind(got)}, not an array"
    if g.dtype == object or not (np.issubdtype(g.dtype, np.number) or g.dtype == bool):
        return f"{what} is {_kind(got)}, not a number or an array"
    if w.ndim == 0:
        if g.ndim != 0:
            return f"{what} should be a single number; got an array of shape {g.shape}"
    elif g.shape != w.shape:
        return f"{what} has shape {g.shape}; expected {w.shape}"
    if w.ndim and g.dtype != w.dtype:
        return f"{what} has dtype {g.dtype}; expected {w.dtype}, the dtype of the input"
    if not np.issubdtype(g.dtype, np.number):
        return f"{what} has dtype {g.dtype}; expected a float"
    g64, w64 = g.astype(np.float64), w.astype(np.float64)
    wf = np.isfinite(w64)
    gf = np.isfinite(g64)
    if (wf & ~gf).any():
        bad = "NaN" if np.isnan(g64[wf]).any() else "infinity"
        return f"{what} contains {bad} where the answer is finite"
    if not np.array_equal(g64[~wf], w64[~wf], equal_nan=True):
        if np.isinf(w64).any():
            return f"{what} should be {'+' if (w64 > 0).any() else '-'}inf here" + (" (it has the wrong sign)" if np.array_equal(g64[~wf], -w64[~wf]) else "")
        return f"{what} should be NaN here"
    if not wf.any():
        return None
    rtol = RTOL.get(w.dtype, RTOL[np.dtype(np.float64)])
    scale = float(np.abs(w64[wf]).max())
    err = np.abs(g64[wf] - w64[wf])
    if (err <= rtol * np.abs(w64[wf]) + rtol * max(scale, 1e-300)).all():
        return None
    return f"{what} has wrong values: max abs error {err.max():.3g}{_pattern(g64, w64, wf)}"


def _pattern(g: np.ndarray, w: np.ndarray, finite: np.ndarray) -> str:
    """A recognisable shape of the error: a constant factor, a sign, a transpose."""
    if not finite.all():
        return ""
    if g.ndim == 2 and g.shape[0] == g.shape[1] and np.allclose(g, w.T, rtol=1e-6, atol=1e-12 * max(1.0, np.abs(w).max())):
        return " (it is the transpose of the right answer)"
    ww = float((w * w).sum())
    if ww == 0:
        return ""
    c = float((g * w).sum()) / ww
    if not (np.allclose(g, c * w, rtol=1e-6, atol=1e-9 * np.sqrt(ww)) and abs(c - 1) > 1e-3):
        return ""
    if abs(c + 1) < 1e-6:
        return " (the sign is flipped)"
    if c == 0:
        return " (every entry is zero)"
    nice = any(abs(v - round(v)) < 1e-6 * max(1.0, abs(v)) for v in (c, 1 / c))
    if g.size > 1 or nice:  # for a single number any ratio is "constant": report only simple ones
        return f" (off by a factor of {c:.4g})"
    return ""


def _compare_init(got, want) -> str | None:
    """Right keys, shapes, dtype and zero biases; weights equal the reference draw or match its scale."""
    if not isinstance(got, Mapping):
        return f"the output should be a dict; got {_kind(got)}"
    if set(got) != set(want):
        return f"the output should have the keys {sorted(want)}; got {sorted(map(str, got))}"
    for key in sorted(want):
        g, w = np.asarray(got[key]), want[key]
        if g.shape != w.shape:
            return f"params['{key}'] has shape {g.shape}; expected {w.shape}"
        if g.dtype != w.dtype:
            return f"params['{key}'] has dtype {g.dtype}; expected {w.dtype}"
        if not np.isfinite(g).all():
            return f"params['{key}'] contains NaN or infinity"
        if key.startswith("b"):
            if np.any(g != 0):
                return f"params['{key}'] should be zeros (biases start at 0)"
            continue
        if np.array_equal(g, w):
            continue
        if g.size > 1 and np.all(g == g.flat[0]):
            return f"params['{key}'] has all entries equal: hidden units stay symmetric"
        if g.size < 1000:
            continue  # too few entries to judge the scale statistically
        n = g.size
        std_g, std_w = float(g.std()), float(w.std())
        if abs(std_g / std_w - 1) > max(8 / np.sqrt(n), 0.03):
            return f"params['{key}'] has standard deviation {std_g:.3g}, which does not fit the scheme for this layer's size"
        if abs(float(g.mean())) > 6 * std_w / np.sqrt(n):
            return f"params['{key}'] has mean {float(g.mean()):.3g}; weights should be centred on 0"
    return None


def evaluate(name: str, case: Case, got, want, args_after: tuple) -> str | None:
    """``None`` when `got` is right for `case`, else a short student-facing reason.

    `want` is the reference output on the same case; `args_after` the candidate's
    positional arguments after the call (to catch in-place modification).
    """
    reason = _mutated(name, case, tuple(args_after))
    if reason:
        return reason
    if name == "init_params":
        return _compare_init(got, want)
    return _compare(name, got, want)
