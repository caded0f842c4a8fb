"""Visible checks: ``check_<function>(fn)`` for every exercise function.

A check calls `fn` on a few fixed probe inputs (shown in `probes`) and

* prints ``"<function>: visible checks passed"`` when every answer agrees with
  the model solution's (within the tolerance of its dtype);
* raises ``AssertionError`` otherwise, naming the mistake when the answers
  match a known wrong version of the function (its hint), or else the first
  property that failed (shape, dtype, rows summing to one, NaN, gradient vs
  numerical, an argument modified in place, …);
* lets ``NotImplementedError`` from an unwritten function through unchanged.

The model solution's answers are not stored here, only their fingerprints
(a few random projections per array) in ``fingerprints.json``, written by the
course's release step together with the fingerprints and hints of the known
wrong versions. Without that file (the instructor's copy) a check tests the
properties only.

Each check tests its function on its own: while it runs, the exercise
functions `fn` calls (e.g. ``log_softmax`` inside ``softmax_cross_entropy``)
answer with the model solution's recorded outputs for the probe inputs, so a
mistake in an earlier function never fails a later check. Nothing is written
to stderr.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib
import inspect
import io
import json
import math
import warnings
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from . import EXERCISES

FINGERPRINTS = Path(__file__).with_name("fingerprints.json")
FORMAT = 1
PASSED = "visible checks passed"
FUNCTIONS = {f: module for nb in EXERCISES.values() for module, names in nb.items() for f in names}
RTOL = {"float64": 1e-6, "float32": 1e-3}
"""Relative tolerance of a fingerprint comparison, by the expected output's dtype."""


# --------------------------------------------------------------------------- probes


