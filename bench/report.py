"""Pieces of the markdown report: tables, targets, sections."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    value: str
    met: bool | None  # None: could not be measured in this run
    noisy: bool = False  # the run was disturbed: the verdict may flip on a quiet machine

    @property
    def verdict(self) -> str:
        verdict = {True: "**met**", False: "**not met**", None: "not measured"}[self.met]
        return verdict + (" (noisy run: median > 1.5 × best)" if self.noisy and self.met is not None else "")


NOISY = 0.5  # Timing.noise above which a verdict is flagged


@dataclass
class Section:
    title: str
    body: str  # markdown
    targets: list[Target] = field(default_factory=list)
    data: dict = field(default_factory=dict)  # raw numbers for results.json


def table(headers: list[str], rows: list[list[object]], left: int = 1) -> str:
    """A markdown table (also readable as plain text on the console); the first `left` columns align left."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    just = lambda i, c, w: c.ljust(w) if i < left else c.rjust(w)  # noqa: E731
    line = lambda r: "| " + " | ".join(just(i, c, w) for i, (c, w) in enumerate(zip(r, widths))) + " |"  # noqa: E731
    rule = "|" + "|".join(":" + "-" * (w + 1) if i < left else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"
    return "\n".join([line(headers), rule, *map(line, cells)])


def targets_table(targets: list[Target]) -> str:
    if not targets:
        return "(no section with a target was run)"
    return table(["target", "goal", "measured", "verdict"], [[t.name, t.goal, t.value, t.verdict] for t in targets], left=4)


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms"


def mib(nbytes: float) -> str:
    return f"{nbytes / 2**20:,.1f} MiB"
