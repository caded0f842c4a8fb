"""Visible checks: ``check_<function>(fn)`` for every exercise function.

A check calls `fn` on a few fixed probe inputs (shown in `probes`) and

* prints ``"<function>: visible checks passed"`` when every answer agrees with
  the model solution's (within the tolerance of its dtype);
* raises ``AssertionError`` otherwise, naming the mistake when the answers
  match a known wrong version of the function (its hint), or else the first
  property that failed (shape, dtype, rows summing to one, NaN, gradient vs
  numerical, an argument modified in place, …);
* lets ``NotImplementedError`` from an unwritten function through unchanged.

The model solution's answers are not stored here, only their fingerprints
(a few random projections per array) in ``fingerprints.json``, written by the
course's release step together with the fingerprints and hints of the known
wrong versions. Without that file (the instructor's copy) a check tests the
properties only.

The engine is here; the probes and properties of each exercise module are in
``checks/<module>.py`` (``PROBES``: function → probe builder, ``PROPERTIES``:
function → properties of every right answer).

Each check tests its function on its own: while it runs, the exercise
functions `fn` calls (e.g. ``log_softmax`` inside ``softmax_cross_entropy``)
answer with the model solution's recorded outputs for the probe inputs, so a
mistake in an earlier function never fails a later check. Nothing is written
to stderr.
"""

from __future__ import annotations

import contextlib
import inspect
import zlib
from collections.abc import Callable

import numpy as np

from ..contract import BY_NAME
from . import activations, autograd, backprop_single, layers, losses, mlp, softmax, softmax_regression
from .codec import decode, encode, key, probe_digest
from .fingerprint import FORMAT, Raised, mismatch, recorded, summarize
from .inputs import Probe
from .properties import dtype_property, reproducible
from .report import CallTimedOut, CheckFailed, passed, stale_source, time_limit
from .running import Replay, changed_argument, package_call, quiet, run, substituted

PASSED = "visible checks passed"


def _passed(entry: dict | None) -> str:
    """The ✓ line's text: with the cell's points when the fingerprints carry them (the hidden tests award them)."""
    worth = entry.get("points") if entry else None
    if not isinstance(worth, (int, float)) or worth <= 0:
        return PASSED
    return f"{PASSED} ({worth:g} point{'' if worth == 1 else 's'} if the hidden tests agree)"
FUNCTIONS = {e.name: e.module for e in BY_NAME.values()}
STATS = {e.name for e in BY_NAME.values() if e.random}
"""Functions whose answers are random draws: compared by mean and standard deviation."""

_MODULES = (softmax, losses, softmax_regression, activations, backprop_single, layers, mlp, autograd)
PROBES: dict[str, Callable] = {k: v for m in _MODULES for k, v in m.PROBES.items()}
"""Function → builder of its visible probes. Builders taking `call` derive inputs (caches) from other functions."""
PROPERTIES: dict[str, list[Callable]] = {k: v for m in _MODULES for k, v in m.PROPERTIES.items()}
"""Function → properties every right answer has: ``prop(fn, probe, answer)`` → ``None`` or what is wrong."""


def probes(name: str, call: Callable | None = None) -> list[Probe]:
    """The visible probes of `name`.

    `call(function, *args)` supplies inputs derived from other functions (the
    cache of a backward pass); by default the recorded model answers, or this
    package's own functions where there are none.
    """
    builder = PROBES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    if "call" not in inspect.signature(builder).parameters:
        return builder(rng)
    if call is None:
        data = recorded()
        entry = data["functions"].get(name) if data else None
        call = Replay(entry.get("replay", {})).call if entry else package_call
    return builder(rng, call)


def failed_property(name: str, fn: Callable, p: Probe, out) -> str | None:
    """The first property of a right answer that `out` (the answer to probe `p`) lacks, or None."""
    for prop in [*PROPERTIES[name], dtype_property]:
        try:
            with quiet(), time_limit():
                reason = prop(fn, p, out)
        except CallTimedOut as exc:
            return f"{name} {exc}"
        except Exception:  # a property that cannot even be evaluated says nothing more
            continue
        if reason:
            return reason
    return None


