"""End to end on real nbgrader: grade-one in separate processes, merge, grades.csv, feedback, report.

The other "done when" cases (untouched release → 0, numpy.allclose patched and
the IPython input transformer → no more than without) are in the hostile
corpus (test_autograder_corpus.py), graded end to end with everything else.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from grader_course import HIDDEN, POINTS, built_course, full_marks, submission, write_zip

from autograder.grading.course import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]  # real nbgrader, end to end: the course build alone takes a minute
SUBCOMMANDS = ["bundle", "release", "collect", "grade", "grade-one", "finish", "merge", "feedback", "export", "report", "similarity"]
TRANSFORMER = (
    "get_ipython().input_transformers_post.append("
    "lambda lines: ['pass\\n'] if any('assert' in l for l in lines) else lines)\n"
)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return built_course(tmp_path_factory.getbasetemp() / "grader-course")


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def auto(result: dict) -> float:
    return sum(nb["auto"] for nb in result["notebooks"].values())


def test_every_subcommand_has_help() -> None:
    for name in SUBCOMMANDS:
        proc = cli(name, "--help")
        assert proc.returncode == 0 and "usage:" in proc.stdout, name


def test_two_grade_one_processes_merge_into_one_gradebook(tmp_path: Path, course) -> None:
    perfect = write_zip(tmp_path / "Ada Lovelace.zip", submission(course), top="ada")
    wrong = write_zip(tmp_path / "bob.zip", submission(course, wrong=("softmax", "cross_entropy")))
    common = ["--source", str(course.source), "--hidden", HIDDEN, "--course", str(tmp_path / "course")]
    procs = [
        subprocess.Popen([sys.executable, "-m", "autograder", "grade-one", str(z), "--out", str(tmp_path / f"{z.stem}.json"), *common],
                         cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for z in (perfect, wrong)
    ]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    (tmp_path / "course").mkdir(exist_ok=True)  # what `collect` keeps: a conflict about bob (merge flags his result)
    (tmp_path / "course" / "collect.json").write_text(json.dumps({"by_student": {"bob": ["bob: the zip says it belongs to 'ada'"]}}))
    for step in (["merge", str(tmp_path / "Ada Lovelace.json"), str(tmp_path / "bob.json")], ["export"], ["feedback"], ["report"]):
        proc = cli(*step, *common)
        assert proc.returncode == 0, proc.stderr
    rows = {r["student"]: r for r in csv.DictReader(open(tmp_path / "course" / "grades.csv", encoding="utf-8"))}
    assert set(rows) == {"ada_lovelace", "bob"}
    assert float(rows["ada_lovelace"]["auto"]) == full_marks() == float(rows["ada_lovelace"]["auto_max"])
    # one wrong function per notebook: exactly those points lost
    assert float(rows["bob"]["auto"]) == full_marks() - POINTS["softmax"] - POINTS["cross_entropy"]
    assert float(rows["bob"]["02_losses"]) == POINTS["softmax_cross_entropy"]
    assert rows["ada_lovelace"]["status"] == "ok" and rows["ada_lovelace"]["awaiting_hand_grading"] == "1"
    assert rows["bob"]["status"] == "conflict"
    # which case groups failed, per wrong function (issue 16)
    assert rows["ada_lovelace"]["failed_groups"] == "" and "softmax: " in rows["bob"]["failed_groups"] and "cross_entropy: float32, main" in rows["bob"]["failed_groups"]
    page = (tmp_path / "course" / "feedback-html" / "bob.html").read_text(encoding="utf-8")
    assert "softmax" in page and "Hint:" in page and "cross_entropy" in page
    assert "all tests passed" not in page.lower() and "def cases" not in page and "autograder/hidden" not in page
    assert (tmp_path / "course" / "reports" / "summary.png").stat().st_size > 1000
    most_failed = {r["item"]: r for r in csv.DictReader(open(tmp_path / "course" / "reports" / "most_failed.csv", encoding="utf-8"))}
    assert "softmax" in most_failed and "large inputs (1)" in most_failed["softmax"]["failed_groups"]
    log = (tmp_path / "course" / "grading.log").read_text()
    assert "seed=" in log and "isolation=" in log
    notebooks = sorted(p.name for p in (tmp_path / "course" / "autograded" / "bob" / "backproplab").glob("*.ipynb"))
    assert notebooks == ["01_softmax.ipynb", "02_losses.ipynb"]  # as submitted (the default), for the formgrader
    _hand_grading_works(tmp_path / "course", common)


def _hand_grading_works(root: Path, common: list[str]) -> None:
    """nbgrader's own API lists the submissions (Manage Assignments) and a hand-given score reaches grades.csv."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    assert api.get_assignment("backproplab")["num_submissions"] == 2
    assert {s["student"] for s in api.get_submissions("backproplab")} == {"ada_lovelace", "bob"}
    assert api.get_submission("backproplab", "ada_lovelace")["needs_manual_grade"]
    with Gradebook(config.CourseDirectory.db_url, "backproplab") as gb:
        grade = gb.find_grade("q_global_max", "01_softmax", "backproplab", "ada_lovelace")
        grade.manual_score, grade.needs_manual_grade = 1.0, False  # what the formgrader's grade handler writes
        gb.db.commit()
    assert cli("export", *common).returncode == 0
    row = {r["student"]: r for r in csv.DictReader(open(root / "grades.csv", encoding="utf-8"))}["ada_lovelace"]
    assert row["manual"] == "1" and row["awaiting_hand_grading"] == "0", row
    _overrides_and_comments_reach_the_page(root, common, config.CourseDirectory.db_url)


