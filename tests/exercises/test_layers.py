"""dense_* and activation_* (notebook 05), checked on the batch note's TestNet 3→4→2."""

from __future__ import annotations

import numpy as np
import pytest
from _numeric import assert_close, check_grad, one_hot
from backproplab.layers import activation_backward, activation_forward, dense_backward, dense_forward
from backproplab.losses import softmax_cross_entropy

pytestmark = pytest.mark.nb05
NAMES = ["relu", "sigmoid", "tanh"]

# the BP note's 2×2 example: A B = [[−7, −10], [−15, −22]], A ⊙ B = [[−1, −4], [−9, −16]]
A2 = np.array([[1.0, 2.0], [3.0, 4.0]])
B2 = np.array([[-1.0, -2.0], [-3.0, -4.0]])


def test_matrix_product_example() -> None:
    assert_close(dense_forward(A2, B2, np.zeros(2)), [[-7, -10], [-15, -22]])
    assert_close(dense_forward(A2, B2, np.array([1.0, -1.0])), [[-6, -11], [-14, -23]])  # b adds to every row


def test_hadamard_example() -> None:
    # dZ = dA ⊙ g'(Z): with Z > 0 everywhere relu' = 1, and on the note's matrices the elementwise product
    # of dA = A with a 0/1 mask keeps exactly the masked entries
    assert_close(activation_backward(B2, A2, "relu"), B2)
    assert_close(activation_backward(A2, np.array([[1.0, -1.0], [-1.0, 1.0]]), "relu"), [[1, 0], [0, 4]])
    assert_close(A2 * B2, [[-1, -4], [-9, -16]])


def test_dense_backward_worked_values() -> None:
    A = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]])  # m = 3, n = 2
    W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])  # n = 2, k = 3
    dZ = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    dA, dW, db = dense_backward(dZ, A, W)
    assert_close(dA, dZ @ W.T)
    assert_close(dA[0], [1.0, 2.0])  # dZ[0] = e_0 picks column 0 of W
    assert_close(dW, [[1 + 0, 0 + 3, 0], [2 + 1, 4 + 1, 1]])  # Σ_i A[i]ᵀ dZ[i]
    assert_close(db, [2.0, 2.0, 1.0])  # summed over the batch, not averaged


@pytest.mark.parametrize("m", [1, 3])
def test_dense_gradients(m) -> None:
    rng = np.random.default_rng(0)
    A, W, b = rng.standard_normal((m, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    G = rng.standard_normal((m, 4))  # upstream gradient of L = Σ G ⊙ Z
    dA, dW, db = dense_backward(G, A, W)
    assert dA.shape == A.shape and dW.shape == W.shape and db.shape == b.shape
    for x, g in ((A, dA), (W, dW), (b, db)):
        check_grad(lambda: (dense_forward(A, W, b) * G).sum(), x, g)


@pytest.mark.parametrize("name", NAMES)
def test_activation_gradients(name) -> None:
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((4, 3)) + 0.05  # keep away from relu's kink
    Z[np.abs(Z) < 1e-3] = 0.5
    G = rng.standard_normal((4, 3))
    check_grad(lambda: (activation_forward(Z, name) * G).sum(), Z, activation_backward(G, Z, name))


def test_activation_forward_values() -> None:
    Z = np.array([[-1.0, 0.0, 2.0]])
    assert_close(activation_forward(Z, "relu"), [[0, 0, 2]])
    assert_close(activation_forward(Z, "sigmoid"), 1 / (1 + np.exp(-Z)))
    assert_close(activation_forward(Z, "tanh"), np.tanh(Z))


def test_relu_backward_at_zero_is_zero() -> None:
    assert_close(activation_backward(np.ones((1, 3)), np.array([[-1.0, 0.0, 1.0]]), "relu"), [[0, 0, 1]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtypes(dtype) -> None:
    rng = np.random.default_rng(2)
    A, W, b = (rng.standard_normal(s).astype(dtype) for s in ((2, 3), (3, 4), (4,)))
    Z = dense_forward(A, W, b)
    assert Z.dtype == dtype
    assert all(g.dtype == dtype for g in dense_backward(Z, A, W))
    for name in NAMES:
        assert activation_forward(Z, name).dtype == dtype
        assert activation_backward(Z, Z, name).dtype == dtype


def test_backward_does_not_modify_inputs() -> None:
    rng = np.random.default_rng(3)
    dA, Z = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    A, W = rng.standard_normal((3, 2)), rng.standard_normal((2, 4))
    copies = [x.copy() for x in (dA, Z, A, W)]
    for name in NAMES:
        activation_backward(dA, Z, name)
    dense_backward(dA, A, W)
    for x, c in zip((dA, Z, A, W), copies):
        np.testing.assert_array_equal(x, c)


def test_testnet_matches_the_batch_note_elementwise() -> None:
    """TestNet 3→4→2: each gradient against the note's per-entry sums, written as loops."""
    rng = np.random.default_rng(4)
    m = 5
    a0 = rng.standard_normal((m, 3))
    W1, b1 = rng.standard_normal((3, 4)), rng.standard_normal(4)
    W2, b2 = rng.standard_normal((4, 2)), rng.standard_normal(2)
    Y = one_hot(rng.integers(0, 2, m), 2)

    z1 = dense_forward(a0, W1, b1)
    a1 = activation_forward(z1, "relu")
    z2 = dense_forward(a1, W2, b2)
    _, dz2 = softmax_cross_entropy(z2, Y)
    da1, dW2, db2 = dense_backward(dz2, a1, W2)
    dz1 = activation_backward(da1, z1, "relu")
    _, dW1, db1 = dense_backward(dz1, a0, W1)

    p = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    delta2 = p - Y  # dJ/dz2 per sample, before the 1/m of the mean
    want_dW2 = np.array([[sum(delta2[i, j] * a1[i, k] for i in range(m)) / m for j in range(2)] for k in range(4)])
    want_db2 = np.array([sum(delta2[i, j] for i in range(m)) / m for j in range(2)])
    want_da1 = np.array([[sum(delta2[i, j] * W2[k, j] for j in range(2)) / m for k in range(4)] for i in range(m)])
    want_dz1 = want_da1 * (z1 > 0)
    want_dW1 = np.array([[sum(want_dz1[i, l] * a0[i, k] for i in range(m)) for l in range(4)] for k in range(3)])
    want_db1 = want_dz1.sum(axis=0)
    for got, want in ((dW2, want_dW2), (db2, want_db2), (da1, want_da1), (dz1, want_dz1), (dW1, want_dW1), (db1, want_db1)):
        assert_close(got, want)
