"""Losses and their gradients (notebooks 02 and 03).

Every loss is a **mean over the batch** (the first axis, of length m), so each
gradient carries the ``1/m`` and the layers below it are plain chain rule.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .softmax import log_softmax


def cross_entropy(S: np.ndarray, Y: np.ndarray) -> np.floating:
    """Mean cross-entropy ``-(1/m) Σ_i Σ_j Y_ij ln S_ij`` of probabilities `S`.

    Parameters
    ----------
    S : ndarray, shape (m, k) or (k,)
        Predicted probabilities (rows of a softmax).
    Y : ndarray, same shape as `S`
        One-hot targets.

    Returns
    -------
    loss : scalar of `S`'s float dtype
        ``inf`` (never NaN, never a warning) when a target's probability is exactly 0.
    """
    S, Y = validate.cross_entropy(S, Y)
    m = S.shape[0] if S.ndim == 2 else 1
    ### BEGIN SOLUTION
    # hint: take ln only where Y = 1 (ln 0 = -inf is allowed there), sum, divide by the batch size m
    logS = np.zeros_like(S)
    with np.errstate(divide="ignore"):
        np.log(S, out=logS, where=Y > 0)
    return -(Y * logS).sum() / m
    ### END SOLUTION


def softmax_cross_entropy(Z: np.ndarray, Y: np.ndarray) -> tuple[np.floating, np.ndarray]:
    """Cross-entropy of ``softmax(Z)`` and its gradient, through log-softmax.

    Parameters
    ----------
    Z : ndarray, shape (m, k)
        Logits.
    Y : ndarray, shape (m, k)
        One-hot targets.

    Returns
    -------
    loss : scalar of `Z`'s dtype
        ``-(1/m) Σ Y ⊙ log_softmax(Z)``; finite for any finite logits.
    dZ : ndarray, shape (m, k)
        ``(softmax(Z) - Y) / m``.
    """
    Z, Y = validate.softmax_cross_entropy(Z, Y)
    m = Z.shape[0]
    ### BEGIN SOLUTION
    # hint: the loss from log-probabilities (never log of a softmax); the gradient is predictions minus targets, with the mean's 1/m
    logS = log_softmax(Z)
    loss = -(Y * logS).sum() / m
    dZ = (np.exp(logS) - Y) / m
    return loss, dZ
    ### END SOLUTION


def l2_penalty(weights: np.ndarray | list[np.ndarray], lam: float) -> np.floating:
    """Weight decay ``(λ/2) Σ_W ‖W‖²`` (squared Frobenius norms).

    Parameters
    ----------
    weights : ndarray or list of ndarray
        One weight matrix, or the weight matrices of every layer (never biases).
    lam : float
        Regularisation strength λ ≥ 0.

    Returns
    -------
    scalar of the first weight's float dtype
    """
    Ws, lam = validate.l2_penalty(weights, lam)
    ### BEGIN SOLUTION
    # hint: lam / 2 times the sum of all squared entries of every matrix
    dtype = Ws[0].dtype.type if Ws else np.float64
    return dtype(lam / 2) * sum(dtype((W * W).sum()) for W in Ws)
    ### END SOLUTION


def l1_loss(A: np.ndarray, Y: np.ndarray) -> np.floating:
    """Mean absolute error ``(1/m) Σ_i Σ_j |A_ij - Y_ij|``.

    Parameters
    ----------
    A : ndarray, shape (m, k) or (m,)
        Predictions.
    Y : ndarray, same shape as `A`
        Targets.
    """
    A, Y = validate.l1_loss(A, Y)
    m = A.shape[0]
    ### BEGIN SOLUTION
    # hint: sum of |A - Y| over everything, divided by the batch size m
    return np.abs(A - Y).sum() / m
    ### END SOLUTION


def l1_loss_grad(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Gradient of `l1_loss` w.r.t. `A`: ``sign(A - Y) / m``, shape of `A` (0 where A = Y)."""
    A, Y = validate.l1_loss_grad(A, Y)
    m = A.shape[0]
    ### BEGIN SOLUTION
    # hint: the derivative of |x| is sign(x); remember the 1/m of the mean
    return np.sign(A - Y) / m
    ### END SOLUTION


