"""Wrong versions of ``backproplab/losses.py`` (notebooks 02 and 03). Parsed, never imported: see ``__init__``."""

import numpy as np

from .softmax import log_softmax


def cross_entropy__no_mean(S, Y, m):
    """The loss is a mean over the batch: divide the sum by the batch size m."""
    logS = np.zeros_like(S)
    with np.errstate(divide="ignore"):
        np.log(S, out=logS, where=Y > 0)
    return -(Y * logS).sum()


def cross_entropy__mean_all_entries(S, Y, m):
    """Average over the samples only (divide by m), not over all m × k entries."""
    logS = np.zeros_like(S)
    with np.errstate(divide="ignore"):
        np.log(S, out=logS, where=Y > 0)
    return -(Y * logS).mean()


def cross_entropy__log_everywhere(S, Y, m):
    """0 × log(0) is NaN in floating point: take the log only where Y = 1 (the other terms are 0 anyway)."""
    logS = np.log(S)
    return -(Y * logS).sum() / S.dtype.type(m)


def cross_entropy__epsilon(S, Y, m):
    """An epsilon inside the log hides the exact answer: a target probability of exactly 0 costs infinity."""
    logS = np.log(S + 1e-12)
    return -(Y * logS).sum() / S.dtype.type(m)


def cross_entropy__binary_terms(S, Y, m):
    """That is binary cross-entropy: with one-hot targets the multi-class loss is -Σ Y ln S only, with no (1 - Y) ln(1 - S) terms."""
    logS = np.zeros_like(S)
    with np.errstate(divide="ignore"):
        np.log(S, out=logS, where=Y > 0)
    return -(Y * logS + (1 - Y) * np.log1p(-S)).sum() / S.dtype.type(m)


def cross_entropy__sign(S, Y, m):
    """A loss is ≥ 0: it is minus the mean log-probability of the targets."""
    logS = np.zeros_like(S)
    with np.errstate(divide="ignore"):
        np.log(S, out=logS, where=Y > 0)
    return (Y * logS).sum() / S.dtype.type(m)


def softmax_cross_entropy__log_of_naive_softmax(Z, Y, m):
    """log of a naive softmax: exp(1e4) overflows to inf (inf / inf = NaN). Use log_softmax, which stays finite."""
    logS = np.log(np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True))
    loss = -(Y * logS).sum() / Z.dtype.type(m)
    dZ = (np.exp(logS) - Y) / Z.dtype.type(m)
    return loss, dZ


def softmax_cross_entropy__log_of_softmax(Z, Y, m):
    """log(softmax(Z)) is -inf where a probability underflows to 0, and 0 × -inf = NaN: compute the loss from log_softmax."""
    from .softmax import softmax

    logS = np.log(softmax(Z))
    loss = -(Y * logS).sum() / Z.dtype.type(m)
    dZ = (np.exp(logS) - Y) / Z.dtype.type(m)
    return loss, dZ


def softmax_cross_entropy__softmax_twice(Z, Y, m):
    """Z are scores: log_softmax applies the softmax itself, so softmax(Z) first applies it twice."""
    from .softmax import softmax

    logS = log_softmax(softmax(Z))
    loss = -(Y * logS).sum() / Z.dtype.type(m)
    dZ = (np.exp(logS) - Y) / Z.dtype.type(m)
    return loss, dZ


def softmax_cross_entropy__dz_no_mean(Z, Y, m):
    """The gradient of a mean carries the same 1/m: dZ = (softmax(Z) - Y) / m."""
    logS = log_softmax(Z)
    loss = -(Y * logS).sum() / Z.dtype.type(m)
    dZ = np.exp(logS) - Y
    return loss, dZ


def softmax_cross_entropy__dz_mean_twice(Z, Y, m):
    """1/m applied twice: the gradient of the mean loss carries it once."""
    logS = log_softmax(Z)
    loss = -(Y * logS).sum() / Z.dtype.type(m)
    dZ = (np.exp(logS) - Y) / Z.dtype.type(m) / Z.dtype.type(m)
    return loss, dZ


def softmax_cross_entropy__dz_sign(Z, Y, m):
    """The gradient is prediction minus target, softmax(Z) - Y: with the sign flipped the loss rises."""
    logS = log_softmax(Z)
    loss = -(Y * logS).sum() / Z.dtype.type(m)
    dZ = (Y - np.exp(logS)) / Z.dtype.type(m)
    return loss, dZ


