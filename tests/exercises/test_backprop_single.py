"""forward_single and backward_single on the BP note's 2→3→2→1 network (notebook 04)."""

from __future__ import annotations

import numpy as np
import pytest
from _numeric import assert_close, check_grad
from backproplab.backprop_single import SIZES, backward_single, forward_single

pytestmark = pytest.mark.nb04


def note_params(seed=0, scale=1.0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    p = {}
    for l in range(1, len(SIZES)):
        p[f"W{l}"] = (scale * rng.standard_normal((SIZES[l], SIZES[l - 1]))).astype(dtype)
        p[f"b{l}"] = (scale * rng.standard_normal((SIZES[l], 1))).astype(dtype)
    return p


def cost(params, x, y):
    a = forward_single(params, x)[f"a{len(params) // 2}"].item()
    return -(y * np.log(a) + (1 - y) * np.log(1 - a))


def test_shapes_column_convention() -> None:
    p = note_params()
    cache = forward_single(p, np.array([[0.5], [-1.0]]))
    for l, n in enumerate(SIZES):
        assert cache[f"a{l}"].shape == (n, 1)
        if l:
            assert cache[f"z{l}"].shape == (n, 1)
    grads = backward_single(p, cache, 1.0)
    assert set(grads) == set(p)
    for k in p:
        assert grads[k].shape == p[k].shape, k


def test_forward_by_hand() -> None:
    # one layer: z = W x + b = [1·1 + 2·(−1) + 0.5] = [−0.5]
    p = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.5]])}
    cache = forward_single(p, np.array([[1.0], [-1.0]]))
    assert_close(cache["z1"], [[-0.5]])
    assert_close(cache["a1"], [[1 / (1 + np.exp(0.5))]])


def test_backward_by_hand_all_zero_weights() -> None:
    # all z = 0, so every a = 1/2; with y = 1: δ3 = a − y = −1/2 (BP1),
    # dW3 = δ3 a2ᵀ = [−1/4, −1/4], db3 = −1/2 (BP3), and δ2 = W3ᵀ δ3 ⊙ σ' = 0 since W3 = 0 (BP2)
    p = {k: np.zeros_like(v) for k, v in note_params().items()}
    grads = backward_single(p, forward_single(p, np.array([[0.3], [0.7]])), 1.0)
    assert_close(grads["W3"], [[-0.25, -0.25]])
    assert_close(grads["b3"], [[-0.5]])
    for k in ("W1", "b1", "W2", "b2"):
        assert_close(grads[k], np.zeros_like(p[k]))


def test_bp2_uses_transpose_and_activation_derivative() -> None:
    # W3 non-zero, W2 non-square: δ2 = (W3ᵀ δ3) ⊙ σ'(z2), checked against the formula written out
    p = note_params(seed=3)
    x = np.array([[0.2], [-0.4]])
    cache = forward_single(p, x)
    grads = backward_single(p, cache, 0.0)
    a3 = cache["a3"]
    delta3 = a3 - 0.0  # BP1 for sigmoid + binary cross-entropy
    s2 = cache["a2"]
    delta2 = (p["W3"].T @ delta3) * s2 * (1 - s2)
    assert_close(grads["b2"], delta2)
    assert_close(grads["W2"], delta2 @ cache["a1"].T)


@pytest.mark.parametrize("y", [0.0, 1.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_gradients_match_centered_differences(y, seed) -> None:
    p = note_params(seed)
    x = np.array([[0.8], [-0.3]])
    grads = backward_single(p, forward_single(p, x), y)
    for k in p:
        check_grad(lambda: cost(p, x, y), p[k], grads[k])


def test_y_as_array_and_float32() -> None:
    p = note_params(dtype=np.float32)
    x = np.array([[0.5], [0.5]], dtype=np.float32)
    cache = forward_single(p, x)
    assert cache["a3"].dtype == np.float32
    grads = backward_single(p, cache, np.array([[1.0]], dtype=np.float32))
    assert all(g.dtype == np.float32 for g in grads.values())
    g64 = backward_single(note_params(), forward_single(note_params(), x.astype(np.float64)), 1.0)
    for k in grads:
        np.testing.assert_allclose(grads[k], g64[k], rtol=1e-4, atol=1e-6)


def test_inputs_not_modified() -> None:
    p = note_params()
    snapshot = {k: v.copy() for k, v in p.items()}
    x = np.array([[1.0], [2.0]])
    cache = forward_single(p, x)
    cache_copy = {k: v.copy() for k, v in cache.items()}
    backward_single(p, cache, 1.0)
    for k in p:
        np.testing.assert_array_equal(p[k], snapshot[k])
    for k in cache:
        np.testing.assert_array_equal(cache[k], cache_copy[k])
