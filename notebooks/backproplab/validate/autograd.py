"""Validators of `backproplab.autograd` (notebook 07) and of the graph the grader builds for `backward`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .arrays import (
    as_float_array,
    check_activation_name,
    check_lam,
    check_one_hot,
    check_pair,
    check_params,
    check_product_grad,
    check_same_shape,
)


def accumulate(grad, contribution):
    grad = as_float_array(grad, "grad", "accumulate")
    contribution = as_float_array(contribution, "contribution", "accumulate")
    try:
        ok = np.broadcast_shapes(grad.shape, contribution.shape) == contribution.shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"accumulate(): grad {grad.shape} must broadcast to the contribution's shape; got contribution {contribution.shape}")
    return grad, contribution.astype(grad.dtype, copy=False)


def matmul_backward(G, A, B):
    G, A, B = check_product_grad(G, A, B, "matmul_backward", "G")
    return G.astype(A.dtype, copy=False), A, B.astype(A.dtype, copy=False)


_RANGES = {"relu": (0.0, np.inf), "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def unary_backward(G, out, name):
    G = as_float_array(G, "G", "unary_backward")
    out = as_float_array(out, "out", "unary_backward")
    check_same_shape(G, out, "G", "out", "unary_backward")
    name = check_activation_name(name, "unary_backward")
    low, high = _RANGES[name]
    if out.size and not ((out >= low) & (out <= high)).all():
        raise ValueError(f"unary_backward(): out must be the output of {name}, in [{low}, {high}]; got min {out.min()} and max {out.max()}")
    return G, out.astype(G.dtype, copy=False), name


def log_softmax_backward(G, out):
    G = as_float_array(G, "G", "log_softmax_backward", ndim=2)
    out = as_float_array(out, "out", "log_softmax_backward", ndim=2)
    check_same_shape(G, out, "G", "out", "log_softmax_backward")
    return G, out.astype(G.dtype, copy=False)


def nll_backward(g, logp, Y):
    g = as_float_array(g, "g", "nll_backward", ndim=0)
    logp, Y = check_pair(logp, Y, "nll_backward", "logp")
    if logp.ndim != 2:
        raise ValueError(f"nll_backward(): logp must be 2-D (m, k); got shape {logp.shape}")
    check_one_hot(Y, "Y", "nll_backward")
    return float(g), logp, Y


def program(values, program, n_ops):
    """Returns ``(values, program)``: a list of float arrays and an int array of rows (code, i, j) that refer back."""
    if isinstance(values, np.ndarray) or not isinstance(values, Iterable):
        raise ValueError(f"program_graph(): values must be a list of arrays; got {type(values).__name__}")
    values = [as_float_array(v, f"values[{i}]", "program_graph") for i, v in enumerate(values)]
    P = np.asarray(program)
    if P.ndim != 2 or P.shape[1] != 3 or P.shape[0] == 0 or P.dtype.kind not in "iu":
        raise ValueError(f"program_graph(): program must be an int array of rows (op, i, j); got {P.dtype} {P.shape}")
    for r, (code, i, j) in enumerate(P.tolist()):
        n = len(values) + r
        if not 0 <= code < n_ops or not 0 <= i < n or not -1 <= j < n:
            raise ValueError(f"program_graph(): row {r} = ({code}, {i}, {j}) must name an op below {n_ops} and earlier nodes (< {n})")
    return values, P


def scalar_tensor(t, func, name):
    if not isinstance(t, Tensor):
        raise ValueError(f"{func}(): {name} must be a Tensor (or call {func}(values, program)); got {type(t).__name__}")
    if t.shape != ():
        raise ValueError(f"{func}(): {name} must be a scalar tensor (a loss); got shape {t.shape}")
    return t


def _tensor_params(params, func, copy):
    """``(L, dict of leaf tensors)``: tensors are used as they are, arrays become new leaves (copied if `copy`)."""
    if isinstance(params, Mapping) and all(isinstance(v, Tensor) for v in params.values()):
        L = check_params({k: v.value for k, v in params.items()}, func)
        return L, dict(params)
    L = check_params(params, func)
    leaves = {}
    for k, v in params.items():
        arr = as_float_array(v, f"params['{k}']", func)
        leaves[k] = Tensor(arr.copy() if copy else arr, name=k)
    return L, leaves


def _net_data(L, P, X, Y, func):
    X = as_float_array(X, "X", func, ndim=2)
    Y = as_float_array(Y, "Y", func, ndim=2)
    n0, n_out = P["W1"].shape[0], P[f"W{L}"].shape[1]
    if X.shape[1] != n0:
        raise ValueError(f"{func}(): X must have {n0} columns to match W1 {P['W1'].shape}; got X of shape {X.shape}")
    if Y.shape != (X.shape[0], n_out):
        raise ValueError(f"{func}(): Y must have shape (m, n_L) = {(X.shape[0], n_out)}; got {Y.shape}")
    check_one_hot(Y, "Y", func)
    dtype = P["W1"].dtype
    return X.astype(dtype, copy=False), Y.astype(dtype, copy=False)


def autograd_mlp_grads(params, X, Y, lam, activation):
    """Returns ``(L, leaves, X, Y, lam)``, the leaves a dict of tensors."""
    L, P = _tensor_params(params, "autograd_mlp_grads", copy=False)
    X, Y = _net_data(L, P, X, Y, "autograd_mlp_grads")
    check_activation_name(activation, "autograd_mlp_grads")
    return L, P, X, Y, check_lam(lam, "autograd_mlp_grads")


def autograd_train(params, X, Y, lam, lr, batch_size, activation):
    """Returns ``(leaves, X, Y, lam, lr, batch_size)``, the leaves new tensors holding copies of `params`."""
    L, P = _tensor_params(params, "autograd_train", copy=True)
    X, Y = _net_data(L, P, X, Y, "autograd_train")
    check_activation_name(activation, "autograd_train")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"autograd_train(): batch_size must be a positive integer; got {batch_size!r}")
    return P, X, Y, check_lam(lam, "autograd_train"), check_lam(lr, "autograd_train", "lr"), int(batch_size)
