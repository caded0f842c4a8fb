"""Running a student's function on a probe: quietly, on copies, with its dependencies replayed."""

from __future__ import annotations

import contextlib
import copy
import importlib
import inspect
import io
import warnings
from collections.abc import Callable, Mapping

import numpy as np

from ..contract import BY_NAME
from .codec import decode, key
from .fingerprint import Raised
from .inputs import Probe
from .report import time_limit

PACKAGE = __package__.rpartition(".")[0]  # backproplab, or the private name the grader loads it under


@contextlib.contextmanager
def quiet():
    """No warnings, no floating-point messages and nothing on stderr while student code runs."""
    with warnings.catch_warnings(record=True), np.errstate(all="ignore"), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("always")
        yield


@contextlib.contextmanager
def substituted(fn: Callable, depends: list[str], replacement: Callable[[str, Callable], Callable]):
    """While active, the exercise functions `depends` that `fn` can reach by name are ``replacement(name, original)``.

    Covers the names in `fn`'s module and in the modules of `depends` (so a
    dependency's own calls down the chain are replaced too), and module-level
    dicts of functions there (such as a table of activations); everything is
    restored afterwards.
    """
    namespaces = [getattr(fn, "__globals__", None)]
    for name in depends:
        try:
            namespaces.append(vars(importlib.import_module(f"{PACKAGE}.{BY_NAME[name].module}")))
        except Exception:  # a module that does not import (a student's syntax error) is simply not patched
            continue
    undo: list[tuple[dict, str, object]] = []
    seen: set[int] = set()
    for namespace in namespaces:
        if namespace is None or id(namespace) in seen:
            continue
        seen.add(id(namespace))
        for name in depends:
            original = namespace.get(name)
            if callable(original):
                undo.append((namespace, name, original))
        tables = [v for k, v in namespace.items() if isinstance(v, dict) and v is not namespace and k != "__builtins__"]
        for table in tables:
            for k, v in list(table.items()):
                if callable(v) and getattr(v, "__name__", None) in depends:
                    undo.append((table, k, v))
    names = {id(ns) for ns in namespaces if ns is not None}
    try:
        for where, k, original in undo:
            where[k] = replacement(k if id(where) in names else getattr(original, "__name__", k), original)
        yield
    finally:
        for where, k, original in reversed(undo):
            where[k] = original


class After(tuple):
    """The arguments after a call, with each dict argument's entries as they were before it (``entries``)."""

    entries: dict[int, dict]


def run(fn: Callable, probe: Probe):
    """Call `fn` on copies of the probe's arguments: (answer or Raised, arguments after the call)."""
    args, kwargs = copy.deepcopy(probe.args), copy.deepcopy(probe.kwargs)
    entries = {i: dict(a) for i, a in enumerate(args) if isinstance(a, dict)}
    args = After(args)
    args.entries = entries
    try:
        with quiet(), time_limit():
            out = fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as exc:  # a student's error (or a time-out) is a result to report
        out = Raised(exc)
    return out, args


def changed_argument(fn: Callable, probe: Probe, after: tuple) -> str | None:
    """Name of the first argument `fn` modified in place, if any ("params (its entries reassigned)" for a dict
    whose arrays are untouched but whose entries were replaced)."""
    for i, (before, now) in enumerate(zip(probe.args, after)):
        if not same(before, now):
            try:
                name = list(inspect.signature(fn).parameters)[i]
            except (TypeError, ValueError, IndexError):
                name = f"number {i + 1}"
            old = getattr(after, "entries", {}).get(i)
            if old is not None and same(before, old) and isinstance(now, Mapping) and any(now.get(k) is not v for k, v in old.items()):
                return f"{name} (its entries reassigned)"
            return name
    return None


def same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return True


class Replay:
    """The model solution's recorded answers for the calls a check's probes make to other functions."""

    def __init__(self, records: dict[str, dict]) -> None:
        self.records = records

    def lookup(self, function: str, original: Callable | None, args: tuple, kwargs: dict):
        sig = signature_of(original)
        record = self.records.get(function, {}).get(key(function, sig, args, kwargs))
        return None if record is None else (decode(record),)

    def replacement(self, function: str, original: Callable) -> Callable:
        def replayed(*args, **kwargs):
            found = self.lookup(function, original, args, kwargs)
            if found is not None:
                return found[0]
            return original(*args, **kwargs)  # a call the model solution never makes: the package's own version

        replayed.__name__ = function
        replayed.__wrapped__ = original
        return replayed

    def call(self, function: str, *args):
        found = self.lookup(function, reference_like(function), args, {})
        return found[0] if found is not None else package_call(function, *args)


def signature_of(fn) -> inspect.Signature | None:
    try:
        return inspect.signature(fn) if fn is not None else None
    except (TypeError, ValueError):
        return None


def reference_like(function: str):
    """This package's function of that name (only its signature is used)."""
    try:
        return getattr(importlib.import_module(f"{PACKAGE}.{BY_NAME[function].module}"), function)
    except Exception:
        return None


def package_call(function: str, *args):
    return getattr(importlib.import_module(f"{PACKAGE}.{BY_NAME[function].module}"), function)(*args)
