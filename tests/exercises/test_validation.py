"""Bad input raises a clear ValueError naming the function, the argument and what was received.

Validation lives outside the solution blocks, so these tests pass on the
student stubs too: they are infrastructure tests, not exercises.
"""

from __future__ import annotations

import numpy as np
import pytest
from backproplab import activations, autograd, backprop_single, layers, losses, mlp, softmax, softmax_regression
from backproplab.tensor import Tensor

Z = np.zeros((2, 3))
Y = np.array([[1.0, 0, 0], [0, 1.0, 0]])
NAN = np.array([[0.0, np.nan, 1.0], [0, 0, 0]])
W = np.zeros((3, 2))
P = {"W1": np.zeros((3, 4)), "b1": np.zeros(4), "W2": np.zeros((4, 2)), "b2": np.zeros(2)}
PCOL = {"W1": np.zeros((3, 2)), "b1": np.zeros((3, 1)), "W2": np.zeros((1, 3)), "b2": np.zeros((1, 1))}

CASES = [
    # (call, expected words in the message)
    (lambda: softmax.softmax(np.zeros((2, 2, 2))), ["softmax", "Z", "1-D or 2-D", "(2, 2, 2)"]),
    (lambda: softmax.softmax(NAN), ["softmax", "Z", "NaN"]),
    (lambda: softmax.softmax([[1, "a"]]), ["softmax", "Z", "numeric"]),
    (lambda: softmax.log_softmax(np.zeros(())), ["log_softmax", "Z", "0-D"]),
    (lambda: softmax.softmax_jacobian(np.zeros((2, 2))), ["softmax_jacobian", "s", "1-D"]),
    (lambda: softmax.softmax_jacobian(np.array([2.0, -1.0])), ["softmax_jacobian", "probabilities"]),
    (lambda: losses.cross_entropy(np.full((2, 3), 1 / 3), np.zeros((2, 4))), ["cross_entropy", "same shape", "(2, 3)", "(2, 4)"]),
    (lambda: losses.cross_entropy(np.full((2, 3), 1 / 3), np.full((2, 3), 1 / 3)), ["cross_entropy", "one-hot"]),
    (lambda: losses.cross_entropy(np.full((2, 3), 2.0), Y), ["cross_entropy", "probabilities"]),
    (lambda: losses.softmax_cross_entropy(Z, np.array([[1.0, 1, 0], [0, 1, 0]])), ["softmax_cross_entropy", "one-hot"]),
    (lambda: losses.softmax_cross_entropy(np.zeros(3), np.array([1.0, 0, 0])), ["softmax_cross_entropy", "2-D"]),
    (lambda: losses.softmax_cross_entropy(NAN, Y), ["softmax_cross_entropy", "Z", "NaN"]),
    (lambda: losses.l2_penalty(W, -1.0), ["l2_penalty", "lam", ">= 0"]),
    (lambda: losses.l2_penalty([W, NAN], 0.1), ["l2_penalty", "weights[1]", "NaN"]),
    (lambda: losses.l1_loss(np.zeros(3), np.zeros(4)), ["l1_loss", "same shape"]),
    (lambda: losses.binary_cross_entropy(np.array([0.5]), np.array([2.0])), ["binary_cross_entropy", "Y", "[0, 1]"]),
    (lambda: losses.binary_cross_entropy_grad(np.array([0.0]), np.array([1.0])), ["binary_cross_entropy_grad", "strictly"]),
    (lambda: softmax_regression.softmax_regression_loss(np.zeros((4, 3)), Z, Y, 0.1), ["softmax_regression_loss", "W", "3 rows", "(4, 3)"]),
    (lambda: softmax_regression.softmax_regression_loss(np.zeros((3, 3)), Z, Y[:1], 0.1), ["softmax_regression_loss", "Y", "(2, 3)", "(1, 3)"]),
    (lambda: softmax_regression.softmax_regression_loss_loop(np.zeros((3, 3)), Z, Y, "a lot"), ["softmax_regression_loss_loop", "lam"]),
    (lambda: activations.sigmoid(np.array([np.inf])), ["sigmoid", "Z", "infinity"]),
    (lambda: activations.relu_grad(np.array([np.nan])), ["relu_grad", "Z", "NaN"]),
    (lambda: layers.dense_forward(Z, np.zeros((2, 2)), np.zeros(2)), ["dense_forward", "W", "3 rows", "(2, 2)"]),
    (lambda: layers.dense_forward(Z, W, np.zeros((1, 2))), ["dense_forward", "b", "1-D", "(1, 2)"]),
    (lambda: layers.dense_forward(Z, W, np.zeros(3)), ["dense_forward", "b", "(2,)", "(3,)"]),
    (lambda: layers.dense_backward(np.zeros((2, 3)), Z, W), ["dense_backward", "dZ", "(2, 2)", "(2, 3)"]),
    (lambda: layers.activation_forward(Z, "softplus"), ["activation_forward", "name", "softplus"]),
    (lambda: layers.activation_backward(Z, np.zeros((3, 2)), "relu"), ["activation_backward", "same shape"]),
    (lambda: mlp.init_params([784], "he"), ["init_params", "sizes"]),
    (lambda: mlp.init_params([4, 2], "kaiming"), ["init_params", "scheme", "kaiming"]),
    (lambda: mlp.mlp_forward({"W1": W}, Z), ["mlp_forward", "params", "keys"]),
    (lambda: mlp.mlp_forward({**P, "b1": np.zeros(3)}, Z), ["mlp_forward", "b1", "(4,)", "(3,)"]),
    (lambda: mlp.mlp_forward({**P, "W2": np.zeros((5, 2))}, Z), ["mlp_forward", "chain", "(3, 4)", "(5, 2)"]),
    (lambda: mlp.mlp_forward(P, np.zeros((2, 5))), ["mlp_forward", "X", "3 columns", "(2, 5)"]),
    (lambda: mlp.mlp_forward(P, Z, "swish"), ["mlp_forward", "swish"]),
    (lambda: mlp.mlp_loss(P, Z, Y, 0.1), ["mlp_loss", "Y", "(2, 2)", "(2, 3)"]),
    (lambda: mlp.mlp_loss(P, Z, np.array([[0.5, 0.5], [0, 1.0]]), 0.1), ["mlp_loss", "one-hot"]),
    (lambda: mlp.mlp_backward(np.zeros((2, 3)), {"A0": Z}, P), ["mlp_backward", "cache", "missing"]),
    (lambda: mlp.sgd_step(P, {"W1": W}, 0.1), ["sgd_step", "same keys"]),
    (lambda: mlp.sgd_step(P, {**P, "W1": np.zeros((4, 3))}, 0.1), ["sgd_step", "W1", "(3, 4)", "(4, 3)"]),
    (lambda: mlp.sgd_step(P, P, -0.1), ["sgd_step", "lr"]),
    (lambda: backprop_single.forward_single(PCOL, np.zeros(2)), ["forward_single", "x", "2-D", "(2,)"]),
    (lambda: backprop_single.forward_single(PCOL, np.zeros((3, 1))), ["forward_single", "x", "(2, 1)", "(3, 1)"]),
    (lambda: backprop_single.forward_single({**PCOL, "b1": np.zeros(3)}, np.zeros((2, 1))), ["forward_single", "b1", "(3, 1)"]),
    (lambda: backprop_single.backward_single(PCOL, {"a0": np.zeros((2, 1))}, 1.0), ["backward_single", "cache", "missing"]),
    (lambda: autograd.accumulate(np.zeros((4, 3)), np.ones(3)), ["accumulate", "grad", "(4, 3)", "(3,)"]),
    (lambda: autograd.matmul_backward(np.zeros((2, 3)), Z, W), ["matmul_backward", "G", "(2, 2)", "(2, 3)"]),
    (lambda: autograd.unary_backward(Z, Z - 1, "relu"), ["unary_backward", "out", "relu"]),
    (lambda: autograd.unary_backward(Z, Z, "gelu"), ["unary_backward", "gelu"]),
    (lambda: autograd.log_softmax_backward(Z, np.zeros((3, 2))), ["log_softmax_backward", "same shape"]),
    (lambda: autograd.nll_backward(np.ones(2), Z, Y), ["nll_backward", "g", "0-D"]),
    (lambda: autograd.backward(Tensor(np.ones(3))), ["backward", "root", "scalar", "(3,)"]),
    (lambda: autograd.backward("loss"), ["backward", "root", "Tensor", "str"]),
    (lambda: autograd.backward([Z], np.array([[2, 0, -1]])), ["program_graph", "scalar", "(2, 3)"]),
    (lambda: autograd.backward([Z], np.array([[2, 1, -1]])), ["program_graph", "row 0", "earlier nodes"]),
    (lambda: autograd.autograd_mlp_grads(P, Z, Y, 0.1), ["autograd_mlp_grads", "Y", "(2, 2)", "(2, 3)"]),
    (lambda: autograd.autograd_train(P, Z, Y[:, :2], 0.1, 0.5, 0), ["autograd_train", "batch_size", "0"]),
]


@pytest.mark.parametrize("call, words", CASES, ids=[" ".join(w[:2]) for _, w in CASES])
def test_clear_value_error(call, words) -> None:
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
