"""Stored notebook outputs against a fresh run: text exactly, numbers within tolerances.

Used by the nbval run of ``make test`` (``tests/support/nbval_numbers.py``) and by
``make release`` (`refresh_outputs` writes a notebook back only when its outputs
really changed), so both agree on what "the same output" means on any CPU.
"""

from __future__ import annotations

import math
import re

DEFAULTS = {"rtol": 1e-3, "noise": 1e-6, "factor": 10.0, "int_rtol": 0.0}
METADATA_KEY = "nbval_numbers"

NUMBER = re.compile(r"(?<![\w.])([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)(?![\w.])")


def split_numbers(text: str) -> tuple[list[str], list[str]]:
    """The text pieces (white space collapsed) and the number tokens of `text`."""
    parts = NUMBER.split(text)
    return [" ".join(p.split()) for p in parts[0::2]], parts[1::2]


def _is_int(token: str) -> bool:
    return not any(ch in token for ch in ".eE")


def _last_digit(token: str) -> float:
    """One unit in the last printed digit: 0.7646 -> 1e-4, 2.3e-11 -> 1e-12, 12. -> 1."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** (int(exponent or 0) - decimals)


def numbers_match(ref: str, new: str, rtol: float, noise: float, factor: float, int_rtol: float) -> bool:
    a, b = float(ref), float(new)
    if a == b:
        return True
    if _is_int(ref) and _is_int(new):
        return abs(a - b) <= int_rtol * max(abs(a), abs(b))
    if max(abs(a), abs(b)) < noise:
        if max(abs(a), abs(b)) < 1e-13:
            return True
        return a * b > 0 and abs(math.log10(abs(a) / abs(b))) <= math.log10(factor)
    return abs(a - b) <= max(rtol * max(abs(a), abs(b)), _last_digit(ref), _last_digit(new)) * (1 + 1e-9)


def compare_text(ref: str, new: str, **tolerances: float) -> str | None:
    """None if `new` matches `ref` under the tolerances, else a one-line reason."""
    opts = {**DEFAULTS, **tolerances}
    ref_text, ref_numbers = split_numbers(ref)
    new_text, new_numbers = split_numbers(new)
    if ref_text != new_text:
        for i, (r, n) in enumerate(zip(ref_text, new_text)):
            if r != n:
                return f"text differs after number {i}: stored {r[:80]!r}, fresh {n[:80]!r}"
        return f"text differs: {len(ref_numbers)} numbers stored, {len(new_numbers)} in the fresh output"
    for r, n in zip(ref_numbers, new_numbers):
        if not numbers_match(r, n, **opts):
            return f"number {r} stored, {n} in the fresh run (tolerances {opts})"
    return None


def cell_outputs_match(stored: list, fresh: list, **tolerances: float) -> bool:
    """The text outputs of one cell agree (streams and ``text/plain``); pictures and progress widgets are not compared.

    Consecutive pieces of one stream count as one text, however the kernel split them.
    """

    def texts(outputs) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for o in outputs:
            if o.get("output_type") == "stream":
                text = "".join(o.get("text", ""))
                if out and out[-1][0] == o.get("name", ""):
                    out[-1] = (out[-1][0], out[-1][1] + text)
                else:
                    out.append((o.get("name", ""), text))
            elif "data" in o and "application/vnd.jupyter.widget-view+json" not in o["data"]:
                out.append(("text/plain", "".join(o["data"].get("text/plain", ""))))
            elif o.get("output_type") == "error":
                out.append(("error", o.get("ename", "")))
        return out

    a, b = texts(stored), texts(fresh)
    return len(a) == len(b) and all(ka == kb and compare_text(ta, tb, **tolerances) is None for (ka, ta), (kb, tb) in zip(a, b))
