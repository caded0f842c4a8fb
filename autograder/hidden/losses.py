"""Hidden cases of ``backproplab/losses.py``."""

from __future__ import annotations

import numpy as np

from .base import Case
from .inputs import normal, one_hot, probs, random_batches, square
from .softmax import EXTREME


def _cross_entropy(rng) -> list[Case]:
    def batch(m, k, dtype=np.float64):
        return probs(rng, m, k, dtype), one_hot(rng, m, k, dtype)

    Y1 = np.eye(4)[1]
    return [
        Case((np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]]), np.array([[1.0, 0, 0], [0, 0, 1.0]])), note="probability exactly 0 on a target"),
        Case((np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]]), np.array([[0, 1.0, 0], [1.0, 0, 0]])), note="probabilities exactly 0 off the targets"),
        Case(batch(5, 3, np.float32), note="float32 batch"),
        Case(batch(1, 4), note="a batch of one"),
        Case((np.array([0.1, 0.6, 0.2, 0.1]), Y1), note="one 1-D row"),
        Case(batch(4, 4), note="a square batch (m = k)"),
    ] + random_batches(rng, lambda shape: batch(*shape), m=(2, 9), k=(2, 6))


def _softmax_cross_entropy(rng) -> list[Case]:
    return [
        Case((EXTREME.copy(), np.eye(4)[[1, 0, 3]]), note="logits of ±1e4"),
        Case((EXTREME.astype(np.float32), np.eye(4, dtype=np.float32)[[2, 3, 0]]), note="logits of ±1e4, float32"),
        Case((normal(rng, (1, 5), 2), np.eye(5)[[3]]), note="a batch of one"),
        Case((square(rng, 4), one_hot(rng, 4, 4)), note="a square batch (m = k)"),
    ] + [
        Case((normal(rng, (m, k), 3), one_hot(rng, m, k)), note="random batch")
        for m, k in [(int(rng.integers(2, 9)), int(rng.integers(2, 6))) for _ in range(2)]
    ]


def _l2_penalty(rng) -> list[Case]:
    return [
        Case((normal(rng, (3, 4)), 0.5), note="one matrix, λ = 0.5"),
        Case(([normal(rng, (4, 3)), normal(rng, (3, 2)), normal(rng, (2, 5))], 0.1), note="three matrices, λ = 0.1"),
        Case(([normal(rng, (3, 3)), normal(rng, (3, 1))], 0.0), note="λ = 0"),
        Case(([normal(rng, (5, 4), 1, np.float32), normal(rng, (4, 2), 1, np.float32)], 2.0), note="float32 matrices, λ = 2"),
        Case(([normal(rng, (int(rng.integers(1, 6)), int(rng.integers(1, 6)))) for _ in range(2)], float(rng.uniform(0.01, 1))), note="random matrices"),
    ]


def _regression_pair(rng) -> list[Case]:
    def pair(shape, dtype=np.float64):
        return normal(rng, shape, 1, dtype), normal(rng, shape, 1, dtype)

    A, Y = pair((4, 3))
    Y[0] = A[0]  # sign(0) = 0 matters
    return [
        Case((A, Y), note="a (4, 3) batch, some predictions exactly on target"),
        Case(pair((5, 2), np.float32), note="float32 batch"),
        Case(pair((1, 4)), note="a batch of one"),
        Case(pair((6,)), note="1-D predictions (m,)"),
        Case(pair((3, 3)), note="a square batch (m = k)"),
    ] + random_batches(rng, pair, k=(1, 5))


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
    ] + random_batches(rng, batch)


def _bce_grad(rng) -> list[Case]:
    def batch(shape, dtype=np.float64, low=0.02):
        return rng.uniform(low, 1 - low, shape).astype(dtype), rng.integers(0, 2, shape).astype(dtype)

    return [
        Case((np.array([[1e-6, 1 - 1e-6], [0.3, 0.7]]), np.array([[1.0, 0.0], [0.0, 1.0]])), note="probabilities near 0 and 1"),
        Case((np.array([[0.2, 0.6, 0.9]]), np.array([[0.0, 0.5, 1.0]])), note="a batch of one with a soft target"),
        Case(batch((4, 3), np.float32), note="float32 batch"),
        Case(batch((5,)), note="1-D predictions (m,)"),
        Case(batch((3, 3)), note="a square batch"),
    ] + random_batches(rng, batch)


def _bce_logits(rng) -> list[Case]:
    def batch(shape, scale=3.0, dtype=np.float64):
        return normal(rng, shape, scale, dtype), rng.integers(0, 2, shape).astype(dtype)

    return [
        Case((np.array([[60.0, -60.0, 0.7], [-800.0, 900.0, -1.5]]), np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])), note="saturated logits (±60, ±800) on the wrong side"),
        Case((np.array([[45.0, -1200.0], [1200.0, -45.0]]), np.array([[1.0, 0.0], [1.0, 0.0]])), note="saturated logits on the right side"),
        Case((np.array([[90.0, -3.0], [0.5, -95.0]], dtype=np.float32), np.array([[0.0, 1.0], [1.0, 1.0]], dtype=np.float32)), note="float32 logits of about ±90"),
        Case((np.array([[0.4, -1.1, 2.3]]), np.array([[0.0, 0.5, 1.0]])), note="a batch of one with a soft target"),
        Case(batch((5,)), note="1-D logits (m,)"),
        Case(batch((3, 3)), note="a square batch"),
        Case(batch((4, 2), 2.0, np.float32), note="float32 batch"),
    ] + random_batches(rng, lambda shape: batch(shape, float(rng.uniform(0.5, 40))))


CASES = {"cross_entropy": _cross_entropy, "softmax_cross_entropy": _softmax_cross_entropy, "l2_penalty": _l2_penalty,
         **dict.fromkeys(["l1_loss", "l1_loss_grad", "l2_loss", "l2_loss_grad"], _regression_pair),
         "binary_cross_entropy": _bce, "binary_cross_entropy_grad": _bce_grad, "binary_cross_entropy_with_logits": _bce_logits}
