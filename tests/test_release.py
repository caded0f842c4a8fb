"""The student copy is exactly what `make release` produces, and its stubs behave."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograder.release import NOTEBOOKS, SOLUTIONS, release, stub_source

ROOT = Path(__file__).resolve().parent.parent


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts
    }


def test_notebooks_folder_is_exactly_the_release(tmp_path: Path) -> None:
    release(SOLUTIONS, tmp_path)
    fresh, committed = _tree(tmp_path), _tree(NOTEBOOKS)
    missing = sorted(set(fresh) - set(committed))
    extra = sorted(set(committed) - set(fresh))
    differ = sorted(k for k in set(fresh) & set(committed) if fresh[k] != committed[k])
    assert not (missing or extra or differ), (
        f"notebooks/ is out of sync with solutions/: run `make release` and commit. "
        f"missing={missing} extra={extra} differ={differ}"
    )


def test_stub_replaces_block_and_keeps_validation() -> None:
    src = (
        "def f(x):\n"
        "    x = check(x)\n"
        "    ### BEGIN SOLUTION\n"
        "    # hint: double it\n"
        "    return 2 * x\n"
        "    ### END SOLUTION\n"
    )
    out = stub_source(src)
    assert "return 2 * x" not in out and "x = check(x)" in out
    assert "    raise NotImplementedError('double it')\n" in out


def test_stub_rejects_unclosed_block() -> None:
    with pytest.raises(ValueError, match="without ### END SOLUTION"):
        stub_source("### BEGIN SOLUTION\nx = 1\n", "m.py")


def test_no_solution_code_reaches_students() -> None:
    for path in (NOTEBOOKS / "backproplab").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path


def test_student_package_imports_cleanly() -> None:
    from backproplab import EXERCISES

    modules = sorted({m for nb in EXERCISES.values() for m in nb})
    code = "import importlib\n" + "".join(f"importlib.import_module('backproplab.{m}')\n" for m in modules)
    proc = subprocess.run([sys.executable, "-c", code], cwd=NOTEBOOKS, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_every_contract_function_exists_in_both_copies() -> None:
    from backproplab import EXERCISES

    for copy in (SOLUTIONS, NOTEBOOKS):
        for modules in EXERCISES.values():
            for module, names in modules.items():
                text = (copy / "backproplab" / f"{module}.py").read_text(encoding="utf-8")
                for name in names:
                    assert f"\ndef {name}(" in text, f"{copy.name}/backproplab/{module}.py lacks {name}"
