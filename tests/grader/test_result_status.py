"""The result file: one schema, validated on read; a status decided where the fact is known."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from grader_course import built_course, submission, write_zip

from autograder.grading import harness
from autograder.grading import result as results
from autograder.grading.grade_one import grade_one
from autograder.grading.result import Result


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return built_course(tmp_path_factory.getbasetemp() / "grader-course", build=False)


def _grade(tmp: Path, course, files: dict) -> Result:
    return grade_one(write_zip(tmp / "ada.zip", files), course, seed=5, settings=harness.Settings(seed=5), workdir=tmp)


def _valid() -> dict:
    cell = {"kind": "function", "max": 2.0, "points": 2.0, "passed": True, "reason": None, "hint": None}
    nb = {"problem": None, "renamed_from": None, "issues": [], "cells": {"softmax": cell}, "auto": 2.0, "auto_max": 2.0, "manual_max": 0.0}
    result = Result(student="ada", submission="ada.zip", seed=3, isolation="namespace", notebooks={"01_softmax": nb})
    result.flag(results.OK)
    return result.to_json()


def test_a_result_round_trips_and_keeps_keys_it_does_not_know(tmp_path: Path) -> None:
    data = _valid() | {"groups_by_case": {"softmax": [1, 2]}}  # a newer writer's key
    Result.from_json(data).write(tmp_path / "r.json")
    back = results.load(tmp_path / "r.json")
    assert back["groups_by_case"] == {"softmax": [1, 2]} and back["status"] == "ok" and back["schema"] == results.SCHEMA
    assert back["notebooks"] == data["notebooks"]


@pytest.mark.parametrize("edit, says", [
    (lambda d: d.update(student="../../etc"), "student id"),
    (lambda d: d.update(status="ok, trust me"), "unknown status"),
    (lambda d: d.update(flags=["grader_error"]), "most severe"),
    (lambda d: d["notebooks"]["01_softmax"]["cells"]["softmax"].update(points=1e9), "points"),
    (lambda d: d["notebooks"]["01_softmax"]["cells"]["softmax"].update(points=float("nan")), "points"),
    (lambda d: d["notebooks"]["01_softmax"].update(auto=5.0), "more automatic points"),
    (lambda d: d["notebooks"]["01_softmax"]["cells"]["softmax"].update(kind="bonus"), "kind"),
    (lambda d: d.update(issues=["x"] * 100_000), "at most"),
    (lambda d: d.update(seed="3; rm -rf"), "seed"),
    (lambda d: d.update(notebooks={"../x": {}}), "bad name"),
])
def test_a_tampered_result_is_refused_with_where(tmp_path: Path, edit, says: str) -> None:
    data = _valid()
    edit(data)
    (tmp_path / "r.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(results.Invalid, match=says):
        results.read(tmp_path / "r.json")


def test_reading_is_bounded_and_escapes_strings(tmp_path: Path) -> None:
    data = _valid() | {"issues": ["\u202eevil" + "x" * 10_000]}
    (tmp_path / "r.json").write_text(json.dumps(data), encoding="utf-8")
    issue = results.read(tmp_path / "r.json").issues[0]
    assert issue.startswith("\\u202e") and len(issue) <= results.MAX_TEXT
    deep = _valid() | {"extra_key": json.loads("[" * 100 + "]" * 100)}
    (tmp_path / "deep.json").write_text(json.dumps(deep), encoding="utf-8")
    with pytest.raises(results.Invalid, match="nested"):
        results.read(tmp_path / "deep.json")
    os.symlink("/dev/zero", tmp_path / "zero.json")
    with pytest.raises(results.Invalid):
        results.read(tmp_path / "zero.json")


def test_schema_1_results_are_still_read() -> None:
    old = {k: v for k, v in _valid().items() if k not in ("status_detail", "flags")} | {"schema": 1}
    for text, code in [("ok", "ok"), ("partial: 02_losses is missing from the submission", "missing_notebook"),
                       ("ungradable: grading did not finish (the grader was stopped)", "grader_error"),
                       ("ungradable: the archive was refused: zip bomb", "ungradable")]:
        assert Result.from_json(old | {"status": text}).status == code, text


def test_flags_keep_the_most_severe_as_the_status() -> None:
    result = Result(student="ada", submission="ada.zip")
    result.flag(results.MISSING_NOTEBOOK, "02 is missing")
    result.flag(results.IMPORT_ERROR, "losses.py does not import")
    result.flag(results.OK)
    assert (result.status, result.flags) == ("import_error", ["import_error", "missing_notebook"])
    assert "losses.py" in result.status_detail
    with pytest.raises(ValueError, match="unknown status"):
        result.flag("partial")


def test_status_is_decided_where_the_fact_is_known(tmp_path: Path, course) -> None:
    files = submission(course)
    assert _grade(tmp_path / "ok", course, files).status == "ok"

    broken = dict(files, **{"backproplab/losses.py": files["backproplab/losses.py"] + "\ndef oops(:\n"})
    result = _grade(tmp_path / "syntax", course, broken)
    assert result.status == "import_error" and "losses.py" in result.status_detail, result.status_detail
    assert result.notebooks["01_softmax"]["auto"] == result.notebooks["01_softmax"]["auto_max"]  # softmax.py still imports

    gone = {k: v for k, v in files.items() if k != "02_losses.ipynb"}
    result = _grade(tmp_path / "missing", course, gone)
    assert result.status == "missing_notebook" and "02_losses" in result.status_detail
    assert "02_losses" not in result.autograded and result.autograded["01_softmax"]["cells"]


# --------------------------------------------------------------------------- failures that are not the student's


def _kill_grading_children(monkeypatch, times: int) -> list[int]:
    """Kill the next `times` sandboxed grading children from outside (SIGKILL to the sandbox's own process)."""
    from autograder import sandbox

    real, killed = subprocess.Popen, []

    class Popen(real):
        def __init__(self, cmd, *args, **kwargs):
            super().__init__(cmd, *args, **kwargs)
            if len(killed) < times and any(str(c).endswith("child.py") for c in cmd):
                killed.append(self.pid)
                threading.Timer(0.1, os.kill, (self.pid, signal.SIGKILL)).start()

    monkeypatch.setattr(sandbox.subprocess, "Popen", Popen)
    return killed


def test_a_child_killed_from_outside_is_re_run_and_the_student_keeps_the_points(tmp_path: Path, course, monkeypatch) -> None:
    killed = _kill_grading_children(monkeypatch, times=1)
    result = _grade(tmp_path, course, submission(course))
    assert killed and result.status == "ok", (result.status, result.status_detail)
    assert result.auto == sum(nb["auto_max"] for nb in result.notebooks.values())
    assert any("running it again" in line for line in result.log) and any("did not happen again" in line for line in result.log)


def test_a_child_killed_from_outside_twice_is_a_grader_error_not_the_student_s(tmp_path: Path, course, monkeypatch) -> None:
    _kill_grading_children(monkeypatch, times=100)
    result = _grade(tmp_path, course, submission(course))
    assert result.status == "grader_error" and "regrade" in result.status_detail, result.status_detail
    reasons = [c.get("reason") or "" for nb in result.notebooks.values() for c in nb["cells"].values() if c["kind"] in ("function", "answer")]
    assert reasons and all("grader error, regrade" in r for r in reasons), reasons
    assert not any("your code" in r or "killed itself" in r for r in reasons)


def test_a_submission_that_kills_itself_is_re_run_once_and_charged(tmp_path: Path, course) -> None:
    files = submission(course)
    files["backproplab/losses.py"] += "\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    result = _grade(tmp_path, course, files)
    assert result.status == "import_error", (result.status, result.status_detail)
    assert any("failed again at the same point" in line for line in result.log), result.log
    assert result.notebooks["01_softmax"]["auto"] == result.notebooks["01_softmax"]["auto_max"]


def test_untouched_stubs_are_decided_without_a_child(tmp_path: Path, course) -> None:
    files = submission(course)
    files.update({f"backproplab/{p.name}": p.read_text(encoding="utf-8") for p in course.release_pkg.glob("*.py")})
    files["backproplab/losses.py"] += "\n"  # a trailing blank line is still untouched
    result = _grade(tmp_path, course, files)
    functions = [c for nb in result.notebooks.values() for c in nb["cells"].values() if c["kind"] == "function"]
    assert functions and all(c["points"] == 0 and "not implemented yet" in c["reason"] for c in functions)
    assert not any(line.startswith("job0") and "items" in line and "job00" not in line for line in result.log), result.log
    assert result.timings["cpu"].keys() <= {"job00-student", "answer-tests", "grader"}, result.timings["cpu"]


def test_a_forked_grader_that_dies_is_retried_once_then_a_grader_error(tmp_path: Path) -> None:
    from autograder.grading import batch

    attempts = tmp_path / "attempts"

    def grade(zip_path: Path, out: Path) -> None:  # runs in the forked grader: it can only tell the parent through files
        with open(attempts, "a") as f:
            f.write(zip_path.stem + "\n")
        if zip_path.stem == "ok" and attempts.read_text().count("ok") == 2:  # the second attempt of "ok" works
            Result(student="ok", submission="ok.zip").write(out)
            return
        os.kill(os.getpid(), signal.SIGKILL)  # the grader's own OOM, or a signal from outside

    (ok,) = batch.run_forked([tmp_path / "ok.zip"], tmp_path / "out", grade, jobs=1, timeout=60, progress=False)
    assert attempts.read_text().split() == ["ok", "ok"] and results.read(ok).status == "ok"
    attempts.unlink()
    (dead,) = batch.run_forked([tmp_path / "dead.zip"], tmp_path / "out", grade, jobs=1, timeout=60, progress=False)
    result = results.read(dead)
    assert attempts.read_text().split() == ["dead", "dead"]
    assert result.status == "grader_error" and "signal 9" in result.status_detail and "regrade" in result.status_detail, result.status_detail


def test_a_forked_grader_past_the_submission_time_limit_is_stopped_with_its_group(tmp_path: Path) -> None:
    from autograder.grading import batch

    pidfile = tmp_path / "sleeper.pid"

    def grade(zip_path: Path, out: Path) -> None:
        sleeper = subprocess.Popen(["sleep", "60"])  # what the grader started (a sandbox) goes with it
        pidfile.write_text(str(sleeper.pid))
        time.sleep(60)

    (out,) = batch.run_forked([tmp_path / "slow.zip"], tmp_path / "out", grade, jobs=1, timeout=1, progress=False)
    result = results.read(out)
    assert result.status == "timeout" and "longer than 1 s" in result.status_detail
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pidfile.read_text()}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{pidfile.read_text()}").exists() or "Z" in Path(f"/proc/{pidfile.read_text()}/stat").read_text().split()[2]


