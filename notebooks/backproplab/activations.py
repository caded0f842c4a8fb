"""Activation functions and their derivatives (notebook 03).

Each ``*_grad(Z)`` is the derivative of the activation **with respect to its
input Z**, evaluated at Z, elementwise. Shapes and float dtype are kept.
"""

from __future__ import annotations

import numpy as np

from . import validate


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-Z))``, without overflow for large |Z|.

    Parameters
    ----------
    Z : ndarray, any shape

    Returns
    -------
    ndarray, shape and dtype of `Z`, values in [0, 1]
    """
    Z = validate.sigmoid(Z)
    raise NotImplementedError('only ever exponentiate a number <= 0; the sign of Z decides which of the two equivalent formulas to use')


def sigmoid_grad(Z: np.ndarray) -> np.ndarray:
    """``σ'(Z) = σ(Z) (1 - σ(Z))``; takes the pre-activation Z, not σ(Z)."""
    Z = validate.sigmoid_grad(Z)
    raise NotImplementedError('σ′ written with σ(Z) itself; Z is the input (pre-activation), not the output')


def relu(Z: np.ndarray) -> np.ndarray:
    """``max(Z, 0)`` elementwise."""
    Z = validate.relu(Z)
    raise NotImplementedError('elementwise maximum with 0')


def relu_grad(Z: np.ndarray) -> np.ndarray:
    """``1`` where ``Z > 0``, else ``0`` (so ``relu_grad(0) = 0``), in Z's dtype."""
    Z = validate.relu_grad(Z)
    raise NotImplementedError("a 0/1 mask of Z > 0 (strictly), cast to Z's dtype")


def tanh(Z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent ``(e^Z - e^-Z) / (e^Z + e^-Z)``, values in [-1, 1]."""
    Z = validate.tanh(Z)
    raise NotImplementedError('NumPy has it, and it does not overflow')


def tanh_grad(Z: np.ndarray) -> np.ndarray:
    """``1 - tanh(Z)²``; takes the pre-activation Z."""
    Z = validate.tanh_grad(Z)
    raise NotImplementedError('1 - tanh(Z) squared')


def silu(Z: np.ndarray) -> np.ndarray:
    """SiLU, also called swish: ``Z σ(Z)``, the input times its own sigmoid "gate". Shape and dtype of `Z`."""
    Z = validate.silu(Z)
    raise NotImplementedError('the input times the sigmoid of the input')


def silu_grad(Z: np.ndarray) -> np.ndarray:
    """Derivative of `silu` with respect to its input, evaluated at `Z` (you derive it in notebook 03)."""
    Z = validate.silu_grad(Z)
    raise NotImplementedError('z σ(z) is a product of two functions of z: differentiate both factors')
