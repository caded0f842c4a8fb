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

from . import validate
from .layers import activation_backward, activation_forward, dense_backward, dense_forward
from .losses import l2_penalty, softmax_cross_entropy


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
    sizes, scheme, rng = validate.init_params(sizes, scheme, seed)
    params = {}
    for l in range(1, len(sizes)):
        n_in, n_out = sizes[l - 1], sizes[l]
        ### BEGIN SOLUTION
        # hint: he: sqrt(2 / n_in); xavier: sqrt(2 / (n_in + n_out)); small: 0.01 — times standard normal draws; biases are zeros
        std = {"he": np.sqrt(2 / n_in), "xavier": np.sqrt(2 / (n_in + n_out)), "small": 0.01}[scheme]
        params[f"W{l}"] = std * rng.standard_normal((n_in, n_out))
        params[f"b{l}"] = np.zeros(n_out)
        ### END SOLUTION
    return params


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
    L, X = validate.mlp_forward(params, X, activation)
    ### BEGIN SOLUTION
    # hint: loop over the layers with the layer functions of notebook 05; no activation after the last layer, whose output is the scores
    cache = {"A0": X}
    A = X
    for l in range(1, L + 1):
        Z = dense_forward(A, params[f"W{l}"], params[f"b{l}"])
        cache[f"Z{l}"] = Z
        if l < L:
            A = activation_forward(Z, activation)
            cache[f"A{l}"] = A
    return Z, cache
    ### END SOLUTION


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
    L, dscores = validate.mlp_backward(dscores, cache, params, activation)
    ### BEGIN SOLUTION
    # hint: walk the layers from the top down with the layer functions, pairing each layer with its own cache entries
    grads = {}
    dZ = dscores
    for l in range(L, 0, -1):
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, cache[f"A{l - 1}"], params[f"W{l}"])
        if l > 1:
            dZ = activation_backward(dA_prev, cache[f"Z{l - 1}"], activation)
    return grads
    ### END SOLUTION


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
    L, X, Y, lam = validate.mlp_loss(params, X, Y, lam, activation)
    ### BEGIN SOLUTION
    # hint: forward, the softmax loss, backward; then weight decay, on the loss and on each weight gradient (not the biases)
    scores, cache = mlp_forward(params, X, activation)
    data_loss, dscores = softmax_cross_entropy(scores, Y)
    grads = mlp_backward(dscores, cache, params, activation)
    weights = [params[f"W{l}"] for l in range(1, L + 1)]
    for l, W in enumerate(weights, start=1):
        grads[f"W{l}"] += lam * W
    return data_loss + l2_penalty(weights, lam), grads
    ### END SOLUTION


def sgd_step(params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float) -> dict[str, np.ndarray]:
    """One gradient-descent step ``p ← p - lr · g`` for every parameter.

    Returns a **new** dict of new arrays; `params` and `grads` are left unchanged.
    Each parameter keeps its dtype.
    """
    lr = validate.sgd_step(params, grads, lr)
    ### BEGIN SOLUTION
    # hint: a new dict: each p minus lr times its gradient (subtract, do not add; do not modify params in place)
    return {k: p - lr * grads[k] for k, p in params.items()}
    ### END SOLUTION
