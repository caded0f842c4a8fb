"""The hostile corpus (tests/hostile_corpus.py), one test per case: collect once, then one grade-one per case.

Each case is graded by its own ``grade-one`` process with its own time limit
(`hostile_corpus.SECONDS`), so a slow or hanging case fails alone and by
name. A case's baseline (and any case it needs graded first) is graded on
demand and cached. ``grade-one`` must exit 0 and write a result for every
case. The last test merges every result into one gradebook and exports the
CSV. Timings are printed (the corpus table), never asserted.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import re
import resource
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from grader_course import HIDDEN, built_course
from hostile_corpus import NAMES, NBGRADER, SECONDS, SLOW, Case, corpus, write

from autograder import sandbox
from autograder.grading.course import ROOT
from autograder.outputs.feedback import render
from autograder.release.student_copy import BEGIN, END

LIMITS = ["--timeout", "5", "--cell-timeout", "5", "--job-timeout", "8", "--memory-mb", "1536", "--seed", "20240601"]
TOKEN = uuid.uuid4().hex[:10]
pytestmark = pytest.mark.slow  # grade-one on every hostile case: minutes
GRADER_MEMORY = 6 << 30  # a grader that needs more than this for one tiny submission has been attacked


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (GRADER_MEMORY, GRADER_MEMORY))

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=cap)


def seconds(name: str) -> int:
    """The time limit of one case's grade-one run."""
    return SLOW.get(name) or SECONDS["nbgrader" if name in NBGRADER else "plain"]


@dataclass
class Corpus:
    cases: dict[str, Case]
    root: Path
    base: Path
    common: list[str]
    collect: str
    sentinels: dict[Path, str]
    solution_lines: list[str]
    results: dict[str, dict] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)


def _solution_lines(reference: Path, release: Path) -> list[str]:
    """Distinctive lines of the solution bodies (not in the release stubs): what a leak would carry."""
    released = {line.strip() for p in release.glob("*.py") for line in p.read_text(encoding="utf-8").splitlines()}
    out = []
    for path in sorted(reference.glob("*.py")):
        inside = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if BEGIN.match(line) or END.match(line):
                inside = BEGIN.match(line) is not None
            elif inside and len(line.strip()) >= 24 and not line.strip().startswith("#") and line.strip() not in released:
                out.append(line.strip())
    return out


def _snapshot(paths: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "missing" for p in paths}


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> Corpus:
    base = tmp_path_factory.mktemp("corpus")
    course = built_course(tmp_path_factory.getbasetemp() / "grader-course")
    root = base / "course"
    root.mkdir()
    # stand-ins for the instructor's gradebook and CSV: the attacks aim at them, nothing may change them
    sentinel_files = [root / "gradebook.db", root / "grades.csv"]
    for p in sentinel_files:
        p.write_text(f"sentinel {p.name}\n", encoding="utf-8")
    known = [ROOT / "solutions" / "backproplab" / "softmax.py", ROOT / "autograder" / "hidden" / "compare.py", course.reference_pkg / "softmax.py"]
    namespace = sandbox.available() == sandbox.NAMESPACE
    cases = {c.name: c for c in corpus(course, TOKEN, known, sentinel_files)}
    write(list(cases.values()), base / "lms-download", namespace)
    cases = {n: c for n, c in cases.items() if namespace or not c.needs_namespace}
    common = ["--source", str(course.source), "--hidden", HIDDEN, "--course", str(root)]
    proc = cli("collect", str(base / "lms-download"), *common)
    assert proc.returncode == 0, proc.stderr
    print(f"\nisolation: {sandbox.describe(sandbox.available())}")
    return Corpus(cases, root, base, common, proc.stdout, _snapshot(sentinel_files),
                  _solution_lines(course.reference_pkg, course.release_pkg))


def graded(env: Corpus, name: str) -> dict:
    """The result of grade-one on case `name` (cached); grade-one must exit 0 and write it."""
    if name in env.results:
        return env.results[name]
    case = env.cases[name]
    if case.after:
        graded(env, case.after)
    out = env.root / "results-by-case" / f"{name}.json"
    out.unlink(missing_ok=True)
    zip_path = env.root / "inbox" / f"{case.inbox_id}.zip"
    limit = seconds(name)
    t = time.monotonic()
    try:
        proc = cli("grade-one", str(zip_path), "--out", str(out), *env.common, *LIMITS, *(["--execute"] if case.nbgrader else ["--no-nbgrader"]),
                   timeout=limit)
    except subprocess.TimeoutExpired:
        pytest.fail(f"grade-one on {name} did not finish within {limit} s")
    env.times[name] = time.monotonic() - t
    assert proc.returncode == 0, f"grade-one on {name} exited {proc.returncode}: {proc.stderr[-2000:]}"
    assert out.exists(), f"grade-one on {name} wrote no result"
    env.results[name] = json.loads(out.read_text(encoding="utf-8"))
    return env.results[name]


