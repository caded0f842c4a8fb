"""Validators of `backproplab.softmax_regression` (notebook 02)."""

from __future__ import annotations

from .arrays import as_float_array, check_dense, check_lam, check_one_hot


def _regression(W: object, X: object, Y: object, lam: object, func: str):
    W = as_float_array(W, "W", func, ndim=2)
    X = as_float_array(X, "X", func, ndim=2)
    Y = as_float_array(Y, "Y", func, ndim=2)
    check_dense(X, W, func, "X")
    if Y.shape != (X.shape[0], W.shape[1]):
        raise ValueError(f"{func}(): Y must have shape (m, k) = {(X.shape[0], W.shape[1])}; got {Y.shape}")
    check_one_hot(Y, "Y", func)
    return W, X.astype(W.dtype, copy=False), Y.astype(W.dtype, copy=False), check_lam(lam, func)


def softmax_regression_loss(W, X, Y, lam):
    return _regression(W, X, Y, lam, "softmax_regression_loss")


def softmax_regression_loss_loop(W, X, Y, lam):
    return _regression(W, X, Y, lam, "softmax_regression_loss_loop")
