"""gradcheck and the training loop (infrastructure shared by both copies)."""

from __future__ import annotations

import numpy as np
import pytest
from backproplab.gradcheck import grad_check, numerical_gradient, rel_error
from backproplab.train import fit, minibatches


def test_numerical_gradient_of_a_known_function() -> None:
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = numerical_gradient(lambda: (x**3).sum(), x)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored exactly


def test_grad_check_catches_a_factor_of_two() -> None:
    x = np.array([0.3, -0.7])
    assert grad_check(lambda: (x**2).sum(), x, 2 * x) < 1e-9
    assert grad_check(lambda: (x**2).sum(), x, x) > 0.3


def test_rel_error_and_float32_refused() -> None:
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(np.array([1.0]), np.array([-1.0])) == 1.0
    with pytest.raises(ValueError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(2, dtype=np.float32))


def test_minibatches_cover_every_row_once() -> None:
    batches = list(minibatches(10, 4, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(range(10))


def _linear_problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    Y = np.eye(2)[y]

    def loss_and_grads(p, Xb, Yb):
        Z = Xb @ p["W"]
        Z = Z - Z.max(axis=1, keepdims=True)
        S = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        return -(Yb * np.log(S)).sum() / len(Xb), {"W": Xb.T @ (S - Yb) / len(Xb)}

    return X, y, Y, loss_and_grads, (lambda p, Xq: (Xq @ p["W"]).argmax(axis=1))


def test_fit_learns_and_records_history() -> None:
    X, y, Y, loss_and_grads, predict = _linear_problem()
    p0 = {"W": np.zeros((2, 2))}
    params, hist = fit(p0, loss_and_grads, X, Y, lr=0.5, epochs=3, batch_size=50, predict=predict, val=(X, y), progress=False)
    assert len(hist["loss"]) == 12 and len(hist["epoch_loss"]) == 3 and len(hist["val_acc"]) == 3
    assert hist["val_acc"][-1] > 0.95 and hist["diverged"] == [0.0]
    np.testing.assert_array_equal(p0["W"], 0)  # the initial parameters are not modified


def test_fit_stops_on_divergence() -> None:
    X, y, Y, loss_and_grads, predict = _linear_problem()
    _, hist = fit({"W": np.full((2, 2), np.inf)}, lambda p, a, b: (np.nan, {"W": p["W"]}), X, Y, lr=1.0, epochs=5, progress=False)
    assert hist["diverged"] == [1.0] and len(hist["loss"]) == 1