def test_the_batch_calibration_grades_the_reference_to_full_marks_and_fills_the_shared_answers(tmp_path: Path, course) -> None:
    import argparse

    from grader_course import full_marks

    from autograder.grading import batch

    args = argparse.Namespace(timeout=10, cell_timeout=60, job_timeout=120, memory_mb=2048, isolation=None, seed=None)
    check = batch.calibrate(course, args, seed=11, scratch=tmp_path)
    assert check.auto == full_marks() and check.status == "ok", (check.status_detail, check.log[-5:])
    name = course.graded_functions()[0]
    assert course.cases(name, 11) is course.cases(name, 11)  # what every forked grader inherits instead of recomputing
    case = course.cases(name, 11)[0]
    assert course.answer(name, case) is course.answer(name, case)


def test_the_calibration_line_says_when_the_reference_falls_short_or_fails(monkeypatch) -> None:
    from autograder.grading import batch

    short = Result(student="reference", submission="reference.zip",
                   notebooks={"01": {"auto": 1.0, "auto_max": 2.0, "cells": {}}})
    short.flag(results.IMPORT_ERROR, "backproplab/losses.py does not import")
    monkeypatch.setattr(batch, "calibrate", lambda *a, **k: short)
    line = batch.calibration_line(None, None, 7, quiet=True)
    assert "only 1/2" in line and "import_error" in line and "losses.py" in line and "seed 7" in line

    def broken(*a, **k):
        raise FileNotFoundError("no source notebooks")

    monkeypatch.setattr(batch, "calibrate", broken)
    assert "failed (FileNotFoundError: no source notebooks)" in batch.calibration_line(None, None, 7)
    full = Result(student="reference", submission="reference.zip", notebooks={"01": {"auto": 2.0, "auto_max": 2.0, "cells": {}}})
    monkeypatch.setattr(batch, "calibrate", lambda *a, **k: full)
    assert batch.calibration_line(None, None, 7, quiet=True) == "" and "scores 2/2" in batch.calibration_line(None, None, 7)
