"""How a function's points are split between its case groups: the course's choice, all-or-nothing by default.

`SPLIT` maps an exercise function to ``{case group: share of its points}``;
the groups are those of `summary.group_of` ("main", "float32",
"large inputs", "seed", or a case's own ``group``).
Every group not listed shares what is left as one part. A function earns
the shares of the groups in which no case failed. With no entry (the
default) a function earns all its points or none. Example::

    SPLIT = {"softmax": {"float32": 0.25, "large inputs": 0.25}}

gives softmax 50 % of its points when it is right on unit-scale float64
inputs but loses dtype and overflows at ±1e4.
"""

from __future__ import annotations

SPLIT: dict[str, dict[str, float]] = {}


def fraction(name: str, failed: list[str] | set[str], present: set[str], split: dict[str, dict[str, float]] | None = None) -> float:
    """The share of `name`'s points earned when the case groups `failed` (of those `present`) have a wrong case."""
    if not failed:
        return 1.0
    shares = (SPLIT if split is None else split).get(name)
    if not shares:
        return 0.0
    listed = {g: s for g, s in shares.items() if g in present}
    rest = max(0.0, 1.0 - sum(listed.values()))  # a listed group this function has no case of: its share goes to the rest
    earned = sum(s for g, s in listed.items() if g not in failed)
    unlisted = present - set(listed)
    if unlisted and not (unlisted & set(failed)):
        earned += rest
    return round(min(1.0, earned), 6)
