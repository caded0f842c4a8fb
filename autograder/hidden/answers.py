"""Hidden checks of code answers: what a visible test cannot verify (instructor side, never shipped).

``CHECKS``: answer variable → ``check(value) -> None`` when right, else a
student-facing reason. The grader runs them in the grading process on the
decoded answer, after the visible test cell passed, with the reference package
(`base.reference`); no student code runs here. `value` is untrusted data:
anything unexpected is a reason, never an exception.

``lr_sweep`` (notebook 06). The visible test only sees the student's own
numbers, so a made-up sweep that agrees with itself passes it. Here the
reference retrains the notebook's setting at the reported rate (it must
diverge) and at the next smaller rate of the student's grid (it must not), in
float64 with the notebook's seeds. A run is decided only when its last loss is
at least `MARGIN` away from its first (or not finite); a rate inside that band
is a borderline rate where float32 or another BLAS kernel may decide either
way, and either answer is accepted there.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .base import FUNCTIONS, reference_pkg

MARGIN = 0.05
"""Relative band around "last loss = first loss" where a run counts as borderline."""
MAX_LR = 1e4
"""Larger rates are refused: the notebook's sweep needs nothing near them."""
SIZES, LAM, SAMPLES, BATCH = (784, 128, 10), 1e-4, 2000, 50
"""Notebook 06, exercise 6: 784–128–10 ReLU, He seed 0, λ = 1e-4, one epoch on the first 2,000 images, batches of 50."""


def _reference(module: str, pkg: Path | None = None):
    from autograder.mutants import reference_package

    return importlib.import_module(f"{reference_package(pkg or reference_pkg())}.{module}")


@functools.cache
def _mnist_head(pkg: Path) -> tuple[np.ndarray, np.ndarray]:
    """The notebook's ``X_train[:2000]``, ``Y_train[:2000]`` in float64 (its set-up cell, with the reference loader)."""
    data = _reference("data", pkg)
    X_all, y_all = data.load_mnist(progress=False)
    X_train, y_train, _, _ = data.train_val_split(X_all, y_all, val_size=2000, seed=0)
    return X_train[:SAMPLES].astype(np.float64), data.one_hot(y_train[:SAMPLES], 10, dtype=np.float64)


def run_verdict(lr: float) -> str:
    """``"diverged"``, ``"converged"`` or ``"borderline"``: the reference's run of the sweep's setting at `lr`."""
    return _run_verdict(reference_pkg(), lr)


@functools.cache
def _run_verdict(pkg: Path, lr: float) -> str:
    mlp, fit = _reference(FUNCTIONS["init_params"], pkg), _reference("train", pkg).fit
    X, Y = _mnist_head(pkg)

    def loss(p, Xb, Yb):
        try:
            return mlp.mlp_loss(p, Xb, Yb, LAM)
        except ValueError:  # overflowed values: the notebook's rule turns them into a NaN loss
            return np.nan, None

    with np.errstate(all="ignore"):
        _, history = fit(mlp.init_params(list(SIZES), "he", seed=0), loss, X, Y, lr=lr, epochs=1, batch_size=BATCH,
                         step=mlp.sgd_step, seed=0, progress=False)
    first, last = float(history["loss"][0]), float(history["loss"][-1])
    if not math.isfinite(last) or last > first * (1 + MARGIN):
        return "diverged"
    return "converged" if last < first * (1 - MARGIN) else "borderline"


def _rate(v) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        return None
    v = float(v)
    return v if math.isfinite(v) and 0 < v <= MAX_LR else None


def lr_sweep(value) -> str | None:
    """The reported first diverging rate really diverges, and the rate below it in the student's grid really does not."""
    if not isinstance(value, dict) or not isinstance(value.get("lrs"), (list, tuple)):
        return "lr_sweep must be a dict whose 'lrs' is a list of learning rates"
    lrs = [_rate(v) for v in value["lrs"][:100]]
    answer = _rate(value.get("first_diverging"))
    if None in lrs or answer is None:
        return f"every learning rate must be a number in (0, {MAX_LR:g}]"
    if answer not in lrs or lrs.index(answer) == 0:
        return "first_diverging must be one of your rates, and not the smallest"
    below = lrs[lrs.index(answer) - 1]
    try:
        at, under = run_verdict(answer), run_verdict(below)
    except Exception as exc:  # the reference failing is the instructor's problem: a reason, never a crashed grading
        return f"the grader could not retrain at your rates ({type(exc).__name__}); ask your instructor"
    if at == "converged":
        return f"retrained by the grader with the notebook's setting, training at lr = {answer:g} does not diverge"
    if under == "diverged":
        return (f"retrained by the grader with the notebook's setting, training at lr = {below:g}, the rate below your "
                f"answer in your sweep, already diverges")
    return None


CHECKS: dict[str, Callable[[object], str | None]] = {"lr_sweep": lr_sweep}
