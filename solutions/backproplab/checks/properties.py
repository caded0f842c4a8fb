"""Properties every right answer has, shared by several modules' checks: ``prop(fn, probe, answer)`` → ``None`` or what is wrong."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Mapping

import numpy as np

from .inputs import Probe
from .running import quiet, run


def arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from arrays(v)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from arrays(v)


def input_dtype(probe: Probe):
    for a in arrays(probe.args):
        if a.dtype.kind == "f":
            return a.dtype
    return np.dtype(np.float64)


def num_grad(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = float(f(x))
        x[i] = old - h
        down = float(f(x))
        x[i] = old
        g[i] = (up - down) / (2 * h)
    return g


def close(a, b, tol=1e-5) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if b.ndim == 0:
        b = np.full(a.shape, b)
    return a.shape == b.shape and bool(np.isclose(a, b, rtol=tol, atol=tol).all())


def is_scalar(x) -> bool:
    return np.ndim(x) == 0 and np.asarray(x).dtype.kind in "fiu"


def shape_of(expected):
    def prop(fn, p, out):
        want = expected(*p.args)
        if want == () and not is_scalar(out):
            return f"should return a single number; returned {kind(out)}"
        if want != () and np.shape(out) != want:
            return f"returned shape {np.shape(out)}; expected {want}"
        return None

    return prop


def kind(x) -> str:
    return f"an array of shape {x.shape}" if isinstance(x, np.ndarray) else type(x).__name__


def tuple_of(n: int, names: str):
    def prop(fn, p, out):
        if not isinstance(out, (tuple, list)) or len(out) != n:
            return f"should return a tuple ({names}); returned {kind(out)}"
        return None

    return prop


def finite(fn, p, out):
    if any(not np.isfinite(a).all() for a in arrays(out if isinstance(out, (tuple, list, Mapping)) else [np.asarray(out)])):
        return "returned NaN or infinity where every value should be finite"
    return None


def loss_grad_check(index: int, wrt: str):
    """The gradient output agrees with the numerical gradient of the loss output (float64 probes)."""

    def prop(fn, p, out):
        if input_dtype(p) != np.float64:
            return None
        args = list(copy.deepcopy(p.args))
        x = args[index]

        def loss(xv):
            with quiet():
                return fn(*args[:index], xv, *args[index + 1 :], **p.kwargs)[0]

        numeric = num_grad(loss, x)
        analytic = out[1]
        if np.shape(analytic) != numeric.shape:
            return f"d{wrt} has shape {np.shape(analytic)}; expected {numeric.shape}"
        if not close(analytic, numeric, 1e-4):
            return f"d{wrt} disagrees with the numerical gradient of the loss (gradient check failed)"
        return None

    return prop


def has_keys(*names_of):
    def prop(fn, p, out):
        want = set(names_of[0](*p.args, **p.kwargs))
        if not isinstance(out, Mapping):
            return f"should return a dict; returned {kind(out)}"
        missing = sorted(want - set(out))
        return f"the dict lacks the keys {missing}" if missing else None

    return prop


def shapes_like_params(fn, p, out):
    params = p.args[0] if not isinstance(p.args[0], np.ndarray) else p.args[2]
    grads = out[1] if isinstance(out, tuple) else out
    for k, v in params.items():
        if np.shape(grads.get(k)) != np.shape(v):
            return f"['{k}'] has shape {np.shape(grads.get(k))}; expected the shape of the parameter, {np.shape(v)}"
    return None


def dtype_property(fn, p, out) -> str | None:
    want = input_dtype(p)
    for a in arrays(out if isinstance(out, (tuple, list, Mapping)) else [out]):
        if a.ndim and a.dtype != want:
            return f"returned an array of dtype {a.dtype} for {want} input (keep the input's dtype)"
    return None


def reproducible(fn: Callable, p: Probe) -> str | None:
    """A random function's draws follow its ``seed`` argument: the same seed twice gives the same arrays, another seed others."""
    try:
        bound = inspect.signature(fn).bind(*p.args, **p.kwargs)
    except (TypeError, ValueError):
        return None
    bound.apply_defaults()
    if "seed" not in bound.arguments:
        return None
    first, again = run(fn, p)[0], run(fn, p)[0]
    other = dict(bound.arguments, seed=int(bound.arguments["seed"]) + 1)
    moved = run(fn, Probe((), other, p.note))[0]
    if any(not isinstance(a, Mapping) for a in (first, again, moved)):
        return None  # raised, or not a dict: the other checks say so
    if not all(np.array_equal(first[k], again.get(k)) for k in first):
        return "the same seed gave different arrays: draw from np.random.default_rng(seed), not from the global np.random"
    if all(np.array_equal(first[k], moved.get(k)) for k in first if k.startswith("W")):
        return "a different seed gave the same weights: the draws must come from default_rng(seed)"
    return None