@dataclass(frozen=True)
class Probe:
    """One visible call ``fn(*args, **kwargs)``; `note` says what it probes."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    note: str = ""


def grid(rng: np.random.Generator, shape, scale: float = 1.0, dtype=np.float64) -> np.ndarray:
    """Multiples of scale/8 in [-2 scale, 2 scale]: small sums of their products are exact in any order."""
    return (rng.integers(-16, 17, shape) * (scale / 8)).astype(dtype)


def square(rng: np.random.Generator, n: int, scale: float = 1.0, dtype=np.float64) -> np.ndarray:
    """A square `grid` matrix far from symmetric, so that a transpose always shows."""
    return (grid(rng, (n, n), scale) + np.triu(np.full((n, n), scale), 1)).astype(dtype)


def one_hot(rng: np.random.Generator, m: int, k: int, dtype=np.float64) -> np.ndarray:
    Y = np.zeros((m, k), dtype=dtype)
    Y[np.arange(m), rng.integers(0, k, m)] = 1
    return Y


def row_params(rng, sizes, dtype=np.float64) -> dict[str, np.ndarray]:
    """Row-major ``W{l}`` (n_(l-1), n_l) and non-zero ``b{l}`` (n_l,)."""
    out = {}
    for l in range(1, len(sizes)):
        n, k = sizes[l - 1], sizes[l]
        out[f"W{l}"] = square(rng, n, 0.5, dtype) if n == k else grid(rng, (n, k), 0.5, dtype)
        out[f"b{l}"] = (grid(rng, k, 0.25) + 1 / 12).astype(dtype)  # never an exact 0 in Z: no ReLU kink
    return out


def column_params(rng, sizes, dtype=np.float64) -> dict[str, np.ndarray]:
    """Column-convention ``W{l}`` (n_l, n_(l-1)) and ``b{l}`` (n_l, 1)."""
    out = {}
    for l in range(1, len(sizes)):
        n, k = sizes[l - 1], sizes[l]
        out[f"W{l}"] = square(rng, n, 1.0, dtype) if n == k else grid(rng, (k, n), 1.0, dtype)
        out[f"b{l}"] = grid(rng, (k, 1), 0.5, dtype)
    return out


def _logits(rng):
    return [
        Probe((np.array([[2.0, -1e4, 1e4, 0.0], [-1e4 + 4, -1e4, -1e4 + 1, -1e4 + 2]]),), note="logits of ±1e4, one row far below the other"),
        Probe((np.array([[1e4, 1.0, -1e4], [-5e3, -5e3 - 3, -5e3 + 1]], dtype=np.float32),), note="float32 logits of ±1e4"),
        Probe((square(rng, 3, 2.0),), note="a square batch (m = k)"),
        Probe((grid(rng, (1, 4), 2.0),), note="a batch of one"),
        Probe((grid(rng, 5, 2.0),), note="one 1-D row"),
    ]


def _jacobian(rng):
    return [
        Probe((np.array([0.5, 0.0, 0.25, 0.25]),), note="a probability of exactly 0"),
        Probe((np.array([0.125, 0.375, 0.5], dtype=np.float32),), note="float32 probabilities"),
        Probe((np.array([0.75, 0.25]),), note="two classes"),
    ]


def _cross_entropy(rng):
    return [
        Probe((np.array([[0.5, 0.5, 0.0], [0.0, 0.25, 0.75]]), np.array([[0, 0, 1.0], [0, 1.0, 0]])), note="probability exactly 0 on a target"),
        Probe((np.array([[0.0, 1.0, 0.0], [0.25, 0.75, 0.0], [0.5, 0.25, 0.25]]), np.array([[0, 1.0, 0], [1.0, 0, 0], [0, 0, 1.0]])), note="probabilities exactly 0 off the targets"),
        Probe((np.array([[0.25, 0.5, 0.25], [0.125, 0.125, 0.75]], dtype=np.float32), np.array([[0, 1, 0], [0, 0, 1]], dtype=np.float32)), note="float32 batch"),
        Probe((np.array([0.25, 0.5, 0.125, 0.125]), np.array([0, 0, 1.0, 0])), note="one 1-D row"),
    ]


def _softmax_cross_entropy(rng):
    return [
        Probe((np.array([[2.0, -1e4, 1e4, 0.0], [-1e4 + 4, -1e4, -1e4 + 1, -1e4 + 2]]), np.array([[0, 1.0, 0, 0], [0, 0, 0, 1.0]])), note="logits of ±1e4"),
        Probe((np.array([[1e4, 1.0, -1e4], [-5e3, -5e3 - 3, -5e3 + 1]], dtype=np.float32), np.array([[0, 0, 1], [1, 0, 0]], dtype=np.float32)), note="float32 logits of ±1e4"),
        Probe((square(rng, 3, 2.0), one_hot(rng, 3, 3)), note="a square batch (m = k)"),
        Probe((grid(rng, (1, 4), 2.0), one_hot(rng, 1, 4)), note="a batch of one"),
    ]


def _l2_penalty(rng):
    return [
        Probe((grid(rng, (3, 2)), 0.5), note="one matrix, λ = 0.5"),
        Probe(([grid(rng, (2, 3)), grid(rng, (3, 2)), grid(rng, (2, 2))], 0.25), note="three matrices, λ = 0.25"),
        Probe(([grid(rng, (2, 2), 1, np.float32), grid(rng, (2, 1), 1, np.float32)], 2.0), note="float32 matrices, λ = 2"),
    ]


def _softmax_regression(rng):
    def problem(n, k, m, lam, dtype=np.float64):
        W = square(rng, n, 0.5, dtype) if n == k else grid(rng, (n, k), 0.5, dtype)
        return W, grid(rng, (m, n), 1.0, dtype), one_hot(rng, m, k, dtype), lam

    return [
        Probe(problem(3, 3, 4, 0.5), note="square W (n = k), λ = 0.5"),
        Probe(problem(4, 2, 3, 0.0), note="non-square W, λ = 0"),
        Probe(problem(3, 2, 2, 0.25, np.float32), note="float32, λ = 0.25"),
        Probe(problem(2, 3, 1, 0.125), note="a batch of one, λ = 0.125"),
    ]


KINK = np.array([[-1e4, -40.0, -1.0, -0.125, 0.0, 0.25], [0.0, 0.5, 2.0, 40.0, 1e4, -3.0]])


def _elementwise(rng):
    return [
        Probe((KINK.copy(),), note="extremes (±1e4) and exact zeros"),
        Probe((KINK.astype(np.float32),), note="float32 extremes and exact zeros"),
        Probe((square(rng, 3, 2.0),), note="a square batch"),
        Probe((grid(rng, 4, 2.0),), note="a 1-D array"),
    ]


def _regression(rng):
    A, Y = grid(rng, (3, 2)), grid(rng, (3, 2))
    Y[0, 0] = A[0, 0]
    return [
        Probe((A, Y), note="a (3, 2) batch, one prediction exactly on target"),
        Probe((grid(rng, (2, 3), 1, np.float32), grid(rng, (2, 3), 1, np.float32)), note="float32 batch"),
        Probe((grid(rng, 4), grid(rng, 4)), note="1-D predictions (m,)"),
        Probe((grid(rng, (1, 3)), grid(rng, (1, 3))), note="a batch of one"),
    ]


def _bce(rng):
    return [
        Probe((np.array([[0.0, 1.0, 0.25], [0.75, 0.5, 1.0]]), np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])), note="probabilities exactly 0 and 1 on matching targets"),
        Probe((np.array([[0.0, 0.5], [0.5, 0.25]]), np.array([[1.0, 0.0], [0.0, 1.0]])), note="probability 0 for a target of 1"),
        Probe((np.array([[0.25, 0.875], [0.5, 0.125]], dtype=np.float32), np.array([[0, 1], [1, 1]], dtype=np.float32)), note="float32 batch"),
        Probe((np.array([0.125, 0.625, 0.75]), np.array([0.0, 1.0, 0.0])), note="1-D predictions (m,)"),
    ]


def _bce_grad(rng):
    return [
        Probe((np.array([[1e-6, 1 - 1e-6], [0.25, 0.75]]), np.array([[1.0, 0.0], [0.0, 1.0]])), note="probabilities near 0 and 1"),
        Probe((np.array([[0.25, 0.875], [0.5, 0.125]], dtype=np.float32), np.array([[0, 1], [1, 1]], dtype=np.float32)), note="float32 batch"),
        Probe((np.array([0.125, 0.625, 0.75]), np.array([0.0, 1.0, 0.5])), note="1-D predictions with a soft target"),
    ]


def _bce_logits(rng):
    return [
        Probe((np.array([[50.0, -50.0, 0.25], [-1000.0, 1000.0, -2.0]]), np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])), note="logits of ±50 and ±1000 on the wrong side"),
        Probe((np.array([[40.0, -1000.0], [1000.0, -40.0]]), np.array([[1.0, 0.0], [1.0, 0.0]])), note="logits of ±40 and ±1000 on the right side"),
        Probe((np.array([[100.0, -2.0], [0.5, -100.0]], dtype=np.float32), np.array([[0, 1], [1, 1]], dtype=np.float32)), note="float32 logits of ±100"),
        Probe((np.array([0.5, -1.25, 3.0]), np.array([0.0, 0.5, 1.0])), note="1-D logits with a soft target"),
    ]


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


def _init_params(rng):
    return [
        Probe(([400, 300, 100],), {"scheme": "he", "seed": 1}, note="He, sizes [400, 300, 100]"),
        Probe(([300, 100, 300], "xavier", 2), note="Xavier, sizes [300, 100, 300]"),
        Probe(([200, 100], "small", 3), note="'small', sizes [200, 100]"),
    ]


def _mlp(rng, sizes, m, dtype=np.float64):
    return row_params(rng, sizes, dtype), grid(rng, (m, sizes[0]), 1.0, dtype)


MLP_NETS = [((3, 4, 2), 4, "relu", "TestNet 3-4-2, relu"), ((3, 3, 3, 3), 3, "tanh", "square layers, tanh"),
            ((2, 3, 2), 1, "sigmoid", "a batch of one, sigmoid")]


def _mlp_forward(rng):
    return [Probe(_mlp(rng, s, m) + (a,), note=note) for s, m, a, note in MLP_NETS] + [
        Probe(_mlp(rng, (3, 4, 2), 2, np.float32), note="float32, default activation")
    ]


def _mlp_backward(rng, call):
    def case(sizes, m, activation, dtype=np.float64):
        params, X = _mlp(rng, sizes, m, dtype)
        scores, cache = call("mlp_forward", params, X, activation)
        return grid(rng, scores.shape, 0.25, dtype), cache, params, activation

    return [Probe(case(s, m, a), note=note) for s, m, a, note in MLP_NETS] + [
        Probe(case((3, 4, 2), 2, "relu", np.float32), note="float32, relu")
    ]


def _mlp_loss(rng):
    def case(sizes, m, lam, activation, dtype=np.float64):
        params, X = _mlp(rng, sizes, m, dtype)
        return params, X, one_hot(rng, m, sizes[-1], dtype), lam, activation

    return [
        Probe(case((3, 4, 3), 4, 0.25, "relu"), note="3-4-3, relu, λ = 0.25"),
        Probe(case((3, 3, 3, 3), 3, 0.5, "tanh"), note="square layers, tanh, λ = 0.5"),
        Probe(case((2, 3, 2), 1, 0.0, "sigmoid"), note="a batch of one, sigmoid, λ = 0"),
        Probe(case((3, 4, 3), 2, 0.125, "relu", np.float32), note="float32, relu, λ = 0.125"),
    ]


def _sgd_step(rng):
    def case(sizes, lr, dtype=np.float64):
        params = row_params(rng, sizes, dtype)
        return params, {k: grid(rng, v.shape, 1.0, dtype) for k, v in params.items()}, lr

    return [
        Probe(case((3, 4, 2), 0.125), note="two layers, lr = 0.125"),
        Probe(case((3, 2), 0.5, np.float32), note="float32, lr = 0.5"),
        Probe(case((3, 3, 3), 1.0), note="square layers, lr = 1"),
    ]


PROBES: dict[str, Callable] = {
    "softmax": _logits,
    "log_softmax": _logits,
    "softmax_jacobian": _jacobian,
    "cross_entropy": _cross_entropy,
    "softmax_cross_entropy": _softmax_cross_entropy,
    "l2_penalty": _l2_penalty,
    "softmax_regression_loss": _softmax_regression,
    "softmax_regression_loss_loop": _softmax_regression,
    **dict.fromkeys(["sigmoid", "sigmoid_grad", "relu", "relu_grad", "tanh", "tanh_grad", "silu", "silu_grad"], _elementwise),
    **dict.fromkeys(["l1_loss", "l1_loss_grad", "l2_loss", "l2_loss_grad"], _regression),
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
"""Function → builder of its visible probes. Builders taking `call` derive inputs (caches) from other functions."""


def probes(name: str, call: Callable | None = None) -> list[Probe]:
    """The visible probes of `name`.

    `call(function, *args)` supplies inputs derived from other functions (the
    cache of a backward pass); by default the recorded model answers, or this
    package's own functions where there are none.
    """
    builder = PROBES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    if "call" not in inspect.signature(builder).parameters:
        return builder(rng)
    if call is None:
        data = _fingerprints()
        entry = data["functions"].get(name) if data else None
        call = Replay(entry.get("replay", {})).call if entry else _package_call
    return builder(rng, call)


def _package_call(function: str, *args):
    return getattr(importlib.import_module(f"{__package__}.{FUNCTIONS[function]}"), function)(*args)


# --------------------------------------------------------------------------- values as JSON


def encode(value):
    """A JSON-able, exact image of a value (arrays, NumPy scalars, tuples, lists, dicts, str, numbers, None)."""
    if isinstance(value, np.ndarray):
        return {"__array__": value.dtype.str, "shape": list(value.shape), "data": [_num(v) for v in value.ravel().tolist()]}
    if isinstance(value, np.generic):
        return {"__scalar__": value.dtype.str, "value": _num(value.item())}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {"__dict__": {str(k): encode(v) for k, v in value.items()}}
    return value


def _num(v):
    return v if not isinstance(v, float) or math.isfinite(v) else repr(v)


def _unnum(v):
    return float(v) if isinstance(v, str) else v


def decode(obj):
    """Inverse of `encode`."""
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    if isinstance(obj, dict):
        if "__array__" in obj:
            return np.array([_unnum(v) for v in obj["data"]], dtype=np.dtype(obj["__array__"])).reshape(obj["shape"])
        if "__scalar__" in obj:
            return np.dtype(obj["__scalar__"]).type(_unnum(obj["value"]))
        if "__tuple__" in obj:
            return tuple(decode(v) for v in obj["__tuple__"])
        if "__dict__" in obj:
            return {k: decode(v) for k, v in obj["__dict__"].items()}
    return obj


def key(function: str, signature: inspect.Signature | None, args: tuple, kwargs: dict) -> str:
    """Digest of a call's arguments, rounded to about 9 (float64) or 4 (float32) digits."""
    values: list = [function]
    try:
        bound = signature.bind(*args, **kwargs) if signature else None
    except TypeError:
        bound = None
    if bound is not None:
        bound.apply_defaults()
        values += list(bound.arguments.values())
    else:
        values += [list(args), dict(kwargs)]
    h = hashlib.sha1()
    _digest(values, h)
    return h.hexdigest()[:20]


