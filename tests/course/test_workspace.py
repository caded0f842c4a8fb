"""The student's work lives in ``work/``, where no command of the course writes over it.

Unit tests of ``autograder/student/workspace.py`` on a small generated course, then the
whole promise end to end on a clone of this repository: a student edits
``work/``; ``make release``, ``make test``, a ``git pull`` of a course update
and ``make workspace`` run; the edit is intact and the update still arrives.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.student import workspace
from autograder.student.workspace import MANIFEST, UPDATES, sync

ROOT = Path(__file__).resolve().parents[2]
EDIT = "\n# my own work: 3 hours of it\n"


def _course(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / "notebooks" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "notebooks" / rel).write_text(text, encoding="utf-8")
    return root


def test_first_run_copies_the_course_and_second_run_does_nothing(tmp_path: Path) -> None:
    _course(tmp_path, {"01_a.ipynb": "{}", "backproplab/a.py": "stub\n", "backproplab/__pycache__/a.pyc": "x"})
    first = sync(tmp_path)
    assert first.created and sorted(first.added) == ["01_a.ipynb", "backproplab/a.py"]
    assert (tmp_path / "work" / "backproplab" / "a.py").read_text() == "stub\n"
    assert not (tmp_path / "work" / "backproplab" / "__pycache__").exists()
    again = sync(tmp_path)
    assert not (again.created or again.added or again.updated or again.kept) and again.lines(tmp_path / "work") == []


def test_an_untouched_file_gets_the_course_update(tmp_path: Path) -> None:
    _course(tmp_path, {"backproplab/a.py": "raise NotImplementedError('old hint')\n"})
    sync(tmp_path)
    _course(tmp_path, {"backproplab/a.py": "raise NotImplementedError('better hint')\n", "02_new.ipynb": "{}"})
    done = sync(tmp_path)
    assert done.updated == ["backproplab/a.py"] and done.added == ["02_new.ipynb"]
    assert "better hint" in (tmp_path / "work" / "backproplab" / "a.py").read_text()
    assert (tmp_path / "work" / "02_new.ipynb").exists()


def test_an_edited_file_is_kept_and_the_update_offered_beside_it_once(tmp_path: Path) -> None:
    _course(tmp_path, {"backproplab/a.py": "old\n"})
    sync(tmp_path)
    mine = tmp_path / "work" / "backproplab" / "a.py"
    mine.write_text("old\n" + EDIT)
    assert not sync(tmp_path).kept  # the course has not changed: nothing to say
    _course(tmp_path, {"backproplab/a.py": "new\n"})
    done = sync(tmp_path)
    assert done.kept == ["backproplab/a.py"] and mine.read_text() == "old\n" + EDIT
    assert (tmp_path / "work" / UPDATES / "backproplab" / "a.py").read_text() == "new\n"
    (line,) = done.lines(tmp_path / "work")
    assert "yours is kept" in line and "rm " not in line and "--force" not in line
    assert not sync(tmp_path).kept  # said once per course version
    mine.write_text("new\n")  # the student took the course's version: later updates flow again
    sync(tmp_path)
    _course(tmp_path, {"backproplab/a.py": "newer\n"})
    assert sync(tmp_path).updated == ["backproplab/a.py"] and mine.read_text() == "newer\n"


def test_without_a_manifest_every_existing_file_counts_as_the_students(tmp_path: Path) -> None:
    _course(tmp_path, {"backproplab/a.py": "course\n"})
    (tmp_path / "work" / "backproplab").mkdir(parents=True)
    (tmp_path / "work" / "backproplab" / "a.py").write_text("mine\n")
    (tmp_path / "work" / MANIFEST).write_text("not json")
    assert sync(tmp_path).kept == ["backproplab/a.py"]
    assert (tmp_path / "work" / "backproplab" / "a.py").read_text() == "mine\n"


def test_the_command_line_names_the_working_copy(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _course(tmp_path, {"01_a.ipynb": "{}"})
    assert workspace.main(["--root", str(tmp_path)]) == 0
    assert str(tmp_path / "work") in capsys.readouterr().out
    assert workspace.main(["--root", str(tmp_path / "nowhere")]) == 1


# ---------------------------------------------------------------- end to end, on a clone


def _git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def _make(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    venv = Path(sys.executable).parent.parent  # the suite's own .venv: nothing to install
    proc = subprocess.run(["make", f"VENV={venv}", *args], cwd=cwd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"make {' '.join(args)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _upstream(tmp_path: Path) -> Path:
    """The course repository as it is on disk (committed or not), as a git repository of its own."""
    files = _git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    up = tmp_path / "upstream"
    for rel in files:
        if (ROOT / rel).is_file():
            (up / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, up / rel)
    _git(up, "init", "-q", "-b", "main")
    _git(up, "add", "-A")
    _git(up, "commit", "-q", "-m", "course")
    return up


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_no_command_destroys_or_blocks_student_work(tmp_path: Path) -> None:
    up = _upstream(tmp_path)
    student = tmp_path / "student"
    _git(tmp_path, "clone", "-q", str(up), str(student))
    _make(student, "workspace")
    mine = student / "work" / "backproplab" / "softmax.py"
    untouched = student / "work" / "backproplab" / "losses.py"
    mine.write_text(mine.read_text() + EDIT)
    edited = mine.read_text()
    assert _git(student, "status", "--porcelain") == ""  # work/ is git-ignored: a pull can never conflict with it

    # The course fixes a hint in both files and releases: the commit a student pulls.
    for name in ("softmax.py", "losses.py"):
        src = up / "solutions" / "backproplab" / name
        src.write_text(src.read_text().replace("# hint: ", "# hint: (clearer) ", 1))
    _make(up, "release", "REFRESH=no")  # a hint changes no stored output: the course side need not re-execute
    _git(up, "commit", "-q", "-am", "clearer hints")

    _git(student, "pull", "-q", "--ff-only")
    _make(student, "release")  # what the sync test's failure text advises: re-executes the notebooks, regenerates notebooks/
    assert _git(student, "status", "--porcelain") == "", "make release left changes that would block the next git pull"
    _make(student, "test", "TESTS=tests/course/test_environment.py", "NBVAL_NOTEBOOKS=solutions/01_softmax.ipynb")
    sync = _make(student, "workspace").stdout
    assert mine.read_text() == edited
    assert "(clearer)" in untouched.read_text()  # the update reached the file the student had not touched
    assert "(clearer)" in (student / "work" / UPDATES / "backproplab" / "softmax.py").read_text()
    assert "backproplab/softmax.py, which you edited: yours is kept" in sync
    manifest = json.loads((student / "work" / MANIFEST).read_text())
    assert "backproplab/softmax.py" in manifest["files"]
