"""Wrong versions of ``backproplab/mlp.py`` (notebook 06). Parsed, never imported: see ``__init__``."""

import numpy as np

from .layers import activation_backward, activation_forward, dense_backward, dense_forward
from .losses import l2_penalty, softmax_cross_entropy
from .mlp import mlp_backward, mlp_forward  # the module's own functions, as in the reference


def init_params__unscaled(scheme, n_in, n_out, rng, params, l):
    """Unscaled standard-normal weights make deep activations explode or saturate: scale them by the scheme's standard deviation."""
    std = 1.0
    params[f"W{l}"] = std * rng.standard_normal((n_in, n_out))
    params[f"b{l}"] = np.zeros(n_out)


def init_params__fan_out(scheme, n_in, n_out, rng, params, l):
    """He initialisation scales by the layer's fan-in (its number of inputs), not its number of outputs."""
    std = {"he": np.sqrt(2 / n_out), "xavier": np.sqrt(2 / (n_in + n_out)), "small": 0.01}[scheme]
    params[f"W{l}"] = std * rng.standard_normal((n_in, n_out))
    params[f"b{l}"] = np.zeros(n_out)


def init_params__he_without_two(scheme, n_in, n_out, rng, params, l):
    """He initialisation has variance 2 / fan-in (the 2 compensates for ReLU zeroing half the units)."""
    std = {"he": np.sqrt(1 / n_in), "xavier": np.sqrt(2 / (n_in + n_out)), "small": 0.01}[scheme]
    params[f"W{l}"] = std * rng.standard_normal((n_in, n_out))
    params[f"b{l}"] = np.zeros(n_out)


def init_params__xavier_fan_in(scheme, n_in, n_out, rng, params, l):
    """Xavier/Glorot uses both fan-in and fan-out: variance 2 / (n_in + n_out)."""
    std = {"he": np.sqrt(2 / n_in), "xavier": np.sqrt(1 / n_in), "small": 0.01}[scheme]
    params[f"W{l}"] = std * rng.standard_normal((n_in, n_out))
    params[f"b{l}"] = np.zeros(n_out)


def init_params__zero_weights(scheme, n_in, n_out, rng, params, l):
    """All-zero weights keep every hidden unit identical for ever (symmetry): draw random weights."""
    params[f"W{l}"] = np.zeros((n_in, n_out))
    params[f"b{l}"] = np.zeros(n_out)


def init_params__transposed(scheme, n_in, n_out, rng, params, l):
    """Row-major layers: W_l has shape (n_(l-1), n_l), inputs by outputs."""
    std = {"he": np.sqrt(2 / n_in), "xavier": np.sqrt(2 / (n_in + n_out)), "small": 0.01}[scheme]
    params[f"W{l}"] = std * rng.standard_normal((n_out, n_in))
    params[f"b{l}"] = np.zeros(n_out)


def init_params__random_biases(scheme, n_in, n_out, rng, params, l):
    """Biases start at zero; only the weights need random values to break the symmetry."""
    std = {"he": np.sqrt(2 / n_in), "xavier": np.sqrt(2 / (n_in + n_out)), "small": 0.01}[scheme]
    params[f"W{l}"] = std * rng.standard_normal((n_in, n_out))
    params[f"b{l}"] = std * rng.standard_normal(n_out)


def init_params__global_rng(scheme, n_in, n_out, rng, params, l):
    """Draw from np.random.default_rng(seed), not the global np.random: the same seed must give the same arrays."""
    std = {"he": np.sqrt(2 / n_in), "xavier": np.sqrt(2 / (n_in + n_out)), "small": 0.01}[scheme]
    params[f"W{l}"] = std * np.random.standard_normal((n_in, n_out))
    params[f"b{l}"] = np.zeros(n_out)


