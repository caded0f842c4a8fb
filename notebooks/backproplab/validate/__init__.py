"""Input validation of the exercise functions (infrastructure): one validator per function.

Every exercise function starts with one line, ``Z = validate.softmax(Z)``,
before its solution block, so a student never writes validation and a bad
call fails with a message that names the function, the argument, what was
expected and what was received, instead of a NumPy traceback from deep
inside. Each validator returns the validated arguments the function's body
uses, in its order; the checks they are made of are in `arrays`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .arrays import (
    ACTIVATIONS,
    all_finite,
    as_float_array,
    check_activation_name,
    check_binary_targets,
    check_dense,
    check_lam,
    check_one_hot,
    check_params,
    check_probabilities,
    check_same_shape,
    weight_list,
)

__all__ = ["ACTIVATIONS", "all_finite", "as_float_array", "check_activation_name", "check_binary_targets", "check_dense",
           "check_lam", "check_one_hot", "check_params", "check_probabilities", "check_same_shape", "weight_list"]


def softmax(Z):
    return as_float_array(Z, "Z", "softmax", ndim=(1, 2))


def log_softmax(Z):
    return as_float_array(Z, "Z", "log_softmax", ndim=(1, 2))


def softmax_jacobian(s):
    s = as_float_array(s, "s", "softmax_jacobian", ndim=1)
    check_probabilities(s, "s", "softmax_jacobian")
    return s


def _pair(A: object, Y: object, func: str, a_name: str = "A") -> tuple[np.ndarray, np.ndarray]:
    A = as_float_array(A, a_name, func, ndim=(1, 2))
    Y = as_float_array(Y, "Y", func, ndim=(1, 2))
    check_same_shape(A, Y, a_name, "Y", func)
    return A, Y.astype(A.dtype, copy=False)


def cross_entropy(S, Y):
    S, Y = _pair(S, Y, "cross_entropy", "S")
    check_probabilities(S, "S", "cross_entropy")
    check_one_hot(Y, "Y", "cross_entropy")
    return S, Y


def softmax_cross_entropy(Z, Y):
    Z, Y = _pair(Z, Y, "softmax_cross_entropy", "Z")
    if Z.ndim != 2:
        raise ValueError(f"softmax_cross_entropy(): Z must be 2-D (m, k); got shape {Z.shape}")
    check_one_hot(Y, "Y", "softmax_cross_entropy")
    return Z, Y


def l2_penalty(weights, lam):
    return weight_list(weights, "l2_penalty"), check_lam(lam, "l2_penalty")


def binary_cross_entropy(A, Y):
    A, Y = _pair(A, Y, "binary_cross_entropy")
    check_probabilities(A, "A", "binary_cross_entropy")
    check_binary_targets(Y, "Y", "binary_cross_entropy")
    return A, Y


def binary_cross_entropy_grad(A, Y):
    A, Y = _pair(A, Y, "binary_cross_entropy_grad")
    check_binary_targets(Y, "Y", "binary_cross_entropy_grad")
    return A, Y


def binary_cross_entropy_with_logits(Z, Y):
    Z, Y = _pair(Z, Y, "binary_cross_entropy_with_logits", "Z")
    check_binary_targets(Y, "Y", "binary_cross_entropy_with_logits")
    return Z, Y


def l1_loss(A, Y):
    return _pair(A, Y, "l1_loss")


def l1_loss_grad(A, Y):
    return _pair(A, Y, "l1_loss_grad")


def l2_loss(A, Y):
    return _pair(A, Y, "l2_loss")


def l2_loss_grad(A, Y):
    return _pair(A, Y, "l2_loss_grad")


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


def _elementwise(func: str):
    def validator(Z):
        return as_float_array(Z, "Z", func)

    validator.__name__ = func
    return validator


sigmoid, sigmoid_grad, relu, relu_grad, tanh, tanh_grad, silu, silu_grad = (
    _elementwise(f) for f in ("sigmoid", "sigmoid_grad", "relu", "relu_grad", "tanh", "tanh_grad", "silu", "silu_grad")
)


def forward_single(params, x):
    """Returns ``(L, x)``."""
    L = check_params(params, "forward_single", bias_ndim=2)
    x = as_float_array(x, "x", "forward_single", ndim=2)
    n0 = np.shape(params["W1"])[1]
    if x.shape != (n0, 1):
        raise ValueError(f"forward_single(): x must be a column vector of shape ({n0}, 1); got {x.shape}")
    return L, x


def backward_single(params, cache, y):
    """Returns ``(L, y)`` with `y` a column ``(n_L, 1)``."""
    L = check_params(params, "backward_single", bias_ndim=2)
    y = as_float_array(y, "y", "backward_single", ndim=(0, 2)).reshape(-1, 1)
    _check_cache(cache, ["a0"] + [f"{p}{l}" for l in range(1, L + 1) for p in "za"], "backward_single", "forward_single")
    return L, y


def _check_cache(cache: object, keys: list[str], func: str, maker: str) -> None:
    missing = [k for k in keys if not isinstance(cache, Mapping) or k not in cache]
    if missing:
        raise ValueError(f"{func}(): cache is missing {missing}; pass what {maker} returned")


def dense_forward(A, W, b):
    A = as_float_array(A, "A", "dense_forward", ndim=2)
    W = as_float_array(W, "W", "dense_forward", ndim=2)
    b = as_float_array(b, "b", "dense_forward", ndim=1)
    check_dense(A, W, "dense_forward")
    if b.shape != (W.shape[1],):
        raise ValueError(f"dense_forward(): b must have shape (k,) = ({W.shape[1]},) to match W {W.shape}; got {b.shape}")
    return A, W, b


def _product_backward(G, A, W, func: str, g_name: str):
    """The upstream gradient `G` (m, k) of ``A @ W`` with `A` (m, n) and `W` (n, k)."""
    G = as_float_array(G, g_name, func, ndim=2)
    A = as_float_array(A, "A", func, ndim=2)
    W = as_float_array(W, "W" if func == "dense_backward" else "B", func, ndim=2)
    check_dense(A, W, func)
    if G.shape != (A.shape[0], W.shape[1]):
        raise ValueError(f"{func}(): {g_name} must have shape (m, k) = {(A.shape[0], W.shape[1])}; got {G.shape}")
    return G, A, W


def dense_backward(dZ, A, W):
    return _product_backward(dZ, A, W, "dense_backward", "dZ")


def activation_forward(Z, name):
    return as_float_array(Z, "Z", "activation_forward"), check_activation_name(name, "activation_forward")


def activation_backward(dA, Z, name):
    dA = as_float_array(dA, "dA", "activation_backward")
    Z = as_float_array(Z, "Z", "activation_backward")
    check_same_shape(dA, Z, "dA", "Z", "activation_backward")
    return dA, Z, check_activation_name(name, "activation_backward")


SCHEMES = ("he", "xavier", "small")


def init_params(sizes, scheme, seed):
    """Returns ``(sizes, scheme, rng)``: the layer widths as ints and the seeded generator."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Iterable):
        raise ValueError(f"init_params(): sizes must be at least two positive integers, e.g. [784, 100, 10]; got {sizes!r}")
    sizes = list(sizes)
    if len(sizes) < 2 or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in sizes):
        raise ValueError(f"init_params(): sizes must be at least two positive integers, e.g. [784, 100, 10]; got {sizes!r}")
    if scheme not in SCHEMES:
        raise ValueError(f"init_params(): scheme must be one of {SCHEMES}; got {scheme!r}")
    return [int(n) for n in sizes], scheme, np.random.default_rng(seed)


