"""Validators of `backproplab.losses` (notebooks 02 and 03)."""

from __future__ import annotations

from .arrays import (
    check_binary_targets,
    check_lam,
    check_one_hot,
    check_pair,
    check_probabilities,
    weight_list,
)


def cross_entropy(S, Y):
    S, Y = check_pair(S, Y, "cross_entropy", "S")
    check_probabilities(S, "S", "cross_entropy")
    check_one_hot(Y, "Y", "cross_entropy")
    return S, Y


def softmax_cross_entropy(Z, Y):
    Z, Y = check_pair(Z, Y, "softmax_cross_entropy", "Z")
    if Z.ndim != 2:
        raise ValueError(f"softmax_cross_entropy(): Z must be 2-D (m, k); got shape {Z.shape}")
    check_one_hot(Y, "Y", "softmax_cross_entropy")
    return Z, Y


def l2_penalty(weights, lam):
    return weight_list(weights, "l2_penalty"), check_lam(lam, "l2_penalty")


def binary_cross_entropy(A, Y):
    A, Y = check_pair(A, Y, "binary_cross_entropy")
    check_probabilities(A, "A", "binary_cross_entropy")
    check_binary_targets(Y, "Y", "binary_cross_entropy")
    return A, Y


def binary_cross_entropy_grad(A, Y):
    A, Y = check_pair(A, Y, "binary_cross_entropy_grad")
    check_binary_targets(Y, "Y", "binary_cross_entropy_grad")
    return A, Y


def binary_cross_entropy_with_logits(Z, Y):
    Z, Y = check_pair(Z, Y, "binary_cross_entropy_with_logits", "Z")
    check_binary_targets(Y, "Y", "binary_cross_entropy_with_logits")
    return Z, Y


def l1_loss(A, Y):
    return check_pair(A, Y, "l1_loss")


def l1_loss_grad(A, Y):
    return check_pair(A, Y, "l1_loss_grad")


def l2_loss(A, Y):
    return check_pair(A, Y, "l2_loss")


def l2_loss_grad(A, Y):
    return check_pair(A, Y, "l2_loss_grad")
