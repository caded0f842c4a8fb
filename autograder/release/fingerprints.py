"""The fingerprint step of the release: what the student's ``backproplab.checks`` compares against.

For every exercise function, the visible probes (``checks.probes``) are run
through the reference and through every mutant of the catalogue; only the
fingerprints of the answers (``checks.summarize``: shapes, dtypes, NaN/inf
counts, a few projections), the mutants' hints and the reference's answers
to the calls the probes make to *other* exercise functions (so a check can
substitute them) are written, as ``backproplab/fingerprints.json``. No code,
reference or mutant, is written.

The numbers depend in their last digits on the CPU's BLAS kernel (float32
sums most of all), so two releases are compared with `differences`, which
allows per-dtype tolerances, and `write` keeps an existing file whose
numbers agree within them: the committed bytes do not churn from machine
to machine.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

from autograder import hidden, mutants
from autograder.release.student_copy import FINGERPRINTS as FILENAME

ALSO_RECORD: dict[str, Callable[..., list[tuple]]] = {
    "softmax_cross_entropy": lambda Z, Y: [("softmax", Z)],
    "softmax_regression_loss": lambda W, X, Y, lam: [("softmax", X @ W), ("log_softmax", X @ W)],
    "tanh_grad": lambda Z: [("tanh", Z)],
    "silu_grad": lambda Z: [("sigmoid_grad", Z), ("silu", Z)],  # σ + z σ′, or σ + silu (1 − σ)
    "activation_backward": lambda dA, Z, name: [(name, Z)],
    "backward_single": lambda params, cache, y: [("sigmoid", v) for k, v in cache.items() if k.startswith("z")],
    "mlp_loss": lambda params, X, Y, lam, activation: [("l2_penalty", W, lam) for k, W in params.items() if k.startswith("W")],
}
"""Dependency calls a right answer may make although the reference does not (another route to the
same result): answered too, so such a student never falls back on their own, perhaps unwritten, function."""


class Recorder:
    """Dependency calls answered by the reference and recorded under their argument digest."""

    def __init__(self, checks: ModuleType, reference_pkg: Path) -> None:
        self.checks, self.reference_pkg = checks, reference_pkg
        self.records: dict[str, dict] = {}

    def replacement(self, function: str, original):
        signature = inspect.signature(original)

        def recorded(*args, **kwargs):
            book = self.records.setdefault(function, {})
            k = self.checks.key(function, signature, args, kwargs)
            if k not in book:
                book[k] = self.checks.encode(original(*args, **kwargs))
            return self.checks.decode(book[k])  # exactly what the replay will hand the student's function

        recorded.__name__ = function
        return recorded

    def call(self, function: str, *args):
        return self.replacement(function, mutants.reference(function, hidden.FUNCTIONS[function], self.reference_pkg))(*args)


def _fingerprint(checks: ModuleType, fn, probe, depends: list[str], recorder: Recorder, stats: bool) -> dict:
    np.random.seed(0)  # a catalogued mistake may draw from the global generator: the same fingerprint every release
    with checks.substituted(fn, depends, recorder.replacement):
        out, after = checks.run(fn, probe)
    changed = None if isinstance(out, checks.Raised) else checks.changed_argument(fn, probe, after)
    return dict(checks.summarize(out, stats), changed=changed)


def chain(name: str) -> list[str]:
    """Every exercise function `name` reaches through the contract's dependencies: a check substitutes them all, as the grader does."""
    seen: set[str] = set()
    todo = list(hidden.DEPENDS.get(name, []))
    while todo:
        dep = todo.pop()
        if dep not in seen and dep != name:
            seen.add(dep)
            todo.extend(hidden.DEPENDS.get(dep, []))
    return sorted(seen & hidden.FUNCTIONS.keys())


def _seeding(checks: ModuleType, fn, probe) -> str | None:
    """What a random function's seeding gets wrong (``checks.properties.reproducible``), so a check can name it."""
    np.random.seed(0)
    return checks.properties.reproducible(fn, probe)


