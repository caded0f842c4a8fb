"""Validators of `backproplab.softmax` (notebook 01)."""

from __future__ import annotations

from .arrays import as_float_array, check_probabilities


def softmax(Z):
    return as_float_array(Z, "Z", "softmax", ndim=(1, 2))


def log_softmax(Z):
    return as_float_array(Z, "Z", "log_softmax", ndim=(1, 2))


def softmax_jacobian(s):
    s = as_float_array(s, "s", "softmax_jacobian", ndim=1)
    check_probabilities(s, "s", "softmax_jacobian")
    return s