def l2_loss(A: np.ndarray, Y: np.ndarray) -> np.floating:
    """Mean squared error as defined in notebook 03: ``(1/m) Σ_i Σ_j (A_ij - Y_ij)²`` (no ½).

    Parameters
    ----------
    A : ndarray, shape (m, k) or (m,)
    Y : ndarray, same shape as `A`
    """
    A, Y = validate.l2_loss(A, Y)
    m = A.shape[0]
    ### BEGIN SOLUTION
    # hint: sum of squared differences divided by m; there is no 1/2 in this definition
    D = A - Y
    return (D * D).sum() / m
    ### END SOLUTION


def l2_loss_grad(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Gradient of `l2_loss` w.r.t. `A`: ``2 (A - Y) / m``, shape of `A`."""
    A, Y = validate.l2_loss_grad(A, Y)
    m = A.shape[0]
    ### BEGIN SOLUTION
    # hint: d/dx x² = 2x, and the mean brings a 1/m
    return 2 * (A - Y) / m
    ### END SOLUTION


def binary_cross_entropy(A: np.ndarray, Y: np.ndarray) -> np.floating:
    """Mean binary cross-entropy ``-(1/m) Σ [Y ln A + (1 - Y) ln(1 - A)]``.

    Parameters
    ----------
    A : ndarray, shape (m, k) or (m,)
        Predicted probabilities in [0, 1] (sigmoid outputs).
    Y : ndarray, same shape as `A`
        Targets in [0, 1].

    Returns
    -------
    scalar of `A`'s dtype; ``inf`` (no warning) when a probability of exactly 0
    is given to a target of 1, or 1 to a target of 0.
    """
    A, Y = validate.binary_cross_entropy(A, Y)
    m = A.shape[0]
    ### BEGIN SOLUTION
    # hint: two log terms; take each log only where its weight (Y or 1 - Y) is non-zero
    logA, log1mA = np.zeros_like(A), np.zeros_like(A)
    with np.errstate(divide="ignore"):
        np.log(A, out=logA, where=Y > 0)
        np.log1p(-A, out=log1mA, where=Y < 1)
    return -(Y * logA + (1 - Y) * log1mA).sum() / m
    ### END SOLUTION


def binary_cross_entropy_grad(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Gradient of `binary_cross_entropy` w.r.t. `A`: ``(A - Y) / (A (1 - A)) / m``.

    Needs ``0 < A < 1``; shape of `A`.
    """
    A, Y = validate.binary_cross_entropy_grad(A, Y)
    if not ((A > 0) & (A < 1)).all():
        raise ValueError("binary_cross_entropy_grad(): A must lie strictly between 0 and 1 (the gradient is infinite at 0 and 1)")
    m = A.shape[0]
    ### BEGIN SOLUTION
    # hint: differentiate one entry's loss with respect to a, then account for the mean over the batch
    return (-Y / A + (1 - Y) / (1 - A)) / m
    ### END SOLUTION


def binary_cross_entropy_with_logits(Z: np.ndarray, Y: np.ndarray) -> tuple[np.floating, np.ndarray]:
    """Mean binary cross-entropy of ``σ(Z)`` against `Y`, computed from the logits, and its gradient.

    ``loss = (1/m) Σ [max(z, 0) - z y + ln(1 + e^{-|z|})]``, which equals
    ``binary_cross_entropy(sigmoid(Z), Y)`` but stays finite for every finite `Z`
    (no probability is ever rounded to 0 or 1), and ``dZ = (σ(Z) - Y) / m``.

    Parameters
    ----------
    Z : ndarray, shape (m, k) or (m,)
        Logits (pre-activations of sigmoid outputs), any finite values.
    Y : ndarray, same shape as `Z`
        Targets in [0, 1].

    Returns
    -------
    (loss, dZ) : scalar of `Z`'s dtype, array of `Z`'s shape and dtype
    """
    Z, Y = validate.binary_cross_entropy_with_logits(Z, Y)
    m = Z.shape[0]
    ### BEGIN SOLUTION
    # hint: per entry softplus(z) - z y, with ln(1 + e^z) written so that only -|z| is exponentiated; the gradient is prediction minus target, over m
    E = np.exp(-np.abs(Z))  # in (0, 1]: nothing overflows
    loss = (np.maximum(Z, 0) - Z * Y + np.log1p(E)).sum() / m
    S = np.where(Z >= 0, 1 / (1 + E), E / (1 + E))  # σ(Z), stable on both sides
    return loss, (S - Y) / m
    ### END SOLUTION
