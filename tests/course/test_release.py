"""The student copy is exactly what `make release` produces, and its stubs behave."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.release.fingerprints import differences
from autograder.release.student_copy import FINGERPRINTS, NOTEBOOKS, PACKAGE, SOLUTIONS, release, stub_source

ROOT = Path(__file__).resolve().parents[2]
CORETYPES = ("Prescott", "Haswell", "Zen")  # OpenBLAS kernels any x86-64 CPU can run
FINGERPRINTS_PATH = f"{PACKAGE}/{FINGERPRINTS}"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts
    }


def release_differences(fresh: dict[str, bytes], committed: dict[str, bytes]) -> list[str]:
    """Files that differ: byte for byte, except the fingerprints' numbers (within their dtype's tolerance)."""
    out = [f"{k}: missing from notebooks/" for k in sorted(set(fresh) - set(committed))]
    out += [f"{k}: not made by the release" for k in sorted(set(committed) - set(fresh))]
    for k in sorted(set(fresh) & set(committed)):
        if k == FINGERPRINTS_PATH:
            out += [f"{k}{d}" for d in differences(json.loads(committed[k]), json.loads(fresh[k]), limit=5)]
        elif fresh[k] != committed[k]:
            out.append(f"{k}: differs")
    return out


def test_notebooks_folder_is_exactly_the_release(tmp_path: Path) -> None:
    release(SOLUTIONS, tmp_path)
    problems = release_differences(_tree(tmp_path), _tree(NOTEBOOKS))
    # notebooks/ is generated and never edited by hand, so regenerating it loses nothing (students work in a copy).
    assert not problems, "notebooks/ is out of sync with solutions/: run `make release` and commit.\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("coretype", CORETYPES)
def test_release_is_the_same_on_every_blas_kernel(coretype: str, tmp_path: Path) -> None:
    """The release made with another CPU's BLAS kernel agrees with the committed one (fingerprints within tolerance)."""
    env = dict(os.environ, OPENBLAS_CORETYPE=coretype, OPENBLAS_VERBOSE="2")
    code = "import sys; from pathlib import Path; from autograder.release.student_copy import release; release(dst_root=Path(sys.argv[1]))"
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Core:" in proc.stdout + proc.stderr, "OpenBLAS did not report the kernel it chose"
    problems = release_differences(_tree(tmp_path), _tree(NOTEBOOKS))
    assert not problems, f"OPENBLAS_CORETYPE={coretype}:\n  " + "\n  ".join(problems)


def test_fingerprint_differences_respect_dtype() -> None:
    summary = {"dtype": "float32", "proj": [0.5848268028]}
    assert not differences(summary, {"dtype": "float32", "proj": [0.5848268281]})  # a float32 kernel's spread
    assert differences(summary, {"dtype": "float32", "proj": [0.5849]})
    assert differences({"dtype": "float64", "proj": [0.5848268028]}, {"dtype": "float64", "proj": [0.5848268281]})
    assert differences({"__array__": "<f4", "data": [1, 2]}, {"__array__": "<f4", "data": [1, 3]})
    assert differences({"a": {"raises": "ValueError"}}, {"a": {"raises": "TypeError"}})
    assert differences({"a": [1.0]}, {"a": [1.0, 2.0]}) and differences({"a": 1}, {"b": 1})


def test_release_keeps_fingerprints_that_agree(tmp_path: Path) -> None:
    """Regenerating on another machine rewrites no byte when the numbers agree within tolerance."""
    release(SOLUTIONS, tmp_path)
    path = tmp_path / FINGERPRINTS_PATH
    data = json.loads(path.read_text(encoding="utf-8"))
    entry = next(f for f in data["functions"].values() for r in f["reference"] if "proj" in r and r.get("dtype") == "float32")
    summary = next(r for r in entry["reference"] if "proj" in r and r.get("dtype") == "float32")
    summary["proj"][0] *= 1 + 1e-6  # as another kernel would
    nudged = json.dumps(data)
    path.write_text(nudged, encoding="utf-8")
    release(SOLUTIONS, tmp_path)
    assert path.read_text(encoding="utf-8") == nudged
    summary["proj"][0] += 1.0  # a real change is written
    path.write_text(json.dumps(data), encoding="utf-8")
    release(SOLUTIONS, tmp_path)
    assert json.loads(path.read_text(encoding="utf-8"))["functions"] != data["functions"]


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
