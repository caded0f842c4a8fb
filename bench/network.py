"""The benchmarked training step, in the reference package and in PyTorch.

Both sides do the same work from the same starting point: forward through
dense layers with ReLU between them, softmax cross-entropy plus
``(λ/2) Σ ‖W_l‖²``, backward, and ``p ← p - lr · g``. PyTorch takes class
indices (its idiomatic, fastest cross-entropy); ours takes the same labels as
one-hot rows. `check_same_step` proves the two agree before anything is timed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import solutions_on_path

solutions_on_path()
from backproplab.mlp import init_params, mlp_loss, sgd_step  # noqa: E402

LAM, LR = 1e-3, 0.1
TOLERANCE = {np.float32: dict(rtol=2e-4, atol=2e-5), np.float64: dict(rtol=1e-9, atol=1e-11)}


@dataclass
class Problem:
    params: dict[str, np.ndarray]
    X: np.ndarray  # (m, n_0)
    Y: np.ndarray  # (m, n_L) one-hot, dtype of X
    labels: np.ndarray  # (m,) int64


def make_problem(sizes: list[int], m: int, dtype: type, seed: int = 0) -> Problem:
    """He-initialised parameters and a random batch, all of `dtype`."""
    rng = np.random.default_rng(seed)
    params = {k: v.astype(dtype) for k, v in init_params(sizes, "he", seed).items()}
    X = rng.standard_normal((m, sizes[0])).astype(dtype)
    labels = rng.integers(0, sizes[-1], m)
    Y = np.eye(sizes[-1], dtype=dtype)[labels]
    return Problem(params, X, Y, labels)


def our_step(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """One training step of the reference package: (loss, new params)."""
    loss, grads = mlp_loss(params, X, Y, LAM)
    return loss, sgd_step(params, grads, LR)


def ours(problem: Problem) -> Callable[[], None]:
    """A zero-argument training step that keeps its parameters between calls."""
    state = {"params": problem.params}

    def step() -> None:
        _, state["params"] = our_step(state["params"], problem.X, problem.Y)

    return step


class TorchStep:
    """The same network in PyTorch, parameters updated in place by ``torch.optim.SGD``."""

    def __init__(self, torch, problem: Problem) -> None:
        self.torch = torch
        self.params = {k: torch.tensor(v, requires_grad=True) for k, v in problem.params.items()}
        self.X = torch.from_numpy(problem.X)
        self.labels = torch.from_numpy(problem.labels)
        self.L = len(self.params) // 2
        self.optimizer = torch.optim.SGD(list(self.params.values()), lr=LR)

    def __call__(self):
        torch, P = self.torch, self.params
        self.optimizer.zero_grad(set_to_none=True)
        A = self.X
        for l in range(1, self.L + 1):
            Z = torch.addmm(P[f"b{l}"], A, P[f"W{l}"])
            A = torch.relu(Z) if l < self.L else Z
        penalty = sum((P[f"W{l}"] ** 2).sum() for l in range(1, self.L + 1))
        loss = torch.nn.functional.cross_entropy(Z, self.labels) + LAM / 2 * penalty
        loss.backward()
        self.optimizer.step()
        return loss.detach()

    def numpy_params(self) -> dict[str, np.ndarray]:
        return {k: v.detach().numpy().copy() for k, v in self.params.items()}


def check_same_step(torch, problem: Problem) -> None:
    """One step on each side from the same start: equal loss and new parameters, or AssertionError."""
    loss, new = our_step(problem.params, problem.X, problem.Y)
    theirs = TorchStep(torch, problem)
    their_loss = theirs().item()
    tol = TOLERANCE[problem.X.dtype.type]
    np.testing.assert_allclose(float(loss), their_loss, **tol, err_msg="loss differs from PyTorch's")
    for k, v in theirs.numpy_params().items():
        assert v.dtype == new[k].dtype, f"{k}: dtype {new[k].dtype} vs PyTorch's {v.dtype}"
        np.testing.assert_allclose(new[k], v, **tol, err_msg=f"updated {k} differs from PyTorch's")


def useful_flops(sizes: list[int], m: int) -> int:
    """Multiply-adds ×2 of one step's matrix products, skipping the gradient w.r.t. X.

    Per layer: forward ``A W`` and backward ``Aᵀ dZ``; every layer but the
    first also passes ``dZ Wᵀ`` down. This is what PyTorch computes too.
    """
    flops = 0
    for l in range(1, len(sizes)):
        products = 2 if l == 1 else 3
        flops += products * 2 * m * sizes[l - 1] * sizes[l]
    return flops
