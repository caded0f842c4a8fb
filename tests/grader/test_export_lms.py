"""``export --format canvas|moodle``: the files parse back into the layouts those gradebooks import.

Fast tests feed the writers rows shaped like the README's worked example (ada
handed in the untouched release: 0; bob the reference: every automatic
point); the slow one runs the worked example's shape end to end on the
small test course (a Canvas download → collect → grade-one → merge → export).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.outputs import lms_export, roster

ROWS = [
    {"student": "ada", "status": "ok", "auto": "0", "auto_max": "54", "manual": "0", "manual_max": "6", "awaiting_hand_grading": 0, "total": "0"},
    {"student": "bob", "status": "ok", "auto": "54", "auto_max": "54", "manual": "0", "manual_max": "6", "awaiting_hand_grading": 6, "total": "54"},
]


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _collect_json(tmp_path: Path, students: dict) -> Path:
    path = tmp_path / "collect.json"
    path.write_text(json.dumps({"conflicts": [], "notes": [], "students": students}))
    return path


def test_canvas_layout_on_the_worked_example(tmp_path: Path) -> None:
    who = lms_export.identities(_collect_json(tmp_path, {
        "ada": {"lms": "canvas", "lms_id": "4242", "name": "ada"},
        "bob": {"lms": "canvas", "lms_id": "4243", "name": "bob"}}),
        roster.parse("id,name,sis_id,login,section\n4242,\"Lovelace, Ada\",S1,alovelace,Sec 1\n"))
    out, warnings = lms_export.canvas(ROWS, who, tmp_path / "c.csv", "backproplab (777)")
    rows = _read(out)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "backproplab (777)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "60"]
    assert rows[2] == ["ada", "4242", "S1", "alovelace", "Sec 1", "0"]  # collect's name kept; the roster fills the gaps
    assert rows[3] == ["bob", "4243", "", "", "", "54"]
    assert warnings == []


def test_canvas_warns_when_only_a_name_can_match_and_never_puts_a_moodle_id_in_ID(tmp_path: Path) -> None:
    who = lms_export.identities(_collect_json(tmp_path, {"ada": {"lms": "moodle", "lms_id": "12345", "name": "=HYPERLINK(\"x\")"}}))
    out, warnings = lms_export.canvas(ROWS[:1], who, tmp_path / "c.csv", "backproplab")
    assert _read(out)[2][:2] == ["'=HYPERLINK(\"x\")", ""]
    assert len(warnings) == 1 and "by name only" in warnings[0]


def test_moodle_layout_on_the_worked_example(tmp_path: Path) -> None:
    who = lms_export.identities(_collect_json(tmp_path, {
        "ada": {"lms": "moodle", "lms_id": "12345", "name": "Ada", "email": "ada@uni.edu", "sis_id": "S1"},
        "bob": {"lms": "moodle", "lms_id": "12346", "name": "Bob"}}))
    out, warnings = lms_export.moodle(ROWS, who, tmp_path / "m.csv", "backproplab")
    rows = _read(out)
    assert rows[0] == ["Email address", "backproplab", "Feedback"]
    assert rows[1][:2] == ["ada@uni.edu", "0"] and "automatic 0/54" in rows[1][2]
    assert len(rows) == 2 and len(warnings) == 1 and warnings[0].startswith("bob:")  # no email: left out, named
    out, _ = lms_export.moodle(ROWS, who, tmp_path / "m2.csv", "backproplab", identifier="idnumber")
    assert _read(out)[0][0] == "ID number" and _read(out)[1][0] == "S1"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_canvas_and_moodle_exports_of_the_worked_example_end_to_end(tmp_path: Path) -> None:
    from grader_course import HIDDEN, built_course, full_marks, student_notebooks, submission, submission_files, write_zip

    from autograder.grading.course import ROOT

    course = built_course(tmp_path / "grader-course")
    dl = tmp_path / "canvas-download"
    untouched = submission_files(student_notebooks(course.release_notebooks), course.release_pkg)
    write_zip(dl / "lovelaceada_4242_9001_ada.zip", untouched)
    write_zip(dl / "babbagebob_4243_9002_bob.zip", submission(course))
    (tmp_path / "roster.csv").write_text("Student,ID,SIS User ID,SIS Login ID,Section,Email\n"
                                         "\"Lovelace, Ada\",4242,S1,alovelace,A,ada@uni.edu\n\"Babbage, Bob\",4243,S2,bbabbage,A,bob@uni.edu\n")
    common = ["--source", str(course.source), "--hidden", HIDDEN, "--course", str(tmp_path / "course")]
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def cli(*args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        return proc

    cli("collect", str(dl), "--roster", str(tmp_path / "roster.csv"), *common)
    cli("grade", *common, "--no-nbgrader", "-q")
    cli("export", "--format", "canvas", "--assignment-name", "Backprop (12)", *common)
    cli("export", "--format", "moodle", *common)
    canvas = _read(tmp_path / "course" / "grades-canvas.csv")
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Backprop (12)"]
    by_id = {r[1]: r for r in canvas[2:]}
    assert by_id["4242"][:5] == ["Lovelace, Ada", "4242", "S1", "alovelace", "A"] and float(by_id["4242"][5]) == 0
    assert float(by_id["4243"][5]) == full_marks() - 0  # the written answer awaits hand grading: not in the total yet
    moodle = {r[0]: r for r in _read(tmp_path / "course" / "grades-moodle.csv")}
    assert list(moodle)[0] == "Email address" and float(moodle["bob@uni.edu"][1]) == full_marks()
