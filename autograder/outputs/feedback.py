"""One HTML page per student: each graded function or answer, why it failed, and the hint.

Reasons come from ``hidden.summarize`` (every distinct mistake, the most
likely first; short, student-facing, never test code); a failing visible
probe (one the student's notebook has) shows its input, the expected and the
returned values, a hidden case never does. Hints are the stubs' own ``# hint:`` lines. Hand-graded answers show
their formgrader score once given. Everything student-controlled is escaped.
Optionally also nbgrader's own ``generate_feedback`` (annotated notebooks).
"""

from __future__ import annotations

import html
import subprocess
from pathlib import Path

from autograder import sandbox
from autograder.grading import result as results
from autograder.grading.course import ASSIGNMENT, Course, nbgrader_env
from autograder.grading.notebooks import WRITTEN
from autograder.layout import CourseDir

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f3f3f3}pre{margin:0;white-space:pre-wrap;font-size:.85em}.ok{color:#176f2c}.bad{color:#a11}.wait{color:#8a6d00}small{color:#555}code{background:#f6f6f6;padding:0 .2rem}
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def manual_scores(root: Path, student: str) -> dict[tuple[str, str], float | None]:
    """(notebook, grade_id) → the formgrader score of each written answer (None while ungraded)."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(CourseDir(root).db_url, ASSIGNMENT) as gb:
        try:
            submission = gb.find_submission(ASSIGNMENT, student)
        except Exception:
            return out
        for nb in submission.notebooks:
            for grade in nb.grades:
                out[(nb.name, grade.cell.name)] = None if grade.needs_manual_grade else grade.score
    return out


def render(result: dict, manual: dict) -> str:
    student = _e(result["student"])
    parts = [f"<!doctype html><meta charset='utf-8'><title>Feedback: {student}</title><style>{STYLE}</style>",
             f"<h1>Feedback for {student}</h1>",
             f"<p><small>Graded {_e(result['graded_at'])} from {_e(result['submission'])}. "
             "Every automatic point below was decided by the grader on fresh inputs, not by the checks in your notebook, "
             "so a notebook cell that printed “visible checks passed” can still be marked wrong here.</small></p>"]
    if result["status"] != "ok":
        parts.append(f"<p class='bad'><b>Status:</b> {_e(result['status'])}: {_e(result.get('status_detail', ''))}</p>")
    for issue in result.get("issues", []):
        parts.append(f"<p class='wait'>⚠ {_e(issue)}</p>")
    for name, nb in result["notebooks"].items():
        parts.append(f"<h2>{_e(name)} — {nb['auto']:g} / {nb['auto_max']:g} automatic points</h2>")
        if nb.get("problem"):
            parts.append(f"<p class='bad'>This notebook {_e(nb['problem'])}.</p>")
        if nb.get("renamed_from"):
            parts.append(f"<p class='wait'>Your file {_e(nb['renamed_from'])} was graded as {_e(name)}.ipynb: please keep the original names.</p>")
        for issue in nb.get("issues", []):
            parts.append(f"<p class='wait'>⚠ {_e(issue)}</p>")
        parts.append("<table><tr><th>graded item</th><th>points</th><th>result</th></tr>")
        for gid, cell in nb["cells"].items():
            parts.append(_row(name, gid, cell, manual))
        parts.append("</table>")
    return "\n".join(parts) + "\n"


def _row(nb: str, gid: str, cell: dict, manual: dict) -> str:
    if cell["kind"] == WRITTEN:
        score = manual.get((nb, gid))
        if not cell.get("answered"):
            what, cls, pts = "no answer written", "bad", f"0 / {cell['max']:g}"
        elif score is None:
            what, cls, pts = "written answer: awaiting hand grading", "wait", f"? / {cell['max']:g}"
        else:
            what, cls, pts = "written answer: graded by hand", "ok", f"{score:g} / {cell['max']:g}"
        return f"<tr><td><code>{_e(gid)}</code></td><td>{pts}</td><td class='{cls}'>{what}</td></tr>"
    pts = f"{cell['points']:g} / {cell['max']:g}"
    if cell.get("passed"):
        return f"<tr><td><code>{_e(gid)}</code></td><td>{pts}</td><td class='ok'>✓ correct on the grader's cases</td></tr>"
    body = _reason(cell.get("reason") or "wrong") + _shown(cell.get("groups") or [])
    if cell.get("hint"):
        body += f"<br><small>Hint: {_e(cell['hint'])}</small>"
    return f"<tr><td><code>{_e(gid)}</code></td><td>{pts}</td><td class='bad'>{body}</td></tr>"


MAX_SHOWN = 3  # visible probes shown per function


def _reason(text: str) -> str:
    """The first line (the most likely mistake) in bold; every other mistake on its own line."""
    first, *rest = str(text).splitlines() or [""]
    return f"✗ <b>{_e(first)}</b>" + "".join(f"<br>{_e(line)}" for line in rest)


def _shown(groups: list) -> str:
    """For failing visible probes only (the student has them): the probe's input, expected and returned values."""
    items = [s for g in groups if isinstance(g, dict) for s in g.get("shown") or [] if isinstance(s, dict)][:MAX_SHOWN]
    out = []
    for s in items:
        rows = "".join(f"<tr><th>{label}</th><td><pre>{_e(s.get(key, ''))}</pre></td></tr>"
                       for label, key in (("input", "input"), ("expected", "expected"), ("your answer", "got")))
        out.append(f"<details><summary>{_e(s.get('probe', 'visible probe'))}: compare</summary><table>{rows}</table></details>")
    return "".join(out)


def write_all(course: Course, root: Path, nbgrader_html: bool = False) -> list[Path]:
    """Feedback pages for every merged student (and nbgrader's, if asked)."""
    paths = CourseDir(root)
    paths.feedback.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(paths.results.glob("*.json")):
        result = results.load(path)
        out = paths.feedback / f"{result['student']}.html"
        out.write_text(render(result, manual_scores(root, result["student"])), encoding="utf-8")
        written.append(out)
    if nbgrader_html:
        subprocess.run([sandbox.python(), "-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force"],
                       cwd=paths.root, env=nbgrader_env(), capture_output=True, timeout=3600)
    return written