def check(name: str, fn: Callable) -> None:
    """Run the visible checks of exercise function `name` on `fn` (see the module docstring)."""
    __tracebackhide__ = True  # noqa: F841 - IPython and pytest hide this frame
    if not callable(fn):
        raise CheckFailed(f"{name}: expected a function, got {type(fn).__name__}")
    stale = stale_source(fn)
    if stale:
        raise CheckFailed(f"{name}: {stale}")
    data = recorded()
    entry = data["functions"].get(name) if data else None
    replay = Replay(entry.get("replay", {})) if entry else None
    items = probes(name, replay.call if replay else None)
    if entry and entry.get("probes") != probe_digest(name, items):
        entry = replay = None  # fingerprints from another version of the probes: properties only
    answers, changed = [], []
    with substituted(fn, entry["depends"] if entry else [], replay.replacement) if replay else contextlib.nullcontext():
        for p in items:
            out, after = run(fn, p)
            answers.append(out)
            changed.append(changed_argument(fn, p, after) if not isinstance(out, Raised) else None)
    stats = name in STATS
    got = [dict(summarize(o, stats), changed=c) for o, c in zip(answers, changed)]
    seeding = reproducible(fn, items[0]) if name in STATS else None
    unseeded = [f"{seeding} (probe: {items[0].note})"] if seeding else []
    if entry is not None:
        if all(_agrees(g, w) for g, w in zip(got, entry["reference"])) and not unseeded:
            passed(name, _passed(entry))
            return
        for wrong in entry["mutants"]:
            if all(_agrees(g, w) for g, w in zip(got, wrong["outputs"])) and wrong.get("seeding") == seeding:
                raise CheckFailed(f"{name}: {wrong['hint']}")
    problems = [*unseeded, *_problems(name, fn, items, answers, changed, entry)]
    if problems:
        first, *rest = problems
        raise CheckFailed("\n".join([f"{name}: {first}", *(f"  also: {r}" for r in rest)]))
    passed(name, _passed(entry))


def _agrees(got: dict, want: dict) -> bool:
    return got.get("changed") == want.get("changed") and mismatch(got, want) is None


def _problems(name, fn, items, answers, changed, entry) -> list[str]:
    """Every way the answers are wrong, most telling first, one line per kind with the probes it showed on."""
    found: dict[str, list[str]] = {}
    said: dict[str, str] = {}  # a raise is grouped by its type and place, shown with its first message

    def add(reason: str, probe: Probe, group: str | None = None) -> None:
        key = said.setdefault(group, reason) if group else reason
        found.setdefault(key, []).append(probe.note)

    e = BY_NAME[name]
    for p, out, c in zip(items, answers, changed):
        if isinstance(out, Raised):
            timed_out = out.type_name == CallTimedOut.__name__
            add(f"{name} {out.message}" if timed_out else f"raised {out.type_name}{out.where()}: {out.message}", p,
                group=f"{out.type_name}{out.where()}")
        elif c:
            if c.endswith(" (its entries reassigned)"):
                add(f"replaced the entries of the caller's dict {c.split(' ')[0]}; build and return a new dict instead", p)
            else:
                add(f"modified its argument {c} in place; return a new array instead", p)
    wrong_loss = set()
    if entry is not None:
        for i, (p, out, want) in enumerate(zip(items, answers, entry["reference"])):
            if isinstance(out, Raised):
                continue
            mine = summarize(out, name in STATS)
            diff = mismatch(mine, want, parts=e.outputs, whole=e.returns)
            if diff:
                add(diff, p)
                if e.outputs[:1] == ("loss",) and "seq" in mine and "seq" in want and mismatch(mine["seq"][0], want["seq"][0]):
                    wrong_loss.add(i)
    for i, (p, out) in enumerate(zip(items, answers)):
        if isinstance(out, Raised):
            continue
        reason = failed_property(name, fn, p, out)
        if reason and i in wrong_loss and "numerical gradient" in reason:
            continue  # the loss itself is wrong: a gradient check against it says nothing about the gradient
        if reason:
            add(reason, p)
    lines = [f"{reason} (probe{'s' if len(notes) > 1 else ''}: {'; '.join(dict.fromkeys(notes))})" for reason, notes in found.items()]
    if wrong_loss:
        lines.append("fix the loss first: the gradient is checked against it")
    return lines


def _make(name: str) -> Callable[[Callable], None]:
    def check_function(fn: Callable) -> None:
        __tracebackhide__ = True  # noqa: F841 - IPython and pytest hide this frame
        check(name, fn)

    check_function.__name__ = check_function.__qualname__ = f"check_{name}"
    check_function.__doc__ = f"Visible checks of ``{name}``: prints '{name}: {PASSED}' or raises AssertionError with a hint."
    return check_function


for _name in FUNCTIONS:
    globals()[f"check_{_name}"] = _make(_name)

__all__ = [f"check_{_name}" for _name in FUNCTIONS] + ["check", "probes", "decode", "encode", "key", "FORMAT"]
