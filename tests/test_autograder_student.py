"""The student side and the intake: the bundle, ``make submit`` (tools/submit.py), ``collect``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder.bundle import make_bundle
from autograder.collect import collect
from autograder.course import ROOT, SOLUTIONS


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    archive = make_bundle(out, SOLUTIONS)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(out)
    return out / "backproplab-student"


def submit(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(folder / "tools" / "submit.py"), *args], cwd=folder, capture_output=True, text=True, timeout=300)


def test_bundle_has_the_course_and_nothing_of_the_instructor(bundle: Path) -> None:
    files = {str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file()}
    for name in ("README.md", "Makefile", "requirements.txt", "tools/submit.py", "tools/manifest.json", "notebooks/backproplab/softmax.py"):
        assert name in files, name
    assert {f"notebooks/{p.name}" for p in SOLUTIONS.glob("*.ipynb")} <= files
    assert any(f.startswith("data/") for f in files)
    assert not any(f.startswith(("solutions/", "autograder/", "tests/")) for f in files)
    for path in bundle.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "BEGIN SOLUTION" not in text and "def evaluate(" not in text, path
    readme = (bundle / "README.md").read_text()
    assert "make lab" in readme and "make submit" in readme


def test_submit_writes_one_zip_named_after_the_student(bundle: Path, tmp_path: Path) -> None:
    proc = submit(bundle, "--student", "Ada Lovelace", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "not implemented" in proc.stdout and "all tests passed" not in proc.stdout.lower()
    with zipfile.ZipFile(tmp_path / "ada_lovelace.zip") as zf:
        names = set(zf.namelist())
        meta = json.loads(zf.read("SUBMISSION.json"))
    assert "notebooks/01_softmax.ipynb" in names and "notebooks/backproplab/softmax.py" in names
    assert not any("checkpoint" in n or n.startswith("data/") for n in names)
    assert meta["student"] == "ada_lovelace" and meta["visible_checks"]["softmax"][0] == "not implemented"


def test_submit_refuses_missing_and_broken_notebooks_with_a_clear_message(bundle: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    subprocess.run(["cp", "-r", str(bundle), str(work)], check=True)
    (work / "notebooks" / "02_softmax_regression.ipynb").unlink()
    (work / "notebooks" / "01_softmax.ipynb").write_text('{"cells": [', encoding="utf-8")
    proc = submit(work, "--student", "bob", "--out", str(tmp_path))
    assert proc.returncode == 1
    assert "02_softmax_regression.ipynb is missing" in proc.stderr and "01_softmax.ipynb is not valid JSON" in proc.stderr
    assert not (tmp_path / "bob.zip").exists()
    assert submit(work, "--student", "bob", "--out", str(tmp_path), "--force").returncode == 0
    assert (tmp_path / "bob.zip").exists()


def test_submit_reports_a_package_that_does_not_import(bundle: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    subprocess.run(["cp", "-r", str(bundle), str(work)], check=True)
    with open(work / "notebooks" / "backproplab" / "softmax.py", "a") as f:
        f.write("\ndef broken(:\n")
    proc = submit(work, "--student", "carol", "--out", str(tmp_path))
    assert proc.returncode == 1 and "does not import" in proc.stderr and "SyntaxError" in proc.stderr
    assert submit(work, "--student", "", "--out", str(tmp_path)).returncode == 2


def test_make_check_runs_one_notebooks_visible_checks(bundle: Path) -> None:
    proc = submit(bundle, "--check", "01")
    assert proc.returncode == 1 and "softmax" in proc.stdout and "sigmoid" not in proc.stdout


def _zip(path: Path, files: dict[str, str], mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_collect_normalises_names_keeps_the_newest_and_reports(tmp_path: Path) -> None:
    inbox = tmp_path / "lms"
    now = time.time()
    _zip(inbox / "Ada Lovelace_123_assignsubmission_file_" / "submission.zip", {"01_softmax.ipynb": "{}"})
    _zip(inbox / "week3" / "Bob.zip", {"backproplab/softmax.py": "old"}, mtime=now - 100)
    _zip(inbox / "late" / "bob (1).zip", {"backproplab/softmax.py": "new", "Copy of 01_softmax.ipynb": "{}"}, mtime=now)
    _zip(inbox / "carol.zip", {"SUBMISSION.json": json.dumps({"student": "dave"})})
    (inbox / "notes.txt").write_text("not a zip")
    got = collect(inbox, tmp_path / "out", ["01_softmax"])
    assert sorted(got.chosen) == ["ada_lovelace", "bob", "carol"]
    with zipfile.ZipFile(got.chosen["bob"]) as zf:
        assert zf.read("backproplab/softmax.py") == b"new"
    notes = "\n".join(got.notes)
    assert "duplicate" in notes and "Copy of 01_softmax.ipynb" in notes and "notes.txt" in notes
    assert any("'dave'" in c for c in got.conflicts)


def test_collect_takes_the_id_from_the_lms_folder_not_from_the_zip(tmp_path: Path) -> None:
    """A zip named after another student, in someone else's LMS folder, never replaces that student's work."""
    inbox, now = tmp_path / "lms", time.time()
    _zip(inbox / "Bob Smith_7_assignsubmission_file_" / "submission.zip", {"backproplab/softmax.py": "bob's"}, mtime=now - 100)
    _zip(inbox / "Alice Jones_8_assignsubmission_file_" / "bob_smith.zip", {"backproplab/softmax.py": "blank",
         "SUBMISSION.json": json.dumps({"student": "bob_smith"})}, mtime=now)
    got = collect(inbox, tmp_path / "out", ["01_softmax"])
    assert sorted(got.chosen) == ["alice_jones", "bob_smith"]
    with zipfile.ZipFile(got.chosen["bob_smith"]) as zf:
        assert zf.read("backproplab/softmax.py") == b"bob's"
    assert len([c for c in got.conflicts if c.startswith("alice_jones:")]) == 2, got.conflicts  # the name and the claim


def test_repository_make_submit_uses_the_repository_notebooks(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "autograder" / "submit.py"), "--root", str(ROOT), "--student", "self_learner",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "self_learner.zip").exists()