def softmax_cross_entropy__dz_from_log_probs(Z, Y, m):
    """dZ needs the probabilities softmax(Z) = exp(log_softmax(Z)), not the log-probabilities."""
    logS = log_softmax(Z)
    loss = -(Y * logS).sum() / Z.dtype.type(m)
    dZ = (logS - Y) / Z.dtype.type(m)
    return loss, dZ


def softmax_cross_entropy__loss_no_mean(Z, Y, m):
    """The loss must be the mean over the batch, like its gradient: divide the sum by m."""
    logS = log_softmax(Z)
    loss = -(Y * logS).sum()
    dZ = (np.exp(logS) - Y) / Z.dtype.type(m)
    return loss, dZ


def l2_penalty__no_half(Ws, lam):
    """The penalty is (λ/2) Σ‖W‖², with the ½ (its gradient is then exactly λW)."""
    dtype = Ws[0].dtype.type if Ws else np.float64
    return dtype(lam) * sum(dtype((W * W).sum()) for W in Ws)


def l2_penalty__norm_not_squared(Ws, lam):
    """Square the norms: the penalty adds up every squared entry, not the Frobenius norm itself."""
    dtype = Ws[0].dtype.type if Ws else np.float64
    return dtype(lam / 2) * sum(dtype(np.sqrt((W * W).sum())) for W in Ws)


def l2_penalty__first_matrix_only(Ws, lam):
    """Every weight matrix in the list is penalised, not only the first."""
    dtype = Ws[0].dtype.type if Ws else np.float64
    return dtype(lam / 2) * dtype((Ws[0] * Ws[0]).sum())


def l2_penalty__square_of_sum(Ws, lam):
    """Square each entry and then add them up; the square of the sum of the entries is something else."""
    dtype = Ws[0].dtype.type if Ws else np.float64
    return dtype(lam / 2) * sum(dtype(W.sum() ** 2) for W in Ws)


def l1_loss__no_mean(A, Y, m):
    """The loss is a mean over the batch: divide the sum by the batch size m."""
    return np.abs(A - Y).sum()


def l1_loss__mean_all_entries(A, Y, m):
    """Divide by the batch size m only, not by the number of entries m × k."""
    return np.abs(A - Y).mean()


def l1_loss__no_abs(A, Y, m):
    """Without the absolute value, errors of opposite sign cancel out."""
    return (A - Y).sum() / A.dtype.type(m)


def l1_loss_grad__no_mean(A, Y, m):
    """The gradient of a mean carries its 1/m."""
    return np.sign(A - Y)


def l1_loss_grad__sign(A, Y, m):
    """d|a - y|/da is the sign of (a - y), prediction minus target; the sign is flipped."""
    return np.sign(Y - A) / A.dtype.type(m)


def l2_loss__half(A, Y, m):
    """This course's l2_loss has no ½ (its definition in notebook 03): the mean over the batch of Σ (A - Y)²."""
    D = A - Y
    return (D * D).sum() / A.dtype.type(2 * m)


def l2_loss__norm(A, Y, m):
    """A norm is the square root of the sum of squares; the loss is the sum of squares itself (divided by m)."""
    D = A - Y
    return np.linalg.norm(D) / A.dtype.type(m)


def l2_loss_grad__no_two(A, Y, m):
    """d(a - y)²/da = 2 (a - y): keep the 2, since this loss has no ½ to cancel it."""
    return (A - Y) / A.dtype.type(m)


def l2_loss_grad__no_mean(A, Y, m):
    """The gradient of a mean carries its 1/m."""
    return 2 * (A - Y)


def binary_cross_entropy__sign(A, Y, m):
    """Cross-entropy is minus the mean log-likelihood; a loss is ≥ 0."""
    logA, log1mA = np.zeros_like(A), np.zeros_like(A)
    with np.errstate(divide="ignore"):
        np.log(A, out=logA, where=Y > 0)
        np.log1p(-A, out=log1mA, where=Y < 1)
    return (Y * logA + (1 - Y) * log1mA).sum() / A.dtype.type(m)


def binary_cross_entropy__log_everywhere(A, Y, m):
    """0 × log(0) is NaN: take each log only where its weight (Y or 1 - Y) is non-zero."""
    logA, log1mA = np.log(A), np.log1p(-A)
    return -(Y * logA + (1 - Y) * log1mA).sum() / A.dtype.type(m)


def binary_cross_entropy__no_mean(A, Y, m):
    """The loss is a mean over the batch: divide the sum by the batch size m."""
    logA, log1mA = np.zeros_like(A), np.zeros_like(A)
    with np.errstate(divide="ignore"):
        np.log(A, out=logA, where=Y > 0)
        np.log1p(-A, out=log1mA, where=Y < 1)
    return -(Y * logA + (1 - Y) * log1mA).sum()


