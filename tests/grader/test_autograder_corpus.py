"""The hostile corpus (tests/hostile_corpus.py) graded end to end: collect → grade → merge → CSV → feedback.

One module-scoped run grades every case (in-kernel tricks through nbgrader,
the others without it); each case is then its own test, so a failure names
the trick. Timings are printed, never asserted.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from grader_course import HIDDEN, built_course
from hostile_corpus import NAMES, Case, corpus, write

from autograder import sandbox
from autograder.grading.course import ROOT

LIMITS = ["--timeout", "5", "--cell-timeout", "5", "--job-timeout", "8", "--memory-mb", "1536", "--seed", "20240601", "-q"]
TOKEN = uuid.uuid4().hex[:10]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # the first test carries the module's one grading run of every case


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("corpus")
    course = built_course(tmp_path_factory.getbasetemp() / "grader-course")
    root = base / "course"
    known = [ROOT / "solutions" / "backproplab" / "softmax.py", ROOT / "autograder" / "hidden" / "compare.py", course.reference_pkg / "softmax.py"]
    namespace = sandbox.available() == sandbox.NAMESPACE
    cases = {c.name: c for c in corpus(course, TOKEN, known, [root / "gradebook.db", root / "grades.csv"])}
    write(list(cases.values()), base / "lms-download", namespace)
    cases = {n: c for n, c in cases.items() if namespace or not c.needs_namespace}
    common = ["--source", str(course.source), "--hidden", HIDDEN, "--course", str(root)]
    start = time.monotonic()
    proc = cli("collect", str(base / "lms-download"), *common)
    assert proc.returncode == 0, proc.stderr
    inbox = root / "inbox"
    timings = {}
    for with_nbgrader in (True, False):
        zips = [str(inbox / f"{name}.zip") for name, c in cases.items() if c.nbgrader == with_nbgrader]
        t = time.monotonic()
        proc = cli("grade", *zips, *common, *LIMITS, *([] if with_nbgrader else ["--no-nbgrader"]))
        timings["with nbgrader" if with_nbgrader else "without nbgrader"] = (len(zips), time.monotonic() - t)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = {p.stem: json.loads(p.read_text()) for p in (root / "results").glob("*.json")}
    rows = {r["student"]: r for r in csv.DictReader(open(root / "grades.csv", encoding="utf-8"))}
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (root / "feedback-html").glob("*.html")}
    print(f"\ncorpus of {len(cases)} graded in {time.monotonic() - start:.0f} s "
          + ", ".join(f"{k}: {n} in {s:.0f} s" for k, (n, s) in timings.items()) + f"; isolation {sandbox.available()}")
    for name in cases:
        r = results.get(name, {})
        print(f"  {name:36s} auto={float(rows.get(name, {}).get('auto', 'nan')):4g}  {r.get('status', 'MISSING')[:60]}  "
              f"({r.get('timings', {}).get('total', '?')} s)")
    return {"cases": cases, "results": results, "rows": rows, "pages": pages, "root": root, "base": base, "collect": proc}


def _auto(graded, name: str) -> float:
    return float(graded["rows"][name]["auto"])


def test_corpus_has_at_least_30_generated_cases() -> None:
    assert len(NAMES) >= 30


@pytest.mark.parametrize("case_name", NAMES)
def test_hostile_case(graded, case_name: str) -> None:
    if case_name not in graded["cases"]:
        pytest.skip("needs namespace isolation: with process limits only, submission code can reach the instructor's files")
    case: Case = graded["cases"][case_name]
    assert case_name in graded["results"], f"no result for {case_name}"
    result, page = graded["results"][case_name], graded["pages"].get(case_name, "")
    got = _auto(graded, case_name)
    if case.exact is not None:
        assert got == case.exact, f"{case_name}: {got} automatic points, expected exactly {case.exact}"
    if case.base:
        base = _auto(graded, case.base)
        assert got <= base, f"{case_name} earned {got} > {base} for the same work without the trick"
    assert result["status"].startswith(case.status), result["status"]
    phrases = (case.reason,) if isinstance(case.reason, str) else case.reason
    assert any(p.lower() in page.lower() for p in phrases), f"feedback of {case_name} does not say {case.reason!r}"
    assert "all tests passed" not in page.replace("All tests passed! 100/100", "").lower() or case_name == "prints_all_tests_passed"
    for check in case.checks:
        globals()[f"_check_{check}"](graded, case_name)


def _check_no_orphans(graded, name: str) -> None:
    left = subprocess.run(["pgrep", "-f", f"bpl-orphan-{TOKEN}"], capture_output=True, text=True).stdout.split()
    assert left == [], f"processes started by {name} outlived its grading: {left}"


def _check_course_intact(graded, name: str) -> None:
    rows = graded["rows"]
    assert set(rows) == set(graded["cases"]), "grades.csv lost or gained rows"
    assert "hacker" not in rows and float(rows["perfect"]["auto"]) > 0


def _check_no_escape(graded, name: str) -> None:
    stray = [p for p in (Path("/tmp"), graded["base"], graded["root"]) for p in p.glob(f"*escape*_{TOKEN}.*")]
    assert stray == [], f"zip entries escaped the extraction folder: {stray}"


def _check_nbgrader_fooled(graded, name: str) -> None:
    """Plain nbgrader's kernel was really rigged (the answer test cell ran as `pass`), yet the answer scored 0."""
    nb = json.loads((graded["root"] / "autograded" / name / "backproplab" / "01_softmax.ipynb").read_text())
    test = next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "global_max_nan_batch")
    assert not any(o.get("output_type") == "error" for o in test.get("outputs", [])), "the trick did not take effect in nbgrader's kernel"
    assert graded["results"][name]["notebooks"]["01_softmax"]["cells"]["global_max_nan_batch"]["points"] == 0
