"""Visible probes and properties of ``losses.py`` (notebooks 02 and 03)."""

from __future__ import annotations

import numpy as np

from .inputs import Probe, grid, one_hot, square
from .properties import (
    close,
    finite,
    loss_grad_check,
    shape_of,
    tuple_of,
)
from .running import quiet


def _cross_entropy(rng):
    return [
        Probe((np.array([[0.5, 0.5, 0.0], [0.0, 0.25, 0.75]]), np.array([[0, 0, 1.0], [0, 1.0, 0]])), note="probability exactly 0 on a target"),
        Probe((np.array([[0.0, 1.0, 0.0], [0.25, 0.75, 0.0], [0.5, 0.25, 0.25]]), np.array([[0, 1.0, 0], [1.0, 0, 0], [0, 0, 1.0]])), note="probabilities exactly 0 off the targets"),
        Probe((np.array([[0.25, 0.5, 0.25], [0.125, 0.125, 0.75]], dtype=np.float32), np.array([[0, 1, 0], [0, 0, 1]], dtype=np.float32)), note="float32 batch"),
        Probe((np.array([0.25, 0.5, 0.125, 0.125]), np.array([0, 0, 1.0, 0])), note="one 1-D row"),
    ]


def _softmax_cross_entropy(rng):
    return [
        Probe((np.array([[2.0, -1e4, 1e4, 0.0], [-1e4 + 4, -1e4, -1e4 + 1, -1e4 + 2]]), np.array([[0, 1.0, 0, 0], [0, 0, 0, 1.0]])), note="logits of ±1e4"),
        Probe((np.array([[1e4, 1.0, -1e4], [-5e3, -5e3 - 3, -5e3 + 1]], dtype=np.float32), np.array([[0, 0, 1], [1, 0, 0]], dtype=np.float32)), note="float32 logits of ±1e4"),
        Probe((square(rng, 3, 2.0), one_hot(rng, 3, 3)), note="a square batch (m = k)"),
        Probe((grid(rng, (1, 4), 2.0), one_hot(rng, 1, 4)), note="a batch of one"),
    ]


def _l2_penalty(rng):
    return [
        Probe((grid(rng, (3, 2)), 0.5), note="one matrix, λ = 0.5"),
        Probe(([grid(rng, (2, 3)), grid(rng, (3, 2)), grid(rng, (2, 2))], 0.25), note="three matrices, λ = 0.25"),
        Probe(([grid(rng, (2, 2), 1, np.float32), grid(rng, (2, 1), 1, np.float32)], 2.0), note="float32 matrices, λ = 2"),
    ]


def _regression(rng):
    A, Y = grid(rng, (3, 2)), grid(rng, (3, 2))
    Y[0, 0] = A[0, 0]
    return [
        Probe((A, Y), note="a (3, 2) batch, one prediction exactly on target"),
        Probe((grid(rng, (2, 3), 1, np.float32), grid(rng, (2, 3), 1, np.float32)), note="float32 batch"),
        Probe((grid(rng, 4), grid(rng, 4)), note="1-D predictions (m,)"),
        Probe((grid(rng, (1, 3)), grid(rng, (1, 3))), note="a batch of one"),
    ]


def _bce(rng):
    return [
        Probe((np.array([[0.0, 1.0, 0.25], [0.75, 0.5, 1.0]]), np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])), note="probabilities exactly 0 and 1 on matching targets"),
        Probe((np.array([[0.0, 0.5], [0.5, 0.25]]), np.array([[1.0, 0.0], [0.0, 1.0]])), note="probability 0 for a target of 1"),
        Probe((np.array([[0.25, 0.875], [0.5, 0.125]], dtype=np.float32), np.array([[0, 1], [1, 1]], dtype=np.float32)), note="float32 batch"),
        Probe((np.array([0.125, 0.625, 0.75]), np.array([0.0, 1.0, 0.0])), note="1-D predictions (m,)"),
    ]


def _bce_grad(rng):
    return [
        Probe((np.array([[1e-6, 1 - 1e-6], [0.25, 0.75]]), np.array([[1.0, 0.0], [0.0, 1.0]])), note="probabilities near 0 and 1"),
        Probe((np.array([[0.25, 0.875], [0.5, 0.125]], dtype=np.float32), np.array([[0, 1], [1, 1]], dtype=np.float32)), note="float32 batch"),
        Probe((np.array([0.125, 0.625, 0.75]), np.array([0.0, 1.0, 0.5])), note="1-D predictions with a soft target"),
    ]


