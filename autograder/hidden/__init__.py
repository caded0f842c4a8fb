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
import importlib
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
from .summary import Outcome, group_of, summarize

__all__ = ["CACHES", "DEPENDS", "EXERCISES", "FUNCTIONS", "NOTEBOOK", "OUTPUTS", "REFERENCE_PKG", "RETURNS", "RTOL", "Case",
           "Outcome", "arg_names", "cases", "evaluate", "for_reference", "group_of", "known_mistake", "reference", "reference_pkg",
           "summarize", "using", "visible_cases"]

BUILDERS: dict[str, Callable] = {
    k: v for m in (softmax, losses, softmax_regression, activations, backprop_single, layers, mlp, autograd) for k, v in m.CASES.items()
}
"""Function → builder of its hidden cases, from ``hidden/<module>.py``."""


def cases(name: str, seed: int) -> list[Case]:
    """The hidden cases of exercise function `name`: fixed ones, random probes drawn from `seed`, then the visible probes."""
    if name not in BUILDERS:
        raise KeyError(f"no hidden cases for {name!r}; exercise functions: {sorted(FUNCTIONS)}")
    return list(BUILDERS[name](rng_for(name, seed))) + list(visible_cases(name))


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
    api.update({f.__name__: bound(f) for f in (cases, evaluate, known_mistake, reference, arg_names, summarize, visible_cases)},
               REFERENCE_PKG=pkg, reference_pkg=lambda: pkg)
    return SimpleNamespace(**api)


def visible_cases(name: str) -> tuple[Case, ...]:
    """The notebook's visible probes of `name` (``checks.probes``, caches derived with the reference), as cases.

    The student has these inputs and their answers' fingerprints already, so
    the feedback page may show a failing one's input, expected and returned values.
    """
    return _visible_cases(reference_pkg(), name)


@functools.cache
def _visible_cases(pkg: Path, name: str) -> tuple[Case, ...]:
    from autograder import mutants

    checks = importlib.import_module(f"{mutants.reference_package(pkg)}.checks")

    def call(function: str, *args):
        return reference(function)(*args)

    return tuple(Case(tuple(p.args), dict(p.kwargs), note=f"visible probe: {p.note}", visible=True) for p in checks.probes(name, call))
