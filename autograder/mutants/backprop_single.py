"""Wrong versions of ``backproplab/backprop_single.py`` (notebook 04). Parsed, never imported: see ``__init__``."""

from .activations import sigmoid, sigmoid_grad


def forward_single__no_activation(params, x, L):
    """Each layer's activation is a = σ(z); the pre-activation z is stored separately."""
    cache = {"a0": x}
    for l in range(1, L + 1):
        z = params[f"W{l}"] @ cache[f"a{l - 1}"] + params[f"b{l}"]
        cache[f"z{l}"] = z
        cache[f"a{l}"] = z
    return cache


def forward_single__transposed_W(params, x, L):
    """Column convention: z = W a + b with W of shape (n_l, n_(l-1)); there is no transpose in the forward pass."""
    cache = {"a0": x}
    for l in range(1, L + 1):
        z = params[f"W{l}"].T @ cache[f"a{l - 1}"] + params[f"b{l}"]
        cache[f"z{l}"] = z
        cache[f"a{l}"] = sigmoid(z)
    return cache


def forward_single__no_bias(params, x, L):
    """Every layer adds its bias: z = W a + b."""
    cache = {"a0": x}
    for l in range(1, L + 1):
        z = params[f"W{l}"] @ cache[f"a{l - 1}"]
        cache[f"z{l}"] = z
        cache[f"a{l}"] = sigmoid(z)
    return cache


def forward_single__input_every_layer(params, x, L):
    """Each layer takes the previous layer's activation a⁽ˡ⁻¹⁾, not the input x."""
    cache = {"a0": x}
    for l in range(1, L + 1):
        z = params[f"W{l}"] @ cache["a0"] + params[f"b{l}"]
        cache[f"z{l}"] = z
        cache[f"a{l}"] = sigmoid(z)
    return cache


def backward_single__W_not_transposed(params, cache, y, L):
    """BP2 sends the error backwards through the transpose: (W⁽ˡ⁺¹⁾)ᵀ δ⁽ˡ⁺¹⁾."""
    a, z = cache[f"a{L}"], cache[f"z{L}"]
    dL_da = -y / a + (1 - y) / (1 - a)
    delta = dL_da * sigmoid_grad(z)
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T
        grads[f"b{l}"] = delta
        if l > 1:
            delta = (params[f"W{l}"] @ delta) * sigmoid_grad(cache[f"z{l - 1}"])
    return grads


def backward_single__no_derivative_in_bp2(params, cache, y, L):
    """BP2 multiplies by the activation's derivative σ′(z⁽ˡ⁾) at every hidden layer, after the transpose product."""
    a, z = cache[f"a{L}"], cache[f"z{L}"]
    dL_da = -y / a + (1 - y) / (1 - a)
    delta = dL_da * sigmoid_grad(z)
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T
        grads[f"b{l}"] = delta
        if l > 1:
            delta = params[f"W{l}"].T @ delta
    return grads


def backward_single__derivative_of_a(params, cache, y, L):
    """sigmoid_grad takes the pre-activation z; giving it a = σ(z) applies σ twice."""
    a, z = cache[f"a{L}"], cache[f"z{L}"]
    dL_da = -y / a + (1 - y) / (1 - a)
    delta = dL_da * sigmoid_grad(z)
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T
        grads[f"b{l}"] = delta
        if l > 1:
            delta = (params[f"W{l}"].T @ delta) * sigmoid_grad(cache[f"a{l - 1}"])
    return grads


def backward_single__derivative_wrong_layer(params, cache, y, L):
    """Off by one layer: δ⁽ˡ⁻¹⁾ uses σ′(z⁽ˡ⁻¹⁾) of the layer it belongs to."""
    a, z = cache[f"a{L}"], cache[f"z{L}"]
    dL_da = -y / a + (1 - y) / (1 - a)
    delta = dL_da * sigmoid_grad(z)
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T
        grads[f"b{l}"] = delta
        if l > 1:
            delta = (params[f"W{l}"].T @ delta) * sigmoid_grad(cache[f"z{l}"])
    return grads


def backward_single__dW_transposed(params, cache, y, L):
    """BP3: ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾ (a⁽ˡ⁻¹⁾)ᵀ has W's shape (n_l, n_(l-1)); the other order gives its transpose."""
    a, z = cache[f"a{L}"], cache[f"z{L}"]
    dL_da = -y / a + (1 - y) / (1 - a)
    delta = dL_da * sigmoid_grad(z)
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = cache[f"a{l - 1}"] @ delta.T
        grads[f"b{l}"] = delta
        if l > 1:
            delta = (params[f"W{l}"].T @ delta) * sigmoid_grad(cache[f"z{l - 1}"])
    return grads


def backward_single__bp1_sign(params, cache, y, L):
    """The cost's derivative has the sign flipped: ∂L/∂a = -y/a + (1 - y)/(1 - a); otherwise every gradient points uphill."""
    a, z = cache[f"a{L}"], cache[f"z{L}"]
    dL_da = y / a - (1 - y) / (1 - a)
    delta = dL_da * sigmoid_grad(z)
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T
        grads[f"b{l}"] = delta
        if l > 1:
            delta = (params[f"W{l}"].T @ delta) * sigmoid_grad(cache[f"z{l - 1}"])
    return grads


def backward_single__bp1_no_derivative(params, cache, y, L):
    """BP1: δ⁽ᴸ⁾ = ∇ₐL ⊙ σ′(z⁽ᴸ⁾); the output layer has an activation too."""
    a = cache[f"a{L}"]
    dL_da = -y / a + (1 - y) / (1 - a)
    delta = dL_da
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T
        grads[f"b{l}"] = delta
        if l > 1:
            delta = (params[f"W{l}"].T @ delta) * sigmoid_grad(cache[f"z{l - 1}"])
    return grads


def backward_single__general_bp1(params, cache, y, L):
    """At a saturated output (a rounds to 0 or 1) ∇ₐL ⊙ σ′(z) is 0/0 or ∞·0: use BP1's simplification δ = a − y, which stays finite."""
    a, z = cache[f"a{L}"], cache[f"z{L}"]
    dL_da = -y / a + (1 - y) / (1 - a)
    delta = dL_da * sigmoid_grad(z)
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = delta @ cache[f"a{l - 1}"].T
        grads[f"b{l}"] = delta
        if l > 1:
            delta = (params[f"W{l}"].T @ delta) * sigmoid_grad(cache[f"z{l - 1}"])
    return grads