def init_params__seed_ignored(scheme, n_in, n_out, rng, params, l):
    """Seed the generator with the `seed` argument: a fixed seed gives every call the same weights."""
    rng = np.random.default_rng(0) if l == 1 else rng
    std = {"he": np.sqrt(2 / n_in), "xavier": np.sqrt(2 / (n_in + n_out)), "small": 0.01}[scheme]
    params[f"W{l}"] = std * rng.standard_normal((n_in, n_out))
    params[f"b{l}"] = np.zeros(n_out)


def mlp_forward__activation_on_scores(params, X, activation, L):
    """The last layer is linear: its Z are the scores; the activation belongs to the hidden layers only."""
    cache = {"A0": X}
    A = X
    for l in range(1, L + 1):
        Z = dense_forward(A, params[f"W{l}"], params[f"b{l}"])
        cache[f"Z{l}"] = Z
        if l < L:
            A = activation_forward(Z, activation)
            cache[f"A{l}"] = A
    return activation_forward(Z, activation), cache


def mlp_forward__always_relu(params, X, activation, L):
    """The hidden layers use the activation the caller asks for, not always ReLU."""
    cache = {"A0": X}
    A = X
    for l in range(1, L + 1):
        Z = dense_forward(A, params[f"W{l}"], params[f"b{l}"])
        cache[f"Z{l}"] = Z
        if l < L:
            A = activation_forward(Z, "relu")
            cache[f"A{l}"] = A
    return Z, cache


def mlp_forward__input_every_layer(params, X, activation, L):
    """Each layer's input is the previous layer's activation, not X."""
    cache = {"A0": X}
    A = X
    for l in range(1, L + 1):
        Z = dense_forward(X, params[f"W{l}"], params[f"b{l}"])
        cache[f"Z{l}"] = Z
        if l < L:
            A = activation_forward(Z, activation)
            cache[f"A{l}"] = A
    return Z, cache


def mlp_backward__no_activation_derivative(dscores, cache, params, activation, L):
    """Going down through a hidden layer multiplies by its activation's derivative: dZ = dA ⊙ g′(Z)."""
    grads = {}
    dZ = dscores
    for l in range(L, 0, -1):
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, cache[f"A{l - 1}"], params[f"W{l}"])
        if l > 1:
            dZ = dA_prev
    return grads


def mlp_backward__derivative_wrong_layer(dscores, cache, params, activation, L):
    """Off by one layer: the derivative below layer l is evaluated at the Z of layer l - 1."""
    grads = {}
    dZ = dscores
    for l in range(L, 0, -1):
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, cache[f"A{l - 1}"], params[f"W{l}"])
        if l > 1:
            dZ = activation_backward(dA_prev, cache[f"Z{l}"], activation)
    return grads


def mlp_backward__always_relu(dscores, cache, params, activation, L):
    """The backward pass must use the same activation as the forward pass, not always ReLU."""
    grads = {}
    dZ = dscores
    for l in range(L, 0, -1):
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, cache[f"A{l - 1}"], params[f"W{l}"])
        if l > 1:
            dZ = activation_backward(dA_prev, cache[f"Z{l - 1}"], "relu")
    return grads


def mlp_backward__relu_at_zero(dscores, cache, params, activation, L):
    """ReLU's derivative at exactly 0 is taken as 0 (the course's convention): use Z > 0, not Z >= 0."""
    grads = {}
    dZ = dscores
    for l in range(L, 0, -1):
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, cache[f"A{l - 1}"], params[f"W{l}"])
        if l > 1:
            Z = cache[f"Z{l - 1}"]
            dZ = dA_prev * (Z >= 0).astype(Z.dtype) if activation == "relu" else activation_backward(dA_prev, Z, activation)
    return grads


def mlp_backward__mean_again(dscores, cache, params, activation, L):
    """dscores already carries the loss's 1/m: dividing by m again makes every gradient m times too small."""
    grads = {}
    dZ = dscores / dscores.dtype.type(dscores.shape[0])
    for l in range(L, 0, -1):
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = dense_backward(dZ, cache[f"A{l - 1}"], params[f"W{l}"])
        if l > 1:
            dZ = activation_backward(dA_prev, cache[f"Z{l - 1}"], activation)
    return grads


