"""Wrong versions of ``backproplab/softmax_regression.py`` (notebook 02). Parsed, never imported: see ``__init__``."""

import numpy as np

from .losses import l2_penalty, softmax_cross_entropy
from .softmax import log_softmax, softmax, softmax_jacobian


def softmax_regression_loss__no_lambda_in_grad(W, X, Y, lam):
    """The loss has the L2 term but the gradient lacks its derivative λW."""
    data_loss, dF = softmax_cross_entropy(X @ W, Y)
    loss = data_loss + l2_penalty(W, lam)
    dW = X.T @ dF
    return loss, dW


def softmax_regression_loss__two_lambda_in_grad(W, X, Y, lam):
    """The derivative of (λ/2)‖W‖² is λW (the ½ cancels the 2), not 2λW."""
    data_loss, dF = softmax_cross_entropy(X @ W, Y)
    loss = data_loss + l2_penalty(W, lam)
    dW = X.T @ dF + W.dtype.type(2 * lam) * W
    return loss, dW


def softmax_regression_loss__no_penalty_in_loss(W, X, Y, lam):
    """The loss must include the L2 term (λ/2)‖W‖², like its gradient includes λW."""
    data_loss, dF = softmax_cross_entropy(X @ W, Y)
    loss = data_loss
    dW = X.T @ dF + W.dtype.type(lam) * W
    return loss, dW


def softmax_regression_loss__mean_twice(W, X, Y, lam):
    """1/m applied twice: the gradient from softmax_cross_entropy already carries it."""
    data_loss, dF = softmax_cross_entropy(X @ W, Y)
    loss = data_loss + l2_penalty(W, lam)
    dW = X.T @ dF / W.dtype.type(X.shape[0]) + W.dtype.type(lam) * W
    return loss, dW


def softmax_regression_loss__transposed(W, X, Y, lam):
    """Mind the transpose: with row-major X of shape (m, n), the data gradient Xᵀ dF has W's shape (n, k)."""
    data_loss, dF = softmax_cross_entropy(X @ W, Y)
    loss = data_loss + l2_penalty(W, lam)
    dW = dF.T @ X + W.dtype.type(lam) * W
    return loss, dW


def softmax_regression_loss_loop__no_mean(W, X, Y, lam, m):
    """The per-sample gradients are averaged: divide their sum by m, as the loss is."""
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
    dW = dW + W.dtype.type(lam) * W
    return loss, dW


def softmax_regression_loss_loop__float64_accumulator(W, X, Y, lam, m):
    """np.zeros(shape) is float64: start the sum with an array of W's dtype so float32 stays float32."""
    loss = W.dtype.type(0)
    dW = np.zeros(W.shape)
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


def softmax_regression_loss_loop__outer_transposed(W, X, Y, lam, m):
    """Each sample adds the outer product of x and dC/df, shape (n, k) like W; the other order gives its transpose."""
    loss = W.dtype.type(0)
    dW = np.zeros_like(W)
    for x, y in zip(X, Y):
        f = x @ W
        s = softmax(f)
        loss -= y @ log_softmax(f)
        dC_ds = -y / s
        dC_df = softmax_jacobian(s).T @ dC_ds
        dW += np.outer(dC_df, x)
    loss = loss / m + l2_penalty(W, lam)
    dW = dW / m + W.dtype.type(lam) * W
    return loss, dW


def softmax_regression_loss_loop__diagonal_jacobian(W, X, Y, lam, m):
    """The softmax Jacobian is not diagonal: s(1 - s) elementwise ignores how each logit moves every probability."""
    loss = W.dtype.type(0)
    dW = np.zeros_like(W)
    for x, y in zip(X, Y):
        f = x @ W
        s = softmax(f)
        loss -= y @ log_softmax(f)
        dC_ds = -y / s
        dC_df = s * (1 - s) * dC_ds
        dW += np.outer(x, dC_df)
    loss = loss / m + l2_penalty(W, lam)
    dW = dW / m + W.dtype.type(lam) * W
    return loss, dW


def softmax_regression_loss_loop__dC_ds_sign(W, X, Y, lam, m):
    """The derivative of -Σ y ln s with respect to s carries the minus sign."""
    loss = W.dtype.type(0)
    dW = np.zeros_like(W)
    for x, y in zip(X, Y):
        f = x @ W
        s = softmax(f)
        loss -= y @ log_softmax(f)
        dC_ds = y / s
        dC_df = softmax_jacobian(s).T @ dC_ds
        dW += np.outer(x, dC_df)
    loss = loss / m + l2_penalty(W, lam)
    dW = dW / m + W.dtype.type(lam) * W
    return loss, dW


def softmax_regression_loss_loop__no_lambda_in_grad(W, X, Y, lam, m):
    """The loss has the L2 term but the gradient lacks its derivative λW."""
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
    dW = dW / m
    return loss, dW


def softmax_regression_loss__no_max_shift(W, X, Y, lam):
    """exp of large scores overflows to inf and inf/inf is NaN: subtract each row's max score first (or use softmax_cross_entropy)."""
    m = X.shape[0]
    F = X @ W
    E = np.exp(F)
    S = E / E.sum(axis=1, keepdims=True)
    loss = -(Y * np.log(S)).sum() / W.dtype.type(m) + l2_penalty(W, lam)
    dW = X.T @ ((S - Y) / W.dtype.type(m)) + W.dtype.type(lam) * W
    return loss, dW


def softmax_regression_loss__log_of_softmax(W, X, Y, lam):
    """-log(softmax) is inf where the target's probability underflows to 0: use log-softmax (log-sum-exp) for the loss."""
    from .softmax import softmax

    m = X.shape[0]
    S = softmax(X @ W)
    loss = -np.log(S[np.arange(m), Y.argmax(axis=1)]).sum() / W.dtype.type(m) + l2_penalty(W, lam)
    dW = X.T @ ((S - Y) / W.dtype.type(m)) + W.dtype.type(lam) * W
    return loss, dW


def softmax_regression_loss__softmax_twice(W, X, Y, lam):
    """softmax_cross_entropy takes the scores X W and applies softmax itself: passing probabilities applies it twice."""
    from .softmax import softmax

    data_loss, dF = softmax_cross_entropy(softmax(X @ W), Y)
    loss = data_loss + l2_penalty(W, lam)
    dW = X.T @ dF + W.dtype.type(lam) * W
    return loss, dW
