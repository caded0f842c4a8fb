"""`python -m backproplab.progress`: the student's table, on whole and on half-written packages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from student_course import SOLUTIONS, copy_course

pytestmark = pytest.mark.timeout(120)


def contract() -> dict[str, dict[str, list[str]]]:
    from backproplab import EXERCISES

    return EXERCISES


def run_progress(course: Path, *args: str) -> tuple[list[dict], float]:
    """Run the progress module of `course`/backproplab from `course`; return its rows and wall time."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "backproplab.progress", "--json", *args],
        cwd=course, capture_output=True, text=True, timeout=90, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), seconds


def by_function(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["module"], r["function"]): r for r in rows}


def test_one_row_per_contract_function_with_its_points() -> None:
    rows, seconds = run_progress(SOLUTIONS)
    print(f"progress on solutions/: {seconds:.2f} s")
    want = [(nb, m, f) for nb, modules in contract().items() for m, names in modules.items() for f in names]
    assert [(r["notebook"], r["module"], r["function"]) for r in rows] == want
    for path in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        graded = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"].get("points", 0)
                  for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
        for r in rows:
            if r["notebook"] == path.name[:2] and r["function"] in graded:
                assert r["points"] == graded[r["function"]], r


def test_reference_answers_are_all_correct() -> None:
    rows, _ = run_progress(SOLUTIONS)
    assert {(r["function"], r["status"], r["detail"]) for r in rows} == {(r["function"], "correct", "") for r in rows}


def test_untouched_release_is_all_not_started(tmp_path: Path) -> None:
    rows, seconds = run_progress(copy_course(tmp_path / "course"))
    print(f"progress on the untouched release: {seconds:.2f} s")
    assert {(r["function"], r["status"]) for r in rows} == {(r["function"], "not started") for r in rows}


def test_a_known_mistake_is_wrong_with_the_first_line_of_the_checks_hint(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course", solved=True)
    edit(course / "backproplab" / "activations.py", "relu_grad", "return (Z >= 0).astype(Z.dtype)")  # gradient 1 at the kink
    rows = by_function(run_progress(course)[0])
    wrong = rows[("activations", "relu_grad")]
    assert wrong["status"] == "wrong" and wrong["detail"] and "\n" not in wrong["detail"], wrong
    assert {r["status"] for k, r in rows.items() if k[0] == "activations" and k[1] != "relu_grad"} == {"correct"}


def test_points_come_from_the_graded_cells(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course")
    nb = next(course.glob("01_*.ipynb"))
    data = json.loads(nb.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id") == "log_softmax":
            meta["points"] = 7
    nb.write_text(json.dumps(data), encoding="utf-8")
    rows = by_function(run_progress(course)[0])
    assert rows[("softmax", "log_softmax")]["points"] == 7


# A checks module that calls each function once on a fixed input: it stands for the real
# checks here so these tests pin the table's behaviour, whatever the real checks probe.
FAKE_CHECKS = '''
import numpy as np
from .. import EXERCISES

def _make(name):
    def check(fn):
        if name == "softmax":
            S = fn(np.array([[1.0, 2.0], [3.0, 5.0]]))
            assert np.allclose(S.sum(axis=1), 1), "rows of softmax(Z) must sum to 1\\nsecond line of the hint"
        elif name in ("log_softmax", "relu"):
            fn(np.zeros((2, 2)))
        elif name == "dense_forward":
            fn(np.ones((1, 2)), np.ones((2, 2)), np.zeros(2))
        print(name, "visible checks passed")
    return check

for _modules in EXERCISES.values():
    for _names in _modules.values():
        for _name in _names:
            globals()["check_" + _name] = _make(_name)
'''


def replace_checks(pkg: Path, source: str) -> None:
    """Put `source` in place of the package's visible checks (``backproplab/checks/``)."""
    shutil.rmtree(pkg / "checks")
    (pkg / "checks").mkdir()
    (pkg / "checks" / "__init__.py").write_text(source, encoding="utf-8")


def edit(path: Path, function: str, body: str) -> None:
    """Replace the solution block of `function` in a reference file by `body`."""
    src = path.read_text(encoding="utf-8")
    head, sep, rest = src.partition(f"\ndef {function}(")
    begin, end = rest.index("### BEGIN SOLUTION"), rest.index("### END SOLUTION") + len("### END SOLUTION")
    path.write_text(head + sep + rest[:begin] + body.strip() + rest[end:], encoding="utf-8")


def test_a_half_written_package_is_reported_not_crashed(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course", solved=True)
    pkg = course / "backproplab"
    replace_checks(pkg, FAKE_CHECKS)
    edit(pkg / "softmax.py", "softmax", "return Z / Z.sum()")  # wrong
    edit(pkg / "softmax.py", "log_softmax", "while True:\n        pass")  # hangs
    edit(pkg / "activations.py", "relu", "return Z[3, 3]")  # raises IndexError
    edit(pkg / "losses.py", "l1_loss", "return np.abs(A - Y).sum(axis=1).mean(")  # syntax error
    edit(pkg / "layers.py", "dense_forward", "raise NotImplementedError('not yet')")
    syntax_line = next(i for i, line in enumerate((pkg / "losses.py").read_text().splitlines(), 1) if ".mean(" in line)

    rows, seconds = run_progress(course, "--timeout", "1")
    print(f"progress on a broken package (one 1 s time-out): {seconds:.2f} s")
    rows = by_function(rows)

    assert rows[("softmax", "softmax")]["status"] == "wrong"
    assert rows[("softmax", "softmax")]["detail"] == "rows of softmax(Z) must sum to 1"
    assert rows[("softmax", "log_softmax")]["status"] == "timed out"
    assert rows[("softmax", "softmax_jacobian")]["status"] == "correct"  # checked after the hang, in a new process
    assert rows[("activations", "relu")]["status"] == "error"
    assert rows[("activations", "relu")]["detail"].startswith("IndexError (activations.py line ")
    for module in ("losses", "softmax_regression", "mlp"):  # the latter two import losses
        for (mod, name), r in rows.items():
            if mod == module:
                assert r["status"] == "import failed", r
                assert r["detail"].startswith(f"SyntaxError in losses.py line {syntax_line}:"), r
    assert rows[("layers", "dense_forward")]["status"] == "not started"
    assert {r["status"] for (mod, _), r in rows.items() if mod == "backprop_single"} == {"correct"}


def test_a_hang_at_import_and_a_broken_checks_module_are_reported(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course", solved=True)
    pkg = course / "backproplab"
    (pkg / "mlp.py").write_text("while True:\n    pass\n", encoding="utf-8")
    rows = by_function(run_progress(course, "--timeout", "1")[0])
    assert {r["status"] for k, r in rows.items() if k[0] == "mlp"} == {"timed out"}
    assert {r["status"] for k, r in rows.items() if k[0] != "mlp"} == {"correct"}

    shutil.copyfile(SOLUTIONS / "backproplab" / "mlp.py", pkg / "mlp.py")
    replace_checks(pkg, "import numpy as np\nraise RuntimeError('broken checks')\n")
    rows = run_progress(course)[0]
    assert {r["status"] for r in rows} == {"error"}
    assert all(r["detail"].startswith("the checks (backproplab/checks/) cannot be imported: RuntimeError") for r in rows)


def test_the_table_is_readable(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "backproplab.progress"], cwd=SOLUTIONS, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    out = proc.stdout
    assert "backproplab/softmax.py" in out and "softmax_jacobian" in out
    n = sum(len(names) for modules in contract().values() for names in modules.values())
    assert f"{n} of {n} functions pass their visible checks" in out
