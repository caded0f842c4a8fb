"""init_params, mlp_forward, mlp_backward, mlp_loss, sgd_step (notebook 06)."""

from __future__ import annotations

import numpy as np
import pytest
from _numeric import assert_close, check_grad, one_hot
from backproplab.mlp import init_params, mlp_backward, mlp_forward, mlp_loss, sgd_step

pytestmark = pytest.mark.nb06
ACTS = ["relu", "sigmoid", "tanh"]


def net(sizes=(4, 5, 3, 3), seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l])).astype(dtype) * 0.7
        params[f"b{l}"] = rng.standard_normal(sizes[l]).astype(dtype) * 0.3
    m = 6
    X = rng.standard_normal((m, sizes[0])).astype(dtype)
    Y = one_hot(rng.integers(0, sizes[-1], m), sizes[-1], dtype)
    return params, X, Y


def test_init_shapes_and_scales() -> None:
    sizes = [784, 300, 100, 10]
    for scheme, std in (
        ("he", lambda i, o: np.sqrt(2 / i)),
        ("xavier", lambda i, o: np.sqrt(2 / (i + o))),
        ("small", lambda i, o: 0.01),
    ):
        p = init_params(sizes, scheme, seed=0)
        assert set(p) == {"W1", "b1", "W2", "b2", "W3", "b3"}
        for l in range(1, 4):
            W, b = p[f"W{l}"], p[f"b{l}"]
            assert W.shape == (sizes[l - 1], sizes[l]) and b.shape == (sizes[l],)
            assert np.all(b == 0)
            # sample std of ≥ 1000 normal draws is within 10% of the target
            assert W.std() == pytest.approx(std(sizes[l - 1], sizes[l]), rel=0.1), (scheme, l)
            assert abs(W.mean()) < 0.2 * W.std()


def test_init_seeded_and_not_symmetric() -> None:
    a, b, c = init_params([5, 4, 2], seed=1), init_params([5, 4, 2], seed=1), init_params([5, 4, 2], seed=2)
    np.testing.assert_array_equal(a["W1"], b["W1"])
    assert not np.array_equal(a["W1"], c["W1"])
    assert len(np.unique(a["W1"])) == a["W1"].size  # hidden units differ from the start


@pytest.mark.parametrize("activation", ACTS)
def test_forward_by_layers(activation) -> None:
    params, X, _ = net()
    g = {"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh}[activation]
    scores, cache = mlp_forward(params, X, activation)
    A1 = g(X @ params["W1"] + params["b1"])
    A2 = g(A1 @ params["W2"] + params["b2"])
    assert_close(scores, A2 @ params["W3"] + params["b3"])  # last layer is linear
    assert_close(cache["A1"], A1)
    assert_close(cache["Z3"], scores)
    np.testing.assert_array_equal(cache["A0"], X)
    assert set(cache) == {"A0", "A1", "A2", "Z1", "Z2", "Z3"}  # the documented cache: no activation after the last layer


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_mlp_loss_gradients(activation, lam) -> None:
    params, X, Y = net(seed=1)
    loss, grads = mlp_loss(params, X, Y, lam, activation)
    assert set(grads) == set(params)
    for k in params:
        check_grad(lambda: mlp_loss(params, X, Y, lam, activation)[0], params[k], grads[k])


def test_mlp_loss_value_and_weight_decay_on_weights_only() -> None:
    params, X, Y = net(seed=2)
    scores, _ = mlp_forward(params, X)
    Z = scores - scores.max(axis=1, keepdims=True)
    data = -(Y * (Z - np.log(np.exp(Z).sum(axis=1, keepdims=True)))).sum() / len(X)
    lam = 0.25
    loss, grads = mlp_loss(params, X, Y, lam)
    _, grads0 = mlp_loss(params, X, Y, 0.0)
    assert_close(loss, data + lam / 2 * sum((params[f"W{l}"] ** 2).sum() for l in (1, 2, 3)))
    for l in (1, 2, 3):
        assert_close(grads[f"W{l}"] - grads0[f"W{l}"], lam * params[f"W{l}"])
        assert_close(grads[f"b{l}"], grads0[f"b{l}"])  # biases are not regularised


def test_mlp_backward_is_data_gradient_only() -> None:
    params, X, Y = net(seed=3)
    scores, cache = mlp_forward(params, X)
    G = np.random.default_rng(0).standard_normal(scores.shape)
    grads = mlp_backward(G, cache, params)
    for k in params:
        check_grad(lambda: (mlp_forward(params, X)[0] * G).sum(), params[k], grads[k])


def test_batch_of_one_and_single_layer() -> None:
    params, X, Y = net(sizes=(3, 2), seed=4)
    X, Y = X[:1], Y[:1]
    loss, grads = mlp_loss(params, X, Y, 0.0)
    for k in params:
        check_grad(lambda: mlp_loss(params, X, Y, 0.0)[0], params[k], grads[k])


def test_float32_kept() -> None:
    params, X, Y = net(dtype=np.float32)
    scores, _ = mlp_forward(params, X)
    loss, grads = mlp_loss(params, X, Y, 0.1)
    assert scores.dtype == np.float32 and np.asarray(loss).dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    new = sgd_step(params, grads, 0.1)
    assert all(v.dtype == np.float32 for v in new.values())


def test_sgd_step_values_and_no_mutation() -> None:
    params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([0.5, -0.5])}
    grads = {"W1": np.array([[0.5, -1.0]]), "b1": np.array([1.0, 1.0])}
    before = {k: v.copy() for k, v in params.items()}
    new = sgd_step(params, grads, 0.1)
    assert_close(new["W1"], [[0.95, 2.1]])
    assert_close(new["b1"], [0.4, -0.6])
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
        assert new[k] is not params[k]


def test_training_fits_a_learnable_problem() -> None:
    _, X, _ = net(seed=5)
    params = init_params([4, 5, 3, 3], "he", seed=0)
    Y = one_hot(X[:, :3].argmax(axis=1), 3)  # the label is a function of the input
    loss0, _ = mlp_loss(params, X, Y, 0.0)
    for _ in range(300):
        _, grads = mlp_loss(params, X, Y, 0.0)
        params = sgd_step(params, grads, 0.3)
    assert mlp_loss(params, X, Y, 0.0)[0] < 0.05 * loss0


def test_inputs_not_modified() -> None:
    params, X, Y = net(seed=6)
    snap = {k: v.copy() for k, v in params.items()}
    Xc = X.copy()
    scores, cache = mlp_forward(params, X)
    cache_copy = {k: v.copy() for k, v in cache.items()}
    mlp_backward(np.ones_like(scores), cache, params)
    mlp_loss(params, X, Y, 0.1)
    for k in params:
        np.testing.assert_array_equal(params[k], snap[k])
    for k in cache:
        np.testing.assert_array_equal(cache[k], cache_copy[k])
    np.testing.assert_array_equal(X, Xc)
