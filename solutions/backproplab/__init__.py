"""backproplab: the helper package of the backproplab course.

Exercise modules (you fill these in): ``softmax``, ``losses``,
``softmax_regression``, ``activations``, ``backprop_single``, ``layers``, ``mlp``.
Infrastructure (complete): ``validate``, ``data``, ``gradcheck``, ``checks``,
``plots``, ``train``, ``progress``.

Import functions from their modules, e.g. ``from backproplab.softmax import softmax``:
this package imports nothing eagerly, so a half-written exercise file never
stops the others from loading.
"""

EXERCISES = {
    "01": {"softmax": ["softmax", "log_softmax", "softmax_jacobian"]},
    "02": {
        "losses": ["cross_entropy", "softmax_cross_entropy", "l2_penalty"],
        "softmax_regression": ["softmax_regression_loss", "softmax_regression_loss_loop"],
    },
    "03": {
        "activations": ["sigmoid", "sigmoid_grad", "relu", "relu_grad", "tanh", "tanh_grad", "silu", "silu_grad"],
        "losses": [
            "l1_loss",
            "l1_loss_grad",
            "l2_loss",
            "l2_loss_grad",
            "binary_cross_entropy",
            "binary_cross_entropy_grad",
            "binary_cross_entropy_with_logits",
        ],
    },
    "04": {"backprop_single": ["forward_single", "backward_single"]},
    "05": {"layers": ["dense_forward", "dense_backward", "activation_forward", "activation_backward"]},
    "06": {"mlp": ["init_params", "mlp_forward", "mlp_backward", "mlp_loss", "sgd_step"]},
}
"""Notebook → module → exercise functions: the course's package contract."""

__version__ = "0.1.0"