def _nonnegative(fn, p, out):
    loss = out[0] if isinstance(out, tuple) else out
    return None if not float(loss) < 0 else f"a loss is never negative; got {float(loss):.4g}"


def _infinite_when_target_zero(fn, p, out):
    S, Y = (np.asarray(a, dtype=np.float64) for a in p.args[:2])
    zero_target = bool(((S == 0) & (Y == 1)).any())
    if zero_target and float(out) != np.inf:
        return f"a target probability of exactly 0 costs infinity; got {float(out):.4g}"
    if not zero_target and not np.isfinite(float(out)):
        return "returned NaN or infinity although every target has a positive probability"
    return None


def _mean_over_batch(fn, p, out):
    """Repeating every sample twice leaves a mean unchanged."""
    args = [np.concatenate([a, a]) for a in p.args[:2]]
    with quiet():
        again = fn(*args)
    return None if close(again, out, 1e-4) else "a mean over the batch does not change when every sample appears twice; yours does (check the 1/m)"


def _grad_mean_over_batch(fn, p, out):
    """Repeating every sample twice halves each sample's share of the gradient."""
    args = [np.concatenate([a, a]) for a in p.args[:2]]
    with quiet():
        again = fn(*args)
    half = np.concatenate([np.asarray(out), np.asarray(out)]) / 2
    return None if close(again, half, 1e-4) else "with every sample twice, each sample's gradient should halve (the 1/m of the mean)"


def _zero_at_target(fn, p, out):
    Y = p.args[1]
    with quiet():
        at = fn(Y.copy(), Y)
    return None if close(at, np.zeros_like(np.asarray(at, dtype=np.float64)), 1e-12) else "should be 0 when the predictions equal the targets"


def _bce_grad_sign(fn, p, out):
    A, Y = (np.asarray(a, dtype=np.float64) for a in p.args[:2])
    g = np.asarray(out, dtype=np.float64)
    ok = (g[Y == 1] < 0).all() and (g[Y == 0] > 0).all()
    return None if ok else "raising a prediction should lower the loss where the target is 1 (negative gradient) and raise it where it is 0"


def _bce_logits(rng):
    return [
        Probe((np.array([[50.0, -50.0, 0.25], [-1000.0, 1000.0, -2.0]]), np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])), note="logits of ±50 and ±1000 on the wrong side"),
        Probe((np.array([[40.0, -1000.0], [1000.0, -40.0]]), np.array([[1.0, 0.0], [1.0, 0.0]])), note="logits of ±40 and ±1000 on the right side"),
        Probe((np.array([[100.0, -2.0], [0.5, -100.0]], dtype=np.float32), np.array([[0, 1], [1, 1]], dtype=np.float32)), note="float32 logits of ±100"),
        Probe((np.array([0.5, -1.25, 3.0]), np.array([0.0, 0.5, 1.0])), note="1-D logits with a soft target"),
    ]


PROBES = {
    "cross_entropy": _cross_entropy,
    "softmax_cross_entropy": _softmax_cross_entropy,
    "l2_penalty": _l2_penalty,
    **dict.fromkeys(["l1_loss", "l1_loss_grad", "l2_loss", "l2_loss_grad"], _regression),
    "binary_cross_entropy": _bce,
    "binary_cross_entropy_grad": _bce_grad,
    "binary_cross_entropy_with_logits": _bce_logits,
}

PROPERTIES = {
    "cross_entropy": [shape_of(lambda S, Y: ()), _nonnegative, _infinite_when_target_zero],
    "softmax_cross_entropy": [tuple_of(2, "loss, dZ"), finite, _nonnegative, loss_grad_check(0, "Z")],
    "l2_penalty": [shape_of(lambda W, lam: ()), _nonnegative],
    "l1_loss": [shape_of(lambda A, Y: ()), _nonnegative, _zero_at_target, _mean_over_batch],
    "l1_loss_grad": [shape_of(lambda A, Y: A.shape), _zero_at_target, _grad_mean_over_batch],
    "l2_loss": [shape_of(lambda A, Y: ()), _nonnegative, _zero_at_target, _mean_over_batch],
    "l2_loss_grad": [shape_of(lambda A, Y: A.shape), _zero_at_target, _grad_mean_over_batch],
    "binary_cross_entropy": [shape_of(lambda A, Y: ()), _nonnegative, _mean_over_batch],
    "binary_cross_entropy_grad": [shape_of(lambda A, Y: A.shape), finite, _bce_grad_sign, _grad_mean_over_batch],
    "binary_cross_entropy_with_logits": [tuple_of(2, "loss, dZ"), finite, _nonnegative, loss_grad_check(0, "Z")],
}
