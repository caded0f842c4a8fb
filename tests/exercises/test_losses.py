"""Cross-entropy, softmax cross-entropy, L2 penalty (notebook 02) and L1 / L2 / BCE (notebook 03)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _numeric import assert_close, check_grad, one_hot, strict
from backproplab.losses import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    l1_loss_grad,
    l2_loss,
    l2_loss_grad,
    l2_penalty,
    softmax_cross_entropy,
)
from hypothesis import given, settings
from hypothesis import strategies as st

nb02, nb03 = pytest.mark.nb02, pytest.mark.nb03


# ---- notebook 02 -----------------------------------------------------------------


@nb02
def test_cross_entropy_worked_values() -> None:
    S = np.array([[0.25, 0.75], [0.5, 0.5]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    # mean of -ln 0.75 and -ln 0.5
    assert_close(cross_entropy(S, Y), (-math.log(0.75) - math.log(0.5)) / 2)
    # one row (1-D) is a batch of one
    assert_close(cross_entropy(S[0], Y[0]), -math.log(0.75))


@nb02
def test_cross_entropy_zero_probability_is_inf_without_warning() -> None:
    S = np.array([[0.0, 1.0], [1.0, 0.0]])
    with strict():
        assert cross_entropy(S, np.array([[1.0, 0.0], [1.0, 0.0]])) == np.inf
        # zero probability on a class that is not the target costs nothing
        assert cross_entropy(S, np.array([[0.0, 1.0], [1.0, 0.0]])) == 0.0


@nb02
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_dtype(dtype) -> None:
    S = np.array([[0.2, 0.8]], dtype=dtype)
    out = cross_entropy(S, np.array([[0, 1]], dtype=dtype))
    assert np.asarray(out).dtype == dtype and np.ndim(out) == 0


@nb02
def test_softmax_cross_entropy_worked_values() -> None:
    Z = np.array([[0.0, math.log(3.0)], [0.0, 0.0]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    loss, dZ = softmax_cross_entropy(Z, Y)
    # softmax rows: [1/4, 3/4] and [1/2, 1/2]
    assert_close(loss, (-math.log(0.25) - math.log(0.5)) / 2)
    assert_close(dZ, np.array([[0.25 - 1, 0.75], [0.5, 0.5 - 1]]) / 2)


@nb02
def test_softmax_cross_entropy_extremes() -> None:
    Z = np.array([[1e4, -1e4], [1e4, -1e4]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    with strict():
        loss, dZ = softmax_cross_entropy(Z, Y)
        loss32, dZ32 = softmax_cross_entropy(Z.astype(np.float32), Y.astype(np.float32))
    assert_close(loss, 1e4)  # (0 + 2e4) / 2: finite, through log-softmax
    assert_close(dZ, [[0, 0], [0.5, -0.5]])
    assert loss32.dtype == np.float32 and dZ32.dtype == np.float32
    assert_close(loss32, 1e4)


@nb02
def test_softmax_cross_entropy_gradient() -> None:
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((5, 4))
    Y = one_hot(rng.integers(0, 4, 5), 4)
    check_grad(lambda: softmax_cross_entropy(Z, Y)[0], Z, softmax_cross_entropy(Z, Y)[1])


@nb02
def test_softmax_cross_entropy_batch_of_one() -> None:
    Z = np.array([[2.0, -1.0, 0.5]])
    Y = np.array([[0.0, 0.0, 1.0]])
    loss, dZ = softmax_cross_entropy(Z, Y)
    assert dZ.shape == (1, 3)
    check_grad(lambda: softmax_cross_entropy(Z, Y)[0], Z, dZ)


@nb02
def test_l2_penalty_worked_values() -> None:
    W1 = np.array([[1.0, -2.0], [0.0, 3.0]])  # Σ W² = 14
    W2 = np.array([[2.0]])  # 4
    assert_close(l2_penalty(W1, 0.5), 0.25 * 14)
    assert_close(l2_penalty([W1, W2], 0.1), 0.05 * 18)
    assert l2_penalty([W1, W2], 0.0) == 0.0


@nb02
def test_l2_penalty_gradient_is_lambda_w() -> None:
    W = np.random.default_rng(1).standard_normal((3, 4))
    check_grad(lambda: l2_penalty(W, 0.3), W, 0.3 * W)


@nb02
def test_l2_penalty_dtype() -> None:
    W = np.ones((2, 2), dtype=np.float32)
    assert np.asarray(l2_penalty([W], 1.0)).dtype == np.float32


# ---- notebook 03 -----------------------------------------------------------------


@nb03
def test_l1_l2_worked_values() -> None:
    A = np.array([[1.0, 2.0], [0.5, -1.0]])
    Y = np.array([[0.0, 2.0], [1.5, 1.0]])
    # |A - Y| rows: 1 + 0 and 1 + 2, mean over m = 2 rows
    assert_close(l1_loss(A, Y), (1 + 0 + 1 + 2) / 2)
    # (A - Y)² rows: 1 + 0 and 1 + 4; the note's definition has no 1/2
    assert_close(l2_loss(A, Y), (1 + 0 + 1 + 4) / 2)
    assert_close(l1_loss_grad(A, Y), np.array([[1, 0], [-1, -1]]) / 2)
    assert_close(l2_loss_grad(A, Y), 2 * (A - Y) / 2)


@nb03
def test_bce_worked_values() -> None:
    A = np.array([0.8, 0.25])
    Y = np.array([1.0, 0.0])
    assert_close(binary_cross_entropy(A, Y), (-math.log(0.8) - math.log(0.75)) / 2)
    assert_close(binary_cross_entropy_grad(A, Y), np.array([-1 / 0.8, 1 / 0.75]) / 2)


@nb03
def test_bce_saturated_is_inf_or_zero_without_warning() -> None:
    with strict():
        assert binary_cross_entropy(np.array([0.0]), np.array([1.0])) == np.inf
        assert binary_cross_entropy(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0


@nb03
@pytest.mark.parametrize(
    "loss, grad",
    [(l1_loss, l1_loss_grad), (l2_loss, l2_loss_grad), (binary_cross_entropy, binary_cross_entropy_grad)],
    ids=["l1", "l2", "bce"],
)
@pytest.mark.parametrize("shape", [(4, 3), (1, 3), (5,)])
def test_regression_losses_gradients(loss, grad, shape) -> None:
    rng = np.random.default_rng(2)
    if loss is binary_cross_entropy:
        A = rng.uniform(0.05, 0.95, shape)
        Y = (rng.random(shape) > 0.5).astype(float)
    else:
        A = rng.standard_normal(shape)
        Y = A + rng.choice([-1.0, 1.0], shape) * rng.uniform(0.1, 1.0, shape)  # away from |x|'s kink
    G = grad(A, Y)
    assert G.shape == A.shape
    check_grad(lambda: loss(A, Y), A, G)


@nb03
@pytest.mark.parametrize("f", [l1_loss, l2_loss, binary_cross_entropy, l1_loss_grad, l2_loss_grad, binary_cross_entropy_grad])
def test_regression_losses_keep_float32(f) -> None:
    A = np.array([[0.3, 0.6]], dtype=np.float32)
    Y = np.array([[0.0, 1.0]], dtype=np.float32)
    assert np.asarray(f(A, Y)).dtype == np.float32


@nb03
@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=1, max_size=6))
def test_l2_loss_properties(values) -> None:
    A = np.array(values)
    assert l2_loss(A, A) == 0 and l1_loss(A, A) == 0
    assert l2_loss(A, A + 1) == pytest.approx(1.0)  # every sample off by 1: mean of 1
    assert l1_loss(A, -A) == pytest.approx(2 * np.abs(A).mean())


@nb03
def test_bce_with_logits_matches_bce_of_sigmoid() -> None:
    rng = np.random.default_rng(3)
    Z = rng.normal(0, 3, (6, 2))
    Y = (rng.uniform(size=(6, 2)) < 0.5).astype(float)
    loss, dZ = binary_cross_entropy_with_logits(Z, Y)
    assert_close(loss, binary_cross_entropy(1 / (1 + np.exp(-Z)), Y))
    assert_close(dZ, (1 / (1 + np.exp(-Z)) - Y) / 6)
    check_grad(lambda: binary_cross_entropy_with_logits(Z, Y)[0], Z, dZ)


@nb03
@pytest.mark.parametrize("z", [50.0, -50.0, 1000.0, -1000.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_bce_with_logits_is_finite_at_saturation(z: float, y: float) -> None:
    with strict():
        loss, dZ = binary_cross_entropy_with_logits(np.array([[z]]), np.array([[y]]))
    assert_close(loss, max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z))))
    assert_close(dZ, [[(1.0 if z > 0 else 0.0) - y]])


@nb03
def test_bce_with_logits_keeps_float32() -> None:
    loss, dZ = binary_cross_entropy_with_logits(np.array([[100.0, -2.0]], np.float32), np.array([[0.0, 1.0]], np.float32))
    assert loss.dtype == np.float32 and dZ.dtype == np.float32 and np.isfinite(loss)
