"""One function's verdict from all its cases: failures grouped, the most likely mistake first, points per group.

The harness judges every case (`compare.evaluate`); `summarize` turns the
per-case reasons into what the student reads: one line per distinct mistake
with the cases it showed on (the first line the most likely mistake: a
catalogued one, then the most frequent), which case groups failed, the share
of the points earned (`points.SPLIT`), and, for the visible probes only, the
input, the expected and the returned values. A hidden case's input or answer
is never shown.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from autograder import mutants

from . import compare, points
from .base import Case

MAX_SHOWN_CHARS = 1500
"""Longest text of one shown input / expected / returned value (visible probes only)."""

SEED = "seed"


@functools.cache
def _hints() -> frozenset[str]:
    return frozenset(m.hint for m in mutants.catalogue())


def _hint(mutant_id: str) -> str:
    return next(m.hint for m in mutants.catalogue() if m.id == mutant_id)


@dataclass
class Outcome:
    """One case as the harness saw it: `reason` None when right; `got` the decoded answer (None for a raise)."""

    case: Case
    reason: str | None
    got: object = None
    want: object = None
    args_after: tuple | None = None


def group_of(case: Case) -> str:
    """The points group of a case: its own `group`, else "float32", "large inputs" or "main" from what it holds."""
    if case.group:
        return case.group
    if any(re.search(w, case.note) for w in (r"±\s*\d", "saturated", "large")):
        return "large inputs"
    if _has_float32(case.args) or "float32" in case.note:
        return "float32"
    return "main"


def _has_float32(x) -> bool:
    if isinstance(x, np.ndarray):
        return x.dtype == np.float32
    if isinstance(x, Mapping):
        return any(_has_float32(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return any(_has_float32(v) for v in x)
    return False


def _key(reason: str) -> str:
    """Equal mistakes group together: a named mistake by its hint, any other by its words without numbers."""
    text = reason.removeprefix("likely: ")
    head = text.split(" [", 1)[0]
    if head in _hints():
        return head
    return re.sub(r"-?\d[\d.e+-]*", "#", text)


def _rank(reason: str) -> int:
    """Named mistakes first, then likely causes of a raise, then the rest."""
    head = reason.split(" [", 1)[0]
    if head in _hints():
        return 0
    return 1 if reason.startswith("likely: ") else 2


def summarize(name: str, outcomes: list[Outcome]) -> dict:
    """``passed``, ``reason`` (student-facing text), ``groups`` (one per distinct mistake), ``failed_groups``, ``fraction``."""
    try:
        outcomes = _best_named(name, outcomes) + across_cases(name, outcomes)
    except Exception:  # instructor code on a hostile answer: the per-case reasons stand
        pass
    found: dict[str, dict] = {}
    for o in outcomes:
        if o.reason is None:
            continue
        g = found.setdefault(_key(o.reason), {"reason": o.reason, "cases": [], "count": 0, "groups": [], "shown": []})
        g["count"] += 1
        if o.case.note and o.case.note not in g["cases"]:
            g["cases"].append(o.case.note)
        if group_of(o.case) not in g["groups"]:
            g["groups"].append(group_of(o.case))
        if o.case.visible and len(g["shown"]) < 2:
            g["shown"].append(shown(o))
    order = sorted(found.values(), key=lambda g: (_rank(g["reason"]), -g["count"]))
    failed = sorted({grp for g in order for grp in g["groups"]})
    lines = [_line(g) for g in order]
    text = "\n".join([lines[0], *(f"also: {line}" for line in lines[1:])]) if lines else None
    return {"passed": not order, "reason": text, "groups": order, "failed_groups": failed,
            "fraction": points.fraction(name, failed, {group_of(o.case) for o in outcomes})}


MAX_LISTED = 4


def _line(group: dict) -> str:
    cases = group["cases"]
    if not cases:
        return group["reason"]
    listed = "; ".join(cases[:MAX_LISTED]) + (f"; and {len(cases) - MAX_LISTED} more" if len(cases) > MAX_LISTED else "")
    return f"{group['reason']} (case{'s' if len(cases) > 1 else ''}: {listed})"


def shown(o: Outcome) -> dict:
    """A visible probe's input, expected and returned values, as bounded text (the page escapes it)."""
    return {"probe": o.case.note, "input": _text(o.case.args, o.case.kwargs), "expected": _text(o.want), "got": _text(o.got)}


