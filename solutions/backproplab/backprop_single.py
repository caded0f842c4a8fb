"""Backpropagation for one sample in the column convention of notebook 04.

The network: 2 inputs → 3 sigmoid units → 2 sigmoid units → 1 sigmoid output,
cost ``L = -[y ln a + (1 - y) ln(1 - a)]`` (binary cross-entropy, one sample).

Column convention: ``z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾`` with ``W⁽ˡ⁾`` of shape
``(n_l, n_{l-1})``, column vectors ``a⁽ˡ⁾, z⁽ˡ⁾, b⁽ˡ⁾`` of shape ``(n_l, 1)``;
``x = a⁽⁰⁾`` is ``(2, 1)``. The functions work for any number of layers.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .activations import sigmoid, sigmoid_grad

SIZES = (2, 3, 2, 1)  # the 2-3-2-1 network of notebook 04


def forward_single(params: dict[str, np.ndarray], x: np.ndarray) -> dict[str, np.ndarray]:
    """Forward pass for one sample: ``a⁽ˡ⁾ = σ(W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾)``.

    Parameters
    ----------
    params : dict
        ``W1 (3, 2), b1 (3, 1), W2 (2, 3), b2 (2, 1), W3 (1, 2), b3 (1, 1)``
        for the 2-3-2-1 network of notebook 04 (any chain of shapes works).
    x : ndarray, shape (n_0, 1)
        One input as a column.

    Returns
    -------
    cache : dict
        ``"a0"`` = x and, for l = 1…L, ``"z{l}"`` and ``"a{l}"``, each ``(n_l, 1)``.
        The network's output is ``cache[f"a{L}"]``.
    """
    L, x = validate.forward_single(params, x)
    ### BEGIN SOLUTION
    # hint: layer by layer: the pre-activation from the activation below, then its sigmoid; keep both in the cache
    cache = {"a0": x}
    for l in range(1, L + 1):
        z = params[f"W{l}"] @ cache[f"a{l - 1}"] + params[f"b{l}"]
        cache[f"z{l}"] = z
        cache[f"a{l}"] = sigmoid(z)
    return cache
    ### END SOLUTION


def backward_single(params: dict[str, np.ndarray], cache: dict[str, np.ndarray], y: float | np.ndarray) -> dict[str, np.ndarray]:
    """Gradients of the one-sample binary cross-entropy by BP1–BP3.

    BP1  ``δ⁽ᴸ⁾ = ∇_a L ⊙ σ'(z⁽ᴸ⁾)``, which for this cost simplifies to ``a⁽ᴸ⁾ - y``
         (the simplified form stays finite when the output saturates; the general one is 0/0 there)
    BP2  ``δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾) ⊙ σ'(z⁽ˡ⁾)``
    BP3  ``∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾``,  ``∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ``
    (BP4, the update ``p ← p - α ∂L/∂p``, is the caller's.)

    Parameters
    ----------
    params : dict
        As for `forward_single`.
    cache : dict
        What `forward_single` returned for this sample.
    y : float or ndarray of shape (1, 1)
        Target in [0, 1].

    Returns
    -------
    grads : dict
        ``"W{l}"`` and ``"b{l}"`` with exactly the shapes of the parameters.
    """
    L, y = validate.backward_single(params, cache, y)
    ### BEGIN SOLUTION
    # hint: BP1 at the output in the form that stays finite when the output saturates, BP2 downwards, BP3 for each layer's gradients
    delta = cache[f"a{L}"] - y  # BP1 for sigmoid + cross-entropy: finite even where a rounds to 0 or 1
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T  # BP3
        grads[f"b{l}"] = delta
        if l > 1:
            delta = (params[f"W{l}"].T @ delta) * sigmoid_grad(cache[f"z{l - 1}"])  # BP2
    return grads
    ### END SOLUTION