def _digest(value, h) -> None:
    if isinstance(value, (np.ndarray, np.generic, float, int)) and not isinstance(value, bool):
        a = np.asarray(value)
        if a.dtype.kind in "fiu":
            bits = 12 if a.dtype == np.float32 else 30
            x = a.astype(np.float64)
            finite = np.isfinite(x)
            mant, expo = np.frexp(np.where(finite, x, 0.0))
            q = np.round(mant * 2.0**bits)
            edge = np.abs(q) == 2.0**bits
            q, expo = np.where(edge, q / 2, q), np.where(edge, expo + 1, expo)
            h.update(f"a{a.shape}".encode())
            h.update(q.astype(np.int64).tobytes() + expo.astype(np.int64).tobytes() + np.where(finite, 0, np.sign(x) + 2).astype(np.int8).tobytes())
            return
        h.update(f"b{a.dtype.str}{a.shape}".encode() + a.tobytes())
    elif isinstance(value, Mapping):
        h.update(b"{")
        for k in sorted(value, key=str):
            h.update(str(k).encode() + b":")
            _digest(value[k], h)
        h.update(b"}")
    elif isinstance(value, (list, tuple)):
        h.update(b"[")
        for v in value:
            _digest(v, h)
        h.update(b"]")
    else:
        h.update(repr(value).encode())


