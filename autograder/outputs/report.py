"""Instructor report: score distribution per notebook, most-failed functions, isolation, log.

Writes ``reports/summary.png``, ``reports/most_failed.csv`` and
``reports/index.html`` in the course directory; the grading log (seeds,
timings, isolation, per student) is ``grading.log`` beside them.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from autograder import sandbox
from autograder.grading import result as results
from autograder.grading.course import Course
from autograder.layout import CourseDir


def load_results(root: Path) -> list[dict]:
    return [results.load(p) for p in sorted(CourseDir(root).results.glob("*.json"))]


def _gist(reason: str | None) -> str:
    """A reason without its numbers and case, so equal mistakes group together."""
    first = (reason or "").split("\n", 1)[0]  # the most likely mistake
    text = re.sub(r"\(cases?:.*\)$", "", first).strip()
    return re.sub(r"-?\d[\d.e+-]*", "#", text)[:120]


def most_failed(results: list[dict]) -> list[dict]:
    graded, failed, why, groups = Counter(), Counter(), defaultdict(Counter), defaultdict(Counter)
    notebook = {}
    for r in results:
        for nb_name, nb in r["notebooks"].items():
            for gid, cell in nb["cells"].items():
                if cell["kind"] not in ("function", "answer"):
                    continue
                notebook[gid] = nb_name
                graded[gid] += 1
                if not cell.get("passed"):
                    failed[gid] += 1
                    why[gid][_gist(cell.get("reason"))] += 1
                    groups[gid].update(str(g) for g in cell.get("failed_groups") or [])
    rows = []
    for gid, n in sorted(failed.items(), key=lambda kv: (-kv[1], kv[0])):
        reason, count = why[gid].most_common(1)[0]
        rows.append({"item": gid, "notebook": notebook[gid], "failed": n, "graded": graded[gid], "most_common_reason": reason, "with_that_reason": count,
                     "failed_groups": ", ".join(f"{g} ({n})" for g, n in groups[gid].most_common())})
    return rows


def plot(course: Course, results: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(course.notebooks)
    data = [[r["notebooks"][n]["auto"] / max(r["notebooks"][n]["auto_max"], 1e-9) * 100 for r in results if n in r["notebooks"]] for n in names]
    fig, ax = plt.subplots(figsize=(max(5, 1.3 * len(names)), 3.5))
    ax.boxplot(data, showmeans=True)
    ax.set_xticks(range(1, len(names) + 1), names, rotation=20)
    for i, values in enumerate(data, start=1):
        ax.scatter([i] * len(values), values, s=8, alpha=0.4, color="tab:blue")
    ax.set_ylabel("automatic score (%)")
    ax.set_ylim(-5, 105)
    ax.set_title(f"Automatic scores per notebook ({len(results)} submissions)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def _conflicts(root: Path) -> list[str]:
    """What `collect` could not decide (a zip named after someone else, a different id inside)."""
    try:
        return [str(c) for c in json.loads((root / "collect.json").read_text(encoding="utf-8"))["conflicts"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def write(course: Course, root: Path) -> Path:
    paths = CourseDir(root)
    paths.reports.mkdir(parents=True, exist_ok=True)
    results = load_results(root)
    plot(course, results, paths.reports / "summary.png")
    rows = most_failed(results)
    with open(paths.reports / "most_failed.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["item", "notebook", "failed", "graded", "most_common_reason", "with_that_reason", "failed_groups"])
        writer.writeheader()
        writer.writerows(rows)
    isolation = Counter(r.get("isolation", "?") for r in results)
    status = Counter(r["status"].split(":")[0] for r in results)
    e = html.escape
    body = [
        "<!doctype html><meta charset='utf-8'><title>Grading report</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto}td,th{border:1px solid #ccc;padding:.3rem .5rem}"
        "table{border-collapse:collapse}</style>",
        f"<h1>Grading report — {len(results)} submissions</h1>",
        "<p>Status: " + ", ".join(f"{e(k)}: {v}" for k, v in sorted(status.items())) + "</p>",
        "<h2>Isolation</h2><ul>" + "".join(f"<li>{v} graded with {e(sandbox.describe(k)) if k in sandbox.DESCRIPTIONS else e(k)}</li>" for k, v in isolation.items()) + "</ul>",
        "<h2>Scores</h2><img src='summary.png' alt='score distribution per notebook'>",
        "<h2>Most-failed items</h2><table><tr><th>item</th><th>notebook</th><th>failed</th><th>most common reason</th><th>failed case groups</th></tr>",
        *(f"<tr><td>{e(r['item'])}</td><td>{e(r['notebook'])}</td><td>{r['failed']} / {r['graded']}</td><td>{e(r['most_common_reason'])} ({r['with_that_reason']})</td>"
          f"<td>{e(r['failed_groups'])}</td></tr>" for r in rows),
        "</table>",
        "<h2>Conflicts from collect (decide by hand)</h2><ul>",
        *(f"<li>{e(c)}</li>" for c in _conflicts(paths.root)),
        "</ul>",
        "<h2>Submissions that are not ok (grader_error: regrade them)</h2><ul>",
        *(f"<li>{e(r['student'])}: {e(r['status'])}: {e(r.get('status_detail', ''))}</li>" for r in results if r["status"] != "ok"),
        "</ul><p>Seeds, timings and isolation per student: <code>grading.log</code>; each result JSON in <code>results/</code>.</p>",
    ]
    out = paths.reports / "index.html"
    out.write_text("\n".join(body) + "\n", encoding="utf-8")
    return out
