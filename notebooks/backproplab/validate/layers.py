"""Validators of `backproplab.layers` (notebook 05)."""

from __future__ import annotations

from .arrays import as_float_array, check_activation_name, check_dense, check_product_grad, check_same_shape


def dense_forward(A, W, b):
    A = as_float_array(A, "A", "dense_forward", ndim=2)
    W = as_float_array(W, "W", "dense_forward", ndim=2)
    b = as_float_array(b, "b", "dense_forward", ndim=1)
    check_dense(A, W, "dense_forward")
    if b.shape != (W.shape[1],):
        raise ValueError(f"dense_forward(): b must have shape (k,) = ({W.shape[1]},) to match W {W.shape}; got {b.shape}")
    return A, W, b


def dense_backward(dZ, A, W):
    return check_product_grad(dZ, A, W, "dense_backward", "dZ")


def activation_forward(Z, name):
    return as_float_array(Z, "Z", "activation_forward"), check_activation_name(name, "activation_forward")


def activation_backward(dA, Z, name):
    dA = as_float_array(dA, "dA", "activation_backward")
    Z = as_float_array(Z, "Z", "activation_backward")
    check_same_shape(dA, Z, "dA", "Z", "activation_backward")
    return dA, Z, check_activation_name(name, "activation_backward")
