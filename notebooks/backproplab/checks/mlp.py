"""Visible probes and properties of ``mlp.py`` (notebook 06)."""

from __future__ import annotations

import copy
import functools
import math

import numpy as np

from .inputs import Probe, grid, mlp_loss_args, row_params
from .properties import (
    close,
    has_keys,
    input_dtype,
    kind,
    num_grad,
    shapes_like_params,
    tuple_of,
)
from .running import quiet


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

    def kink(sizes, m):
        params, X = _mlp(rng, sizes, m)
        params["b1"][:], X[0] = 0, 0  # the first sample's Z1 is exactly 0: ReLU's derivative there is 0
        scores, cache = call("mlp_forward", params, X, "relu")
        return grid(rng, scores.shape, 0.25), cache, params, "relu"

    return [Probe(case(s, m, a), note=note) for s, m, a, note in MLP_NETS] + [
        Probe(case((3, 4, 2), 2, "relu", np.float32), note="float32, relu"),
        Probe(kink((3, 4, 2), 3), note="relu, Z exactly 0 for one sample"),
    ]


LOSS_NETS = [((3, 4, 3), 4, 0.25, "relu", np.float64, "3-4-3, relu, λ = 0.25"),
             ((3, 3, 3, 3), 3, 0.5, "tanh", np.float64, "square layers, tanh, λ = 0.5"),
             ((2, 3, 2), 1, 0.0, "sigmoid", np.float64, "a batch of one, sigmoid, λ = 0"),
             ((3, 4, 3), 2, 0.125, "relu", np.float32, "float32, relu, λ = 0.125")]


def _mlp_loss(rng):
    case = functools.partial(mlp_loss_args, rng, functools.partial(_mlp, rng))
    return [Probe(case(*net), note=note) for *net, note in LOSS_NETS]


def _sgd_step(rng):
    def case(sizes, lr, dtype=np.float64):
        params = row_params(rng, sizes, dtype)
        return params, {k: grid(rng, v.shape, 1.0, dtype) for k, v in params.items()}, lr

    return [
        Probe(case((3, 4, 2), 0.125), note="two layers, lr = 0.125"),
        Probe(case((3, 2), 0.5, np.float32), note="float32, lr = 0.5"),
        Probe(case((3, 3, 3), 1.0), note="square layers, lr = 1"),
    ]


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
        return f"should return a tuple (scores, cache); returned {kind(out)}"
    if np.shape(out[0]) != (X.shape[0], params[f"W{L}"].shape[1]):
        return f"scores has shape {np.shape(out[0])}; expected {(X.shape[0], params[f'W{L}'].shape[1])}"
    return has_keys(_mlp_cache)(fn, p, out[1])


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


def _dict_grad_check(fn, p, out):
    params, rest = copy.deepcopy(p.args[0]), p.args[1:]
    if input_dtype(p) != np.float64:
        return None
    for k in sorted(params):
        def loss(v, k=k):
            with quiet():
                return fn({**params, k: v}, *rest, **p.kwargs)[0]

        if not close(out[1][k], num_grad(loss, params[k].copy()), 1e-4):
            return f"grads['{k}'] disagrees with the numerical gradient of the loss (gradient check failed)"
    return None


PROBES = {
    "init_params": _init_params,
    "mlp_forward": _mlp_forward,
    "mlp_backward": _mlp_backward,
    "mlp_loss": _mlp_loss,
    "sgd_step": _sgd_step,
}

PROPERTIES = {
    "init_params": [has_keys(lambda sizes, *a, **k: [f"{p}{l}" for l in range(1, len(sizes)) for p in "Wb"]), _init_props],
    "mlp_forward": [_mlp_forward_props],
    "mlp_backward": [has_keys(lambda dscores, cache, params, *a: list(params)), shapes_like_params],
    "mlp_loss": [tuple_of(2, "loss, grads"), shapes_like_params, _dict_grad_check],
    "sgd_step": [has_keys(lambda params, grads, lr: list(params)), _sgd_props],
}
