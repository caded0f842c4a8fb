"""Input validation of the exercise functions (infrastructure): one validator per function.

Every exercise function starts with one line, ``Z = validate.softmax(Z)``,
before its solution block, so a student never writes validation and a bad
call fails with a message that names the function, the argument, what was
expected and what was received, instead of a NumPy traceback from deep
inside. Each validator returns the validated arguments the function's body
uses, in its order.

The validators of exercise module ``backproplab/<module>.py`` are in
``validate/<module>.py``; the checks they are made of are in `arrays`.
Every validator is re-exported here under its function's name (so
``validate.softmax`` is the validator of ``softmax``, not the submodule).
"""

from __future__ import annotations

# one line per exercise module, in course order
# isort: off
from .arrays import ACTIVATIONS, all_finite, as_float_array, check_activation_name, check_one_hot, check_params
from .softmax import log_softmax, softmax, softmax_jacobian
from .losses import (binary_cross_entropy, binary_cross_entropy_grad, binary_cross_entropy_with_logits, cross_entropy, l1_loss,
                     l1_loss_grad, l2_loss, l2_loss_grad, l2_penalty, softmax_cross_entropy)
from .softmax_regression import softmax_regression_loss, softmax_regression_loss_loop
from .activations import relu, relu_grad, sigmoid, sigmoid_grad, silu, silu_grad, tanh, tanh_grad
from .backprop_single import backward_single, forward_single
from .layers import activation_backward, activation_forward, dense_backward, dense_forward
from .mlp import SCHEMES, init_params, mlp_backward, mlp_forward, mlp_loss, sgd_step
from .autograd import (accumulate, autograd_mlp_grads, autograd_train, log_softmax_backward, matmul_backward, nll_backward,
                       program, scalar_tensor, unary_backward)
# isort: on

__all__ = [
    "ACTIVATIONS", "all_finite", "as_float_array", "check_activation_name", "check_one_hot", "check_params", "log_softmax",
    "softmax", "softmax_jacobian", "binary_cross_entropy", "binary_cross_entropy_grad", "binary_cross_entropy_with_logits",
    "cross_entropy", "l1_loss", "l1_loss_grad", "l2_loss", "l2_loss_grad", "l2_penalty", "softmax_cross_entropy",
    "softmax_regression_loss", "softmax_regression_loss_loop", "relu", "relu_grad", "sigmoid", "sigmoid_grad", "silu",
    "silu_grad", "tanh", "tanh_grad", "backward_single", "forward_single", "activation_backward", "activation_forward",
    "dense_backward", "dense_forward", "SCHEMES", "init_params", "mlp_backward", "mlp_forward", "mlp_loss", "sgd_step",
    "accumulate", "autograd_mlp_grads", "autograd_train", "log_softmax_backward", "matmul_backward", "nll_backward",
    "program", "scalar_tensor", "unary_backward"
]
