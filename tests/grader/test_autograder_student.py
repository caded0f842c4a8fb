"""The student side and the intake: the bundle, ``make submit`` (tools/submit.py), ``collect``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder.grading.course import ROOT, SOLUTIONS
from autograder.outputs.collect import collect
from autograder.release.bundle import make_bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    archive = make_bundle(out, SOLUTIONS)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(out)
    return out / "backproplab-student"


def submit(folder: Path, *args: str) -> subprocess.CompletedProcess:
    if not (folder / "work").exists():
        subprocess.run([sys.executable, str(folder / "tools" / "workspace.py"), "--root", str(folder)], check=True, capture_output=True)
    return subprocess.run([sys.executable, str(folder / "tools" / "submit.py"), *args], cwd=folder, capture_output=True, text=True, timeout=300)


def make(folder: Path, *args: str) -> subprocess.CompletedProcess:
    venv = Path(sys.executable).parent.parent  # the suite's own .venv: nothing to install
    return subprocess.run(["make", "--no-print-directory", f"VENV={venv}", *args], cwd=folder, capture_output=True, text=True, timeout=300)


def test_bundle_has_the_course_and_nothing_of_the_instructor(bundle: Path) -> None:
    files = {str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file()}
    for name in ("README.md", "Makefile", "requirements.txt", "tools/submit.py", "tools/workspace.py", "tools/manifest.json",
                 "notebooks/backproplab/softmax.py"):
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
    assert "not started" in proc.stdout and "all tests passed" not in proc.stdout.lower()
    with zipfile.ZipFile(tmp_path / "ada_lovelace.zip") as zf:
        names = set(zf.namelist())
        meta = json.loads(zf.read("SUBMISSION.json"))
    assert "notebooks/01_softmax.ipynb" in names and "notebooks/backproplab/softmax.py" in names
    assert not any("checkpoint" in n or n.startswith("data/") for n in names)
    assert meta["student"] == "ada_lovelace" and meta["visible_checks"]["softmax"][0] == "not started"


def test_submit_refuses_missing_and_broken_notebooks_with_a_clear_message(bundle: Path, tmp_path: Path) -> None:
    work = tmp_path / "course"
    subprocess.run(["cp", "-r", str(bundle), str(work)], check=True)
    submit(work, "--help")
    (work / "work" / "02_softmax_regression.ipynb").unlink()
    (work / "work" / "01_softmax.ipynb").write_text('{"cells": [', encoding="utf-8")
    proc = submit(work, "--student", "bob", "--out", str(tmp_path))
    assert proc.returncode == 1
    assert "02_softmax_regression.ipynb is missing" in proc.stderr and "01_softmax.ipynb is not valid JSON" in proc.stderr
    assert not (tmp_path / "bob.zip").exists()
    assert submit(work, "--student", "bob", "--out", str(tmp_path), "--force").returncode == 0
    assert (tmp_path / "bob.zip").exists()


def test_submit_reports_a_package_that_does_not_import(bundle: Path, tmp_path: Path) -> None:
    work = tmp_path / "course"
    subprocess.run(["cp", "-r", str(bundle), str(work)], check=True)
    submit(work, "--help")
    with open(work / "work" / "backproplab" / "softmax.py", "a") as f:
        f.write("\ndef broken(:\n")
    proc = submit(work, "--student", "carol", "--out", str(tmp_path))
    assert proc.returncode == 1 and "does not import" in proc.stderr and "SyntaxError" in proc.stderr
    assert submit(work, "--student", "", "--out", str(tmp_path)).returncode == 2


def test_submit_warns_about_unanswered_cells_and_writes_into_a_folder_of_its_own(bundle: Path, tmp_path: Path) -> None:
    course = tmp_path / "course"
    subprocess.run(["cp", "-r", str(bundle), str(course)], check=True)
    submit(course, "--help")
    nb_path = course / "work" / "01_softmax.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q_global_max":
            cell["source"] = "One max for the whole batch can be far above a row's own entries."
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    proc = submit(course, "--student", "erin")
    assert proc.returncode == 0, proc.stderr
    assert "01_softmax.ipynb: the written answer 'q_log_softmax' is not answered yet" in proc.stderr
    assert "code answer 'global_max_nan_batch_answer' is not answered yet" in proc.stderr
    assert "q_global_max" not in proc.stderr
    zipped = course / "submissions" / "erin.zip"
    assert zipped.exists() and str(zipped) in proc.stdout


def _student_softmax(folder: Path) -> None:
    """The same student code in any course folder: a softmax without the max subtraction, log_softmax right."""
    path = folder / "work" / "backproplab" / "softmax.py"
    text = path.read_text(encoding="utf-8")
    stubs = [line for line in text.splitlines() if "raise NotImplementedError(" in line]
    text = text.replace(stubs[0], stubs[0].split("raise")[0] + "E = np.exp(Z)\n" + stubs[0].split("raise")[0]
                        + "return E / E.sum(axis=-1, keepdims=True)", 1)
    text = text.replace(stubs[1], stubs[1].split("raise")[0] + "return Z - Z.max(axis=-1, keepdims=True) - np.log("
                        "np.exp(Z - Z.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True))", 1)
    path.write_text(text, encoding="utf-8")


def test_make_check_is_the_same_in_the_bundle_and_the_repository(bundle: Path, tmp_path: Path) -> None:
    """One line per function (status, points, hint), from the same code in both course folders."""
    course = tmp_path / "bundle"
    subprocess.run(["cp", "-r", str(bundle), str(course)], check=True)
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("Makefile", "requirements.txt", "autograder", "notebooks"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, repo / name)
    outputs = []
    for folder in (course, repo):
        assert make(folder, "workspace").returncode == 0
        _student_softmax(folder)
        proc = make(folder, "check", "NB=01")
        assert proc.returncode == 0 and not proc.stderr, proc.stderr  # the table says what fails; make itself does not
        outputs.append([line for line in proc.stdout.splitlines() if "checked in" not in line])
    assert outputs[0] == outputs[1]
    table = "\n".join(outputs[0])
    assert "sigmoid" not in table and "02_softmax_regression" not in table
    rows = {line.split()[0]: line for line in outputs[0] if line.startswith("    ")}
    assert rows["softmax"].split()[1] == "wrong" and "overflow" in rows["softmax"].lower() or "max" in rows["softmax"]
    assert rows["log_softmax"].split()[1] == "correct" and rows["softmax_jacobian"].split()[1:3] == ["not", "started"]
    assert make(course, "progress").returncode == 0 and "06_deep_mlp" in make(course, "progress").stdout


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


def test_repository_make_submit_uses_the_working_copy(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(ROOT / "notebooks", repo / "notebooks")
    proc = subprocess.run([sys.executable, str(ROOT / "autograder" / "student" / "submit.py"), "--root", str(repo), "--student", "self_learner"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "make lab" in proc.stderr  # no work/ yet: says how to make one, writes nothing
    subprocess.run([sys.executable, str(ROOT / "autograder" / "student" / "workspace.py"), "--root", str(repo)], check=True, capture_output=True)
    _student_softmax(repo)
    proc = subprocess.run([sys.executable, str(ROOT / "autograder" / "student" / "submit.py"), "--root", str(repo), "--student", "self_learner"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(repo / "submissions" / "self_learner.zip") as zf:
        assert b"E = np.exp(Z)" in zf.read("notebooks/backproplab/softmax.py")