def probe_digest(name: str, items: list[Probe]) -> str:
    h = hashlib.sha1()
    _digest([[p.args, p.kwargs] for p in items], h)
    return f"{name}:{h.hexdigest()[:16]}"


# --------------------------------------------------------------------------- fingerprints


class Raised:
    """What a call raised instead of returning."""

    def __init__(self, exc: BaseException) -> None:
        self.type_name, self.message, self.exc = type(exc).__name__, str(exc), exc


def summarize(value, stats: bool = False):
    """The fingerprint of one answer: structure, shapes, dtypes, NaN/inf counts and a few projections.

    With `stats`, arrays are summarised by mean and standard deviation instead
    (random initialisation, where only the distribution is specified).
    """
    if isinstance(value, Raised):
        return {"raises": value.type_name}
    if isinstance(value, (tuple, list)):
        return {"seq": [summarize(v, stats) for v in value]}
    if isinstance(value, Mapping):
        return {"dict": {str(k): summarize(v, stats) for k, v in value.items()}}
    try:
        a = np.asarray(value)
    except Exception:
        return {"type": type(value).__name__}
    if a.dtype.kind not in "fiub":
        return {"type": type(value).__name__}
    x = a.astype(np.float64).ravel()
    finite = np.isfinite(x)
    out = {"shape": list(a.shape), "dtype": a.dtype.name, "nan": int(np.isnan(x).sum()),
           "posinf": int((x == np.inf).sum()), "neginf": int((x == -np.inf).sum())}
    x = np.where(finite, x, 0.0)
    if stats:
        out["mean"], out["std"] = _round(x.mean() if x.size else 0.0), _round(x.std() if x.size else 0.0)
        return out
    out["scale"] = _round(np.abs(x).max() if x.size else 0.0)
    out["proj"] = [_round(math.fsum(p * x)) for p in _projections(x.size)]
    return out


def _round(v) -> float:
    """10 significant digits: far below any tolerance, and the same on every machine more often than 17."""
    return float(f"{float(v):.10g}")


@cache
def _projections(n: int) -> np.ndarray:
    P = np.random.default_rng(n).standard_normal((min(n, 4), n))
    return P / np.linalg.norm(P, axis=1, keepdims=True)


def mismatch(got, want, path: str = "") -> str | None:
    """``None`` when fingerprint `got` agrees with `want`, else what differs (for a student)."""
    what = path or "the output"
    if "raises" in want or "raises" in got:
        if got.get("raises") == want.get("raises"):
            return None
        return f"raised {got['raises']}" if "raises" in got else f"should raise {want['raises']}"
    if "seq" in want:
        if "seq" not in got or len(got["seq"]) != len(want["seq"]):
            return f"should return {len(want['seq'])} values"
        for i, (g, w) in enumerate(zip(got["seq"], want["seq"])):
            reason = mismatch(g, w, f"{path}[{i}]" if path else f"output {i + 1}")
            if reason:
                return reason
        return None
    if "dict" in want:
        if "dict" not in got:
            return f"{what} should be a dict"
        missing = sorted(set(want["dict"]) - set(got["dict"]))
        if missing:
            return f"{what} lacks the keys {missing}"
        for k in want["dict"]:
            reason = mismatch(got["dict"][k], want["dict"][k], f"{path or 'the output'}['{k}']")
            if reason:
                return reason
        return None
    if "type" in want or "type" in got:
        return None if got.get("type") == want.get("type") else f"{what} is {got.get('type', 'an array')}, not {want.get('type', 'an array')}"
    if got["shape"] != want["shape"]:
        return f"{what} has shape {tuple(got['shape'])}; expected {tuple(want['shape'])}"
    if want["shape"] and got["dtype"] != want["dtype"]:
        return f"{what} has dtype {got['dtype']}; expected {want['dtype']}"
    for kind, label in (("nan", "NaN"), ("posinf", "inf"), ("neginf", "-inf")):
        if got[kind] != want[kind]:
            return f"{what} has {got[kind]} {label} entries; expected {want[kind]}"
    rtol = RTOL.get(want["dtype"], RTOL["float32"] if got["dtype"] == "float32" else RTOL["float64"])
    if "std" in want:
        if want["std"] == 0:
            return None if got["std"] == 0 and abs(got["mean"] - want["mean"]) <= 1e-12 else f"{what} has the wrong values"
        if abs(got["std"] / want["std"] - 1) > 0.05:
            return f"{what} has standard deviation {got['std']:.3g}; expected about {want['std']:.3g}"
        if abs(got["mean"] - want["mean"]) > 0.1 * want["std"]:
            return f"{what} has mean {got['mean']:.3g}; expected about {want['mean']:.3g}"
        return None
    n = max(1, int(np.prod(want["shape"])))
    err = max((abs(g - w) for g, w in zip(got["proj"], want["proj"])), default=0.0)
    if err <= rtol * (want["scale"] * math.sqrt(n)) + 1e-300:
        return None
    rel = err / (want["scale"] * math.sqrt(n)) if want["scale"] else float("inf")
    return f"{what} has wrong values (relative error {rel:.2g})"


