"""accumulate, the op rules, backward, autograd_mlp_grads, autograd_train (notebook 07)."""

from __future__ import annotations

import numpy as np
import pytest
from _numeric import assert_close, check_grad, one_hot, strict
from backproplab import autograd as ag
from backproplab.autograd import (
    accumulate,
    autograd_mlp_grads,
    autograd_train,
    backward,
    log_softmax_backward,
    matmul_backward,
    nll_backward,
    unary_backward,
)
from backproplab.mlp import mlp_loss, sgd_step
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

pytestmark = pytest.mark.nb07
ACTS = ["relu", "sigmoid", "tanh"]
FORWARD = {"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh}
MATMUL, ADD, RELU, SIGMOID, TANH, LOG_SOFTMAX, SUM, MUL = (ag.PROGRAM_OPS.index(op) for op in (
    "matmul", "add", "relu", "sigmoid", "tanh", "log_softmax", "sum", "mul"))


def net(sizes=(4, 5, 3, 3), seed=0, m=6, dtype=np.float64):
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = (rng.standard_normal((sizes[l - 1], sizes[l])) * 0.7).astype(dtype)
        params[f"b{l}"] = (rng.standard_normal(sizes[l]) * 0.3).astype(dtype)
    X = rng.standard_normal((m, sizes[0])).astype(dtype)
    Y = one_hot(rng.integers(0, sizes[-1], m), sizes[-1], dtype)
    return params, X, Y


def log_softmax(Z):
    Z = Z - Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


# --------------------------------------------------------------------------- accumulate


def test_accumulate_worked_values() -> None:
    assert_close(accumulate(np.zeros(3), np.ones((4, 3))), [4.0, 4.0, 4.0])  # a bias: summed over the batch
    assert_close(accumulate(np.ones((2, 1)), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])), [[7.0], [16.0]])  # keepdims
    assert_close(accumulate(np.array([1.0, 2.0]), np.array([10.0, 20.0])), [11.0, 22.0])  # second use adds, = would give 10, 20
    assert_close(accumulate(np.zeros(()), np.arange(6.0).reshape(2, 3)), 15.0)  # a scalar broadcast everywhere


def test_accumulate_keeps_grad_and_dtype() -> None:
    grad = np.ones((1, 3), dtype=np.float32)
    before = grad.copy()
    out = accumulate(grad, np.ones((2, 4, 3), dtype=np.float32))
    assert out.dtype == np.float32 and out.shape == (1, 3)
    assert_close(out, np.full((1, 3), 9.0, dtype=np.float32))
    np.testing.assert_array_equal(grad, before)  # a new array


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=st.floats(-10, 10)),
       st.integers(1, 3), st.booleans())
def test_accumulate_preserves_the_total(contribution, extra, keep_rows) -> None:
    """However the broadcast went, the total of the gradient grows by the total of the contribution."""
    grad_shape = (contribution.shape[0] if keep_rows else 1, 1)
    big = np.broadcast_to(contribution, (extra, *contribution.shape)).copy()
    grad = np.full(grad_shape, 0.5)
    out = accumulate(grad, big)
    assert out.shape == grad_shape
    assert out.sum() == pytest.approx(grad.sum() + big.sum(), rel=1e-12, abs=1e-9)


# --------------------------------------------------------------------------- the rules, by centered differences


def test_matmul_backward_gradient_check(rng) -> None:
    A, B, G = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    dA, dB = matmul_backward(G, A, B)
    check_grad(lambda: float((G * (A @ B)).sum()), A, dA)
    check_grad(lambda: float((G * (A @ B)).sum()), B, dB)


def test_matmul_backward_batch_of_one_and_float32(rng) -> None:
    A, B, G = (rng.standard_normal(s).astype(np.float32) for s in ((1, 3), (3, 2), (1, 2)))
    dA, dB = matmul_backward(G, A, B)
    assert dA.shape == (1, 3) and dB.shape == (3, 2) and dA.dtype == dB.dtype == np.float32
    assert_close(dB, np.outer(A[0], G[0]))


