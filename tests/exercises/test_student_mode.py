"""`pytest --impl=student` on the untouched release fails every exercise test with NotImplementedError only."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXERCISE_MARKERS = " or ".join(f"nb0{i}" for i in range(1, 8))


@pytest.mark.slow
def test_every_exercise_test_fails_with_not_implemented(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "--impl=student", "-m", EXERCISE_MARKERS, "-q", "-p", "no:cacheprovider",
         f"--junitxml={report}", "-o", "junit_family=xunit2"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    cases = ET.parse(report).getroot().iter("testcase")
    outcomes = {}
    for case in cases:
        name = f"{case.get('classname')}::{case.get('name')}"
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        if problem is None:
            outcomes[name] = "passed" if case.find("skipped") is None else "skipped"
        else:
            outcomes[name] = (problem.get("message") or "").splitlines()[0][:200]
    assert len(outcomes) > 100, f"only {len(outcomes)} exercise tests collected"
    wrong = {k: v for k, v in outcomes.items() if not v.startswith("NotImplementedError")}
    assert not wrong, f"{len(wrong)} exercise tests did not fail with NotImplementedError: {dict(list(wrong.items())[:10])}"
