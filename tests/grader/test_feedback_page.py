"""The grader's feedback: every failing case group, the named mistake first, what was right, visible probes shown, hidden ones never.

The fast tests work on `hidden.summarize` and `feedback.render` directly; the
slow ones grade whole submissions through `grade_one` (no nbgrader) on the
real course and read the page a student gets.
"""

from __future__ import annotations

import html
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder import hidden, mutants
from autograder.hidden import points, summary
from autograder.outputs.feedback import render


def _case(note: str, visible: bool = False, dtype=np.float64) -> hidden.Case:
    return hidden.Case((np.arange(3, dtype=dtype),), note=note, visible=visible)


def test_every_failing_group_is_listed_once_the_named_mistake_first() -> None:
    hint = next(m.hint for m in mutants.catalogue() if m.id == "softmax__no_max")
    outcomes = [
        hidden.Outcome(_case("random batch"), "the output has wrong values: max abs error 0.1"),
        hidden.Outcome(_case("another batch"), "the output has wrong values: max abs error 0.3"),
        hidden.Outcome(_case("logits of ±1e4"), f"{hint} [the output contains NaN where the answer is finite]"),
        hidden.Outcome(_case("a batch of one"), None),
    ]
    s = hidden.summarize("softmax", outcomes)
    first, *rest = s["reason"].splitlines()
    assert first.startswith(hint) and "logits of ±1e4" in first
    assert rest == ["also: the output has wrong values: max abs error 0.1 (cases: random batch; another batch)"]
    assert not s["passed"] and s["fraction"] == 0.0
    assert s["failed_groups"] == ["large inputs", "main"]


def test_what_was_right_is_said() -> None:
    case = hidden.cases("softmax_regression_loss", 0)[0]
    want = hidden.reference("softmax_regression_loss")(*case.args)
    reason = hidden.evaluate("softmax_regression_loss", case, (want[0], want[1] * 2), want, case.args)
    assert reason.startswith("loss is right; dW has wrong values") and "output 2" not in reason
    case = hidden.cases("mlp_backward", 0)[1]
    want = hidden.reference("mlp_backward")(*case.args)
    reason = hidden.evaluate("mlp_backward", case, {**want, "W1": want["W1"] * 2}, want, case.args)
    assert reason.startswith("grads['W2'], grads['b1'] and grads['b2'] are right; grads['W1'] has wrong values"), reason
    f32 = next(c for c in hidden.cases("softmax", 0) if c.args[0].dtype == np.float32 and np.abs(c.args[0]).max() < 100)
    want = hidden.reference("softmax")(*f32.args)
    reason = hidden.evaluate("softmax", f32, want.astype(np.float64), want, f32.args)
    assert reason == "the output has the right values but dtype float64; expected float32, the dtype of the input"  # as the checks say


def test_points_split_between_case_groups_when_the_course_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    present = {"main", "float32", "large inputs"}
    assert points.fraction("softmax", [], present) == 1.0
    assert points.fraction("softmax", ["float32"], present) == 0.0  # the default: all or nothing
    split = {"softmax": {"float32": 0.25, "large inputs": 0.25}}
    assert points.fraction("softmax", ["float32"], present, split) == 0.75
    assert points.fraction("softmax", ["float32", "large inputs"], present, split) == 0.5
    assert points.fraction("softmax", ["main"], present, split) == 0.5
    assert points.fraction("softmax", ["main"], {"main", "float32"}, split) == 0.25  # no large-input case: its share joins main's
    monkeypatch.setattr(points, "SPLIT", split)
    s = hidden.summarize("softmax", [hidden.Outcome(_case("float32 batch", dtype=np.float32), "wrong dtype"), hidden.Outcome(_case("x"), None),
                                     hidden.Outcome(_case("logits of ±1e4"), None)])
    assert s["fraction"] == 0.75 and s["failed_groups"] == ["float32"]


def test_the_page_escapes_shown_probes_and_reasons() -> None:
    evil = "<script>alert(1)</script>"
    group = {"reason": evil, "cases": [evil], "count": 1, "groups": [evil],
             "shown": [{"probe": evil, "input": evil, "expected": evil, "got": evil}]}
    cell = {"kind": "function", "max": 1, "points": 0, "passed": False, "reason": f"{evil}\nalso: {evil}", "hint": evil, "groups": [group, evil]}
    result = {"student": "s", "graded_at": "t", "submission": "z", "status": "ok", "issues": [],
              "notebooks": {"01": {"auto": 0, "auto_max": 1, "issues": [], "cells": {"softmax": cell}}}}
    page = render(result, {})
    assert "<script" not in page and page.count("&lt;script&gt;") == 7


# --------------------------------------------------------------------------- through grade_one


@pytest.fixture(scope="module")
def real_course(tmp_path_factory):
    from autograder.grading.course import SOLUTIONS, Course

    return Course.load(SOLUTIONS, tmp_path_factory.mktemp("real-course") / "build", build=False)


def _zip(dst: Path, course, wrong: list[mutants.Mutant]) -> Path:
    """The reference package with every mutant in `wrong` spliced in (one per function), no notebooks."""
    sources = {p.stem: p.read_text(encoding="utf-8") for p in course.reference_pkg.glob("*.py")}
    for m in wrong:
        sources[m.module] = mutants.splice(sources[m.module], m.function, m.body)
    with zipfile.ZipFile(dst, "w") as zf:
        for stem, text in sources.items():
            zf.writestr(f"backproplab/{stem}.py", text)
    return dst