@pytest.mark.parametrize("name", ACTS)
def test_unary_backward_gradient_check(rng, name) -> None:
    Z, G = rng.standard_normal((4, 3)) + 0.05, rng.standard_normal((4, 3))
    dZ = unary_backward(G, FORWARD[name](Z), name)
    check_grad(lambda: float((G * FORWARD[name](Z)).sum()), Z, dZ)


def test_unary_backward_extremes_and_relu_kink() -> None:
    Z = np.array([[-1e4, -40.0, 0.0, 40.0, 1e4]])
    G = np.ones_like(Z)
    with strict():
        assert_close(unary_backward(G, np.maximum(Z, 0), "relu"), [[0, 0, 0, 1, 1]])  # relu′(0) = 0
        assert_close(unary_backward(G, np.tanh(Z), "tanh"), 1 - np.tanh(Z) ** 2)
        s = np.exp(-np.logaddexp(0, -Z))
        assert np.isfinite(unary_backward(G, s, "sigmoid")).all()


def test_unary_backward_leaves_the_saved_output_alone() -> None:
    out = np.array([[0.25, 0.5], [0.75, 0.125]], dtype=np.float32)
    before = out.copy()
    got = unary_backward(np.ones_like(out), out, "sigmoid")
    assert got.dtype == np.float32
    np.testing.assert_array_equal(out, before)


def test_log_softmax_backward_gradient_check(rng) -> None:
    Z, G = rng.standard_normal((3, 4)) * 2, rng.standard_normal((3, 4))
    check_grad(lambda: float((G * log_softmax(Z)).sum()), Z, log_softmax_backward(G, log_softmax(Z)))


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (3, 4), elements=st.floats(-1e4, 1e4)), arrays(np.float64, (3, 4), elements=st.floats(-5, 5)))
def test_log_softmax_backward_rows_sum_to_zero(Z, G) -> None:
    with strict():
        dZ = log_softmax_backward(G, log_softmax(Z))
    assert np.isfinite(dZ).all()
    np.testing.assert_allclose(dZ.sum(axis=1), 0, atol=1e-9 * (1 + np.abs(G).sum()))


def test_nll_backward_gradient_check(rng) -> None:
    logp, Y = log_softmax(rng.standard_normal((4, 3))), one_hot([0, 2, 1, 2], 3)
    check_grad(lambda: float(-0.7 * (Y * logp).sum() / 4), logp, nll_backward(0.7, logp, Y))
    assert nll_backward(1.0, logp.astype(np.float32), Y.astype(np.float32)).dtype == np.float32


# --------------------------------------------------------------------------- backward


PROGRAMS = [
    ([(3, 3), (3, 3), (3,)], [(MATMUL, 0, 1), (TANH, 3, -1), (ADD, 3, 4), (ADD, 5, 2), (MATMUL, 6, 1), (SIGMOID, 7, -1), (SUM, 8, -1)]),
    ([(2, 3)], [(MUL, 0, 0), (TANH, 1, -1), (MUL, 2, 1), (SUM, 3, -1)]),
    ([(2, 3), (3, 4)], [(MATMUL, 0, 1), (RELU, 2, -1), (LOG_SOFTMAX, 3, -1), (SUM, 4, -1)]),
    ([(2, 2)], [(TANH, 0, -1), (SIGMOID, 1, -1), (TANH, 2, -1), (ADD, 1, 3), (MUL, 4, 0), (SUM, 5, -1)]),
]


@pytest.mark.parametrize("shapes, rows", PROGRAMS)
def test_backward_gradient_check_on_programs(rng, shapes, rows) -> None:
    values = [rng.standard_normal(s) + 0.1 for s in shapes]
    program = np.array(rows)
    grads = backward(values, program)
    assert isinstance(grads, tuple) and len(grads) == len(values)
    for v, g in zip(values, grads):
        check_grad(lambda: float(ag.program_graph(values, program)[0].value), v, g)