def _text(*values) -> str:
    with np.printoptions(precision=6, threshold=60, edgeitems=3, linewidth=100):
        parts = []
        for v in values:
            if isinstance(v, Mapping) and not v:
                continue
            parts.append(_repr(v))
        text = ", ".join(parts)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def _repr(v) -> str:
    if isinstance(v, np.ndarray):
        return f"array({np.array2string(v, separator=', ')}, dtype={v.dtype})" if v.ndim else f"{v.dtype}({v})"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k!r}: {_repr(x)}" for k, x in v.items()) + "}"
    if isinstance(v, tuple):
        return "(" + ", ".join(_repr(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, list):
        return "[" + ", ".join(_repr(x) for x in v) + "]"
    if isinstance(v, (np.generic,)):
        return f"{v.dtype}({v})"
    return repr(v)[:200]


def _fits(name: str, o: Outcome) -> list[str]:
    """The hints of the catalogued mistakes that answer `o`'s case as the candidate did ([] when its answer cannot be compared)."""
    try:
        return compare.agreeing(name, o.case, o.got, o.args_after if o.args_after is not None else o.case.args)
    except Exception:  # a candidate's answer of a shape no mutant's comparison expects: nothing to name
        return []


def _best_named(name: str, outcomes: list[Outcome]) -> list[Outcome]:
    """Each failure named by the catalogued mistake that answers like the candidate on the most cases, right ones included.

    One case may not tell two mistakes apart (the first that fits is named); all
    the cases together usually do.
    """
    answered = [o for o in outcomes if o.got is not None]
    if not any(o.reason for o in answered):
        return outcomes
    fits = {id(o): _fits(name, o) for o in answered}
    candidates = {h for o in answered if o.reason for h in fits[id(o)]}
    if not candidates:
        return outcomes
    order = [m.hint for m in mutants.by_function().get(name, [])]
    score = {h: sum(h in fits[id(o)] for o in answered) for h in candidates}
    best, *tied = sorted((h for h in candidates if score[h] == max(score.values())), key=order.index)
    also = f" (or: {tied[0]})" if tied else ""  # the cases cannot tell these two apart
    out = []
    for o in outcomes:
        if o.reason and best in fits.get(id(o), []):
            head, sep, rest = o.reason.partition(" [")
            detail = rest if sep and head in _hints() else o.reason + "]"
            o = Outcome(o.case, f"{best} [{detail}{also}", o.got, o.want, o.args_after)
        out.append(o)
    return out


# --------------------------------------------------------------------------- across cases


def across_cases(name: str, outcomes: list[Outcome]) -> list[Outcome]:
    """Failures only a comparison of two calls shows: a random function's reproducibility under its seed."""
    if name != "init_params":
        return []
    answers = [o for o in outcomes if isinstance(o.got, Mapping)]
    extra: list[Outcome] = []
    for i, a in enumerate(answers):
        for b in answers[i + 1:]:
            if (a.case.args, _kw(a.case)) == (b.case.args, _kw(b.case)) and not _equal(a.got, b.got):
                hint = _hint("init_params__global_rng")
                extra.append(Outcome(Case(a.case.args, a.case.kwargs, note=f"called twice with one seed ({a.case.note})", group=SEED),
                                     f"{hint} [two calls with the same seed gave different arrays]"))
            elif _same_but_seed(a.case, b.case) and _equal_weights(a.got, b.got):
                hint = _hint("init_params__seed_ignored")
                extra.append(Outcome(Case(b.case.args, b.case.kwargs, note=f"two seeds ({a.case.note}; {b.case.note})", group=SEED),
                                     f"{hint} [two different seeds gave the same weights]"))
    return extra[:1] if extra else []


def _kw(case: Case) -> tuple:
    return tuple(sorted(case.kwargs.items()))


def _call(case: Case) -> dict:
    """init_params's arguments by name (sizes, scheme, seed), defaults filled in."""
    names = ("sizes", "scheme", "seed")
    out = {"scheme": "he", "seed": 0, **dict(zip(names, case.args)), **case.kwargs}
    out["sizes"] = tuple(out["sizes"])
    return out


def _same_but_seed(a: Case, b: Case) -> bool:
    x, y = _call(a), _call(b)
    return x["seed"] != y["seed"] and (x["sizes"], x["scheme"]) == (y["sizes"], y["scheme"])


def _equal(a: Mapping, b: Mapping) -> bool:
    return set(a) == set(b) and all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in a)


def _equal_weights(a: Mapping, b: Mapping) -> bool:
    weights = [k for k in a if str(k).startswith("W")]
    if any(np.asarray(a[k]).size and (np.asarray(a[k]) == np.asarray(a[k]).flat[0]).all() for k in weights):
        return False  # constant weights: the case itself already says so
    return bool(weights) and all(k in b and np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in weights)
