"""The verdict: a candidate's output against the reference's, as ``None`` or a short student-facing reason."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping

import numpy as np

from autograder import mutants

from .base import CACHES, OUTPUTS, RETURNS, Case, arg_names, reference_pkg

RTOL = {np.dtype(np.float64): 1e-7, np.dtype(np.float32): 2e-4}
"""Relative tolerance per dtype; the absolute floor is RTOL × the largest expected magnitude."""


def _label(name: str, path: tuple) -> str:
    """'the output', 'dW', "grads['b1']" … for messages."""
    whole = RETURNS.get(name, "the output")
    if not path:
        return whole
    head, *rest = path
    parts = OUTPUTS.get(name, ())
    if isinstance(head, int):
        text = parts[head] if head < len(parts) else f"{whole}[{head}]" if name in RETURNS else f"output {head + 1}"
    else:
        text, rest = whole, list(path)
    for key in rest:
        text += f"['{key}']" if isinstance(key, str) else f"[{key}]"
    return text


def _mutated(name: str, case: Case, args_after) -> str | None:
    names = arg_names(name)
    for i, before in enumerate(case.args):
        if i >= len(args_after):
            break
        if not _same(before, args_after[i]):
            return f"modified its argument {names[i] if i < len(names) else i} in place"
    return None


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        b = np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return True


def _compare(name: str, got, want, path: tuple = ()) -> str | None:
    what = _label(name, path)
    if isinstance(want, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            parts = ", ".join(OUTPUTS.get(name, ())) or f"{len(want)} values"
            return f"should return a tuple ({parts}); returned {kind(got)}"
        reasons = [_compare(name, g, w, path + (i,)) for i, (g, w) in enumerate(zip(got, want))]
        return _what_was_right([_label(name, path + (i,)) for i in range(len(want))], reasons)
    if isinstance(want, Mapping):
        if not isinstance(got, Mapping):
            return f"{what} should be a dict; got {kind(got)}"
        missing = sorted(set(want) - set(got))
        if missing:
            return f"{what} lacks the key(s) {missing}"
        extra = sorted(set(got) - set(want))
        if extra and (name, path) not in CACHES:
            return f"{what} has unexpected key(s) {extra}"
        keys = sorted(want)
        reasons = [_compare(name, got[key], want[key], path + (key,)) for key in keys]
        return _what_was_right([_label(name, path + (k,)) for k in keys], reasons, more=f"more entries of {what}")
    return _compare_array(name, got, want, what)


def _what_was_right(labels: list[str], reasons: list[str | None], more: str = "more") -> str | None:
    """'loss is right; dW has wrong values …': the wrong parts (at most 3 spelled out), and which parts were right."""
    wrong = [r for r in reasons if r]
    if not wrong:
        return None
    text = "; ".join(wrong[:3]) + (f"; and {len(wrong) - 3} {more}" if len(wrong) > 3 else "")
    right = [label for label, r in zip(labels, reasons) if not r]
    if not right:
        return text
    names = right[0] if len(right) == 1 else ", ".join(right[:-1]) + " and " + right[-1]
    return f"{names} {'is' if len(right) == 1 else 'are'} right; {text}"


def kind(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    return type(x).__name__


def _compare_array(name: str, got, want, what: str) -> str | None:
    w = np.asarray(want)
    try:
        g = np.asarray(got)
    except Exception:  # ragged lists
        return f"{what} is {kind(got)}, not an array"
    if g.dtype == object or not (np.issubdtype(g.dtype, np.number) or g.dtype == bool):
        return f"{what} is {kind(got)}, not a number or an array"
    if w.ndim == 0:
        if g.ndim != 0:
            return f"{what} should be a single number; got an array of shape {g.shape}"
    elif g.shape != w.shape:
        return f"{what} has shape {g.shape}; expected {w.shape}"
    if w.ndim and g.dtype != w.dtype:
        values = _values(g, w, what) if np.issubdtype(g.dtype, np.number) else "not a number"
        if values is None:  # the visible checks' words
            return f"{what} has the right values but dtype {g.dtype}; expected {w.dtype}, the dtype of the input"
        return f"{what} has dtype {g.dtype}; expected {w.dtype}, the dtype of the input; and it {values.removeprefix(what + ' ')}"
    if not np.issubdtype(g.dtype, np.number):
        return f"{what} has dtype {g.dtype}; expected a float"
    return _values(g, w, what)


def _values(g: np.ndarray, w: np.ndarray, what: str) -> str | None:
    """None when `g` has `w`'s values within the tolerance of `w`'s dtype, else what is wrong with them."""
    g64, w64 = g.astype(np.float64), w.astype(np.float64)
    wf = np.isfinite(w64)
    gf = np.isfinite(g64)
    if (wf & ~gf).any():
        bad = "NaN" if np.isnan(g64[wf]).any() else "infinity"
        return f"{what} contains {bad} where the answer is finite"
    if not np.array_equal(g64[~wf], w64[~wf], equal_nan=True):
        if np.isinf(w64).any():
            return f"{what} should be {'+' if (w64 > 0).any() else '-'}inf here" + (" (it has the wrong sign)" if np.array_equal(g64[~wf], -w64[~wf]) else "")
        return f"{what} should be NaN here"
    if not wf.any():
        return None
    rtol = RTOL.get(w.dtype, RTOL[np.dtype(np.float64)])
    scale = float(np.abs(w64[wf]).max())
    err = np.abs(g64[wf] - w64[wf])
    if (err <= rtol * np.abs(w64[wf]) + rtol * max(scale, 1e-300)).all():
        return None
    return f"{what} has wrong values: max abs error {err.max():.3g}{_pattern(g64, w64, wf)}"


def _pattern(g: np.ndarray, w: np.ndarray, finite: np.ndarray) -> str:
    """A recognisable shape of the error: a constant factor, a sign, a transpose."""
    if not finite.all():
        return ""
    if g.ndim == 2 and g.shape[0] == g.shape[1] and np.allclose(g, w.T, rtol=1e-6, atol=1e-12 * max(1.0, np.abs(w).max())):
        return " (it is the transpose of the right answer)"
    ww = float((w * w).sum())
    if ww == 0:
        return ""
    c = float((g * w).sum()) / ww
    if not (np.allclose(g, c * w, rtol=1e-6, atol=1e-9 * np.sqrt(ww)) and abs(c - 1) > 1e-3):
        return ""
    if abs(c + 1) < 1e-6:
        return " (the sign is flipped)"
    if c == 0:
        return " (every entry is zero)"
    nice = any(abs(v - round(v)) < 1e-6 * max(1.0, abs(v)) for v in (c, 1 / c))
    if g.size > 1 or nice:  # for a single number any ratio is "constant": report only simple ones
        return f" (off by a factor of {c:.4g})"
    return ""


def _compare_init(got, want) -> str | None:
    """Right keys, shapes, dtype and zero biases; weights equal the reference draw or match its scale."""
    if not isinstance(got, Mapping):
        return f"the output should be a dict; got {kind(got)}"
    if set(got) != set(want):
        return f"the output should have the keys {sorted(want)}; got {sorted(map(str, got))}"
    for key in sorted(want):
        g, w = np.asarray(got[key]), want[key]
        if g.shape != w.shape:
            return f"params['{key}'] has shape {g.shape}; expected {w.shape}"
        if g.dtype != w.dtype:
            return f"params['{key}'] has dtype {g.dtype}; expected {w.dtype}"
        if not np.isfinite(g).all():
            return f"params['{key}'] contains NaN or infinity"
        if key.startswith("b"):
            if np.any(g != 0):
                return f"params['{key}'] should be zeros (biases start at 0)"
            continue
        if np.array_equal(g, w):
            continue
        if g.size > 1 and np.all(g == g.flat[0]):
            return f"params['{key}'] has all entries equal: hidden units stay symmetric"
        if g.size < 1000:
            continue  # too few entries to judge the scale statistically
        n = g.size
        std_g, std_w = float(g.std()), float(w.std())
        if abs(std_g / std_w - 1) > max(8 / np.sqrt(n), 0.03):
            return f"params['{key}'] has standard deviation {std_g:.3g}, which does not fit the scheme for this layer's size"
        if abs(float(g.mean())) > 6 * std_w / np.sqrt(n):
            return f"params['{key}'] has mean {float(g.mean()):.3g}; weights should be centred on 0"
    return None


def evaluate(name: str, case: Case, got, want, args_after: tuple) -> str | None:
    """``None`` when `got` is right for `case`, else a short student-facing reason.

    `want` is the reference output on the same case; `args_after` the candidate's
    positional arguments after the call (to catch in-place modification). A
    wrong answer that agrees with a known wrong version of the function on this
    case is named by that mistake's hint first, as the visible checks do.
    """
    reason = _mutated(name, case, tuple(args_after))
    if reason is None:
        reason = _compare_init(got, want) if name == "init_params" else _compare(name, got, want)
    if reason is None:
        return None
    hint = known_mistake(name, case, got, tuple(args_after))
    return f"{hint} [{reason}]" if hint else reason


def known_mistake(name: str, case: Case, got, args_after: tuple, raised: str | None = None) -> str | None:
    """The hint of the first catalogued wrong version that answers `case` as the candidate did.

    Same answer (and the same arguments changed in place), or, with `raised`
    (the exception type the candidate raised), the same exception type: then
    the hint is only the likely cause. Runs instructor code (the mutants) in
    the grading process, on copies of the case; the student's answer is only
    compared, never executed.
    """
    if raised is not None:
        for mutant in mutants.by_function().get(name, []):
            theirs = _run_mutant(mutant, case)
            if isinstance(theirs, Exception) and type(theirs).__name__ == raised:
                return f"likely: {mutant.hint}"
        return None
    found = agreeing(name, case, got, args_after)
    return found[0] if found else None


def agreeing(name: str, case: Case, got, args_after: tuple) -> list[str]:
    """The hints of every catalogued wrong version that gives `got` on `case` (and changes the same arguments), in catalogue order."""
    agree = _agree_draws if name == "init_params" else _agree  # random draws: told apart by their statistics
    changed_in_place = _mutated(name, case, args_after) is not None
    out = []
    for mutant in mutants.by_function().get(name, []):
        args = copy.deepcopy(case.args)
        theirs = _run_mutant(mutant, case, args)
        if not isinstance(theirs, Exception) and agree(got, theirs) and (_mutated(name, case, args) is not None) == changed_in_place:
            out.append(mutant.hint)
    return out


def _run_mutant(mutant, case: Case, args: tuple | None = None):
    """The mutant's answer on a copy of the case (`args`, changed in place by it), or the exception it raised."""
    args = copy.deepcopy(case.args) if args is None else args
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return mutant.bind(reference_pkg())(*args, **copy.deepcopy(case.kwargs))
    except Exception as exc:
        return exc