def test_backward_tensor_used_twice_and_shared_node() -> None:
    x = ag.leaf(np.array([1.0, -2.0, 3.0]), "x")
    y = ag.mul(x, x)  # x used twice by one op: x²
    backward(ag.sum_all(ag.add(y, ag.tanh(y))))  # y reached by two paths
    y_bar = 1 + (1 - np.tanh(x.value**2) ** 2)
    assert_close(x.grad, 2 * x.value * y_bar)


def test_backward_accumulates_into_leaves_until_zeroed() -> None:
    """As in PyTorch: a second backward pass adds to the leaves' grads; zero_grad resets them."""
    w = ag.leaf(np.array([[0.5, -1.0]]), "w")
    loss = ag.sum_all(ag.mul(w, w))
    backward(loss)
    first = w.grad.copy()
    backward(ag.sum_all(ag.mul(w, w)))
    assert_close(w.grad, 2 * first)
    w.zero_grad()
    backward(ag.sum_all(ag.mul(w, w)))
    assert_close(w.grad, first)


def test_backward_float32_and_tensor_root_returns_input_grads(rng) -> None:
    X = ag.constant(rng.standard_normal((2, 3)).astype(np.float32))
    W = ag.leaf(rng.standard_normal((3, 2)).astype(np.float32), "W")
    grads = backward(ag.sum_all(ag.matmul(X, W)))
    assert W.grad.dtype == np.float32
    assert_close(W.grad, np.repeat(X.value.sum(axis=0)[:, None], 2, axis=1))
    assert any(g is W.grad for g in grads)


# --------------------------------------------------------------------------- the MLP


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_autograd_matches_mlp_loss_to_1e10(activation, lam) -> None:
    params, X, Y = net(seed=1)
    want_loss, want = mlp_loss(params, X, Y, lam, activation)
    loss, grads = autograd_mlp_grads(params, X, Y, lam, activation)
    assert abs(float(loss) - float(want_loss)) < 1e-10
    assert set(grads) == set(params)
    for k in params:
        assert np.abs(grads[k] - want[k]).max() < 1e-10, k


def test_autograd_mlp_gradient_check() -> None:
    params, X, Y = net(sizes=(3, 4, 3), seed=2, m=4)
    _, grads = autograd_mlp_grads(params, X, Y, 0.2, "tanh")
    for k in params:
        check_grad(lambda: autograd_mlp_grads(params, X, Y, 0.2, "tanh")[0], params[k], grads[k])


def test_autograd_mlp_float32_and_batch_of_one() -> None:
    params, X, Y = net(seed=3, m=1, dtype=np.float32)
    loss, grads = autograd_mlp_grads(params, X, Y, 0.1, "sigmoid")
    assert loss.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())
    want_loss, want = mlp_loss(params, X, Y, 0.1, "sigmoid")
    for k in params:
        assert_close(grads[k], want[k])


def test_autograd_mlp_extreme_scores_stay_finite() -> None:
    params, X, Y = net(sizes=(3, 2), seed=4, m=3)
    params["W1"] = params["W1"] * 1e4  # logits of order ±1e4
    with strict():
        loss, grads = autograd_mlp_grads(params, X, Y, 0.0)
    assert np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())


def test_autograd_train_is_the_hand_written_epoch() -> None:
    params, X, Y = net(seed=5, m=7)
    before = {k: v.copy() for k, v in params.items()}
    losses, new = autograd_train(params, X, Y, 0.05, 0.3, 3, "relu")
    want, p = [], params
    for s in range(0, 7, 3):
        loss, grads = mlp_loss(p, X[s : s + 3], Y[s : s + 3], 0.05, "relu")
        want.append(loss)
        p = sgd_step(p, grads, 0.3)
    assert losses.shape == (3,)
    np.testing.assert_allclose(losses, want, rtol=1e-12)
    for k in params:
        np.testing.assert_allclose(new[k], p[k], rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(params[k], before[k])  # the caller's params are untouched


def test_autograd_train_float32() -> None:
    params, X, Y = net(seed=6, m=4, dtype=np.float32)
    losses, new = autograd_train(params, X, Y, 0.0, 0.5, 2, "tanh")
    assert losses.dtype == np.float32 and all(v.dtype == np.float32 for v in new.values())
    assert losses[-1] < losses[0] + 1.0
