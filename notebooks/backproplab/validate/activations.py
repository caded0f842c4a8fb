"""Validators of `backproplab.activations` (notebook 03): one array `Z` each."""

from __future__ import annotations

from .arrays import as_float_array


def _elementwise(func: str):
    def validator(Z):
        return as_float_array(Z, "Z", func)

    validator.__name__ = func
    return validator


sigmoid, sigmoid_grad, relu, relu_grad, tanh, tanh_grad, silu, silu_grad = (
    _elementwise(f) for f in ("sigmoid", "sigmoid_grad", "relu", "relu_grad", "tanh", "tanh_grad", "silu", "silu_grad")
)