# --------------------------------------------------------------------------- running a function


@contextlib.contextmanager
def quiet():
    """No warnings, no floating-point messages and nothing on stderr while student code runs."""
    with warnings.catch_warnings(record=True), np.errstate(all="ignore"), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("always")
        yield


@contextlib.contextmanager
def substituted(fn: Callable, depends: list[str], replacement: Callable[[str, Callable], Callable]):
    """While active, the exercise functions `depends` that `fn` can reach by name are ``replacement(name, original)``.

    Covers the names in `fn`'s module and module-level dicts of functions (such as a
    table of activations); everything is restored afterwards.
    """
    namespace = getattr(fn, "__globals__", None)
    undo: list[tuple[dict, str, object]] = []
    if namespace is not None:
        for name in depends:
            original = namespace.get(name)
            if callable(original):
                undo.append((namespace, name, original))
        tables = [v for k, v in namespace.items() if isinstance(v, dict) and v is not namespace and k != "__builtins__"]
        for table in tables:
            for k, v in list(table.items()):
                if callable(v) and getattr(v, "__name__", None) in depends:
                    undo.append((table, k, v))
    try:
        for where, k, original in undo:
            where[k] = replacement(getattr(original, "__name__", k) if where is not namespace else k, original)
        yield
    finally:
        for where, k, original in reversed(undo):
            where[k] = original


def run(fn: Callable, probe: Probe):
    """Call `fn` on copies of the probe's arguments: (answer or Raised, arguments after the call)."""
    args, kwargs = copy.deepcopy(probe.args), copy.deepcopy(probe.kwargs)
    try:
        with quiet():
            out = fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as exc:  # a student's error is a result to report
        out = Raised(exc)
    return out, args


def changed_argument(fn: Callable, probe: Probe, after: tuple) -> str | None:
    """Name of the first argument `fn` modified in place, if any."""
    for i, (before, now) in enumerate(zip(probe.args, after)):
        if not _same(before, now):
            try:
                return list(inspect.signature(fn).parameters)[i]
            except (TypeError, ValueError, IndexError):
                return f"number {i + 1}"
    return None


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return True


# --------------------------------------------------------------------------- the recorded model answers