def binary_cross_entropy_grad__no_denominator(A, Y, m):
    """(a - y) is the gradient with respect to z when a = σ(z); with respect to a it is divided by a (1 - a)."""
    return (A - Y) / A.dtype.type(m)


def binary_cross_entropy_grad__no_mean(A, Y, m):
    """The gradient of a mean carries its 1/m."""
    return -Y / A + (1 - Y) / (1 - A)


def binary_cross_entropy_grad__sign(A, Y, m):
    """The sign is flipped: the loss has a minus in front, so its derivative is -y/a + (1 - y)/(1 - a)."""
    return (Y / A - (1 - Y) / (1 - A)) / A.dtype.type(m)


def binary_cross_entropy_with_logits__log_of_sigmoid(Z, Y, m):
    """ln σ(z) is -inf once σ(z) rounds to 0 or 1: never take the log of the probability; use max(z, 0) - z y + ln(1 + e^(-|z|))."""
    E = np.exp(-np.abs(Z))
    S = np.where(Z >= 0, 1 / (1 + E), E / (1 + E))
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = -(Y * np.log(S) + (1 - Y) * np.log(1 - S)).sum() / Z.dtype.type(m)
    return loss, (S - Y) / Z.dtype.type(m)


def binary_cross_entropy_with_logits__softplus_overflow(Z, Y, m):
    """ln(1 + e^z) overflows for large z: write it as max(z, 0) + ln(1 + e^(-|z|)), which exponentiates only -|z|."""
    E = np.exp(-np.abs(Z))
    with np.errstate(over="ignore"):
        loss = (np.log1p(np.exp(Z)) - Z * Y).sum() / Z.dtype.type(m)
    S = np.where(Z >= 0, 1 / (1 + E), E / (1 + E))
    return loss, (S - Y) / Z.dtype.type(m)


def binary_cross_entropy_with_logits__no_target_term(Z, Y, m):
    """The per-entry loss is softplus(z) - z y: the term -z y is what makes the targets matter."""
    E = np.exp(-np.abs(Z))
    loss = (np.maximum(Z, 0) + np.log1p(E)).sum() / Z.dtype.type(m)
    S = np.where(Z >= 0, 1 / (1 + E), E / (1 + E))
    return loss, (S - Y) / Z.dtype.type(m)


def binary_cross_entropy_with_logits__loss_no_mean(Z, Y, m):
    """The loss is a mean over the batch: divide the sum by the batch size m."""
    E = np.exp(-np.abs(Z))
    loss = (np.maximum(Z, 0) - Z * Y + np.log1p(E)).sum()
    S = np.where(Z >= 0, 1 / (1 + E), E / (1 + E))
    return loss, (S - Y) / Z.dtype.type(m)


def binary_cross_entropy_with_logits__dz_no_mean(Z, Y, m):
    """The gradient of a mean carries its 1/m: dZ = (σ(z) - y) / m."""
    E = np.exp(-np.abs(Z))
    loss = (np.maximum(Z, 0) - Z * Y + np.log1p(E)).sum() / Z.dtype.type(m)
    S = np.where(Z >= 0, 1 / (1 + E), E / (1 + E))
    return loss, S - Y


def binary_cross_entropy_with_logits__dz_sign(Z, Y, m):
    """The gradient is prediction minus target, (σ(z) - y) / m, not the reverse."""
    E = np.exp(-np.abs(Z))
    loss = (np.maximum(Z, 0) - Z * Y + np.log1p(E)).sum() / Z.dtype.type(m)
    S = np.where(Z >= 0, 1 / (1 + E), E / (1 + E))
    return loss, (Y - S) / Z.dtype.type(m)


def binary_cross_entropy_with_logits__through_probabilities(Z, Y, m):
    """∂L/∂a · σ′(z) is 0/0 where σ(z) rounds to 0 or 1: use the simplified gradient (σ(z) - y) / m."""
    E = np.exp(-np.abs(Z))
    loss = (np.maximum(Z, 0) - Z * Y + np.log1p(E)).sum() / Z.dtype.type(m)
    S = np.where(Z >= 0, 1 / (1 + E), E / (1 + E))
    with np.errstate(divide="ignore", invalid="ignore"):
        dA = (-Y / S + (1 - Y) / (1 - S)) / Z.dtype.type(m)
    return loss, dA * S * (1 - S)