def _params_and_X(params: object, X: object, func: str) -> tuple[int, np.ndarray]:
    L = check_params(params, func)
    X = as_float_array(X, "X", func, ndim=2)
    n0 = np.shape(params["W1"])[0]
    if X.shape[1] != n0:
        raise ValueError(f"{func}(): X must have {n0} columns to match W1 {np.shape(params['W1'])}; got X of shape {X.shape}")
    return L, X


def mlp_forward(params, X, activation):
    """Returns ``(L, X)``."""
    L, X = _params_and_X(params, X, "mlp_forward")
    check_activation_name(activation, "mlp_forward")
    return L, X


def mlp_backward(dscores, cache, params, activation):
    """Returns ``(L, dscores)``."""
    L = check_params(params, "mlp_backward")
    check_activation_name(activation, "mlp_backward")
    dscores = as_float_array(dscores, "dscores", "mlp_backward", ndim=2)
    _check_cache(cache, ["A0"] + [f"Z{l}" for l in range(1, L + 1)] + [f"A{l}" for l in range(1, L)], "mlp_backward", "mlp_forward")
    if dscores.shape != np.shape(cache[f"Z{L}"]):
        raise ValueError(f"mlp_backward(): dscores must have the scores' shape {np.shape(cache[f'Z{L}'])}; got {dscores.shape}")
    X = as_float_array(cache["A0"], "cache['A0']", "mlp_backward", ndim=2)
    if X.shape != (dscores.shape[0], np.shape(params["W1"])[0]):
        raise ValueError(f"mlp_backward(): cache['A0'] must be X of shape (m, n_0) = {(dscores.shape[0], np.shape(params['W1'])[0])}; got {X.shape}")
    return L, dscores


def mlp_loss(params, X, Y, lam, activation):
    """Returns ``(L, X, Y, lam)``."""
    L, X = _params_and_X(params, X, "mlp_loss")
    Y = as_float_array(Y, "Y", "mlp_loss", ndim=2)
    n_out = np.shape(params[f"W{L}"])[1]
    if Y.shape != (X.shape[0], n_out):
        raise ValueError(f"mlp_loss(): Y must have shape (m, n_L) = {(X.shape[0], n_out)}; got {Y.shape}")
    check_one_hot(Y, "Y", "mlp_loss")
    check_activation_name(activation, "mlp_loss")
    return L, X, Y, check_lam(lam, "mlp_loss")


def sgd_step(params, grads, lr):
    if not isinstance(params, Mapping) or not isinstance(grads, Mapping) or set(params) != set(grads):
        got = sorted(map(str, grads)) if isinstance(grads, Mapping) else type(grads).__name__
        raise ValueError(f"sgd_step(): params and grads must be dicts with the same keys; got {sorted(map(str, params)) if isinstance(params, Mapping) else type(params).__name__} and {got}")
    for k in params:
        if np.shape(params[k]) != np.shape(grads[k]):
            raise ValueError(f"sgd_step(): grads['{k}'] must have the shape of params['{k}'] {np.shape(params[k])}; got {np.shape(grads[k])}")
    return check_lam(lr, "sgd_step", "lr")


# --------------------------------------------------------------------------- notebook 07: the autograd


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
    G, A, B = _product_backward(G, A, B, "matmul_backward", "G")
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
    logp, Y = _pair(logp, Y, "nll_backward", "logp")
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
