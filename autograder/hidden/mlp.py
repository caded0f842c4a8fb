"""Hidden cases of ``backproplab/mlp.py``."""

from __future__ import annotations

import functools

import numpy as np

from .base import Case, reference
from .inputs import mlp_loss_args, normal, params_rowmajor
from .layers import ACTIVATION_NAMES


def _init_params(rng) -> list[Case]:
    return [
        Case(([300, 200, 100],), {"scheme": "he", "seed": 3}, note="He, sizes [300, 200, 100]"),
        Case(([300, 100, 400], "xavier", 1), note="Xavier, sizes [300, 100, 400]"),
        Case(([200, 150], "small", 0), note="'small', sizes [200, 150]"),
        Case(([2, 3],), note="default scheme and seed, one small layer"),
        Case(([120, 80, 40], "he", 5), note="seed 5", group="seed"),
        Case(([120, 80, 40], "he", 5), note="seed 5 again", group="seed"),
        Case(([120, 80, 40], "he", 6), note="seed 6", group="seed"),
    ] + [
        Case(([int(n) for n in rng.integers(100, 300, 3)], str(rng.choice(["he", "xavier", "small"])), int(rng.integers(0, 1000))), note="random sizes")
        for _ in range(2)
    ]


def _mlp_input(rng, sizes, m, dtype=np.float64):
    return params_rowmajor(rng, sizes, 1.5, dtype), normal(rng, (m, sizes[0]), 1, dtype)


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
        return normal(rng, scores.shape, 0.5, dtype), cache, params, activation

    def kink(sizes, m):
        params, X = _mlp_input(rng, sizes, m)
        params["b1"][:], X[:2] = 0, 0  # two samples with Z1 exactly 0: ReLU's derivative there is 0
        scores, cache = forward(params, X, "relu")
        return normal(rng, scores.shape, 0.5), cache, params, "relu"

    return [
        Case(kink((3, 5, 2), 4), note="relu, Z exactly 0 for two samples"),
        Case(case((3, 4, 2), 5, "relu"), note="TestNet 3-4-2, relu"),
        Case(case((4, 4, 4, 4), 4, "tanh"), note="square layers, tanh"),
        Case(case((3, 5, 4, 2), 1, "sigmoid"), note="a batch of one, sigmoid"),
        Case(case((3, 4, 2), 3, "relu", np.float32), note="float32, relu"),
        Case(case((3, 2), 3, "relu"), note="a single linear layer"),
    ] + [Case(case(tuple(int(n) for n in rng.integers(1, 6, 4)), int(rng.integers(1, 6)), str(rng.choice(ACTIVATION_NAMES))), note="random network") for _ in range(2)]


def _mlp_loss(rng) -> list[Case]:
    case = functools.partial(mlp_loss_args, rng, functools.partial(_mlp_input, rng))

    def kink():
        params, X, Y, lam, activation = case((3, 4, 3), 4, 0.1, "relu")
        params["b1"][:], X[:2] = 0, 0  # Z1 exactly 0 for two samples
        return params, X, Y, lam, activation

    def large():
        params, X, Y, lam, activation = case((4, 5, 3), 5, 0.1, "relu")
        return params, X * 1000, Y, lam, activation  # scores of about ±1e3: the loss must not overflow

    return [
        Case(kink(), note="relu, Z exactly 0 for two samples"),
        Case(large(), note="large scores (inputs ×1000)"),
        Case(case((3, 4, 3), 5, 0.1, "relu"), note="3-4-3, relu, λ = 0.1"),
        Case(case((4, 4, 4, 4), 4, 0.5, "tanh"), note="square layers, tanh, λ = 0.5"),
        Case(case((3, 5, 2), 1, 0.0, "sigmoid"), note="a batch of one, sigmoid, λ = 0"),
        Case(case((3, 4, 3), 3, 0.2, "relu", np.float32), note="float32, relu, λ = 0.2"),
    ] + [Case(case(tuple(int(n) for n in rng.integers(2, 6, 3)), int(rng.integers(1, 6)), float(rng.uniform(0, 1)), str(rng.choice(ACTIVATION_NAMES))), note="random network") for _ in range(2)]


def _sgd_step(rng) -> list[Case]:
    def case(sizes, lr, dtype=np.float64):
        params = params_rowmajor(rng, sizes, 1.0, dtype)
        grads = {k: normal(rng, v.shape, 1, dtype) for k, v in params.items()}
        return params, grads, lr

    return [
        Case(case((3, 4, 2), 0.1), note="two layers, lr = 0.1"),
        Case(case((3, 4, 2), 0.5, np.float32), note="float32, lr = 0.5"),
        Case(case((2, 2), 0.0), note="lr = 0"),
        Case(case((4, 4, 4, 4), 1.0), note="square layers, lr = 1"),
    ] + [Case(case(tuple(int(n) for n in rng.integers(1, 6, 3)), float(rng.uniform(0.01, 2))), note="random step") for _ in range(2)]


CASES = {"init_params": _init_params, "mlp_forward": _mlp_forward, "mlp_backward": _mlp_backward, "mlp_loss": _mlp_loss, "sgd_step": _sgd_step}
