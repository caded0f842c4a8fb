"""Hidden tests: the cases the grading harness sends to a student's functions, and the verdict.

Instructor side only; never shipped. For every exercise function,
``cases(name, seed)`` returns fixed cases hand-picked to expose the mistakes
in the mutant catalogue (logits of ±1e4, float32, a batch of one, square
shapes where a missing ``keepdims`` or a transpose still broadcasts, ReLU at
exactly 0, λ > 0, non-zero biases, …) followed by random probes drawn from
`seed`. ``evaluate(name, case, got, want, args_after)`` compares a
candidate's output with the reference's and returns ``None`` or a short
student-facing reason (shape, dtype, NaN/inf where the answer is finite,
value with the error size, a constant factor or transpose, in-place
modification of an argument). It never shows reference code or values.

The cases of each exercise module are in ``hidden/<module>.py`` (``CASES``:
function → builder of its cases), the verdict in `compare`, what they share
(`Case`, the contract's tables, the reference) in `base`.

Arguments in a `Case` are NumPy arrays, ``str``-keyed dicts of arrays, lists
of arrays (``l2_penalty``) or of ints (``init_params``), str, int, float or
None. Arrays are always positional (so ``args_after`` covers every array).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from . import activations, autograd, backprop_single, layers, losses, mlp, softmax, softmax_regression
from .base import (
    CACHES,
    DEPENDS,
    EXERCISES,
    FUNCTIONS,
    NOTEBOOK,
    OUTPUTS,
    REFERENCE_PKG,
    RETURNS,
    Case,
    arg_names,
    reference,
    reference_pkg,
    using,
)
from .compare import RTOL, evaluate, known_mistake
from .inputs import rng_for

__all__ = ["CACHES", "DEPENDS", "EXERCISES", "FUNCTIONS", "NOTEBOOK", "OUTPUTS", "REFERENCE_PKG", "RETURNS", "RTOL", "Case",
           "arg_names", "cases", "evaluate", "for_reference", "known_mistake", "reference", "reference_pkg", "using"]

BUILDERS: dict[str, Callable] = {
    k: v for m in (softmax, losses, softmax_regression, activations, backprop_single, layers, mlp, autograd) for k, v in m.CASES.items()
}
"""Function → builder of its hidden cases, from ``hidden/<module>.py``."""


def cases(name: str, seed: int) -> list[Case]:
    """The hidden cases of exercise function `name`: fixed ones, then random probes drawn from `seed`."""
    if name not in BUILDERS:
        raise KeyError(f"no hidden cases for {name!r}; exercise functions: {sorted(FUNCTIONS)}")
    return list(BUILDERS[name](rng_for(name, seed)))


def for_reference(pkg: Path) -> SimpleNamespace:
    """This module's interface with every reference call made on the package folder `pkg`.

    The grader judges with the reference of the course it loaded (``--source``);
    the cases' inputs that come from reference calls (caches, log-probabilities)
    and the catalogued mistakes must come from that same package.
    """
    pkg = Path(pkg).resolve()

    def bound(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def call(*args, **kwargs):
            with using(pkg):
                return fn(*args, **kwargs)

        return call

    api = {k: globals()[k] for k in __all__ if k != "for_reference"}
    api.update({f.__name__: bound(f) for f in (cases, evaluate, known_mistake, reference, arg_names)}, REFERENCE_PKG=pkg,
               reference_pkg=lambda: pkg)
    return SimpleNamespace(**api)
