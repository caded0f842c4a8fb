"""An L-layer perceptron for classification, row-major (notebook 06).

``params = {"W1", "b1", …, "WL", "bL"}`` with ``W_l`` of shape
``(n_{l-1}, n_l)`` and ``b_l`` of shape ``(n_l,)``. Hidden layers use one
activation; the last layer is linear and produces scores (logits) for
softmax cross-entropy. Weight decay: ``mlp_loss`` adds ``(λ/2) Σ ‖W_l‖²``
(weights only) and ``λ W_l`` to each weight gradient, so the update
``p ← p - α g`` in `sgd_step` is the update ``W ← W - α (∇W + λW)``.
"""

from __future__ import annotations

import numpy as np

from .layers import activation_backward, activation_forward, dense_backward, dense_forward
from .losses import l2_penalty, softmax_cross_entropy
from .validate import as_float_array, check_activation_name, check_lam, check_one_hot, check_params

SCHEMES = ("he", "xavier", "small")


def init_params(sizes: list[int] | tuple[int, ...], scheme: str = "he", seed: int = 0) -> dict[str, np.ndarray]:
    """Random weights and zero biases for layer sizes ``[n_0, n_1, …, n_L]``.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths, input first, e.g. ``[784, 100, 10]``.
    scheme : {"he", "xavier", "small"}
        Standard deviation of ``W_l``: ``sqrt(2 / n_{l-1})`` (He, for ReLU),
        ``sqrt(2 / (n_{l-1} + n_l))`` (Xavier/Glorot, for tanh and sigmoid), or
        ``0.01``.
    seed : int
        Seed of the ``numpy.random.default_rng`` generator.

    Returns
    -------
    params : dict
        ``W{l}`` of shape ``(sizes[l-1], sizes[l])`` and ``b{l}`` of shape
        ``(sizes[l],)``, float64.
    """
    if isinstance(sizes, (str, bytes)) or len(sizes) < 2 or not all(isinstance(n, (int, np.integer)) and n > 0 for n in sizes):
        raise ValueError(f"init_params(): sizes must be at least two positive integers, e.g. [784, 100, 10]; got {sizes!r}")
    if scheme not in SCHEMES:
        raise ValueError(f"init_params(): scheme must be one of {SCHEMES}; got {scheme!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        n_in, n_out = int(sizes[l - 1]), int(sizes[l])
        raise NotImplementedError('he: sqrt(2 / n_in); xavier: sqrt(2 / (n_in + n_out)); small: 0.01 — times standard normal draws; biases are zeros')
    return params


def _check_X(params: dict, X: object, func: str) -> tuple[int, np.ndarray]:
    L = check_params(params, func)
    X = as_float_array(X, "X", func, ndim=2)
    n0 = np.shape(params["W1"])[0]
    if X.shape[1] != n0:
        raise ValueError(f"{func}(): X must have {n0} columns to match W1 {np.shape(params['W1'])}; got X of shape {X.shape}")
    return L, X


def mlp_forward(params: dict[str, np.ndarray], X: np.ndarray, activation: str = "relu") -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward pass through L dense layers.

    Parameters
    ----------
    params : dict
        ``W1 … WL``, ``b1 … bL`` (see module docstring).
    X : ndarray, shape (m, n_0)
    activation : {"relu", "sigmoid", "tanh"}
        Used by every hidden layer; the last layer is linear.

    Returns
    -------
    scores : ndarray, shape (m, n_L)
        ``Z_L``, the logits.
    cache : dict
        ``"A0"`` = X; ``"Z{l}"`` (m, n_l) for l = 1…L and ``"A{l}"`` (m, n_l)
        for the hidden layers l = 1…L-1.
    """
    L, X = _check_X(params, X, "mlp_forward")
    check_activation_name(activation, "mlp_forward")
    raise NotImplementedError('loop over the layers with the layer functions of notebook 05; no activation after the last layer, whose output is the scores')


def mlp_backward(dscores: np.ndarray, cache: dict[str, np.ndarray], params: dict[str, np.ndarray], activation: str = "relu") -> dict[str, np.ndarray]:
    """Backward pass of `mlp_forward`: gradients of the data loss only (no λ).

    Parameters
    ----------
    dscores : ndarray, shape (m, n_L)
        Gradient of the loss w.r.t. the scores (it carries the 1/m).
    cache : dict
        What `mlp_forward` returned.
    params : dict
        The parameters used in the forward pass.
    activation : {"relu", "sigmoid", "tanh"}

    Returns
    -------
    grads : dict
        ``"W{l}"`` and ``"b{l}"`` with the shapes of the parameters.
    """
    L = check_params(params, "mlp_backward")
    check_activation_name(activation, "mlp_backward")
    dscores = as_float_array(dscores, "dscores", "mlp_backward", ndim=2)
    missing = [k for k in ["A0"] + [f"Z{l}" for l in range(1, L + 1)] + [f"A{l}" for l in range(1, L)] if k not in cache]
    if missing:
        raise ValueError(f"mlp_backward(): cache is missing {missing}; pass what mlp_forward returned")
    if dscores.shape != cache[f"Z{L}"].shape:
        raise ValueError(f"mlp_backward(): dscores must have the scores' shape {cache[f'Z{L}'].shape}; got {dscores.shape}")
    X = as_float_array(cache["A0"], "cache['A0']", "mlp_backward", ndim=2)
    if X.shape != (dscores.shape[0], np.shape(params["W1"])[0]):
        raise ValueError(f"mlp_backward(): cache['A0'] must be X of shape (m, n_0) = {(dscores.shape[0], np.shape(params['W1'])[0])}; got {X.shape}")
    raise NotImplementedError('walk the layers from the top down with the layer functions, pairing each layer with its own cache entries')


def mlp_loss(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray, lam: float, activation: str = "relu") -> tuple[np.floating, dict[str, np.ndarray]]:
    """Softmax cross-entropy of the MLP plus ``(λ/2) Σ ‖W_l‖²``, and all gradients.

    Parameters
    ----------
    params : dict
    X : ndarray, shape (m, n_0)
    Y : ndarray, shape (m, n_L)
        One-hot targets.
    lam : float
        Weight decay λ (weights only, never biases).
    activation : {"relu", "sigmoid", "tanh"}

    Returns
    -------
    loss : scalar
    grads : dict
        Data-loss gradients plus ``λ W_l`` on each ``W{l}``; biases unregularised.
    """
    L, X = _check_X(params, X, "mlp_loss")
    Y = as_float_array(Y, "Y", "mlp_loss", ndim=2)
    n_out = np.shape(params[f"W{L}"])[1]
    if Y.shape != (X.shape[0], n_out):
        raise ValueError(f"mlp_loss(): Y must have shape (m, n_L) = {(X.shape[0], n_out)}; got {Y.shape}")
    check_one_hot(Y, "Y", "mlp_loss")
    lam = check_lam(lam, "mlp_loss")
    raise NotImplementedError('forward, the softmax loss, backward; then weight decay, on the loss and on each weight gradient (not the biases)')


def sgd_step(params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float) -> dict[str, np.ndarray]:
    """One gradient-descent step ``p ← p - lr · g`` for every parameter.

    Returns a **new** dict of new arrays; `params` and `grads` are left unchanged.
    Each parameter keeps its dtype.
    """
    if not isinstance(params, dict) or not isinstance(grads, dict) or set(params) != set(grads):
        raise ValueError(
            f"sgd_step(): params and grads must be dicts with the same keys; got {sorted(map(str, params))} and {sorted(map(str, grads)) if isinstance(grads, dict) else type(grads).__name__}"
        )
    for k in params:
        if np.shape(params[k]) != np.shape(grads[k]):
            raise ValueError(f"sgd_step(): grads['{k}'] must have the shape of params['{k}'] {np.shape(params[k])}; got {np.shape(grads[k])}")
    lr = check_lam(lr, "sgd_step", "lr")
    raise NotImplementedError('a new dict: each p minus lr times its gradient (subtract, do not add; do not modify params in place)')
