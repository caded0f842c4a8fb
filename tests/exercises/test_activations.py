"""sigmoid, relu, tanh and their derivatives (notebook 03)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _numeric import assert_close, check_grad, strict
from backproplab.activations import relu, relu_grad, sigmoid, sigmoid_grad, silu, silu_grad, tanh, tanh_grad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

pytestmark = pytest.mark.nb03
PAIRS = [(sigmoid, sigmoid_grad), (relu, relu_grad), (tanh, tanh_grad)]
IDS = ["sigmoid", "relu", "tanh"]
ALL = [f for pair in PAIRS for f in pair]

values = arrays(np.float64, st.integers(1, 8), elements=st.floats(-30, 30))


def test_worked_values() -> None:
    Z = np.array([-2.0, 0.0, 2.0])
    assert_close(sigmoid(Z), [1 / (1 + math.e**2), 0.5, 1 / (1 + math.e**-2)])
    assert_close(sigmoid_grad(np.array([0.0])), [0.25])  # σ(0)(1 − σ(0))
    assert_close(relu(Z), [0.0, 0.0, 2.0])
    assert_close(relu_grad(np.array([-1.0, 0.0, 1e-9, 3.0])), [0.0, 0.0, 1.0, 1.0])  # relu'(0) = 0
    assert_close(tanh(np.array([math.log(2)])), [(2 - 0.5) / (2 + 0.5)])  # (e^z − e^−z)/(e^z + e^−z)
    assert_close(tanh_grad(np.array([0.0, math.log(2)])), [1.0, 1 - 0.36])


def test_sigmoid_grad_takes_z_not_a() -> None:
    z = np.array([2.0])
    s = 1 / (1 + math.exp(-2))
    assert_close(sigmoid_grad(z), [s * (1 - s)])


def test_extremes_without_warnings() -> None:
    Z = np.array([-1000.0, 1000.0])
    with strict():
        assert_close(sigmoid(Z), [0.0, 1.0])
        assert_close(sigmoid_grad(Z), [0.0, 0.0])
        assert_close(tanh(Z), [-1.0, 1.0])
        assert_close(tanh_grad(Z), [0.0, 0.0])
        s32 = sigmoid(np.array([-100.0, 100.0], dtype=np.float32))
    assert s32.dtype == np.float32
    assert_close(s32, [0.0, 1.0])
    # far from saturating, float32 sigmoid(-30) must not round to 0 by computing 1 - something
    assert sigmoid(np.array([-30.0]))[0] == pytest.approx(math.exp(-30) / (1 + math.exp(-30)), rel=1e-12)


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_and_dtype(f, dtype) -> None:
    Z = np.linspace(-3, 3, 12).reshape(3, 4).astype(dtype)
    out = f(Z)
    assert out.shape == Z.shape and out.dtype == dtype


@pytest.mark.parametrize("f, df", PAIRS, ids=IDS)
def test_derivative_matches_centered_differences(f, df) -> None:
    Z = np.array([[-2.5, -0.7, 0.3], [1.1, 2.2, -4.0]])  # no exact 0: relu has a kink there
    check_grad(lambda: f(Z).sum(), Z, df(Z))


@pytest.mark.parametrize("f", ALL, ids=lambda f: f.__name__)
def test_input_not_modified(f) -> None:
    Z = np.array([[-1.0, 0.0, 2.0]])
    f(Z)
    np.testing.assert_array_equal(Z, [[-1.0, 0.0, 2.0]])


@settings(max_examples=40, deadline=None)
@given(values)
def test_properties(z) -> None:
    np.testing.assert_allclose(1 - sigmoid(z), sigmoid(-z), atol=1e-15)  # 1 − σ(a) = σ(−a)
    np.testing.assert_allclose(tanh(-z), -tanh(z), atol=1e-15)  # odd
    np.testing.assert_allclose(tanh(z), 2 * sigmoid(2 * z) - 1, atol=1e-12)
    np.testing.assert_array_equal(relu(relu(z)), relu(z))
    assert np.all(relu_grad(z) * z == relu(z))
    assert np.all((sigmoid_grad(z) >= 0) & (sigmoid_grad(z) <= 0.25))
    assert np.all((tanh_grad(z) >= 0) & (tanh_grad(z) <= 1))


def test_silu_worked_values_and_gradient() -> None:
    Z = np.array([-2.0, 0.0, 2.0])
    assert_close(silu(Z), Z / (1 + np.exp(-Z)))
    assert_close(silu_grad(np.array([0.0])), [0.5])  # σ(0) + 0 · σ′(0)
    rng = np.random.default_rng(7)
    Zr = rng.normal(0, 3, (4, 3))
    check_grad(lambda: float(silu(Zr).sum()), Zr, silu_grad(Zr))


def test_silu_is_finite_and_keeps_dtype_at_extremes() -> None:
    Z = np.array([-1e4, -1000.0, 1000.0, 1e4])
    with strict():
        out, grad = silu(Z), silu_grad(Z)
    assert_close(out, [0.0, 0.0, 1000.0, 1e4])
    assert_close(grad, [0.0, 0.0, 1.0, 1.0])
    assert silu(Z.astype(np.float32)).dtype == np.float32 and silu_grad(Z.astype(np.float32)).dtype == np.float32
