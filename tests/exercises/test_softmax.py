"""softmax, log_softmax, softmax_jacobian (notebook 01)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _numeric import GRAD_TOL, assert_close, strict
from backproplab.gradcheck import rel_error
from backproplab.softmax import log_softmax, softmax, softmax_jacobian
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

pytestmark = pytest.mark.nb01

logits = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)), elements=st.floats(-50, 50))


def test_worked_values() -> None:
    # softmax([0, ln 3]) = [1/(1+3), 3/(1+3)]
    assert_close(softmax(np.array([0.0, math.log(3.0)])), [0.25, 0.75])
    # three logits: e^j / (e + e^2 + e^3)
    e = [math.exp(1), math.exp(2), math.exp(3)]
    assert_close(softmax(np.array([[1.0, 2.0, 3.0]])), [[x / sum(e) for x in e]])
    # equal logits give the uniform distribution
    assert_close(softmax(np.zeros((2, 4))), np.full((2, 4), 0.25))


def test_rows_are_independent() -> None:
    # each row is normalised on its own: a row's result must not depend on the other rows
    Z = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    S = softmax(Z)
    for i in range(3):
        assert_close(S[i], softmax(Z[i]))


def test_square_batch_normalises_rows_not_columns() -> None:
    # m == k: a sum over the wrong axis or a missing keepdims still broadcasts, silently wrong
    Z = np.array([[0.0, math.log(3.0)], [math.log(3.0), math.log(3.0)]])
    assert_close(softmax(Z), [[0.25, 0.75], [0.5, 0.5]])


def test_extreme_logits_float64() -> None:
    with strict():
        S = softmax(np.array([[1e4, -1e4]]))
        L = log_softmax(np.array([[1e4, -1e4]]))
    assert_close(S, [[1.0, 0.0]])
    assert_close(L, [[0.0, -2e4]])


def test_extreme_logits_float32() -> None:
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=np.float32)
    with strict():
        S, L = softmax(Z), log_softmax(Z)
    assert S.dtype == np.float32 and L.dtype == np.float32
    assert_close(S, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])
    assert_close(L, [[0, -2e4, -1e4], [-math.log(3)] * 3])


def test_global_max_would_fail_but_per_row_max_does_not() -> None:
    # one global max (the softmax note's f - f.max()) underflows the whole second row to 0/0
    Z = np.array([[0.0, 1000.0], [-1000.0, -999.0]])
    with strict():
        S = softmax(Z)
    e = math.exp(-1)
    assert_close(S[1], [e / (1 + e), 1 / (1 + e)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_shape_kept(dtype) -> None:
    Z = np.random.default_rng(0).standard_normal((5, 3)).astype(dtype)
    for f in (softmax, log_softmax):
        out = f(Z)
        assert out.shape == Z.shape and out.dtype == dtype
    s = softmax(Z[0])
    J = softmax_jacobian(s)
    assert J.shape == (3, 3) and J.dtype == dtype


def test_batch_of_one_and_one_dim() -> None:
    z = np.array([2.0, -1.0, 0.5])
    assert_close(softmax(z[None, :])[0], softmax(z))
    assert softmax(z).shape == (3,) and log_softmax(z).shape == (3,)


def test_input_not_modified() -> None:
    Z = np.array([[3.0, 1.0], [0.0, 2.0]])
    before = Z.copy()
    softmax(Z), log_softmax(Z)
    np.testing.assert_array_equal(Z, before)


@settings(max_examples=40, deadline=None)
@given(logits, st.floats(-1e3, 1e3))
def test_properties(Z, c) -> None:
    S = softmax(Z)
    assert np.all(S >= 0) and np.all(S <= 1)
    np.testing.assert_allclose(S.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(softmax(Z + c), S, atol=1e-12)  # shift invariance
    L = log_softmax(Z)
    finite = S > 0
    np.testing.assert_allclose(L[finite], np.log(S[finite]), atol=1e-10)


def test_log_softmax_finite_where_softmax_underflows() -> None:
    Z = np.array([[0.0, -800.0]])
    with strict():
        L = log_softmax(Z)
    assert_close(L, [[0.0, -800.0]])


def test_jacobian_worked_value_and_structure() -> None:
    s = np.array([0.25, 0.75])
    # ds_i/dz_j = s_i (δ_ij − s_j): diagonal s(1−s) = 3/16, off-diagonal −s_1 s_2 = −3/16
    assert_close(softmax_jacobian(s), [[3 / 16, -3 / 16], [-3 / 16, 3 / 16]])
    s = softmax(np.array([0.3, -1.2, 2.0, 0.0]))
    J = softmax_jacobian(s)
    assert_close(J, J.T)
    assert_close(J.sum(axis=0), np.zeros(4), np.float64)


def test_jacobian_matches_centered_differences() -> None:
    z = np.array([0.3, -1.2, 2.0, 0.0])
    h = 1e-5
    numeric = np.empty((4, 4))
    for j in range(4):
        e = np.zeros(4)
        e[j] = h
        numeric[:, j] = (softmax(z + e) - softmax(z - e)) / (2 * h)
    assert rel_error(softmax_jacobian(softmax(z)), numeric) < GRAD_TOL