def _grade_page(tmp: Path, course, wrong: list[mutants.Mutant], seed: int = 7) -> tuple[dict, str, dict]:
    from autograder.grading import result as results
    from autograder.grading.grade_one import grade_one

    grade_one(_zip(tmp / "s.zip", course, wrong), course, seed=seed, nbgrader=False, workdir=tmp).write(tmp / "r.json")
    result = results.load(tmp / "r.json")  # as the feedback command reads it: validated and bounded
    cells = {gid: c for nb in result["notebooks"].values() for gid, c in nb["cells"].items()}
    return result, render(result, {}), cells


@pytest.mark.slow
def test_visible_probes_are_shown_and_hidden_cases_never(tmp_path: Path, real_course) -> None:
    wrong = [m for m in mutants.catalogue() if m.id in ("softmax__no_max", "softmax_regression_loss__transposed")]
    _result, page, cells = _grade_page(tmp_path, real_course, wrong)
    for name in ("softmax", "softmax_regression_loss"):
        cell = cells[name]
        shown = [s for g in cell["groups"] for s in g["shown"]]
        assert shown and all(s["probe"].startswith("visible probe: ") for s in shown), name
        assert html.escape(shown[0]["input"], quote=True) in page
        for case in hidden.cases(name, 7):
            if case.visible:
                continue
            want = hidden.reference(name)(*case.args, **case.kwargs)
            for secret in (summary._text(case.args, case.kwargs), summary._text(want)):
                assert html.escape(secret, quote=True) not in page and secret not in page, (name, case.note)


def _calls(m: mutants.Mutant) -> set[str]:
    """The exercise functions a mutant may reach: those named in its body or in its function's reference."""
    import ast
    import re

    source = (mutants.REFERENCE_PKG / f"{m.module}.py").read_text(encoding="utf-8")
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == m.function)
    text = ast.get_source_segment(source, node) + m.body
    return {f for f in hidden.FUNCTIONS if f != m.function and re.search(rf"\b{f}\b", text)}


def _related(a: mutants.Mutant, b: mutants.Mutant) -> bool:
    """Mistakes that could mix in one submission: the same function, one reaching the other (a composite's call with
    other arguments than the reference's is answered by the student's own function), or two in the autograd, whose
    ops call the rules."""
    return (a.function == b.function or b.function in _calls(a) or a.function in _calls(b)
            or a.module == b.module == "autograd")


def _rounds(ids: list[str]) -> list[list[mutants.Mutant]]:
    """The mutants `ids` in as few submissions as possible, no two from related modules in one."""
    by_id = {m.id: m for m in mutants.catalogue()}
    rounds: list[list[mutants.Mutant]] = []
    for mid in ids:
        m = by_id[mid]
        slot = next((r for r in rounds if not any(_related(x, m) for x in r)), None)
        if slot is None:
            rounds.append(slot := [])
        slot.append(m)
    return rounds


def _named_mistakes() -> list[str]:
    import importlib.util  # the catalogue's list of the mistakes in common-mistakes.md and in issue 16

    spec = importlib.util.spec_from_file_location("_required_mistakes", Path(__file__).parents[1] / "exercises" / "test_mutants.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return sorted({mid for ids in module.REQUIRED.values() for mid in ids})


ROUNDS = _rounds(_named_mistakes())


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("round_", range(len(ROUNDS)))
def test_every_listed_mistake_is_named_on_the_grader_page(tmp_path: Path, real_course, round_: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Each mistake of common-mistakes.md and issue 16: the page's line for its function starts with its hint.

    Only the round's functions are graded (the others would pass and take most of the time)."""
    wrong = ROUNDS[round_]
    monkeypatch.setattr(real_course, "graded_functions", lambda: sorted({m.function for m in wrong}))
    _result, page, cells = _grade_page(tmp_path, real_course, wrong)
    hints = {}
    for m in mutants.catalogue():
        hints.setdefault(m.function, set()).add(m.hint)
    problems = []
    for m in wrong:
        cell = cells.get(m.function)
        if cell is None:
            problems.append(f"{m.id}: no cell on the page")
            continue
        first = (cell.get("reason") or "").splitlines()[0] if cell.get("reason") else ""
        named = first.removeprefix("likely: ").startswith(m.hint) or f"(or: {m.hint})" in first  # two the cases cannot tell apart
        if cell["passed"] or not named:
            problems.append(f"{m.id}: the page says {first!r}")
        elif html.escape(first, quote=True) not in page:
            problems.append(f"{m.id}: its reason is not on the page")
        if m.id == "init_params__global_rng" and "seed" not in cell["failed_groups"]:
            problems.append(f"{m.id}: not charged to the seed group ({cell['failed_groups']})")
    assert not problems, "\n".join(problems)


def test_a_hostile_answer_never_breaks_the_summary() -> None:
    """Answers no comparison expects (objects, huge keys, ragged lists) still give a verdict, bounded when shown."""
    case = hidden.visible_cases("sgd_step")[0]
    weird = [{"x" * 10_000: object()}, [[1, 2], [3]], None, {"W1": "<script>"}]
    outcomes = [hidden.Outcome(case, "the output is wrong", got, None) for got in weird]
    s = hidden.summarize("sgd_step", outcomes)
    assert not s["passed"] and s["reason"].startswith("the output is wrong")
    assert all(len(v) <= summary.MAX_SHOWN_CHARS for g in s["groups"] for sh in g["shown"] for v in sh.values())
