"""One HTML page per student: each graded function or answer, why it failed, and the hint.

Reasons come from ``hidden.summarize`` (every distinct mistake, the most
likely first; short, student-facing, never test code); a failing visible
probe (one the student's notebook has) shows its input, the expected and the
returned values, a hidden case never does. Hints are the stubs' own ``# hint:`` lines. Hand-graded answers show
their formgrader score once given; an automatic score the instructor changed in the
formgrader shows the new score and says so; the formgrader's comments appear by
their cell. Everything student-controlled is escaped.
Optionally also nbgrader's own ``generate_feedback`` (annotated notebooks).
"""

from __future__ import annotations

import html
import subprocess
from dataclasses import dataclass, field
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


MAX_COMMENT = 5000  # characters of one formgrader comment shown


@dataclass
class Hand:
    """What the formgrader holds for one student: written answers' scores, changed automatic scores, comments."""

    scores: dict[tuple[str, str], float | None] = field(default_factory=dict)  # (notebook, grade_id) → written answer's score
    overrides: dict[tuple[str, str], float] = field(default_factory=dict)  # an automatic score the instructor changed
    comments: dict[tuple[str, str], str] = field(default_factory=dict)  # (notebook, cell) → the instructor's comment


def hand_grading(root: Path, student: str, gb=None) -> Hand:
    """The formgrader's scores, overrides and comments for `student` (nothing when not merged yet).

    `gb`: an open nbgrader ``Gradebook`` of the course (opening one costs about 0.1 CPU-s: `write_all` opens one).
    """
    if gb is None:
        from nbgrader.api import Gradebook

        with Gradebook(CourseDir(root).db_url, ASSIGNMENT) as gb:
            return hand_grading(root, student, gb)
    hand = Hand()
    try:
        submission = gb.find_submission(ASSIGNMENT, student)
    except Exception:
        return hand
    for nb in submission.notebooks:
        for grade in nb.grades:
            key = (nb.name, grade.cell.name)
            hand.scores[key] = None if grade.needs_manual_grade else grade.score
            if grade.manual_score is not None and grade.auto_score is not None and grade.manual_score != grade.auto_score:
                hand.overrides[key] = float(grade.manual_score)
        for comment in nb.comments:
            if (comment.manual_comment or "").strip():
                hand.comments[(nb.name, comment.cell.name)] = comment.manual_comment.strip()[:MAX_COMMENT]
    return hand


def render(result: dict, hand: Hand | dict | None = None) -> str:
    """The page; `hand` is the formgrader's part (`hand_grading`; a plain dict: written answers' scores only)."""
    hand = hand if isinstance(hand, Hand) else Hand(scores=dict(hand or {}))
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
        changed = {gid: hand.overrides[(name, gid)] for gid in nb["cells"] if (name, gid) in hand.overrides}
        auto = nb["auto"] + sum(v - (nb["cells"][gid].get("points") or 0.0) for gid, v in changed.items() if nb["cells"][gid]["kind"] != WRITTEN)
        note = " (after your instructor's changes)" if changed else ""
        parts.append(f"<h2>{_e(name)} — {auto:g} / {nb['auto_max']:g} automatic points{note}</h2>")
        if nb.get("problem"):
            parts.append(f"<p class='bad'>This notebook {_e(nb['problem'])}.</p>")
        if nb.get("renamed_from"):
            parts.append(f"<p class='wait'>Your file {_e(nb['renamed_from'])} was graded as {_e(name)}.ipynb: please keep the original names.</p>")
        for issue in nb.get("issues", []):
            parts.append(f"<p class='wait'>⚠ {_e(issue)}</p>")
        parts.append("<table><tr><th>graded item</th><th>points</th><th>result</th></tr>")
        for gid, cell in nb["cells"].items():
            parts.append(_row(name, gid, cell, hand))
        parts.append("</table>")
        others = [(cell, text) for (n, cell), text in sorted(hand.comments.items()) if n == name and cell not in nb["cells"]]
        if others:
            parts.append("<p><b>Your instructor's comments</b></p><ul>" +
                         "".join(f"<li><code>{_e(cell)}</code>: {_e(text)}</li>" for cell, text in others) + "</ul>")
    return "\n".join(parts) + "\n"


def _row(nb: str, gid: str, cell: dict, hand: Hand) -> str:
    comment = hand.comments.get((nb, gid))
    said = f"<br><small class='wait'>Your instructor: {_e(comment)}</small>" if comment else ""
    if cell["kind"] == WRITTEN:
        score = hand.scores.get((nb, gid))
        if not cell.get("answered"):
            what, cls, pts = "no answer written", "bad", f"0 / {cell['max']:g}"
        elif score is None:
            what, cls, pts = "written answer: awaiting hand grading", "wait", f"? / {cell['max']:g}"
        else:
            what, cls, pts = "written answer: graded by hand", "ok", f"{score:g} / {cell['max']:g}"
        return f"<tr><td><code>{_e(gid)}</code></td><td>{pts}</td><td class='{cls}'>{what}{said}</td></tr>"
    pts = f"{cell['points']:g} / {cell['max']:g}"
    if (nb, gid) in hand.overrides:
        pts = f"{hand.overrides[(nb, gid)]:g} / {cell['max']:g}"
        said = f"<br><small class='wait'>Your instructor changed the grader's {cell['points']:g} to {hand.overrides[(nb, gid)]:g}.</small>" + said
    if cell.get("passed"):
        return f"<tr><td><code>{_e(gid)}</code></td><td>{pts}</td><td class='ok'>✓ correct on the grader's cases{said}</td></tr>"
    body = _reason(cell.get("reason") or "wrong") + _shown(cell.get("groups") or [])
    if cell.get("hint"):
        body += f"<br><small>Hint: {_e(cell['hint'])}</small>"
    body += said
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
    from nbgrader.api import Gradebook

    paths = CourseDir(root)
    paths.feedback.mkdir(parents=True, exist_ok=True)
    written = []
    with Gradebook(paths.db_url, ASSIGNMENT) as gb:
        for path in sorted(paths.results.glob("*.json")):
            result = results.load(path)
            out = paths.feedback / f"{result['student']}.html"
            out.write_text(render(result, hand_grading(root, result["student"], gb)), encoding="utf-8")
            written.append(out)
    if nbgrader_html:
        subprocess.run([sandbox.python(), "-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force"],
                       cwd=paths.root, env=nbgrader_env(), capture_output=True, timeout=3600)
    return written
