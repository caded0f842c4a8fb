"""Wrong versions of ``backproplab/autograd.py`` (notebook 07). Parsed, never imported: see ``__init__``."""

import numpy as np

from .autograd import (  # the module's own names, as in the reference
    ACTIVATION_OPS,
    add,
    autograd_mlp_grads,
    backward,
    constant,
    cross_entropy,
    log_softmax,
    matmul,
    mul,
    scale,
    sum_all,
    zero_grad,
)


def accumulate__assign(grad, contribution):
    """A tensor used twice gets one gradient from each use: add the contribution to grad (+=), do not replace it (=)."""
    extra = contribution.ndim - grad.ndim
    summed = contribution.sum(axis=tuple(range(extra))) if extra else contribution
    stretched = tuple(i for i, n in enumerate(grad.shape) if n == 1 and summed.shape[i] != 1)
    if stretched:
        summed = summed.sum(axis=stretched, keepdims=True)
    return summed + np.zeros_like(grad)


def accumulate__not_summed(grad, contribution):
    """A broadcast tensor's gradient is summed over the axes the broadcast stretched, so it keeps the tensor's own shape."""
    return grad + contribution


def accumulate__leading_axes_only(grad, contribution):
    """Sum over the new leading axes and also over the axes where grad has size 1 (with keepdims)."""
    extra = contribution.ndim - grad.ndim
    summed = contribution.sum(axis=tuple(range(extra))) if extra else contribution
    return grad + summed


def accumulate__mean_not_sum(grad, contribution):
    """Every copy a broadcast made contributes fully: sum over the broadcast axes, do not average."""
    extra = contribution.ndim - grad.ndim
    summed = contribution.mean(axis=tuple(range(extra))) if extra else contribution
    stretched = tuple(i for i, n in enumerate(grad.shape) if n == 1 and summed.shape[i] != 1)
    if stretched:
        summed = summed.mean(axis=stretched, keepdims=True)
    return grad + summed


def matmul_backward__dA_not_transposed(G, A, B):
    """dA = G Bᵀ: the gradient of A has A's shape (m, n), and B enters transposed."""
    return G @ B, A.T @ G


def matmul_backward__dB_transposed(G, A, B):
    """dB = Aᵀ G has B's shape (n, k); Gᵀ A is its transpose."""
    return G @ B.T, G.T @ A


def matmul_backward__dB_divided_by_m(G, A, B):
    """The 1/m is already in G (the loss is a mean): dividing dB by m again counts it twice."""
    return G @ B.T, A.T @ G / A.shape[0]


def unary_backward__relu_at_zero(G, out, name):
    """relu′ is 0 where the saved output is 0 (z ≤ 0): the mask is out > 0, not out ≥ 0."""
    if name == "relu":
        return G * (out >= 0)
    if name == "sigmoid":
        return G * out * (1 - out)
    return G * (1 - out * out)


def unary_backward__derivative_of_output(G, out, name):
    """out already is σ(z): σ′ = out (1 − out); applying σ to out again takes the derivative at the wrong point."""
    if name == "relu":
        return G * (out > 0)
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-out))
        return G * s * (1 - s)
    return G * (1 - np.tanh(out) ** 2)


def unary_backward__tanh_not_squared(G, out, name):
    """tanh′ = 1 − out², with the output squared."""
    if name == "relu":
        return G * (out > 0)
    if name == "sigmoid":
        return G * out * (1 - out)
    return G * (1 - out)


def unary_backward__no_upstream(G, out, name):
    """The chain rule multiplies the local derivative by the upstream gradient G."""
    if name == "relu":
        return (out > 0).astype(G.dtype)
    if name == "sigmoid":
        return out * (1 - out)
    return 1 - out * out


def unary_backward__in_place_saved_output(G, out, name):
    """An in-place op (out *= …) overwrote the saved output, which the next layer's matmul saved too: compute into a new array."""
    if name == "relu":
        return G * (out > 0)
    if name == "sigmoid":
        np.multiply(out, 1 - out, out=out)
    else:
        np.subtract(1, out * out, out=out)
    return G * out


def log_softmax_backward__sum_axis0(G, out):
    """The softmax couples the entries of one row (one sample): sum G along each row (axis=1), not down the columns."""
    return G - np.exp(out) * G.sum(axis=0, keepdims=True)


def log_softmax_backward__out_as_probabilities(G, out):
    """out holds log-probabilities: the softmax is exp(out)."""
    return G - out * G.sum(axis=1, keepdims=True)


def log_softmax_backward__rows_sum_to_one(G, out):
    """dZ = G − S ⊙ (row sums of G): the row sums of G are not 1 in general (with the mean loss they are −1/m)."""
    return G - np.exp(out)


def log_softmax_backward__no_keepdims(G, out):
    """Keep the row sums as a column (keepdims=True): a flat (m,) vector broadcasts along the wrong axis."""
    return G - np.exp(out) * G.sum(axis=1)


def nll_backward__no_mean(g, logp, Y):
    """The loss is a mean over the batch: its gradient carries 1/m."""
    return Y * logp.dtype.type(-g)


def nll_backward__sign(g, logp, Y):
    """The loss is minus the mean of Y ⊙ logp: the gradient is −g Y / m."""
    return Y * logp.dtype.type(g / logp.shape[0])


def nll_backward__no_upstream(g, logp, Y):
    """Multiply by the upstream gradient g (1 at the root, but not when the loss is scaled or summed further)."""
    return Y * logp.dtype.type(-1 / logp.shape[0])


def nll_backward__mean_over_entries(g, logp, Y):
    """The mean is over the m samples, not over all m·k entries."""
    return Y * logp.dtype.type(-g / logp.size)


