"""Wrong versions of ``backproplab/softmax.py`` (notebook 01). Parsed, never imported: see ``__init__``."""

import numpy as np

from .softmax import softmax


def softmax__no_max(Z):
    """exp of a large logit overflows to inf, and inf / inf is NaN: subtract each row's largest logit before exponentiating."""
    shifted = Z
    E = np.exp(shifted)
    return E / E.sum(axis=-1, keepdims=True)


def softmax__global_max(Z):
    """One maximum for the whole batch is not enough: a row far below it underflows to 0 / 0 = NaN. Subtract each row's own maximum."""
    shifted = Z - Z.max()
    E = np.exp(shifted)
    return E / E.sum(axis=-1, keepdims=True)


def softmax__max_axis0(Z):
    """The maximum is taken down the columns (axis 0); each row needs its own maximum, along the last axis."""
    shifted = Z - Z.max(axis=0, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=-1, keepdims=True)


def softmax__sum_axis0(Z):
    """Normalised over the wrong axis: each row (one sample, the last axis) must sum to 1, not each column."""
    shifted = Z - Z.max(axis=-1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=0, keepdims=True)


def softmax__sum_no_keepdims(Z):
    """The row sums need keepdims=True: with shape (m,) they broadcast along the wrong axis (an error, or silently wrong when m = k)."""
    shifted = Z - Z.max(axis=-1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=-1)


def softmax__max_no_keepdims(Z):
    """The row maxima need keepdims=True: with shape (m,) they are subtracted from the columns (an error, or silently wrong when m = k)."""
    shifted = Z - Z.max(axis=-1)
    E = np.exp(shifted)
    return E / E.sum(axis=-1, keepdims=True)


def log_softmax__log_of_softmax(Z):
    """log(softmax(Z)) turns probabilities that underflow to 0 into -inf: compute log-softmax directly with log-sum-exp."""
    return np.log(softmax(Z))


def log_softmax__no_max(Z):
    """The log-sum-exp needs the row maximum subtracted inside the exp; otherwise exp overflows to inf."""
    shifted = Z
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax__global_max(Z):
    """One maximum for the whole batch is not enough: in a row far below it every exp underflows and log(0) = -inf. Use each row's own maximum."""
    shifted = Z - Z.max()
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax__no_keepdims(Z):
    """The log of the row sums needs keepdims=True: with shape (m,) it broadcasts along the wrong axis (an error, or silently wrong when m = k)."""
    shifted = Z - Z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1))


def log_softmax__max_not_subtracted_outside(Z):
    """The maximum subtracted inside the exp must be subtracted outside too: log-sum-exp(Z) = max + log Σ exp(Z - max)."""
    shifted = Z - Z.max(axis=-1, keepdims=True)
    return Z - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_jacobian__elementwise(s):
    """s(1 - s) is only the diagonal: off the diagonal ∂s_i/∂z_j = -s_i s_j, so the Jacobian is a full k × k matrix."""
    return np.diag(s * (1 - s))


def softmax_jacobian__inner_product(s):
    """s sᵀ is an outer product (a k × k matrix); s · s is a single number."""
    return np.diag(s) - s @ s


def softmax_jacobian__sign(s):
    """The sign is flipped: the diagonal entries s_i (1 - s_i) are positive."""
    return np.outer(s, s) - np.diag(s)
