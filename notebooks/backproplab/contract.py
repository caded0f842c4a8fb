"""The package contract: every exercise function, where it lives, and what its checks need to know.

One `Exercise` per function, in course order. Everything else derives from
this table: ``backproplab.EXERCISES`` (notebook → module → functions), the
visible checks, the hidden tests, the fingerprints, ``make progress``. Adding
a function means one line here, its body in ``<module>.py``, its probes in
``checks/<module>.py``, its hidden cases in ``autograder/hidden/<module>.py``
and its mutants in ``autograder/mutants/<module>.py``.

Plain data and the standard library only: the grader reads this file from the
course source without importing the package.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    """One exercise function.

    Attributes
    ----------
    name, notebook, module : str
        ``backproplab.<module>.<name>``, taught in notebook ``"01"`` … ``"07"``.
    depends : tuple of str
        Exercise functions it may call (the reference's calls and those its
        hint invites). It is checked and graded with the model answers of these
        substituted, so one early mistake is charged once.
    outputs : tuple of str
        Names of the parts of a tuple output (``("loss", "dW")``), for messages.
    returns : str
        Name of a dict output (``"grads"``), for messages.
    caches : tuple of tuple
        Paths of outputs that are caches, where extra keys are allowed
        (``()`` the whole output, ``(1,)`` its second part).
    random : bool
        Its answer is a random draw: compared by mean and standard deviation.
    """

    name: str
    notebook: str
    module: str
    depends: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    returns: str = ""
    caches: tuple[tuple, ...] = ()
    random: bool = False


_SIGMOIDS = ("relu", "sigmoid", "tanh")
_RULES = ("accumulate", "matmul_backward", "unary_backward", "log_softmax_backward", "nll_backward")
"""The autograd's array-level rules: its ops' backward closures call them (notebook 07)."""

CONTRACT: tuple[Exercise, ...] = (
    Exercise("softmax", "01", "softmax"),
    Exercise("log_softmax", "01", "softmax"),
    Exercise("softmax_jacobian", "01", "softmax"),
    Exercise("cross_entropy", "02", "losses"),
    Exercise("softmax_cross_entropy", "02", "losses", depends=("log_softmax", "softmax"), outputs=("loss", "dZ")),
    Exercise("l2_penalty", "02", "losses"),
    Exercise("softmax_regression_loss", "02", "softmax_regression",
             depends=("softmax_cross_entropy", "l2_penalty", "softmax", "log_softmax"), outputs=("loss", "dW")),
    Exercise("softmax_regression_loss_loop", "02", "softmax_regression",
             depends=("softmax", "log_softmax", "softmax_jacobian", "l2_penalty"), outputs=("loss", "dW")),
    Exercise("sigmoid", "03", "activations"),
    Exercise("sigmoid_grad", "03", "activations", depends=("sigmoid",)),
    Exercise("relu", "03", "activations"),
    Exercise("relu_grad", "03", "activations"),
    Exercise("tanh", "03", "activations"),
    Exercise("tanh_grad", "03", "activations", depends=("tanh",)),
    Exercise("silu", "03", "activations", depends=("sigmoid",)),
    Exercise("silu_grad", "03", "activations", depends=("sigmoid", "sigmoid_grad", "silu")),
    Exercise("l1_loss", "03", "losses"),
    Exercise("l1_loss_grad", "03", "losses"),
    Exercise("l2_loss", "03", "losses"),
    Exercise("l2_loss_grad", "03", "losses"),
    Exercise("binary_cross_entropy", "03", "losses"),
    Exercise("binary_cross_entropy_grad", "03", "losses"),
    Exercise("binary_cross_entropy_with_logits", "03", "losses", outputs=("loss", "dZ")),
    Exercise("forward_single", "04", "backprop_single", depends=("sigmoid",), returns="cache", caches=((),)),
    Exercise("backward_single", "04", "backprop_single", depends=("sigmoid", "sigmoid_grad"), returns="grads"),
    Exercise("dense_forward", "05", "layers"),
    Exercise("dense_backward", "05", "layers", outputs=("dA", "dW", "db")),
    Exercise("activation_forward", "05", "layers", depends=_SIGMOIDS),
    Exercise("activation_backward", "05", "layers", depends=("relu_grad", "sigmoid_grad", "tanh_grad", *_SIGMOIDS)),
    Exercise("init_params", "06", "mlp", returns="params", random=True),
    Exercise("mlp_forward", "06", "mlp", depends=("dense_forward", "activation_forward"), outputs=("scores", "cache"), caches=((1,),)),
    Exercise("mlp_backward", "06", "mlp", depends=("dense_backward", "activation_backward"), returns="grads"),
    Exercise("mlp_loss", "06", "mlp", depends=("mlp_forward", "mlp_backward", "softmax_cross_entropy", "l2_penalty"),
             outputs=("loss", "grads")),
    Exercise("sgd_step", "06", "mlp", returns="the new params"),
    Exercise("accumulate", "07", "autograd"),
    Exercise("matmul_backward", "07", "autograd", outputs=("dA", "dB")),
    Exercise("unary_backward", "07", "autograd"),
    Exercise("log_softmax_backward", "07", "autograd"),
    Exercise("nll_backward", "07", "autograd"),
    Exercise("backward", "07", "autograd", depends=_RULES, returns="the input gradients"),
    Exercise("autograd_mlp_grads", "07", "autograd", depends=_RULES, outputs=("loss", "grads")),
    Exercise("autograd_train", "07", "autograd", depends=_RULES, outputs=("losses", "params")),
)

BY_NAME: dict[str, Exercise] = {e.name: e for e in CONTRACT}
"""Function name → its `Exercise`."""

EXERCISES: dict[str, dict[str, list[str]]] = {}
"""Notebook → module → exercise functions, in course order."""
for _e in CONTRACT:
    EXERCISES.setdefault(_e.notebook, {}).setdefault(_e.module, []).append(_e.name)
del _e
