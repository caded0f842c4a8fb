"""The grading harness without nbgrader: sandbox, wire format, package composition, verdicts."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from grader_course import MODULE, WRONG, built_course, mutated_text

from autograder import sandbox
from autograder.grading import compose, harness
from autograder.grading.course import ROOT
from autograder.sandbox import wire

FUNCTIONS = ["softmax", "log_softmax", "softmax_jacobian", "cross_entropy", "softmax_cross_entropy"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return built_course(tmp_path_factory.getbasetemp() / "grader-course", build=False)


def _package(tmp: Path, course, changes: dict[str, str] | None = None) -> harness.StudentPackage:
    pkg = tmp / "student" / "backproplab"
    pkg.mkdir(parents=True)
    for p in course.reference_pkg.glob("*.py"):
        (pkg / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    for name, text in (changes or {}).items():
        (pkg / name).write_text(text, encoding="utf-8")
    modules = {p.stem: p for p in pkg.glob("*.py") if p.stem in course.exercise_modules()}
    return harness.StudentPackage(modules)


def _grade(tmp: Path, course, changes=None, seed=3):
    verdicts, _cells, _log = harness.grade_functions(FUNCTIONS, _package(tmp, course, changes), course, harness.Settings(seed=seed), tmp / "work")
    return verdicts


def _wrong(course, name: str) -> dict[str, str]:
    path = course.reference_pkg / f"{MODULE[name]}.py"
    return {path.name: mutated_text(path.read_text(encoding="utf-8"), name)}


# --------------------------------------------------------------------------- sandbox


def test_isolation_level_is_detected_and_described() -> None:
    level = sandbox.available()
    assert level in (sandbox.NAMESPACE, sandbox.PROCESS)
    assert "WEAKER" in sandbox.describe(sandbox.PROCESS)
    print(f"isolation here: {sandbox.describe(level)}")


@pytest.mark.skipif(sandbox.available() != sandbox.NAMESPACE, reason="namespaces unavailable here")
def test_namespace_child_cannot_see_repository_or_network(tmp_path: Path) -> None:
    job = tmp_path / "job"
    job.mkdir()
    probe = (
        "import os, socket\n"
        f"seen = [p for p in ({str(ROOT / 'solutions')!r}, {str(ROOT / 'autograder')!r}, {str(tmp_path / 'secret')!r}) if os.path.exists(p)]\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2); net = 'net'\nexcept OSError:\n    net = 'nonet'\n"
        "try:\n    open('/usr/x', 'w'); ro = 'rw'\nexcept OSError:\n    ro = 'ro'\n"
        f"open({str(job / 'out')!r}, 'w').write(repr((seen, net, ro, sum(p.isdigit() for p in os.listdir('/proc')))))\n"
    )
    (tmp_path / "secret").write_text("hidden")
    out = sandbox.run([sandbox.python(), "-c", probe], rw=[job], limits=sandbox.Limits(wall=30), cwd=job, log_dir=tmp_path / "log")
    assert out.returncode == 0, out.stderr
    seen, net, ro, procs = eval((job / "out").read_text())
    assert seen == [] and net == "nonet" and ro == "ro" and procs < 10  # its own PID namespace


@pytest.mark.parametrize("isolation", sorted({sandbox.PROCESS, sandbox.available()}))
def test_timeout_kills_every_process_the_command_started(tmp_path: Path, isolation: str) -> None:
    job = tmp_path / "job"
    job.mkdir()
    marker = f"grader-orphan-{os.getpid()}-{isolation}"
    code = f"import os, time\nos.system('setsid sh -c \"exec -a {marker} sleep 300\" &')\nwhile True: time.sleep(1)\n"
    out = sandbox.run([sandbox.python(), "-c", code], rw=[job], limits=sandbox.Limits(wall=3), cwd=job, log_dir=tmp_path / "log", isolation=isolation)
    assert out.timed_out
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert left == [], f"processes outlived the sandbox: {left}"


def test_memory_cap_stops_a_bomb(tmp_path: Path) -> None:
    job = tmp_path / "job"
    job.mkdir()
    out = sandbox.run([sandbox.python(), "-c", "x = bytearray(3 << 30)"], rw=[job], limits=sandbox.Limits(wall=30, memory=1 << 30),
                      cwd=job, log_dir=tmp_path / "log")
    assert out.returncode != 0 and "MemoryError" in out.stderr


# --------------------------------------------------------------------------- wire


def test_wire_round_trip_keeps_types_and_dtypes(tmp_path: Path) -> None:
    value = (np.arange(6, dtype=np.float32).reshape(2, 3), {"W1": np.eye(2), "b1": np.zeros(2)}, [1, 2.5, None, "relu", True],
             np.float32(1.5), float("inf"))
    back = wire.decode(wire.encode(value, tmp_path), tmp_path)
    assert isinstance(back, tuple) and back[0].dtype == np.float32 and back[3].dtype == np.float32
    assert np.array_equal(back[1]["W1"], np.eye(2)) and back[2] == [1, 2.5, None, "relu", True] and back[4] == float("inf")


def test_wire_refuses_objects_and_malformed_specs(tmp_path: Path) -> None:
    with pytest.raises(wire.WireError):
        wire.encode(np.array([object()]), tmp_path)
    with pytest.raises(wire.WireError):
        wire.encode(lambda: 0, tmp_path)
    for spec in ({"t": "array", "f": "../x.npy"}, {"t": "eval", "v": "1"}, [1], {"t": "tuple", "v": 3}):
        with pytest.raises(wire.WireError):
            wire.decode(spec, tmp_path)
    np.save(tmp_path / "p.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(wire.WireError):
        wire.decode({"t": "array", "f": "p.npy"}, tmp_path)


# --------------------------------------------------------------------------- composition


def test_plan_substitutes_reference_dependencies(course) -> None:
    p = compose.plan("softmax_cross_entropy", course.hidden.FUNCTIONS, course.hidden.DEPENDS, course.reference_pkg)
    assert p.module == "losses" and "softmax" in p.reference_modules and not p.patched
    same = compose.plan("mlp_loss", {"mlp_loss": "mlp", "mlp_forward": "mlp"}, {"mlp_loss": ["mlp_forward"]}, course.reference_pkg)
    assert same.patched == {"mlp_forward"} and same.reference_modules == frozenset()


def test_groups_never_hold_a_graded_function_s_reference(course) -> None:
    functions, depends = course.hidden.FUNCTIONS, course.hidden.DEPENDS
    names = sorted(functions)
    groups = compose.groups(names, functions, depends, course.reference_pkg)
    assert sorted(f for g in groups for f in g.functions) == names
    assert len(groups) < len({compose.plan(n, functions, depends, course.reference_pkg) for n in names})
    for g in groups:
        assert not g.graded_modules & g.reference_modules
        assert not set().union(*g.patched.values()) & set(g.functions)


def test_reference_copy_for_same_module_dependencies_hides_the_graded_body(course) -> None:
    src = (course.reference_pkg / "softmax.py").read_text(encoding="utf-8")
    copy = compose.stub_except(src, {"softmax"})
    assert "E / E.sum(axis=-1, keepdims=True)" in copy  # the dependency stays
    assert "np.diag(s) - np.outer(s, s)" not in copy and "BEGIN SOLUTION" not in copy.split("def log_softmax")[1]


# --------------------------------------------------------------------------- verdicts


def test_reference_passes_and_stubs_fail(tmp_path: Path, course) -> None:
    good = _grade(tmp_path / "good", course)
    assert all(v.passed for v in good.values()), {k: v.reason for k, v in good.items() if not v.passed}
    stubs = {p.name: p.read_text(encoding="utf-8") for p in course.release_pkg.glob("*.py")}
    bad = _grade(tmp_path / "stub", course, stubs)
    assert not any(v.passed for v in bad.values())
    assert all("not implemented" in v.reason for v in bad.values())


def test_one_wrong_function_fails_alone_and_composites_use_the_reference(tmp_path: Path, course) -> None:
    verdicts = _grade(tmp_path, course, _wrong(course, "log_softmax"))
    failed = {k for k, v in verdicts.items() if not v.passed}
    assert failed == {"log_softmax"}, {k: v.reason for k, v in verdicts.items()}  # softmax_cross_entropy uses log_softmax
    assert "case:" in verdicts["log_softmax"].reason


AUTOGRAD = ["accumulate", "matmul_backward", "unary_backward", "log_softmax_backward", "nll_backward", "backward",
            "autograd_mlp_grads", "autograd_train"]


def test_autograd_rules_in_the_graded_module_are_charged_once(tmp_path: Path, course) -> None:
    """Notebook 07's ops call the rules through the module's names: the harness's reference patch reaches them."""
    from autograder import mutants

    mutant = next(m for m in mutants.catalogue() if m.id == "accumulate__assign")
    package = _package(tmp_path, course, {"autograd.py": mutant.module_source()})
    verdicts, _cells, _log = harness.grade_functions(AUTOGRAD, package, course, harness.Settings(seed=3), tmp_path / "work")
    failed = {k for k, v in verdicts.items() if not v.passed}
    assert failed == {"accumulate"}, {k: v.reason for k, v in verdicts.items()}


