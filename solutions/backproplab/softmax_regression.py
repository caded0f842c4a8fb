"""Softmax regression with L2 weight decay, (notebook 02).

No bias: ``F = X W``, ``S = softmax(F)``,
``loss = -(1/m) Σ Y ⊙ ln S + (λ/2) ‖W‖²`` and ``dL/dW = Xᵀ (S - Y) / m + λ W``.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .losses import l2_penalty, softmax_cross_entropy
from .softmax import log_softmax, softmax, softmax_jacobian


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
    W, X, Y, lam = validate.softmax_regression_loss(W, X, Y, lam)
    ### BEGIN SOLUTION
    # hint: scores, the softmax loss and its gradient at the scores, the chain rule back to W, then weight decay on both
    data_loss, dF = softmax_cross_entropy(X @ W, Y)
    loss = data_loss + l2_penalty(W, lam)
    dW = X.T @ dF + lam * W
    return loss, dW
    ### END SOLUTION


def softmax_regression_loss_loop(W: np.ndarray, X: np.ndarray, Y: np.ndarray, lam: float) -> tuple[np.floating, np.ndarray]:
    """Same loss and gradient, one sample at a time through the softmax Jacobian.

    For sample i: ``f = x_i W`` (k,), ``s = softmax(f)``, ``dC/ds = -y_i / s``,
    ``dC/df = Jᵀ dC/ds`` with ``J = diag(s) - s sᵀ``, and ``dC/dW += x_iᵀ dC/df``.
    Slow on purpose: it shows where the vectorised shortcut ``S - Y`` comes from.

    Parameters and returns as in `softmax_regression_loss`.
    """
    W, X, Y, lam = validate.softmax_regression_loss_loop(W, X, Y, lam)
    m = X.shape[0]
    ### BEGIN SOLUTION
    # hint: one sample at a time through the softmax Jacobian, exactly as derived in notebook 02; average at the end, then weight decay
    loss = 0.0
    dW = np.zeros_like(W)
    for x, y in zip(X, Y):
        f = x @ W
        s = softmax(f)
        loss -= y @ log_softmax(f)
        dC_ds = -y / s
        dC_df = softmax_jacobian(s).T @ dC_ds
        dW += np.outer(x, dC_df)
    loss = loss / m + l2_penalty(W, lam)
    dW = dW / m + lam * W
    return loss, dW
    ### END SOLUTION