def points(source: Path) -> dict[str, float]:
    """Points of each exercise function's graded cell (``grade_id`` = its name) in the source notebooks beside the package."""
    from autograder.grading.notebooks import nbgrader_meta

    out = {}
    for notebook in sorted(source.glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            meta = nbgrader_meta(cell)
            if meta.get("grade") and meta.get("grade_id") in hidden.FUNCTIONS:
                out[meta["grade_id"]] = float(meta.get("points", 0))
    return out


def build(reference_pkg: Path = mutants.REFERENCE_PKG) -> dict:
    """Fingerprints of the reference and of every mutant, per exercise function (and its points, for the ✓ line)."""
    checks = importlib.import_module(f"{mutants.reference_package(reference_pkg)}.checks")
    catalogue = mutants.by_function()
    worth = points(Path(reference_pkg).parent)
    functions = {}
    for name, module in hidden.FUNCTIONS.items():
        depends = chain(name)
        stats = name in checks.STATS
        recorder = Recorder(checks, reference_pkg)
        items = checks.probes(name, recorder.call)
        reference = mutants.reference(name, module, reference_pkg)
        for p in items:
            for dep, *args in ALSO_RECORD.get(name, lambda *a, **k: [])(*p.args, **p.kwargs):
                recorder.call(dep, *args)
        functions[name] = {
            "depends": depends,
            "probes": checks.probe_digest(name, items),
            "reference": [_fingerprint(checks, reference, p, depends, recorder, stats) for p in items],
            "mutants": [
                {"id": m.id, "hint": m.hint, "outputs": [_fingerprint(checks, m.bind(reference_pkg), p, depends, recorder, stats) for p in items],
                 **({"seeding": _seeding(checks, m.bind(reference_pkg), items[0])} if stats else {})}
                for m in catalogue.get(name, [])
            ],
            "replay": recorder.records,
            **({"points": worth[name]} if name in worth else {}),
        }
    return {"format": checks.FORMAT, "functions": functions}


TOLERANCE = {"float32": (1e-4, 1e-6), "float64": (1e-8, 1e-10)}
"""(rtol, atol) for numbers derived from arrays of each dtype; measured spread between the
SkylakeX, Haswell and Prescott kernels: 4e-6 relative (float32), below 1e-9 (float64)."""

_DTYPE_OF = {"<f4": "float32", "float32": "float32", "<f2": "float32", "float16": "float32"}


def _context(node: dict, dtype: str) -> str:
    """The dtype a JSON node's numbers come from: summaries say ``dtype``, encoded arrays ``__array__``."""
    tag = node.get("dtype", node.get("__array__", node.get("__scalar__")))
    return _DTYPE_OF.get(tag, "float64") if isinstance(tag, str) else dtype


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def differences(old, new, path: str = "", dtype: str = "float64", limit: int = 20) -> list[str]:
    """Where two fingerprint files disagree: structure, strings and integers exactly, floats within `TOLERANCE`."""
    out: list[str] = []

    def walk(a, b, where: str, dtype: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            if a.keys() != b.keys():
                out.append(f"{where}: keys {sorted(set(a) ^ set(b))[:4]} in only one")
                return
            dtype = _context(a, dtype)
            for k in sorted(a):
                walk(a[k], b[k], f"{where}/{k}", dtype)
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                out.append(f"{where}: {len(a)} vs {len(b)} items")
                return
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{where}[{i}]", dtype)
        elif _is_number(a) and _is_number(b) and float in (type(a), type(b)):
            rtol, atol = TOLERANCE[dtype]
            if not math.isclose(a, b, rel_tol=rtol, abs_tol=atol):
                out.append(f"{where}: {a!r} vs {b!r} ({dtype})")
        elif type(a) is not type(b) or a != b:
            out.append(f"{where}: {a!r:.60} vs {b!r:.60}")

    walk(old, new, path, dtype)
    return out


def write(reference_pkg: Path, dst_pkg: Path, previous: str | None = None) -> Path:
    """Write ``dst_pkg/fingerprints.json`` and return its path.

    When `previous` (the text the release replaces) agrees with the new
    fingerprints within `TOLERANCE`, it is written back unchanged.
    """
    path = dst_pkg / FILENAME
    data = build(reference_pkg)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    if previous is not None:
        try:
            if not differences(json.loads(previous), data, limit=1):
                text = previous
        except ValueError:
            pass
    path.write_text(text, encoding="utf-8")
    return path
