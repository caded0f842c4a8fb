"""Softmax, log-softmax and the softmax Jacobian (notebook 01).

Row-major: a batch of logits ``Z`` is ``(m, k)``, one row per sample; a 1-D
``Z`` of shape ``(k,)`` is one row.
"""

from __future__ import annotations

import numpy as np

from . import validate


def softmax(Z: np.ndarray) -> np.ndarray:
    """Softmax of each row, stable for any finite logits.

    Parameters
    ----------
    Z : ndarray, shape (m, k) or (k,)
        Logits, one row per sample.

    Returns
    -------
    S : ndarray, same shape and float dtype as `Z`
        ``S[i, j] = exp(Z[i, j]) / sum_c exp(Z[i, c])``; each row sums to 1.
    """
    Z = validate.softmax(Z)
    raise NotImplementedError("subtract each row's own max (axis=-1, keepdims=True), exponentiate, divide by the row sum")


def log_softmax(Z: np.ndarray) -> np.ndarray:
    """Logarithm of the softmax of each row, computed without forming ``log(softmax)``.

    ``log_softmax(Z) = (Z - max) - log(sum(exp(Z - max)))`` (log-sum-exp), so it
    stays finite where ``softmax`` underflows to 0.

    Parameters
    ----------
    Z : ndarray, shape (m, k) or (k,)

    Returns
    -------
    ndarray, same shape and float dtype as `Z`
    """
    Z = validate.log_softmax(Z)
    raise NotImplementedError('log-sum-exp: (Z - rowmax) - log(sum(exp(Z - rowmax))), never log(softmax(Z))')


def softmax_jacobian(s: np.ndarray) -> np.ndarray:
    """Jacobian of the softmax at one row, given its output `s`.

    Parameters
    ----------
    s : ndarray, shape (k,)
        One softmax output row (probabilities).

    Returns
    -------
    J : ndarray, shape (k, k)
        ``J[i, j] = ds_i / dz_j = s_i (delta_ij - s_j)``, i.e. ``diag(s) - s sᵀ``.
    """
    s = validate.softmax_jacobian(s)
    raise NotImplementedError('diag(s) - outer(s, s)')
