"""``grade`` skips submissions whose zip, course, hidden tests and grader are unchanged; ``--force`` regrades."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder.grading import unchanged


def test_a_stored_grader_failure_or_a_malformed_result_is_never_reused(tmp_path: Path) -> None:
    for status, key in (("ok", "k"), ("ungradable: grader error: KeyError", "k"), ("ungradable: grading did not finish (x)", "k"),
                        ("ok", 3)):
        (tmp_path / "r.json").write_text(json.dumps({"student": "s", "submission": "s.zip", "status": status, unchanged.KEY: key}))
        assert unchanged.stored_key(tmp_path / "r.json") == ("k" if (status, key) == ("ok", "k") else None), status
    (tmp_path / "r.json").write_text("{not json")
    assert unchanged.stored_key(tmp_path / "r.json") is None
    assert unchanged.stored_key(tmp_path / "missing.json") is None


def test_the_key_changes_with_the_zip_the_course_and_the_settings(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_bytes(b"PK one")
    (tmp_path / "b.zip").write_bytes(b"PK two")
    assert unchanged.submission_key(tmp_path / "a.zip", "c1") != unchanged.submission_key(tmp_path / "b.zip", "c1")
    assert unchanged.submission_key(tmp_path / "a.zip", "c1") != unchanged.submission_key(tmp_path / "a.zip", "c2")
    src = tmp_path / "src"
    src.mkdir()
    (src / "01.ipynb").write_text("{}")
    course = SimpleNamespace(source_files=lambda: [src / "01.ipynb"], hidden_name="autograder.hidden")
    args = SimpleNamespace(timeout=10, no_nbgrader=False)
    first = unchanged.course_key(course, args)
    assert unchanged.course_key(course, SimpleNamespace(timeout=11, no_nbgrader=False)) != first
    (src / "01.ipynb").write_text('{"changed": 1}')
    assert unchanged.course_key(course, args) != first


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_regrading_skips_unchanged_zips_and_says_how_many(tmp_path: Path) -> None:
    from grader_course import HIDDEN, built_course, submission, write_zip

    from autograder.grading.course import ROOT

    course = built_course(tmp_path / "grader-course")
    inbox = tmp_path / "course" / "inbox"
    write_zip(inbox / "ada.zip", submission(course))
    write_zip(inbox / "bob.zip", submission(course, wrong=("softmax",)))
    common = ["--source", str(course.source), "--hidden", HIDDEN, "--course", str(tmp_path / "course"), "--no-nbgrader", "-q"]

    def grade(*extra: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "autograder", "grade", *common, *extra], cwd=ROOT,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert "skipped" not in grade() and "grading 2 submissions" in grade.__call__("--force")
    out = grade()
    assert "skipped 2 unchanged submissions" in out and "grading 0 submissions" in out
    write_zip(inbox / "bob.zip", submission(course))  # bob hands in again
    out = grade()
    assert "skipped 1 unchanged" in out and "grading 1 submissions" in out
    result = json.loads((tmp_path / "course" / "results" / "bob.json").read_text())
    assert len(result[unchanged.KEY]) == 64
    assert "bob,ok" in (tmp_path / "course" / "grades.csv").read_text().replace('"', "")