def _overrides_and_comments_reach_the_page(root: Path, common: list[str], db_url: str) -> None:
    """An automatic score changed in the formgrader, and its comments, show on the feedback page (and in grades.csv)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, "backproplab") as gb:
        grade = gb.find_grade("softmax", "01_softmax", "backproplab", "bob")
        assert grade.auto_score == 0.0
        grade.manual_score = 1.0  # the formgrader's override of the grader's 0
        gb.find_comment("q_global_max", "01_softmax", "backproplab", "ada_lovelace").manual_comment = "Good: <b>row</b> max."
        gb.db.commit()
    assert cli("feedback", *common).returncode == 0 and cli("export", *common).returncode == 0
    bob = (root / "feedback-html" / "bob.html").read_text(encoding="utf-8")
    assert f"1 / {POINTS['softmax']:g}" in bob and "changed the grader's 0 to 1" in bob and "after your instructor's changes" in bob
    ada = (root / "feedback-html" / "ada_lovelace.html").read_text(encoding="utf-8")
    assert "Your instructor: Good: &lt;b&gt;row&lt;/b&gt; max." in ada and "<b>row</b>" not in ada
    rows = {r["student"]: r for r in csv.DictReader(open(root / "grades.csv", encoding="utf-8"))}
    assert float(rows["bob"]["auto"]) == full_marks() - POINTS["cross_entropy"] - POINTS["softmax"] + 1


def test_without_namespaces_grading_still_runs_and_says_isolation_is_weaker(tmp_path: Path, course) -> None:
    """The fallback: process limits and a temporary copy; same scores, and the report says what is weaker."""
    wrong = write_zip(tmp_path / "eve.zip", submission(course, wrong=("softmax",)))
    common = ["--source", str(course.source), "--hidden", HIDDEN, "--course", str(tmp_path / "course")]
    proc = cli("grade", str(wrong), *common, "--isolation", "process", "--no-nbgrader", "-q")
    assert proc.returncode == 0, proc.stderr
    rows = {r["student"]: r for r in csv.DictReader(open(tmp_path / "course" / "grades.csv", encoding="utf-8"))}
    assert float(rows["eve"]["auto"]) == full_marks() - POINTS["softmax"]
    report = (tmp_path / "course" / "reports" / "index.html").read_text()
    assert "WEAKER" in report and "process limits only" in report
    assert "isolation=process" in (tmp_path / "course" / "grading.log").read_text()


def test_the_throw_away_courses_hold_no_solutions(course) -> None:
    """The gradebook template copied into every per-submission course has the structure, not the answers."""
    import sqlite3

    from grader_course import WRITTEN

    with sqlite3.connect(course.template_db) as db:
        sources = "\n".join(row[0] or "" for row in db.execute("select source from source_cell"))
    assert "global_max_nan_batch" in sources  # the structure is there …
    assert WRITTEN not in sources and "-800.0" not in sources  # … neither the model answer nor the answer's value
    assert "BEGIN SOLUTION" not in sources


@pytest.mark.timeout(400)
def test_a_killed_or_failed_grading_never_leaves_an_older_score_standing(tmp_path: Path, course) -> None:
    """A result that says the grading did not finish replaces the student's automatic points by 0."""

    from autograder.grading.batch import failed_result

    zip_path = write_zip(tmp_path / "cleo.zip", submission(course))
    common = ["--source", str(course.source), "--hidden", HIDDEN, "--course", str(tmp_path / "course")]
    assert cli("grade-one", str(zip_path), "--out", str(tmp_path / "good.json"), "--no-nbgrader", *common).returncode == 0
    failed_result("cleo", zip_path, "grading did not finish (the grader was stopped)").write(tmp_path / "killed.json")
    for results in (["good.json"], ["killed.json"]):
        assert cli("merge", *(str(tmp_path / r) for r in results), *common).returncode == 0
        assert cli("export", *common).returncode == 0
        row = next(csv.DictReader(open(tmp_path / "course" / "grades.csv", encoding="utf-8")))
        print(results, row["status"], row["auto"])
    assert row["status"] == "grader_error" and float(row["auto"]) == 0