@cache
def _fingerprints() -> dict | None:
    try:
        data = json.loads(FINGERPRINTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("format") == FORMAT else None


class Replay:
    """The model solution's recorded answers for the calls a check's probes make to other functions."""

    def __init__(self, records: dict[str, dict]) -> None:
        self.records = records

    def lookup(self, function: str, original: Callable | None, args: tuple, kwargs: dict):
        sig = _signature(original)
        record = self.records.get(function, {}).get(key(function, sig, args, kwargs))
        return None if record is None else (decode(record),)

    def replacement(self, function: str, original: Callable) -> Callable:
        def replayed(*args, **kwargs):
            found = self.lookup(function, original, args, kwargs)
            if found is not None:
                return found[0]
            return original(*args, **kwargs)  # a call the model solution never makes: the package's own version

        replayed.__name__ = function
        replayed.__wrapped__ = original
        return replayed

    def call(self, function: str, *args):
        found = self.lookup(function, _reference_like(function), args, {})
        return found[0] if found is not None else _package_call(function, *args)


def _signature(fn) -> inspect.Signature | None:
    try:
        return inspect.signature(fn) if fn is not None else None
    except (TypeError, ValueError):
        return None


def _reference_like(function: str):
    """This package's function of that name (only its signature is used)."""
    try:
        return getattr(importlib.import_module(f"{__package__}.{FUNCTIONS[function]}"), function)
    except Exception:
        return None


# --------------------------------------------------------------------------- properties


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _arrays(v)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _arrays(v)


def _input_dtype(probe: Probe):
    for a in _arrays(probe.args):
        if a.dtype.kind == "f":
            return a.dtype
    return np.dtype(np.float64)


def _num_grad(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = float(f(x))
        x[i] = old - h
        down = float(f(x))
        x[i] = old
        g[i] = (up - down) / (2 * h)
    return g


def _close(a, b, tol=1e-5) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if b.ndim == 0:
        b = np.full(a.shape, b)
    return a.shape == b.shape and bool(np.isclose(a, b, rtol=tol, atol=tol).all())


def _is_scalar(x) -> bool:
    return np.ndim(x) == 0 and np.asarray(x).dtype.kind in "fiu"


def _shape_of(expected):
    def prop(fn, p, out):
        want = expected(*p.args)
        if want == () and not _is_scalar(out):
            return f"should return a single number; returned {_kind(out)}"
        if want != () and np.shape(out) != want:
            return f"returned shape {np.shape(out)}; expected {want}"
        return None

    return prop


def _kind(x) -> str:
    return f"an array of shape {x.shape}" if isinstance(x, np.ndarray) else type(x).__name__


def _parts(n: int, names: str):
    def prop(fn, p, out):
        if not isinstance(out, (tuple, list)) or len(out) != n:
            return f"should return a tuple ({names}); returned {_kind(out)}"
        return None

    return prop


def _finite(fn, p, out):
    if any(not np.isfinite(a).all() for a in _arrays(out if isinstance(out, (tuple, list, Mapping)) else [np.asarray(out)])):
        return "returned NaN or infinity where every value should be finite"
    return None


def _rows_sum_to_one(fn, p, out):
    S = np.asarray(out, dtype=np.float64)
    return None if _close(S.sum(axis=-1), 1, 1e-3) and (S >= 0).all() else "rows do not sum to 1 (or hold negative entries)"


def _exp_rows_sum_to_one(fn, p, out):
    return None if _close(np.exp(np.asarray(out, dtype=np.float64)).sum(axis=-1), 1, 1e-3) else "exp of each row does not sum to 1"


def _shift_invariant(fn, p, out):
    Z = p.args[0]
    with quiet():
        again = fn(Z + np.asarray(3, Z.dtype), *p.args[1:])
    return None if _close(again, out, 1e-3) else "adding the same number to every logit of a row changed the result"


def _jacobian_props(fn, p, out):
    J = np.asarray(out, dtype=np.float64)
    if not _close(J, J.T, 1e-5):
        return "the Jacobian of the softmax is symmetric; this one is not"
    return None if _close(J.sum(axis=1), 0, 1e-5) else "each row of the Jacobian should sum to 0 (the probabilities always sum to 1)"


def _nonnegative(fn, p, out):
    loss = out[0] if isinstance(out, tuple) else out
    return None if not float(loss) < 0 else f"a loss is never negative; got {float(loss):.4g}"


def _infinite_when_target_zero(fn, p, out):
    S, Y = (np.asarray(a, dtype=np.float64) for a in p.args[:2])
    zero_target = bool(((S == 0) & (Y == 1)).any())
    if zero_target and float(out) != np.inf:
        return f"a target probability of exactly 0 costs infinity; got {float(out):.4g}"
    if not zero_target and not np.isfinite(float(out)):
        return "returned NaN or infinity although every target has a positive probability"
    return None


def _mean_over_batch(fn, p, out):
    """Repeating every sample twice leaves a mean unchanged."""
    args = [np.concatenate([a, a]) for a in p.args[:2]]
    with quiet():
        again = fn(*args)
    return None if _close(again, out, 1e-4) else "a mean over the batch does not change when every sample appears twice; yours does (check the 1/m)"


def _grad_mean_over_batch(fn, p, out):
    """Repeating every sample twice halves each sample's share of the gradient."""
    args = [np.concatenate([a, a]) for a in p.args[:2]]
    with quiet():
        again = fn(*args)
    half = np.concatenate([np.asarray(out), np.asarray(out)]) / 2
    return None if _close(again, half, 1e-4) else "with every sample twice, each sample's gradient should halve (the 1/m of the mean)"


def _zero_at_target(fn, p, out):
    Y = p.args[1]
    with quiet():
        at = fn(Y.copy(), Y)
    return None if _close(at, np.zeros_like(np.asarray(at, dtype=np.float64)), 1e-12) else "should be 0 when the predictions equal the targets"


def _loss_grad_check(index: int, wrt: str):
    """The gradient output agrees with the numerical gradient of the loss output (float64 probes)."""

    def prop(fn, p, out):
        if _input_dtype(p) != np.float64:
            return None
        args = list(copy.deepcopy(p.args))
        x = args[index]

        def loss(xv):
            with quiet():
                return fn(*args[:index], xv, *args[index + 1 :], **p.kwargs)[0]

        numeric = _num_grad(loss, x)
        analytic = out[1]
        if np.shape(analytic) != numeric.shape:
            return f"d{wrt} has shape {np.shape(analytic)}; expected {numeric.shape}"
        if not _close(analytic, numeric, 1e-4):
            return f"d{wrt} disagrees with the numerical gradient of the loss (gradient check failed)"
        return None

    return prop


def _dict_grad_check(fn, p, out):
    params, rest = copy.deepcopy(p.args[0]), p.args[1:]
    if _input_dtype(p) != np.float64:
        return None
    for k in sorted(params):
        def loss(v, k=k):
            with quiet():
                return fn({**params, k: v}, *rest, **p.kwargs)[0]

        if not _close(out[1][k], _num_grad(loss, params[k].copy()), 1e-4):
            return f"grads['{k}'] disagrees with the numerical gradient of the loss (gradient check failed)"
    return None


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
        return None if _close(mirrored, want, 1e-4) else text

    return prop


def _relu_like(derivative: bool):
    def prop(fn, p, out):
        Z = np.asarray(p.args[0], dtype=np.float64)
        want = (Z > 0).astype(float) if derivative else np.maximum(Z, 0)
        if _close(out, want, 1e-6):
            return None
        if derivative and _close(out, (Z >= 0).astype(float)):
            return "ReLU′(0) should be 0 in this course"
        return "should be 1 where z > 0 and 0 elsewhere" if derivative else "should be z where z > 0 and 0 elsewhere"

    return prop


def _bce_grad_sign(fn, p, out):
    A, Y = (np.asarray(a, dtype=np.float64) for a in p.args[:2])
    g = np.asarray(out, dtype=np.float64)
    ok = (g[Y == 1] < 0).all() and (g[Y == 0] > 0).all()
    return None if ok else "raising a prediction should lower the loss where the target is 1 (negative gradient) and raise it where it is 0"


def _keys(*names_of):
    def prop(fn, p, out):
        want = set(names_of[0](*p.args, **p.kwargs))
        if not isinstance(out, Mapping):
            return f"should return a dict; returned {_kind(out)}"
        missing = sorted(want - set(out))
        return f"the dict lacks the keys {missing}" if missing else None

    return prop


def _column_cache(params, x):
    L = len(params) // 2
    return ["a0"] + [f"{p}{l}" for l in range(1, L + 1) for p in "za"]


def _grad_keys(params, *rest):
    return list(params)


def _shapes_like_params(fn, p, out):
    params = p.args[0] if not isinstance(p.args[0], np.ndarray) else p.args[2]
    grads = out[1] if isinstance(out, tuple) else out
    for k, v in params.items():
        if np.shape(grads.get(k)) != np.shape(v):
            return f"['{k}'] has shape {np.shape(grads.get(k))}; expected the shape of the parameter, {np.shape(v)}"
    return None


def _column_shapes(fn, p, out):
    for k, v in out.items():
        if k != "a0" and (np.ndim(v) != 2 or np.shape(v)[1] != 1):
            return f"cache['{k}'] should be a column (n, 1); got shape {np.shape(v)}"
    if not all(((np.asarray(out[k]) > 0) & (np.asarray(out[k]) < 1)).all() for k in out if k.startswith("a") and k != "a0"):
        return "every activation a = σ(z) should lie between 0 and 1"
    return None


def _bias_shift(fn, p, out):
    A, W, b = p.args
    with quiet():
        again = fn(A, W, b + 1)
    return None if _close(np.asarray(again) - np.asarray(out), np.ones_like(np.asarray(out, dtype=np.float64)), 1e-5) else "adding 1 to every bias should add 1 to every output"


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
    if not (_close(twice[1], 2 * np.asarray(out[1]), 1e-5) and _close(twice[2], 2 * np.asarray(out[2]), 1e-5)):
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
    if not _close(zero, np.zeros(np.shape(dA)), 1e-12):
        return "a zero upstream gradient dA should give dZ = 0"
    if name == "relu" and not _close(np.asarray(out)[Z <= 0], 0, 1e-12):
        return "dZ should be 0 where z ≤ 0 for ReLU"
    return None


STD = {"he": lambda n, k: math.sqrt(2 / n), "xavier": lambda n, k: math.sqrt(2 / (n + k)), "small": lambda n, k: 0.01}


def _init_props(fn, p, out):
    sizes = p.args[0]
    scheme = p.kwargs.get("scheme", p.args[1] if len(p.args) > 1 else "he")
    for l in range(1, len(sizes)):
        W, b = out.get(f"W{l}"), out.get(f"b{l}")
        if np.shape(W) != (sizes[l - 1], sizes[l]) or np.shape(b) != (sizes[l],):
            return f"layer {l}: W{l} should be {(sizes[l - 1], sizes[l])} and b{l} {(sizes[l],)}; got {np.shape(W)} and {np.shape(b)}"
        if np.any(b != 0):
            return f"b{l} should start at zero"
        want = STD[scheme](sizes[l - 1], sizes[l])
        if W.size >= 1000 and abs(W.std() / want - 1) > 0.1:
            return f"W{l} has standard deviation {W.std():.3g}; the '{scheme}' scheme gives {want:.3g} for this layer"
    return None


def _mlp_cache(params, X, activation="relu"):
    L = len(params) // 2
    return ["A0"] + [f"Z{l}" for l in range(1, L + 1)] + [f"A{l}" for l in range(1, L)]


def _mlp_forward_props(fn, p, out):
    params, X = p.args[:2]
    L = len(params) // 2
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return f"should return a tuple (scores, cache); returned {_kind(out)}"
    if np.shape(out[0]) != (X.shape[0], params[f"W{L}"].shape[1]):
        return f"scores has shape {np.shape(out[0])}; expected {(X.shape[0], params[f'W{L}'].shape[1])}"
    return _keys(_mlp_cache)(fn, p, out[1])


def _sgd_props(fn, p, out):
    params, grads, lr = p.args
    for k, v in params.items():
        new = np.asarray(out.get(k))
        if new.shape != v.shape:
            return f"the new params['{k}'] has shape {new.shape}; expected {v.shape}"
        step = (new - v).astype(np.float64)
        if lr > 0 and np.any(grads[k]) and not float((step * grads[k]).sum()) < 0:
            return f"params['{k}'] did not move against its gradient"
    return None


PROPERTIES: dict[str, list[Callable]] = {
    "softmax": [_shape_of(lambda Z: Z.shape), _finite, _rows_sum_to_one, _shift_invariant],
    "log_softmax": [_shape_of(lambda Z: Z.shape), _finite, _exp_rows_sum_to_one, _shift_invariant],
    "softmax_jacobian": [_shape_of(lambda s: (s.size, s.size)), _jacobian_props],
    "cross_entropy": [_shape_of(lambda S, Y: ()), _nonnegative, _infinite_when_target_zero],
    "softmax_cross_entropy": [_parts(2, "loss, dZ"), _finite, _nonnegative, _loss_grad_check(0, "Z")],
    "l2_penalty": [_shape_of(lambda W, lam: ()), _nonnegative],
    "softmax_regression_loss": [_parts(2, "loss, dW"), _finite, _loss_grad_check(0, "W")],
    "softmax_regression_loss_loop": [_parts(2, "loss, dW"), _finite, _loss_grad_check(0, "W")],
    "sigmoid": [_shape_of(lambda Z: Z.shape), _finite, _in_range(0, 1), _symmetric(0)],
    "sigmoid_grad": [_shape_of(lambda Z: Z.shape), _finite, _in_range(0, 0.25), _symmetric(1)],
    "relu": [_shape_of(lambda Z: Z.shape), _relu_like(False)],
    "relu_grad": [_shape_of(lambda Z: Z.shape), _relu_like(True)],
    "tanh": [_shape_of(lambda Z: Z.shape), _finite, _in_range(-1, 1), _symmetric(-1)],
    "tanh_grad": [_shape_of(lambda Z: Z.shape), _finite, _in_range(0, 1), _symmetric(1)],
    "silu": [_shape_of(lambda Z: Z.shape), _finite],
    "silu_grad": [_shape_of(lambda Z: Z.shape), _finite],
    "l1_loss": [_shape_of(lambda A, Y: ()), _nonnegative, _zero_at_target, _mean_over_batch],
    "l1_loss_grad": [_shape_of(lambda A, Y: A.shape), _zero_at_target, _grad_mean_over_batch],
    "l2_loss": [_shape_of(lambda A, Y: ()), _nonnegative, _zero_at_target, _mean_over_batch],
    "l2_loss_grad": [_shape_of(lambda A, Y: A.shape), _zero_at_target, _grad_mean_over_batch],
    "binary_cross_entropy": [_shape_of(lambda A, Y: ()), _nonnegative, _mean_over_batch],
    "binary_cross_entropy_grad": [_shape_of(lambda A, Y: A.shape), _finite, _bce_grad_sign, _grad_mean_over_batch],
    "binary_cross_entropy_with_logits": [_parts(2, "loss, dZ"), _finite, _nonnegative, _loss_grad_check(0, "Z")],
    "forward_single": [_keys(_column_cache), _column_shapes],
    "backward_single": [_keys(_grad_keys), _shapes_like_params, _finite],
    "dense_forward": [_shape_of(lambda A, W, b: (A.shape[0], W.shape[1])), _bias_shift],
    "dense_backward": [_parts(3, "dA, dW, db"), _dense_backward_props],
    "activation_forward": [_shape_of(lambda Z, name: Z.shape), _finite, _activation_range],
    "activation_backward": [_activation_backward_props],
    "init_params": [_keys(lambda sizes, *a, **k: [f"{p}{l}" for l in range(1, len(sizes)) for p in "Wb"]), _init_props],
    "mlp_forward": [_mlp_forward_props],
    "mlp_backward": [_keys(lambda dscores, cache, params, *a: list(params)), _shapes_like_params],
    "mlp_loss": [_parts(2, "loss, grads"), _shapes_like_params, _dict_grad_check],
    "sgd_step": [_keys(lambda params, grads, lr: list(params)), _sgd_props],
}
"""Function → properties every right answer has: ``prop(fn, probe, answer)`` → ``None`` or what is wrong."""


def _dtype_property(fn, p, out) -> str | None:
    want = _input_dtype(p)
    for a in _arrays(out if isinstance(out, (tuple, list, Mapping)) else [out]):
        if a.ndim and a.dtype != want:
            return f"returned an array of dtype {a.dtype} for {want} input (keep the input's dtype)"
    return None


def _first_failed_property(name: str, fn: Callable, items: list[Probe], answers: list) -> str | None:
    for p, out in zip(items, answers):
        for prop in [*PROPERTIES[name], _dtype_property]:
            try:
                with quiet():
                    reason = prop(fn, p, out)
            except Exception:  # a property that cannot even be evaluated says nothing more
                continue
            if reason:
                return f"{reason} (probe: {p.note})"
    return None


# --------------------------------------------------------------------------- the checks


def check(name: str, fn: Callable) -> None:
    """Run the visible checks of exercise function `name` on `fn` (see the module docstring)."""
    if not callable(fn):
        raise AssertionError(f"{name}: expected a function, got {type(fn).__name__}")
    data = _fingerprints()
    entry = data["functions"].get(name) if data else None
    replay = Replay(entry.get("replay", {})) if entry else None
    items = probes(name, replay.call if replay else None)
    if entry and entry.get("probes") != probe_digest(name, items):
        entry = replay = None  # fingerprints from another version of the probes: properties only
    answers, changed = [], []
    with substituted(fn, entry["depends"] if entry else [], replay.replacement) if replay else contextlib.nullcontext():
        for p in items:
            out, after = run(fn, p)
            answers.append(out)
            changed.append(changed_argument(fn, p, after) if not isinstance(out, Raised) else None)
    stats = name in STATS
    got = [dict(summarize(o, stats), changed=c) for o, c in zip(answers, changed)]
    if entry is not None:
        if all(_agrees(g, w) for g, w in zip(got, entry["reference"])):
            print(f"{name}: {PASSED}")
            return
        for wrong in entry["mutants"]:
            if all(_agrees(g, w) for g, w in zip(got, wrong["outputs"])):
                raise AssertionError(f"{name}: {wrong['hint']}")
    _fail_or_pass(name, fn, items, answers, changed, entry)


STATS = {"init_params"}
"""Functions whose answers are random draws: compared by mean and standard deviation."""


def _agrees(got: dict, want: dict) -> bool:
    return got.get("changed") == want.get("changed") and mismatch(got, want) is None


def _fail_or_pass(name, fn, items, answers, changed, entry) -> None:
    for p, out, c in zip(items, answers, changed):
        if isinstance(out, Raised):
            raise AssertionError(f"{name} raised {out.type_name}: {out.message} (probe: {p.note})") from out.exc
        if c:
            raise AssertionError(f"{name} modified its argument {c} in place; return a new array instead (probe: {p.note})")
    reason = _first_failed_property(name, fn, items, answers)
    if reason:
        raise AssertionError(f"{name}: {reason}")
    if entry is not None:
        for p, out, want in zip(items, answers, entry["reference"]):
            diff = mismatch(summarize(out, name in STATS), want)
            if diff:
                raise AssertionError(f"{name}: {diff} (probe: {p.note})")
    print(f"{name}: {PASSED}")


def _make(name: str) -> Callable[[Callable], None]:
    def check_function(fn: Callable) -> None:
        check(name, fn)

    check_function.__name__ = check_function.__qualname__ = f"check_{name}"
    check_function.__doc__ = f"Visible checks of ``{name}``: prints '{name}: {PASSED}' or raises AssertionError with a hint."
    return check_function


for _name in FUNCTIONS:
    globals()[f"check_{_name}"] = _make(_name)

__all__ = [f"check_{_name}" for _name in FUNCTIONS] + ["check", "probes"]
