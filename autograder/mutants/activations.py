"""Wrong versions of ``backproplab/activations.py`` (notebook 03). Parsed, never imported: see ``__init__``."""

import numpy as np

from .activations import sigmoid


def sigmoid__exp_ratio(Z):
    """exp(z) / (1 + exp(z)) overflows to inf / inf = NaN for large z: only ever exponentiate a non-positive number."""
    return np.exp(Z) / (1 + np.exp(Z))


def sigmoid__branches_swapped(Z):
    """The two branches are swapped: for z ≥ 0 it is 1 / (1 + e^(-z)), for z < 0 it is e^z / (1 + e^z)."""
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, e / (1 + e), 1 / (1 + e))


def sigmoid_grad__input_as_output(Z):
    """Z is the pre-activation: σ′(z) = σ(z)(1 - σ(z)), so apply the sigmoid first; z(1 - z) treats z as if it were σ(z)."""
    s = Z
    return s * (1 - s)


def sigmoid_grad__sigmoid_twice(Z):
    """σ is applied twice: Z is the pre-activation, so compute σ(Z) once and use it in σ(1 - σ)."""
    s = sigmoid(sigmoid(Z))
    return s * (1 - s)


def relu__np_max(Z):
    """np.max reduces the array to its largest entries along an axis; the elementwise max(z, 0) is np.maximum."""
    return np.max(Z, 0)


def relu__in_place(Z):
    """Setting the negative entries of Z to 0 changes the caller's array (often the forward cache): return a new array."""
    Z[Z < 0] = 0
    return Z


def relu_grad__at_zero(Z):
    """At exactly z = 0 this course takes ReLU′(0) = 0: the mask is 1 only where z is strictly positive."""
    return (Z >= 0).astype(Z.dtype)


def relu_grad__boolean(Z):
    """A boolean mask is not a float array: cast it to Z's dtype."""
    return Z > 0


def relu_grad__float64(Z):
    """astype(float) means float64: keep Z's dtype so float32 input gives float32 output."""
    return (Z > 0).astype(float)


def relu_grad__relu_itself(Z):
    """That is ReLU itself; its derivative is 1 where z > 0 and 0 elsewhere."""
    return np.maximum(Z, 0)


def tanh__exp_ratio(Z):
    """The textbook ratio overflows (inf / inf = NaN) once |z| > 710; NumPy's tanh is stable."""
    return (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z))


def tanh_grad__not_squared(Z):
    """tanh′(z) = 1 - tanh(z)²: the tanh is squared."""
    t = np.tanh(Z)
    return 1 - t


def tanh_grad__input_as_output(Z):
    """Z is the pre-activation: apply tanh first; 1 - a² is the formula in terms of the output a = tanh(z)."""
    t = Z
    return 1 - t * t


def silu__gate_only(Z):
    """SiLU multiplies the input by its gate: z σ(z), not σ(z) alone."""
    return sigmoid(Z)


def silu__gate_sign(Z):
    """The gate is σ(z) = 1 / (1 + e^(-z)); z σ(-z) flips its sign and gates the wrong half of the inputs."""
    return Z * sigmoid(-Z)


def silu_grad__first_term_missing(Z):
    """Product rule: d/dz [z σ(z)] = σ(z) + z σ′(z); the term σ(z), from differentiating z, is missing."""
    s = sigmoid(Z)
    return Z * s * (1 - s)


def silu_grad__second_term_missing(Z):
    """Product rule: d/dz [z σ(z)] = σ(z) + z σ′(z); the term z σ′(z), from differentiating σ(z), is missing."""
    return sigmoid(Z)


def silu_grad__product_of_derivatives(Z):
    """The derivative of a product is not the product of the derivatives: (z σ)′ = σ + z σ′, not 1 · σ′."""
    s = sigmoid(Z)
    return s * (1 - s)
