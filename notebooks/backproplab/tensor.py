"""The node of notebook 07's computational graph: a `Tensor` (infrastructure, complete).

A tensor holds a NumPy array ``value``, the gradient ``grad`` accumulated into
it by the backward pass (same shape and dtype, zeros at first), the tensors it
was computed from (``parents``), the name of the op that made it (``op``,
``""`` for an input) and, for a computed tensor, the op's ``_backward``
closure: called with no arguments once ``grad`` is complete, it adds this
tensor's contribution to each parent's ``grad``. The ops themselves (and the
closures) are in `backproplab.ops`, the rules they call in `backproplab.autograd`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

__all__ = ["Tensor", "inputs_of", "nodes_of", "zero_grad"]


class Tensor:
    """One node of the graph (see the module docstring)."""

    __slots__ = ("value", "grad", "parents", "op", "name", "requires_grad", "_backward")

    def __init__(self, value, parents: Iterable[Tensor] = (), op: str = "", name: str = "", requires_grad: bool = True) -> None:
        value = np.asarray(value)
        if value.dtype.kind != "f":
            value = value.astype(np.float64)
        self.value: np.ndarray = value
        self.grad: np.ndarray = np.zeros_like(value)
        self.parents: tuple[Tensor, ...] = tuple(parents)
        self.op, self.name, self.requires_grad = op, name, requires_grad
        self._backward: Callable[[], None] | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    def zero_grad(self) -> None:
        """Reset the accumulated gradient to zeros (before the next backward pass)."""
        self.grad = np.zeros_like(self.value)

    def label(self) -> str:
        """``name`` or ``op``, and the shape: what the graph plot writes in the node."""
        what = self.name or self.op or "input"
        return f"{what}\n{self.shape}" if self.shape else f"{what}\n()"

    def __repr__(self) -> str:
        return f"Tensor({self.name or self.op or 'input'}, shape={self.shape}, dtype={self.dtype})"


def nodes_of(root: Tensor) -> list[Tensor]:
    """Every tensor `root` depends on, `root` included, each once (in no particular order of use)."""
    seen, todo, out = set(), [root], []
    while todo:
        t = todo.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        out.append(t)
        todo.extend(t.parents)
    return out


def inputs_of(root: Tensor) -> list[Tensor]:
    """The tensors without parents that `root` depends on (its inputs), in the order `nodes_of` finds them."""
    return [t for t in nodes_of(root) if not t.parents]


def zero_grad(tensors: Iterable[Tensor]) -> None:
    """`Tensor.zero_grad` on each of `tensors` (e.g. ``zero_grad(params.values())``)."""
    for t in tensors:
        t.zero_grad()