@pytest.mark.parametrize("trick", [
    "import numpy, warnings\nwarnings.filterwarnings('ignore')\nnumpy.allclose = lambda *a, **k: True\nnumpy.testing.assert_allclose = lambda *a, **k: None\n",
    "import builtins\nbuiltins.__import__ = __import__\nimport sys\nsys.modules['numpy'].isclose = lambda *a, **k: True\n",
])
def test_rigging_numpy_in_the_package_earns_nothing(tmp_path: Path, course, trick: str) -> None:
    plain = _grade(tmp_path / "plain", course, _wrong(course, "softmax"))
    rigged_src = _wrong(course, "softmax")
    future = "from __future__ import annotations\n"
    rigged_src["softmax.py"] = rigged_src["softmax.py"].replace(future, future + trick)
    rigged = _grade(tmp_path / "rigged", course, rigged_src)
    assert all(plain[k].passed for k, v in rigged.items() if v.passed), "a trick earned a point"
    assert not rigged["softmax"].passed and rigged["log_softmax"].passed  # the trick really ran and changed nothing


def test_a_crash_is_charged_to_its_call_and_the_rest_is_still_graded(tmp_path: Path, course) -> None:
    src = (course.reference_pkg / "softmax.py").read_text(encoding="utf-8")
    src = src.replace("    s = validate.softmax_jacobian(s)\n", "    import os\n    os._exit(3)\n")
    verdicts = _grade(tmp_path, course, {"softmax.py": src})
    assert not verdicts["softmax_jacobian"].passed and "exited with code 3" in verdicts["softmax_jacobian"].reason
    assert verdicts["softmax"].passed and verdicts["log_softmax"].passed


def test_wrong_variants_used_by_the_tests_really_are_wrong(tmp_path: Path, course) -> None:
    changes = {}
    for name in WRONG:
        path = course.reference_pkg / f"{MODULE[name]}.py"
        changes[path.name] = mutated_text(changes.get(path.name, path.read_text(encoding="utf-8")), name)
    verdicts = _grade(tmp_path, course, changes)
    assert {k for k, v in verdicts.items() if not v.passed} == set(WRONG)