def auto(result: dict) -> float:
    return sum(nb["auto"] for nb in result["notebooks"].values())


def _budget(name: str) -> int:
    """A case's test time limit: its own grade-one run plus the runs it may need first (baseline, `after`)."""
    return seconds(name) + sum(seconds(n) for n in _PREREQUISITES.get(name, ())) + 30


# Which cases a case may need graded first (kept in step with the corpus by test_prerequisites_are_listed).
_PREREQUISITES: dict[str, tuple[str, ...]] = {
    "ipc_read_reference": ("blank", "ipc_store_reference"),
    "leak_via_exception_name": ("blank",),
    "ipc_store_reference": ("blank",),
    "numpy_allclose_patched": ("one_wrong_per_notebook",),
    "testing_asserts_and_checks_patched": ("one_wrong_per_notebook",),
    "fake_reference_in_sys_modules": ("one_wrong_per_notebook",),
    "importlib_loader_hijacked": ("one_wrong_per_notebook",),
    "checks_patched_in_cell": ("one_wrong_per_notebook",),
    "prints_all_tests_passed": ("one_wrong_per_notebook",),
    "deleted_test_cells": ("one_wrong_per_notebook",),
    "test_cells_edited_to_pass": ("one_wrong_per_notebook",),
    "changed_metadata_and_ids": ("one_wrong_per_notebook",),
    "input_transformer": ("answer_wrong",),
    "event_hooks": ("answer_wrong",),
    "duplicated_grade_ids": ("answer_wrong",),
}


@pytest.mark.timeout(400)  # includes building the test course and collecting the corpus (the module fixture)
def test_prerequisites_are_listed(env: Corpus) -> None:
    for name, case in env.cases.items():
        needed = {n for n in (case.base, case.after) if n and n != "perfect"}
        assert needed <= set(_PREREQUISITES.get(name, ())), f"{name} needs {needed}: add it to _PREREQUISITES"


@pytest.mark.parametrize("case_name", [pytest.param(n, marks=pytest.mark.timeout(_budget(n), func_only=True)) for n in NAMES])
def test_hostile_case(env: Corpus, case_name: str) -> None:
    if case_name not in env.cases:
        pytest.skip("needs namespace isolation: with process limits only, submission code can reach the instructor's files")
    case = env.cases[case_name]
    result = graded(env, case_name)
    page = render(result, {})
    got = auto(result)
    if case.exact is not None:
        assert got == case.exact, f"{case_name}: {got} automatic points, expected exactly {case.exact}"
    if case.base:
        base = auto(graded(env, case.base))
        assert got <= base, f"{case_name} earned {got} > {base} for the same work without the trick"
    assert result["status"].startswith(case.status), result["status"]
    phrases = (case.reason,) if isinstance(case.reason, str) else case.reason
    assert any(p.lower() in page.lower() for p in phrases), f"feedback of {case_name} does not say {case.reason!r}"
    assert "all tests passed" not in page.replace("All tests passed! 100/100", "").lower() or case_name == "prints_all_tests_passed"
    assert _snapshot(list(env.sentinels)) == env.sentinels, "the instructor's files changed"
    _check_no_reference_text(env, case_name)
    for check in case.checks:
        globals()[f"_check_{check}"](env, case_name)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _check_no_reference_text(env: Corpus, name: str) -> None:
    result = env.results[name]
    text = "\n".join(_strings({k: v for k, v in result.items() if k != "autograded"})) + html.unescape(render(result, {}))
    leaked = [line for line in env.solution_lines if line in text]
    assert not leaked, f"{len(leaked)} solution lines reached the result or the feedback, e.g. {leaked[0]!r}"


def _check_no_orphans(env: Corpus, name: str) -> None:
    for marker in (f"bpl-orphan-{TOKEN}",):
        left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
        assert left == [], f"processes started by {name} outlived its grading: {left}"


