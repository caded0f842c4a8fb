"""Reference answers for a composite's dependencies: recorded here, replayed in the sandbox.

A composite function (``softmax_cross_entropy``, ``mlp_loss``, …) is graded
with the reference versions of the functions it depends on, so one early
mistake is charged once. No reference code may enter the sandbox (anything
in there can be smuggled out), so the grader runs the reference composite
on each case itself, records every call it makes to a dependency (nested
calls included) as *digest of the arguments → answer*, and sends only that
table (arrays and numbers, through `wire`). In the child each dependency is
a replayer: a call whose arguments the reference also made gets the
recorded answer; any other call goes to the student's own function.
"""

from __future__ import annotations

import copy
import inspect
import sys
from collections.abc import Callable
from pathlib import Path

from autograder.sandbox import wire
from autograder.sandbox.wire import Raised

JSON_DEFAULTS = (type(None), bool, int, float, str)


def params(fn: Callable) -> list | None:
    """``[[name, has_default, default], ...]`` of `fn`'s parameters, or None if calls to it cannot be bound simply."""
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            return None
        has_default = p.default is not p.empty
        if has_default and not isinstance(p.default, JSON_DEFAULTS):
            return None
        out.append([p.name, has_default, p.default if has_default else None])
    return out


def record(reference, name: str, cases: list, deps: set[str]) -> tuple[dict[str, object], dict[str, list | None]]:
    """(digest → answer or `Raised`, dependency → its `params`) for the reference `name` run on every case."""
    reference.function(name)  # its module (and so every module it imports) is loaded before the swap
    originals = {d: reference.function(d) for d in deps}
    signatures = {d: params(fn) for d, fn in originals.items()}
    table: dict[str, object] = {}

    def recorder(dep: str, fn: Callable) -> Callable:
        def recorded(*args, **kwargs):
            values = wire.bind(signatures[dep], args, kwargs) if signatures[dep] is not None else None
            key = wire.digest(dep, values) if values is not None else None  # before the call, which may change its arguments
            try:
                answer = fn(*args, **kwargs)
            except Exception as exc:
                if key:
                    table[key] = Raised(type(exc).__name__, str(exc))
                raise
            if key:
                table[key] = copy.deepcopy(answer)  # the caller may change it in place (mlp_loss adds λW to the grads)
            return answer

        return recorded

    modules = [m for n, m in list(sys.modules.items()) if n.startswith(reference.alias + ".")]
    swapped = [(m, d) for m in modules for d, fn in originals.items() if m.__dict__.get(d) is fn]
    try:
        for module, dep in swapped:
            setattr(module, dep, recorder(dep, originals[dep]))
        for case in cases:
            reference.call(name, case.args, case.kwargs)  # raising is fine: the calls made so far are recorded
    finally:
        for module, dep in swapped:
            setattr(module, dep, originals[dep])
    return table, signatures


def spec(tables: list[tuple[dict, dict]], functions: dict[str, str], graded: set[str], folder: Path) -> dict:
    """The child's ``replay`` spec: answers written as `wire` values under `folder`."""
    table: dict[str, dict] = {}
    signatures: dict[str, list | None] = {}
    for answers, sigs in tables:
        signatures.update(sigs)
        for key, answer in answers.items():
            if key in table:
                continue
            if isinstance(answer, Raised):
                table[key] = {"raise": [answer.type_name, answer.message[:300]]}
                continue
            try:
                table[key] = {"value": wire.encode(answer, folder, prefix=f"replay.{len(table)}.")}
            except wire.WireError:  # not replayable: the student's own function answers that call
                pass
    return {"functions": {d: functions[d] for d in signatures}, "params": signatures, "table": table, "graded": sorted(graded)}
