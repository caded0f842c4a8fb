"""Wrong versions of ``backproplab/layers.py`` (notebook 05). Parsed, never imported: see ``__init__``."""

from .activations import relu
from .layers import _DERIVATIVE, _FORWARD  # the module's own tables, as in the reference


def dense_forward__W_transposed(A, W, b):
    """Row-major: Z = A W + b with W of shape (n, k); there is no transpose in the forward pass."""
    return A @ W.T + b


def dense_forward__no_bias(A, W, b):
    """The layer adds its bias b to every row."""
    return A @ W


def dense_forward__column_bias(A, W, b):
    """b is a row of k biases added to every sample; as a column (k, 1) it is added down the columns (an error, or silently wrong when m = k)."""
    return A @ W + b.reshape(-1, 1)


def dense_backward__dA_not_transposed(dZ, A, W):
    """dA = dZ Wᵀ: the transpose takes the (m, k) gradient back to the (m, n) input."""
    return dZ @ W, A.T @ dZ, dZ.sum(axis=0)


def dense_backward__dW_transposed(dZ, A, W):
    """dW = Aᵀ dZ has W's shape (n, k); dZᵀ A is its transpose."""
    return dZ @ W.T, dZ.T @ A, dZ.sum(axis=0)


def dense_backward__dW_elementwise(dZ, A, W):
    """dW needs the matrix product Aᵀ dZ, which sums over the batch; an elementwise product does not."""
    return dZ @ W.T, A * dZ, dZ.sum(axis=0)


def dense_backward__dW_mean_twice(dZ, A, W):
    """dZ already carries the loss's 1/m: dividing dW by m again makes it m times too small."""
    return dZ @ W.T, A.T @ dZ / A.dtype.type(A.shape[0]), dZ.sum(axis=0)


def dense_backward__db_not_summed(dZ, A, W):
    """b is shared by every sample: its gradient sums dZ over the batch, giving shape (k,)."""
    return dZ @ W.T, A.T @ dZ, dZ


def dense_backward__db_wrong_axis(dZ, A, W):
    """db sums over the batch (axis 0, one total per unit); summing over axis 1 adds up the units of each sample instead."""
    return dZ @ W.T, A.T @ dZ, dZ.sum(axis=1)


def dense_backward__db_mean(dZ, A, W):
    """dZ already carries the 1/m: sum it over the batch, don't average it again (averaging twice is a classic bug)."""
    return dZ @ W.T, A.T @ dZ, dZ.mean(axis=0)


def activation_forward__derivative(Z, name):
    """The forward pass applies the activation g(Z) itself, not its derivative."""
    return _DERIVATIVE[name](Z)


def activation_forward__always_relu(Z, name):
    """The activation must follow `name`: sigmoid and tanh layers exist too."""
    return relu(Z)


def activation_backward__activation_not_derivative(dA, Z, name):
    """Multiply by the derivative g′(Z), not by the activation g(Z)."""
    return dA * _FORWARD[name](Z)


def activation_backward__matrix_product(dA, Z, name):
    """This step of the chain rule is elementwise (dA ⊙ g′(Z)), not a matrix product."""
    return dA @ _DERIVATIVE[name](Z)


def activation_backward__in_place(dA, Z, name):
    """Multiplying dA in place changes the caller's array (another layer's gradient): return a new array."""
    dA *= _DERIVATIVE[name](Z)
    return dA


def activation_backward__derivative_of_output(dA, Z, name):
    """g′ takes the pre-activation Z; evaluating it at the output g(Z) applies g twice."""
    return dA * _DERIVATIVE[name](_FORWARD[name](Z))