def _check_course_intact(env: Corpus, name: str) -> None:
    assert _snapshot(list(env.sentinels)) == env.sentinels


def _check_no_escape(env: Corpus, name: str) -> None:
    stray = [p for p in (Path("/tmp"), env.base, env.root) for p in p.glob(f"*escape*_{TOKEN}.*")]
    assert stray == [], f"zip entries escaped the extraction folder: {stray}"


def _check_nbgrader_fooled(env: Corpus, name: str) -> None:
    """Plain nbgrader's kernel was really rigged (the answer test cell ran as `pass`), yet the answer scored 0."""
    nb = env.results[name]["autograded"]["01_softmax"]
    test = next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "global_max_nan_batch")
    assert not any(o.get("output_type") == "error" for o in test.get("outputs", [])), "the trick did not take effect in nbgrader's kernel"
    assert env.results[name]["notebooks"]["01_softmax"]["cells"]["global_max_nan_batch"]["points"] == 0


def _check_no_ipc_left(env: Corpus, name: str) -> None:
    key = f"0x{int(TOKEN[:7], 16):08x}"
    listing = subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout
    assert key not in listing, f"a shared-memory segment of {name} outlived its grading"


def _check_disk_capped(env: Corpus, name: str) -> None:
    found = re.findall(r"filled (\d+) MB", json.dumps(env.results[name]))
    assert found, "the disk-filling code did not report"
    assert max(map(int, found)) <= 512, f"{name} wrote {max(map(int, found))} MB into the job folder"


def _check_few_timeouts(env: Corpus, name: str) -> None:
    stopped = [line for line in env.results[name]["log"] if "was stopped after" in line]
    assert len(stopped) <= 2, f"{len(stopped)} grading processes ran into the time limit: {stopped}"


def _check_conflict_reported(env: Corpus, name: str) -> None:
    assert "impersonation_thief" in env.collect and "impersonation_victim" in env.collect, env.collect


def _rendered(env: Corpus, name: str) -> list:
    """What the formgrader renders as markup or output: markdown cells and code outputs (not code, shown as text)."""
    cells = [c for nb in env.results[name].get("autograded", {}).values() if nb for c in nb["cells"]]
    return [c["source"] if c["cell_type"] == "markdown" else c.get("outputs", []) for c in cells]


def _check_no_forgery(env: Corpus, name: str) -> None:
    assert "FORGED ANSWER" not in json.dumps(_rendered(env, name)), "a notebook written by the student's kernel was taken as nbgrader's"


def _check_clean_outputs(env: Corpus, name: str) -> None:
    text = json.dumps(_rendered(env, name)).lower()
    for bad in ("<script", "onerror", "onmouseover"):
        assert bad not in text, f"{bad!r} survived in the executed notebooks of {name}"


@pytest.mark.timeout(300, func_only=True)
def test_every_result_merges_into_one_gradebook(env: Corpus) -> None:
    """All results graded above fold into one gradebook; the CSV has one row each."""
    files = sorted((env.root / "results-by-case").glob("*.json"))
    if not files:
        pytest.skip("no case was graded")
    course = env.base / "merged"
    common = [*env.common[:-1], str(course)]
    proc = cli("merge", *map(str, files), *common)
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc = cli("export", *common)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = {r["student"]: r for r in csv.DictReader(open(course / "grades.csv", encoding="utf-8"))}
    assert set(rows) == {json.loads(f.read_text())["student"] for f in files}
    table = [f"isolation: {sandbox.available()}", "", "| case | baseline | points | status / first reason | seconds |", "|---|---|---|---|---|"]
    for name, result in env.results.items():
        case = env.cases[name]
        base = f"{auto(env.results[case.base]):g}" if case.base in env.results else "-"
        notebooks = result["notebooks"].values()
        said = [result["status"], *result["issues"], *(i for nb in notebooks for i in [nb.get("problem") or "", *nb.get("issues", [])]),
                *(c["reason"] for nb in notebooks for c in nb["cells"].values() if c.get("reason"))]
        phrases = (case.reason,) if isinstance(case.reason, str) else case.reason
        why = next((t for t in said if any(p.lower() in t.lower() for p in phrases)), said[0])  # the reason the case expects
        table.append(f"| {name} | {base} | {auto(result):g} | {why[:90]} | {env.times.get(name, 0):.1f} |")
    print("\n".join(table))
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "corpus-table.md").write_text("\n".join(table) + "\n", encoding="utf-8")