def mlp_loss__no_lambda_in_grad(params, X, Y, lam, activation, L):
    """The loss has the weight-decay term but the weight gradients lack its derivative λW."""
    scores, cache = mlp_forward(params, X, activation)
    data_loss, dscores = softmax_cross_entropy(scores, Y)
    grads = mlp_backward(dscores, cache, params, activation)
    weights = [params[f"W{l}"] for l in range(1, L + 1)]
    return data_loss + l2_penalty(weights, lam), grads


def mlp_loss__two_lambda_in_grad(params, X, Y, lam, activation, L):
    """The derivative of (λ/2)‖W‖² is λW (the ½ cancels the 2), not 2λW."""
    scores, cache = mlp_forward(params, X, activation)
    data_loss, dscores = softmax_cross_entropy(scores, Y)
    grads = mlp_backward(dscores, cache, params, activation)
    weights = [params[f"W{l}"] for l in range(1, L + 1)]
    for l, W in enumerate(weights, start=1):
        grads[f"W{l}"] = grads[f"W{l}"] + W.dtype.type(2 * lam) * W
    return data_loss + l2_penalty(weights, lam), grads


def mlp_loss__lambda_not_halved(params, X, Y, lam, activation, L):
    """The penalty is (λ/2) Σ‖W‖²: with λ instead of λ/2 the loss no longer matches its gradient λW."""
    scores, cache = mlp_forward(params, X, activation)
    data_loss, dscores = softmax_cross_entropy(scores, Y)
    grads = mlp_backward(dscores, cache, params, activation)
    weights = [params[f"W{l}"] for l in range(1, L + 1)]
    for l, W in enumerate(weights, start=1):
        grads[f"W{l}"] = grads[f"W{l}"] + W.dtype.type(lam) * W
    return data_loss + l2_penalty(weights, 2 * lam), grads


def mlp_loss__no_penalty(params, X, Y, lam, activation, L):
    """The loss must include the weight-decay term (λ/2) Σ‖W‖², like the gradients include λW."""
    scores, cache = mlp_forward(params, X, activation)
    data_loss, dscores = softmax_cross_entropy(scores, Y)
    grads = mlp_backward(dscores, cache, params, activation)
    weights = [params[f"W{l}"] for l in range(1, L + 1)]
    for l, W in enumerate(weights, start=1):
        grads[f"W{l}"] = grads[f"W{l}"] + W.dtype.type(lam) * W
    return data_loss, grads


def mlp_loss__biases_regularised(params, X, Y, lam, activation, L):
    """Weight decay applies to the weights only; the biases are not regularised."""
    scores, cache = mlp_forward(params, X, activation)
    data_loss, dscores = softmax_cross_entropy(scores, Y)
    grads = mlp_backward(dscores, cache, params, activation)
    weights = list(params.values())
    for key, P in params.items():
        grads[key] = grads[key] + P.dtype.type(lam) * P
    return data_loss + l2_penalty(weights, lam), grads


def sgd_step__wrong_sign(params, grads, lr):
    """Gradient descent steps against the gradient: subtract the learning rate times the gradient."""
    return {k: p + p.dtype.type(lr) * grads[k] for k, p in params.items()}


def sgd_step__in_place(params, grads, lr):
    """Updating the arrays in place changes the caller's params (and every alias of them): return new arrays."""
    for k, p in params.items():
        p -= p.dtype.type(lr) * grads[k]
    return params


def sgd_step__reassigns_entries(params, grads, lr):
    """Assigning params[k] = … rebinds the entries of the caller's own dict: build and return a new dict, leave params as it was."""
    for k in params:
        params[k] = params[k] - params[k].dtype.type(lr) * grads[k]
    return params


def sgd_step__weights_only(params, grads, lr):
    """The biases learn too: every parameter takes a step."""
    return {k: p - p.dtype.type(lr) * grads[k] if k.startswith("W") else p for k, p in params.items()}
