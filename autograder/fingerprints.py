"""The fingerprint step of the release: what the student's ``backproplab.checks`` compares against.

For every exercise function, the visible probes (``checks.probes``) are run
through the reference and through every mutant of the catalogue; only the
fingerprints of the answers (``checks.summarize``: shapes, dtypes, NaN/inf
counts, a few projections), the mutants' hints and the reference's answers
to the calls the probes make to *other* exercise functions (so a check can
substitute them) are written, as ``backproplab/fingerprints.json``. No code,
reference or mutant, is written.
"""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from . import hidden, mutants

FILENAME = "fingerprints.json"

ALSO_RECORD: dict[str, Callable[..., list[tuple]]] = {
    "softmax_cross_entropy": lambda Z, Y: [("softmax", Z)],
    "softmax_regression_loss": lambda W, X, Y, lam: [("softmax", X @ W), ("log_softmax", X @ W)],
    "tanh_grad": lambda Z: [("tanh", Z)],
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
    with checks.substituted(fn, depends, recorder.replacement):
        out, after = checks.run(fn, probe)
    changed = None if isinstance(out, checks.Raised) else checks.changed_argument(fn, probe, after)
    return dict(checks.summarize(out, stats), changed=changed)


def build(reference_pkg: Path = mutants.REFERENCE_PKG) -> dict:
    """Fingerprints of the reference and of every mutant, per exercise function."""
    checks = importlib.import_module(f"{mutants.reference_package(reference_pkg)}.checks")
    catalogue = mutants.by_function()
    functions = {}
    for name, module in hidden.FUNCTIONS.items():
        depends = hidden.DEPENDS.get(name, [])
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
                {"id": m.id, "hint": m.hint, "outputs": [_fingerprint(checks, m.bind(reference_pkg), p, depends, recorder, stats) for p in items]}
                for m in catalogue.get(name, [])
            ],
            "replay": recorder.records,
        }
    return {"format": checks.FORMAT, "functions": functions}


def write(reference_pkg: Path, dst_pkg: Path) -> Path:
    """Write ``dst_pkg/fingerprints.json`` (deterministic bytes) and return its path."""
    path = dst_pkg / FILENAME
    text = json.dumps(build(reference_pkg), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path
