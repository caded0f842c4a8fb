"""Write a similarity `Report` as a self-contained HTML page, a CSV and a JSON file.

Every piece of student text (names, code, problems) goes through `html.escape`;
the page loads nothing from anywhere.
"""

from __future__ import annotations

import csv
import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autograder.outputs.similarity import Function, Pair, Report

TOP_PAIRS = 30

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
tr.flagged td { background: #fde8e8; }
table.code { width: 100%; table-layout: fixed; }
table.code td { width: 50%; }
pre { margin: 0; font-size: 0.85em; white-space: pre-wrap; }
pre span.same { background: #fff3b0; display: block; }
pre span.line { display: block; }
.muted { color: #777; }
"""


def _code(fn: Function, other: Function) -> str:
    """`fn`'s code, one span per line; lines of statements the other student also wrote are highlighted."""
    same = {line for digest, lines in fn.statement_lines.items() if digest in other.statement_lines for line in lines}
    rows = [f'<span class="{"same" if k in same else "line"}">{escape(line) or " "}</span>' for k, line in enumerate(fn.code.splitlines())]
    return f"<pre>{''.join(rows)}</pre>"


def _pair_section(report: Report, pair: Pair) -> str:
    scores = report.scores
    a, b = scores.students[pair.i], scores.students[pair.j]
    common = [fn for fn in scores.weights if fn in a.functions and fn in b.functions]
    common.sort(key=lambda fn: -scores.pair_function(pair.i, pair.j, fn))
    out = [
        f"<h2>{escape(pair.a)} and {escape(pair.b)}</h2>",
        f"<p>score {pair.score:.3f}, robust z {pair.z:.1f}, {pair.compared} functions written by both "
        '<span class="muted">(highlighted: statements identical after normalisation)</span></p>',
    ]
    for fn in common:
        out += [
            f"<h3>{escape(fn)} <span class='muted'>similarity {scores.pair_function(pair.i, pair.j, fn):.2f}</span></h3>",
            f'<table class="code"><tr><th>{escape(pair.a)}</th><th>{escape(pair.b)}</th></tr>',
            f"<tr><td>{_code(a.functions[fn], b.functions[fn])}</td><td>{_code(b.functions[fn], a.functions[fn])}</td></tr></table>",
        ]
    return "\n".join(out)


def _fmt(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def render(report: Report) -> str:
    students = report.scores.students
    flagged = report.flagged
    top = report.pairs[: max(TOP_PAIRS, len(flagged))]
    rows = "\n".join(
        f'<tr class="{"flagged" if p.flagged else ""}"><td>{escape(p.a)}</td><td>{escape(p.b)}</td>'
        f"<td>{_fmt(p.score, 3)}</td><td>{_fmt(p.z, 1)}</td><td>{p.compared}</td></tr>"
        for p in top
    )
    problems = [f"{escape(s.name)}: {escape(problem)}" for s in students for problem in s.problems]
    problems += [escape(item) for item in report.ignored]
    per_student = "\n".join(
        f"<tr><td>{escape(s.name)}</td><td>{len(s.functions)}</td><td>{len(s.as_reference)}</td></tr>" for s in students
    )
    body = [
        "<h1>Similarity report</h1>",
        f"<p>{len(students)} submissions, {sum(p.score is not None for p in report.pairs)} pairs compared. "
        f"A pair's score is the rarity-weighted share of the code structure both wrote (0 to 1); the class's median pair "
        f"scores {report.median:.3f} with robust spread {report.scale:.3f}; pairs with z &ge; {report.threshold:g} and score &ge; {report.min_score:g} are flagged. "
        "Functions left as the stub or equal to the reference are not compared.</p>",
        f"<h2>Flagged pairs: {len(flagged)}</h2>" + ("" if flagged else "<p>None.</p>"),
        *(_pair_section(report, pair) for pair in flagged),
        f"<h2>Most similar pairs</h2><table><tr><th>student</th><th>student</th><th>score</th><th>z</th>"
        f"<th>functions compared</th></tr>\n{rows}</table>",
        "<h2>Problems</h2>" + ("<ul>" + "".join(f"<li>{p}</li>" for p in problems) + "</ul>" if problems else "<p>None.</p>"),
        "<h2>Submissions</h2><table><tr><th>student</th><th>functions compared</th><th>equal to the reference</th></tr>\n"
        f"{per_student}</table>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Similarity report</title>'
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def write_html(report: Report, path: Path) -> None:
    path.write_text(render(report), encoding="utf-8")


def write_csv(report: Report, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_a", "student_b", "score", "z", "functions_compared", "flagged"])
        for p in report.pairs:
            writer.writerow([p.a, p.b, _fmt(p.score, 6), _fmt(p.z, 3), p.compared, int(p.flagged)])


def write_json(report: Report, path: Path) -> None:
    data = {
        "median": report.median,
        "scale": report.scale,
        "threshold": report.threshold,
        "min_score": report.min_score,
        "students": [
            {"name": s.name, "functions": sorted(s.functions), "equal_to_reference": s.as_reference, "problems": s.problems}
            for s in report.scores.students
        ],
        "ignored": report.ignored,
        "pairs": [
            {"a": p.a, "b": p.b, "score": p.score, "z": p.z, "functions_compared": p.compared, "flagged": p.flagged}
            for p in report.pairs
        ],
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
