"""softmax_regression_loss and its per-sample loop (notebook 02)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _numeric import assert_close, check_grad, one_hot, strict
from backproplab.softmax_regression import softmax_regression_loss, softmax_regression_loss_loop

pytestmark = pytest.mark.nb02
IMPLS = [softmax_regression_loss, softmax_regression_loss_loop]


def problem(m=6, n=5, k=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, k)).astype(dtype)
    X = rng.standard_normal((m, n)).astype(dtype)
    Y = one_hot(rng.integers(0, k, m), k, dtype)
    return W, X, Y


@pytest.mark.parametrize("f", IMPLS)
def test_worked_value(f) -> None:
    # W = 0: every softmax row is uniform, loss = ln k exactly, dW = Xᵀ(1/k - Y)/m
    W = np.zeros((2, 2))
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    loss, dW = f(W, X, Y, 0.7)
    assert_close(loss, math.log(2))
    assert_close(dW, X.T @ (np.full((2, 2), 0.5) - Y) / 2)


@pytest.mark.parametrize("f", IMPLS)
def test_l2_term(f) -> None:
    W, X, Y = problem()
    loss0, dW0 = f(W, X, Y, 0.0)
    loss1, dW1 = f(W, X, Y, 0.3)
    assert_close(loss1 - loss0, 0.15 * (W**2).sum())
    assert_close(dW1 - dW0, 0.3 * W)


@pytest.mark.parametrize("f", IMPLS)
@pytest.mark.parametrize("m", [1, 7])
def test_gradient(f, m) -> None:
    W, X, Y = problem(m=m, n=4, k=4)  # k == n: a transposed X or W would still have the right shape
    _, dW = f(W, X, Y, 0.1)
    check_grad(lambda: f(W, X, Y, 0.1)[0], W, dW)


def test_loop_equals_vectorised() -> None:
    W, X, Y = problem(m=9)
    l1, g1 = softmax_regression_loss(W, X, Y, 0.05)
    l2, g2 = softmax_regression_loss_loop(W, X, Y, 0.05)
    assert_close(l1, l2)
    assert_close(g1, g2)


@pytest.mark.parametrize("f", IMPLS)
def test_float32(f) -> None:
    W, X, Y = problem(dtype=np.float32)
    loss, dW = f(W, X, Y, 0.1)
    assert np.asarray(loss).dtype == np.float32 and dW.dtype == np.float32
    l64, g64 = f(W.astype(np.float64), X.astype(np.float64), Y.astype(np.float64), 0.1)
    np.testing.assert_allclose(dW, g64, rtol=1e-4, atol=1e-5)


def test_extreme_scores_finite() -> None:
    W = np.array([[1e3, -1e3]])
    X = np.array([[10.0], [-10.0]])  # scores ±1e4
    Y = np.array([[0.0, 1.0], [0.0, 1.0]])
    with strict():
        loss, dW = softmax_regression_loss(W, X, Y, 0.0)
    assert_close(loss, 1e4)  # (2e4 + 0) / 2
    assert np.isfinite(dW).all()


@pytest.mark.parametrize("f", IMPLS)
def test_inputs_not_modified(f) -> None:
    W, X, Y = problem()
    copies = [a.copy() for a in (W, X, Y)]
    f(W, X, Y, 0.2)
    for a, b in zip((W, X, Y), copies):
        np.testing.assert_array_equal(a, b)
