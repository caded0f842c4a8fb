"""A small reverse-mode autograd on NumPy arrays, micrograd style but with tensors (notebook 07).

Every op takes `Tensor`s (``backproplab.tensor``), computes its value and
returns a new tensor that remembers its parents and carries a ``_backward``
closure. The closure is the same for every op: it hands the output's finished
gradient to the op's **rule** (a function of arrays: upstream gradient and the
values the op saved → one gradient per parent) and adds each result into the
parent's ``grad`` with `accumulate`. `backward` orders the graph and calls the
closures from the root down.

You write the rules (`matmul_backward`, `unary_backward`,
`log_softmax_backward`, `nll_backward`), `accumulate`, `backward`, the MLP
built from ops (`autograd_mlp_grads`) and a training epoch through it
(`autograd_train`). The ops (``matmul``, ``add``, ``mul``, ``relu``,
``sigmoid``, ``tanh``, ``log_softmax``, ``cross_entropy``, ``sum_all``,
``scale``, and ``leaf``/``constant`` for inputs) are given, in
``backproplab.ops``, and importable from here too; ``add``, ``mul``,
``sum_all`` and ``scale`` show complete rules as examples. Every exercise
function takes and returns arrays (``backward`` also takes a tensor), so the
grader can call it.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .ops import (  # noqa: F401 - the given ops, also as autograd.<op> (notebook 07 uses ag.leaf, ag.relu, ag._node …)
    ACTIVATION_OPS,
    PROGRAM_OPS,
    _node,
    add,
    constant,
    cross_entropy,
    leaf,
    log_softmax,
    matmul,
    mul,
    program_graph,
    relu,
    scale,
    sigmoid,
    sum_all,
    tanh,
)
from .tensor import Tensor, inputs_of, zero_grad

# --------------------------------------------------------------------------- the rules


def accumulate(grad: np.ndarray, contribution: np.ndarray) -> np.ndarray:
    """``grad`` plus one more contribution to it, summed down to ``grad``'s shape.

    A tensor used by several ops receives one contribution from each: they
    add up (``+=``, never ``=``). A contribution can be larger than the
    tensor when the op broadcast it (a bias ``(k,)`` added to ``(m, k)``
    scores): the broadcast copied the tensor along those axes, so its
    gradient is the **sum** over them (the batch note's ``db``).

    Parameters
    ----------
    grad : ndarray
        The gradient accumulated so far (the tensor's shape).
    contribution : ndarray
        A shape ``grad`` broadcasts to: extra leading axes, or size-1 axes of
        ``grad`` stretched.

    Returns
    -------
    ndarray, shape and dtype of `grad`
        A new array; `grad` is not modified (a rule may hand the same array
        to two parents, so in-place additions could reach the wrong one).
    """
    grad, contribution = validate.accumulate(grad, contribution)
    raise NotImplementedError('sum contribution over its extra leading axes, then (keepdims) over the axes where grad has size 1; return grad + that, a new array')


def matmul_backward(G: np.ndarray, A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rule of ``C = A @ B``: the gradients of `A` and `B` from the gradient `G` of `C`.

    Parameters
    ----------
    G : ndarray, shape (m, k)
    A : ndarray, shape (m, n)
    B : ndarray, shape (n, k)

    Returns
    -------
    dA : ndarray, shape (m, n)
    dB : ndarray, shape (n, k)
    """
    G, A, B = validate.matmul_backward(G, A, B)
    raise NotImplementedError("dA = G Bᵀ and dB = Aᵀ G (check the shapes: each gradient has its input's shape)")


def unary_backward(G: np.ndarray, out: np.ndarray, name: str) -> np.ndarray:
    """Rule of an elementwise activation, from the **output** it saved.

    Parameters
    ----------
    G : ndarray
        Gradient of the output.
    out : ndarray, shape of `G`
        The op's output ``g(z)``: ``relu`` ≥ 0, ``sigmoid`` in [0, 1], ``tanh`` in [-1, 1].
    name : {"relu", "sigmoid", "tanh"}

    Returns
    -------
    ndarray, shape of `G`
        ``G ⊙ g′(z)`` written with `out`: ``relu′ = 1 where out > 0`` (0 at
        z = 0), ``σ′ = out (1 − out)``, ``tanh′ = 1 − out²``. `out` is left
        unchanged: the next layer's matmul saved the very same array.
    """
    G, out, name = validate.unary_backward(G, out, name)
    raise NotImplementedError('relu: G where out > 0, else 0; sigmoid: G * out * (1 - out); tanh: G * (1 - out**2) — into new arrays, out is shared')


def log_softmax_backward(G: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Rule of the row-wise ``out = log_softmax(Z)``, from the output it saved.

    Parameters
    ----------
    G : ndarray, shape (m, k)
        Gradient of `out`.
    out : ndarray, shape (m, k)
        The log-probabilities; ``exp(out)`` is the softmax ``S``.

    Returns
    -------
    dZ : ndarray, shape (m, k)
        ``G − S ⊙ (row sums of G)``: each row of the Jacobian is ``I − 1 sᵀ``.
    """
    G, out = validate.log_softmax_backward(G, out)
    raise NotImplementedError('S = exp(out); dZ = G - S * (the sum of each row of G, kept as a column)')


def nll_backward(g, logp: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Rule of the mean cross-entropy ``loss = −(1/m) Σ Y ⊙ logp`` against one-hot `Y`.

    Parameters
    ----------
    g : scalar
        Gradient of the loss (1 at the root).
    logp : ndarray, shape (m, k)
        Log-probabilities.
    Y : ndarray, shape (m, k)
        One-hot targets (a constant: no gradient).

    Returns
    -------
    dlogp : ndarray, shape (m, k), dtype of `logp`
    """
    g, logp, Y = validate.nll_backward(g, logp, Y)
    raise NotImplementedError('the loss is a sum divided by m with a minus sign: dlogp = -g * Y / m')


def _graph(root, program) -> tuple[Tensor, list[Tensor]]:
    """``(root, inputs)``: a scalar tensor and the tensors without parents it depends on, or a program's graph."""
    if program is not None:
        return program_graph(root, program)
    validate.scalar_tensor(root, "backward", "root")
    return root, inputs_of(root)


# --------------------------------------------------------------------------- the backward pass


def backward(root, program=None) -> tuple[np.ndarray, ...]:
    """Backpropagate from the scalar tensor `root`: add ``∂root/∂t`` to ``t.grad`` for every tensor ``t`` it depends on.

    Parameters
    ----------
    root : Tensor, shape ()
        Usually a loss. (The grader and the checks call ``backward(values,
        program)`` instead; the line above your code then builds that small
        program's graph, see `program_graph`. You write the same code for both.)

    Returns
    -------
    tuple of ndarray
        The gradients of the graph's inputs (the tensors without parents: the
        program's values, or for a tensor `root` the order `inputs_of` gives).
    """
    root, inputs = _graph(root, program)
    raise NotImplementedError('depth first from root, append each tensor after all its parents (once: keep a set of ids); set root.grad to ones; call each _backward in the reversed order')
    return tuple(t.grad for t in inputs)


# --------------------------------------------------------------------------- the MLP through the autograd


def autograd_mlp_grads(params, X: np.ndarray, Y: np.ndarray, lam: float, activation: str = "relu") -> tuple[np.floating, dict[str, np.ndarray]]:
    """`mlp_loss` of notebook 06, computed by building the graph and calling `backward`.

    Parameters
    ----------
    params : dict
        ``W1 … WL``, ``b1 … bL`` as arrays, or as leaf tensors (then their
        ``grad`` accumulates, exactly as in PyTorch: zero it between steps).
    X : ndarray, shape (m, n_0)
    Y : ndarray, shape (m, n_L), one-hot
    lam : float
        Weight decay: ``(λ/2) Σ ‖W_l‖²`` (weights only).
    activation : {"relu", "sigmoid", "tanh"}

    Returns
    -------
    loss : scalar
    grads : dict
        The ``grad`` of each parameter tensor after the backward pass.
    """
    L, P, X, Y, lam = validate.autograd_mlp_grads(params, X, Y, lam, activation)
    raise NotImplementedError('A = constant(X); each layer Z = add(matmul(A, W), b), hidden ones A = ACTIVATION_OPS[activation](Z); loss = cross_entropy(log_softmax(Z), constant(Y)) plus scale(sum_all(mul(W, W)), lam / 2) per W; backward(loss)')


def autograd_train(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray, lam: float, lr: float, batch_size: int,
                   activation: str = "relu") -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One epoch of SGD through the autograd: the batches ``X[0:b], X[b:2b], …`` in order, one step each.

    The parameters are leaf tensors made once (copies of `params`), reused by
    every step, as in PyTorch.

    Returns
    -------
    losses : ndarray, shape (number of batches,)
        The loss of each batch before its step (dtype of `X`).
    params : dict
        The parameters after the epoch (new arrays; `params` is unchanged).
    """
    P, X, Y, lam, lr, batch_size = validate.autograd_train(params, X, Y, lam, lr, batch_size, activation)
    losses = []
    raise NotImplementedError('per batch: zero_grad(P.values()) first (grads accumulate!), loss, grads = autograd_mlp_grads(P, Xb, Yb, lam, activation), then t.value = t.value - lr * t.grad for every tensor t of P')
    return np.asarray(losses, dtype=X.dtype), {k: t.value for k, t in P.items()}
