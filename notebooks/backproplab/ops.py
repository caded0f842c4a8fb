"""The ops of notebook 07's autograd (infrastructure, complete): tensors in, a tensor out.

Each op computes its value with NumPy and returns a new `Tensor` that
remembers its parents and carries a ``_backward`` closure (made by `_node`,
the same for every op): it hands the output's finished gradient to the op's
**rule** and adds each result into the parent's ``grad`` with `accumulate`.
The rules and `accumulate` are the exercise functions of
`backproplab.autograd`, looked up there each time a closure runs, so the
ops always use your current versions. ``add``, ``mul``, ``sum_all`` and
``scale`` show complete rules as examples.

`program_graph` builds a graph from arrays and op codes: that is how the
grader hands `backward` a graph without any object crossing its sandbox.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import validate
from .tensor import Tensor

__all__ = ["ACTIVATION_OPS", "PROGRAM_OPS", "add", "constant", "cross_entropy", "leaf", "log_softmax", "matmul", "mul",
           "program_graph", "relu", "scale", "sigmoid", "sum_all", "tanh"]


def leaf(value, name: str = "") -> Tensor:
    """An input tensor whose gradient we want (a parameter)."""
    return Tensor(validate.as_float_array(value, "value", "leaf"), name=name)


def constant(value, name: str = "") -> Tensor:
    """An input tensor that needs no gradient (data, targets): the ops skip it."""
    return Tensor(validate.as_float_array(value, "value", "constant"), name=name, requires_grad=False)


def _node(value: np.ndarray, parents: tuple[Tensor, ...], op: str, rule: Callable[[np.ndarray], tuple]) -> Tensor:
    """The output tensor of one op, with its ``_backward`` closure: ``rule(out.grad)`` accumulated into the parents."""
    out = Tensor(value, parents, op, requires_grad=any(p.requires_grad for p in parents))

    def _backward() -> None:
        for parent, g in zip(parents, rule(out.grad)):
            if parent.requires_grad:
                parent.grad = autograd.accumulate(parent.grad, g)

    out._backward = _backward
    return out


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` for 2-D tensors."""
    return _node(a.value @ b.value, (a, b), "matmul", lambda G: autograd.matmul_backward(G, a.value, b.value))


def add(a: Tensor, b: Tensor) -> Tensor:
    """``a + b`` with NumPy broadcasting (a bias ``(k,)`` on ``(m, k)`` scores). Both get ``G``; `accumulate` sums it down."""
    return _node(a.value + b.value, (a, b), "add", lambda G: (G, G))


def mul(a: Tensor, b: Tensor) -> Tensor:
    """Elementwise ``a * b`` (broadcasting); ``mul(w, w)`` is ``w²``, a tensor used twice."""
    return _node(a.value * b.value, (a, b), "mul", lambda G: (G * b.value, G * a.value))


def _activation(name: str, forward: Callable[[np.ndarray], np.ndarray]) -> Callable[[Tensor], Tensor]:
    def op(a: Tensor) -> Tensor:
        value = forward(a.value)
        return _node(value, (a,), name, lambda G: (autograd.unary_backward(G, value, name),))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name}; the rule uses the saved output."
    return op


relu = _activation("relu", lambda z: np.maximum(z, 0))
sigmoid = _activation("sigmoid", lambda z: np.exp(-np.logaddexp(0, -z)))  # 1 / (1 + e^-z) without overflow
tanh = _activation("tanh", np.tanh)
ACTIVATION_OPS = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}


def log_softmax(a: Tensor) -> Tensor:
    """Row-wise log-softmax of a 2-D tensor, stable (the row maximum is subtracted first)."""
    Z = a.value - a.value.max(axis=1, keepdims=True)
    value = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return _node(value, (a,), "log_softmax", lambda G: (autograd.log_softmax_backward(G, value),))


def cross_entropy(logp: Tensor, Y: Tensor) -> Tensor:
    """Mean cross-entropy ``−(1/m) Σ Y ⊙ logp`` of log-probabilities against one-hot targets (a scalar)."""
    value = np.asarray(-(Y.value * logp.value).sum() / logp.shape[0], dtype=logp.dtype)
    return _node(value, (logp, Y), "cross_entropy", lambda g: (autograd.nll_backward(g, logp.value, Y.value), None))


def sum_all(a: Tensor) -> Tensor:
    """The sum of every entry (a scalar); every entry gets the upstream gradient."""
    return _node(np.asarray(a.value.sum(), dtype=a.dtype), (a,), "sum", lambda g: (np.full_like(a.value, g),))


def scale(a: Tensor, c: float) -> Tensor:
    """``c · a`` for a number `c` (the λ/2 of weight decay)."""
    c = float(c)  # a Python number: the product keeps the dtype of a (NEP 50)
    return _node(c * a.value, (a,), f"× {float(c):g}", lambda G: (c * G,))


PROGRAM_OPS = ("matmul", "add", "relu", "sigmoid", "tanh", "log_softmax", "sum", "mul")
"""Op codes of `program_graph`."""


def program_graph(values, program) -> tuple[Tensor, list[Tensor]]:
    """The graph of a small program, as the grader builds it for `backward`.

    `values` are the inputs (nodes ``0 … n−1``); row ``r = (code, i, j)`` of the
    int array `program` computes node ``n + r`` = ``PROGRAM_OPS[code]`` of
    nodes ``i`` (and ``j`` for the two-input ops). The last node is the root
    and must be a scalar. Returns ``(root, inputs)``.
    """
    values, program = validate.program(values, program, len(PROGRAM_OPS))
    nodes = [leaf(v, f"x{i}") for i, v in enumerate(values)]
    binary = {"matmul": matmul, "add": add, "mul": mul}
    unary = {**ACTIVATION_OPS, "log_softmax": log_softmax, "sum": sum_all}
    for r, (code, i, j) in enumerate(program.tolist()):
        op = PROGRAM_OPS[code]
        try:
            with np.errstate(all="ignore"):
                node = binary[op](nodes[i], nodes[j]) if op in binary else unary[op](nodes[i])
        except (ValueError, IndexError) as exc:
            raise ValueError(f"program_graph(): row {r} ({op} of nodes {i}, {j}) cannot run: {exc}") from None
        nodes.append(node)
    if nodes[-1].shape != ():
        raise ValueError(f"program_graph(): the last node must be a scalar (end with 'sum'); got shape {nodes[-1].shape}")
    return nodes[-1], nodes[: len(values)]


# Last, because autograd imports this module's ops: the closures above only need it once they run.
from . import autograd  # noqa: E402
