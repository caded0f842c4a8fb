"""Row-major layers, each a ``*_forward`` / ``*_backward`` pair (notebook 05).

Shapes: a batch ``A`` is ``(m, n)``, ``W`` is ``(n, k)``, ``b`` is ``(k,)`` and
``Z = A W + b`` is ``(m, k)``. A backward function receives the upstream
gradient (already carrying the loss's ``1/m``) and applies the chain rule only.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .activations import relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad

_FORWARD = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}
_DERIVATIVE = {"relu": relu_grad, "sigmoid": sigmoid_grad, "tanh": tanh_grad}


def dense_forward(A: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Affine layer ``Z = A W + b``.

    Parameters
    ----------
    A : ndarray, shape (m, n)
    W : ndarray, shape (n, k)
    b : ndarray, shape (k,)

    Returns
    -------
    Z : ndarray, shape (m, k)
    """
    A, W, b = validate.dense_forward(A, W, b)
    if b.shape != (W.shape[1],):
        raise ValueError(f"dense_forward(): b must have shape ({W.shape[1]},) to match W {W.shape}; got {b.shape}")
    ### BEGIN SOLUTION
    # hint: one matrix product and a bias broadcast over the rows
    return A @ W + b
    ### END SOLUTION


def dense_backward(dZ: np.ndarray, A: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of `dense_forward`.

    Parameters
    ----------
    dZ : ndarray, shape (m, k)
        Gradient of the loss w.r.t. Z.
    A : ndarray, shape (m, n)
        The layer's input from the forward pass.
    W : ndarray, shape (n, k)

    Returns
    -------
    dA : ndarray, shape (m, n)
        ``dZ Wᵀ``.
    dW : ndarray, shape (n, k)
        ``Aᵀ dZ`` (no extra 1/m: dZ already has it).
    db : ndarray, shape (k,)
        ``dZ`` summed over the batch (rows).
    """
    dZ, A, W = validate.dense_backward(dZ, A, W)
    if dZ.shape != (A.shape[0], W.shape[1]):
        raise ValueError(f"dense_backward(): dZ must have shape (m, k) = {(A.shape[0], W.shape[1])}; got {dZ.shape}")
    ### BEGIN SOLUTION
    # hint: three chain-rule products: for the input A, for W, and for b (one b is shared by every row)
    return dZ @ W.T, A.T @ dZ, dZ.sum(axis=0)
    ### END SOLUTION


def activation_forward(Z: np.ndarray, name: str) -> np.ndarray:
    """Apply the activation `name` (``"relu"``, ``"sigmoid"`` or ``"tanh"``) elementwise; shape of `Z`."""
    Z, name = validate.activation_forward(Z, name)
    ### BEGIN SOLUTION
    # hint: look the function up by name and apply it
    return _FORWARD[name](Z)
    ### END SOLUTION


def activation_backward(dA: np.ndarray, Z: np.ndarray, name: str) -> np.ndarray:
    """``dZ = dA ⊙ g'(Z)`` for the activation `name`; never modifies `dA` or `Z`.

    Parameters
    ----------
    dA : ndarray, shape (m, k)
        Gradient w.r.t. the activation's output.
    Z : ndarray, shape (m, k)
        The activation's input from the forward pass.

    Returns
    -------
    dZ : ndarray, shape (m, k)
    """
    dA, Z, name = validate.activation_backward(dA, Z, name)
    ### BEGIN SOLUTION
    # hint: elementwise product of dA with the derivative evaluated at Z (a new array, not dA edited in place)
    return dA * _DERIVATIVE[name](Z)
    ### END SOLUTION
