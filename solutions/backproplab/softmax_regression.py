"""Softmax regression with L2 weight decay, (notebook 02).

No bias: ``F = X W``, ``S = softmax(F)``,
``loss = -(1/m) Σ Y ⊙ ln S + (λ/2) ‖W‖²`` and ``dL/dW = Xᵀ (S - Y) / m + λ W``.
"""

from __future__ import annotations

import numpy as np

from .losses import l2_penalty, softmax_cross_entropy
from .softmax import log_softmax, softmax, softmax_jacobian
from .validate import as_float_array, check_dense, check_lam, check_one_hot


def _inputs(W: object, X: object, Y: object, lam: object, func: str):
    W = as_float_array(W, "W", func, ndim=2)
    X = as_float_array(X, "X", func, ndim=2)
    Y = as_float_array(Y, "Y", func, ndim=2)
    check_dense(X, W, func, "X")
    if Y.shape != (X.shape[0], W.shape[1]):
        raise ValueError(f"{func}(): Y must have shape (m, k) = {(X.shape[0], W.shape[1])}; got {Y.shape}")
    check_one_hot(Y, "Y", func)
    return W, X.astype(W.dtype, copy=False), Y.astype(W.dtype, copy=False), check_lam(lam, func)


def softmax_regression_loss(W: np.ndarray, X: np.ndarray, Y: np.ndarray, lam: float) -> tuple[np.floating, np.ndarray]:
    """Regularised softmax-regression loss and its gradient, vectorised over the batch.

    Parameters
    ----------
    W : ndarray, shape (n, k)
        Weights (n features, k classes), e.g. 784 × 10 for MNIST.
    X : ndarray, shape (m, n)
        Inputs, one sample per row, e.g. 100 × 784.
    Y : ndarray, shape (m, k)
        One-hot targets, e.g. 100 × 10.
    lam : float
        L2 strength λ.

    Returns
    -------
    loss : scalar of `W`'s dtype
        Mean cross-entropy plus ``(λ/2) ‖W‖²``.
    dW : ndarray, shape (n, k)
        ``Xᵀ (S - Y) / m + λ W``.
    """
    W, X, Y, lam = _inputs(W, X, Y, lam, "softmax_regression_loss")
    ### BEGIN SOLUTION
    # hint: scores, the softmax loss and its gradient at the scores, the chain rule back to W, then weight decay on both
    data_loss, dF = softmax_cross_entropy(X @ W, Y)
    loss = data_loss + l2_penalty(W, lam)
    dW = X.T @ dF + W.dtype.type(lam) * W
    return loss, dW
    ### END SOLUTION


def softmax_regression_loss_loop(W: np.ndarray, X: np.ndarray, Y: np.ndarray, lam: float) -> tuple[np.floating, np.ndarray]:
    """Same loss and gradient, one sample at a time through the softmax Jacobian.

    For sample i: ``f = x_i W`` (k,), ``s = softmax(f)``, ``dC/ds = -y_i / s``,
    ``dC/df = Jᵀ dC/ds`` with ``J = diag(s) - s sᵀ``, and ``dC/dW += x_iᵀ dC/df``.
    Slow on purpose: it shows where the vectorised shortcut ``S - Y`` comes from.

    Parameters and returns as in `softmax_regression_loss`.
    """
    W, X, Y, lam = _inputs(W, X, Y, lam, "softmax_regression_loss_loop")
    m = X.shape[0]
    ### BEGIN SOLUTION
    # hint: one sample at a time through the softmax Jacobian, exactly as derived in notebook 02; average at the end, then weight decay
    loss = W.dtype.type(0)
    dW = np.zeros_like(W)
    for x, y in zip(X, Y):
        f = x @ W
        s = softmax(f)
        loss -= y @ log_softmax(f)
        dC_ds = -y / s
        dC_df = softmax_jacobian(s).T @ dC_ds
        dW += np.outer(x, dC_df)
    loss = loss / m + l2_penalty(W, lam)
    dW = dW / m + W.dtype.type(lam) * W
    return loss, dW
    ### END SOLUTION
