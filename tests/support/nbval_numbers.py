"""nbval, with numbers compared as numbers: stored outputs cannot go stale, and any CPU's BLAS passes.

nbval compares each cell's fresh outputs with the stored ones as text, which forces a choice between
"every last digit must match" (fails on another CPU's BLAS kernel, another thread count) and
``nbval-ignore-output`` (a stale number is never noticed). This plugin replaces nbval's comparison,
inside the same single nbval run, with one that splits every text output into text and numbers:

* the text between numbers must match exactly (runs of white space count as one space, so a column
  that widens by a digit still matches);
* integers (``79``, shapes, counts) must match exactly;
* floats must agree within ``rtol`` (default 1e-3) or one unit in the last printed digit of either
  side, whichever is larger;
* rounding noise, two floats both below ``noise`` (default 1e-6) in absolute value, such as the
  relative error of a gradient check, must agree within a factor ``factor`` (default 10), or both be
  below 1e-13: 2.3e-11 against 4.1e-11 matches, 6.8e-10 against 1.1e-11 does not.

A cell whose numbers are legitimately less reproducible (float32 training over thousands of steps,
whose last digits depend on the BLAS kernel) loosens these in its metadata, e.g.
``"nbval_numbers": {"rtol": 0.05, "int_rtol": 0.05}`` (``int_rtol`` also lets integers move). Timing
cells keep ``nbval-ignore-output``. Loaded for ``pytest --nbval solutions/*.ipynb`` by
``solutions/conftest.py``. The comparison itself is ``autograder.release.stored_outputs`` (``make release`` uses it too).
"""

from __future__ import annotations

from collections import defaultdict

from autograder.release.stored_outputs import DEFAULTS, METADATA_KEY, compare_text


def _flatten(item, outputs, skip):
    """nbval's flattening: {output key or MIME type: [values]}, skipping `skip`."""
    flat = defaultdict(list)
    for out in outputs:
        for key in out.keys():
            if key in skip:
                continue
            if key == "data":
                for mime in out[key].keys():
                    if mime not in skip:
                        flat[mime].append(item.sanitize(out[key][mime]))
            else:
                flat[key].append(item.sanitize(out[key]))
    return flat


def compare_outputs(self, test, ref, skip_compare=None):
    """Drop-in for ``nbval.plugin.IPyNbCell.compare_outputs``: numbers within tolerances, the rest as text."""
    from nbval.plugin import transform_streams_for_comparison

    skip = skip_compare or self.parent.skip_compare
    tolerances = {k: float(v) for k, v in dict(self.cell.metadata.get(METADATA_KEY, {})).items() if k in DEFAULTS}
    fresh = _flatten(self, transform_streams_for_comparison(test), skip)
    stored = _flatten(self, transform_streams_for_comparison(ref), skip)
    cc = self.colors
    self.comparison_traceback = []

    def fail(message: str) -> bool:
        self.comparison_traceback.append(cc.FAIL + message + cc.ENDC)
        return False

    if set(stored) != set(fresh):
        return fail(f"output fields differ: stored {sorted(stored)}, fresh {sorted(fresh)}")
    for key, stored_values in stored.items():
        fresh_values = fresh[key]
        if len(stored_values) != len(fresh_values):
            return fail(f'{len(stored_values)} stored outputs of "{key}", {len(fresh_values)} fresh ones')
        for s, f in zip(stored_values, fresh_values):
            if isinstance(s, str) and isinstance(f, str):
                reason = compare_text(s, f, **tolerances)
                if reason:
                    self.comparison_traceback += [
                        cc.OKBLUE + f' mismatch in "{key}": {reason}' + cc.ENDC,
                        "  stored:\n" + "\n".join("    " + line for line in s.splitlines()),
                        "  fresh:\n" + "\n".join("    " + line for line in f.splitlines()),
                    ]
                    return False
            elif s != f:
                return fail(f'"{key}" differs: stored {s!r}, fresh {f!r}')
    return True


def install() -> None:
    """Replace nbval's comparison (idempotent); a no-op without nbval."""
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # pragma: no cover - nbval is in requirements.txt
        return
    IPyNbCell.compare_outputs = compare_outputs


def pytest_configure(config) -> None:
    install()