def _agree(a, b) -> bool:
    """The same answer: structure, shapes and dtypes equal, values within the dtype's tolerance."""
    if isinstance(b, (tuple, list)):
        return isinstance(a, (tuple, list)) and len(a) == len(b) and all(_agree(x, y) for x, y in zip(a, b))
    if isinstance(b, Mapping):
        return isinstance(a, Mapping) and set(a) == set(b) and all(_agree(a[k], b[k]) for k in b)
    try:
        x, y = np.asarray(a), np.asarray(b)
        if x.shape != y.shape or x.dtype != y.dtype:
            return False
        rtol = RTOL.get(y.dtype, 0.0)
        return bool(np.allclose(x.astype(np.float64), y.astype(np.float64), rtol=rtol, atol=rtol * float(np.abs(y).max(initial=0)), equal_nan=True))
    except (TypeError, ValueError):
        return False


def _agree_draws(a, b) -> bool:
    """The same random draw up to the generator's stream: keys, shapes, dtypes, zeros and constants equal, spread alike."""
    if not (isinstance(a, Mapping) and isinstance(b, Mapping) and set(a) == set(b)):
        return False
    for key in b:
        x, y = np.asarray(a[key]), np.asarray(b[key])
        if x.shape != y.shape or x.dtype != y.dtype or not np.issubdtype(x.dtype, np.number):
            return False
        if np.array_equal(x, y):
            continue
        if x.size < 2 or (y == y.flat[0]).all() or (x == x.flat[0]).all():
            return False
        tol = max(8 / np.sqrt(x.size), 0.03)
        if abs(float(x.std()) / float(y.std()) - 1) > tol:
            return False
    return True