def backward__no_topological_order(root, program, inputs):
    """Without a topological order a tensor can run its _backward before every use has added to its grad: sort first."""
    def visit(t):
        if t._backward is not None:
            t._backward()
        for p in t.parents:
            visit(p)

    root.grad = np.ones_like(root.value)
    visit(root)


def backward__no_visited_set(root, program, inputs):
    """A tensor reached along two paths must appear once in the order (remember the visited ones), or its _backward runs twice."""
    order = []

    def visit(t):
        for p in t.parents:
            visit(p)
        order.append(t)

    visit(root)
    root.grad = np.ones_like(root.value)
    for t in reversed(order):
        if t._backward is not None:
            t._backward()


def backward__not_reversed(root, program, inputs):
    """The depth-first order lists parents before children: walk it reversed, from the root down."""
    order, seen = [], set()

    def visit(t):
        if id(t) not in seen:
            seen.add(id(t))
            for p in t.parents:
                visit(p)
            order.append(t)

    visit(root)
    root.grad = np.ones_like(root.value)
    for t in order:
        if t._backward is not None:
            t._backward()


def backward__breadth_first(root, program, inputs):
    """Breadth-first order can visit a tensor before a longer path has added to its grad: use a topological order."""
    queue, seen = [root], {id(root)}
    root.grad = np.ones_like(root.value)
    while queue:
        t = queue.pop(0)
        if t._backward is not None:
            t._backward()
        for p in t.parents:
            if id(p) not in seen:
                seen.add(id(p))
                queue.append(p)


def backward__root_not_seeded(root, program, inputs):
    """Seed the backward pass: the root's gradient with respect to itself is 1 (root.grad = ones)."""
    order, seen = [], set()

    def visit(t):
        if id(t) not in seen:
            seen.add(id(t))
            for p in t.parents:
                visit(p)
            order.append(t)

    visit(root)
    for t in reversed(order):
        if t._backward is not None:
            t._backward()


def autograd_mlp_grads__penalty_not_halved(params, X, Y, lam, activation, L, P):
    """Weight decay is (λ/2) Σ‖W‖², so that its gradient is λW: scale the sum of squares by lam / 2."""
    A = constant(X, "X")
    for l in range(1, L + 1):
        Z = add(matmul(A, P[f"W{l}"]), P[f"b{l}"])
        A = ACTIVATION_OPS[activation](Z) if l < L else Z
    loss = cross_entropy(log_softmax(A), constant(Y, "Y"))
    for l in range(1, L + 1):
        loss = add(loss, scale(sum_all(mul(P[f"W{l}"], P[f"W{l}"])), lam))
    backward(loss)
    return loss.value[()], {k: t.grad for k, t in P.items()}


def autograd_mlp_grads__biases_in_penalty(params, X, Y, lam, activation, L, P):
    """Weight decay covers the weights W only, never the biases b."""
    A = constant(X, "X")
    for l in range(1, L + 1):
        Z = add(matmul(A, P[f"W{l}"]), P[f"b{l}"])
        A = ACTIVATION_OPS[activation](Z) if l < L else Z
    loss = cross_entropy(log_softmax(A), constant(Y, "Y"))
    for t in P.values():
        loss = add(loss, scale(sum_all(mul(t, t)), lam / 2))
    backward(loss)
    return loss.value[()], {k: t.grad for k, t in P.items()}


def autograd_mlp_grads__activation_on_scores(params, X, Y, lam, activation, L, P):
    """The last layer is linear: its Z are the scores; only the hidden layers get the activation."""
    A = constant(X, "X")
    for l in range(1, L + 1):
        A = ACTIVATION_OPS[activation](add(matmul(A, P[f"W{l}"]), P[f"b{l}"]))
    loss = cross_entropy(log_softmax(A), constant(Y, "Y"))
    for l in range(1, L + 1):
        loss = add(loss, scale(sum_all(mul(P[f"W{l}"], P[f"W{l}"])), lam / 2))
    backward(loss)
    return loss.value[()], {k: t.grad for k, t in P.items()}


def autograd_mlp_grads__no_log_softmax(params, X, Y, lam, activation, L, P):
    """cross_entropy expects log-probabilities: pass the scores through log_softmax first."""
    A = constant(X, "X")
    for l in range(1, L + 1):
        Z = add(matmul(A, P[f"W{l}"]), P[f"b{l}"])
        A = ACTIVATION_OPS[activation](Z) if l < L else Z
    loss = cross_entropy(A, constant(Y, "Y"))
    for l in range(1, L + 1):
        loss = add(loss, scale(sum_all(mul(P[f"W{l}"], P[f"W{l}"])), lam / 2))
    backward(loss)
    return loss.value[()], {k: t.grad for k, t in P.items()}


def autograd_train__no_zero_grad(params, X, Y, lam, lr, batch_size, activation, P, losses):
    """Gradients accumulate across backward passes: zero every parameter's grad before each step's backward."""
    for start in range(0, X.shape[0], batch_size):
        loss, grads = autograd_mlp_grads(P, X[start : start + batch_size], Y[start : start + batch_size], lam, activation)
        for t in P.values():
            t.value = t.value - t.dtype.type(lr) * t.grad
        losses.append(loss)


def autograd_train__zero_grad_before_update(params, X, Y, lam, lr, batch_size, activation, P, losses):
    """Zero the grads before the backward pass, not between backward and the update (that update is then zero)."""
    for start in range(0, X.shape[0], batch_size):
        loss, grads = autograd_mlp_grads(P, X[start : start + batch_size], Y[start : start + batch_size], lam, activation)
        zero_grad(P.values())
        for t in P.values():
            t.value = t.value - t.dtype.type(lr) * t.grad
        losses.append(loss)
