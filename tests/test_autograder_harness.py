"""The grading harness without nbgrader: sandbox, wire format, package composition, verdicts."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from grader_course import MODULE, WRONG, built_course, mutated_text

from autograder import compose, harness, replay, sandbox, wire
from autograder.course import ROOT

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


def test_replay_answers_the_reference_calls_and_nothing_else(course) -> None:
    """The recorded table holds the dependencies' answers to the calls the reference made, keyed by content."""
    case = next(iter(course.hidden.cases("softmax_cross_entropy", 1)))
    table, sigs = replay.record(course.reference, "softmax_cross_entropy", [case], {"softmax", "log_softmax"})
    assert table and set(sigs) == {"softmax", "log_softmax"}
    Z = case.args[0]
    key = wire.digest("log_softmax", wire.bind(sigs["log_softmax"], (Z.copy(),), {}))
    assert key in table and np.allclose(table[key], course.reference.function("log_softmax")(Z))
    assert wire.digest("log_softmax", wire.bind(sigs["log_softmax"], (Z + 1,), {})) not in table
    assert course.reference.function("log_softmax").__name__ == "log_softmax"  # the recorder is gone again


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
    src = src.replace("    s = as_float_array(s, \"s\", \"softmax_jacobian\", ndim=1)\n", "    import os\n    os._exit(3)\n")
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


# --------------------------------------------------------------------------- no reference code in the sandbox

SCAN = """
import base64 as _b64, json as _json, os as _os, sys as _sys
_NEEDLES = [_b64.b64decode(n) for n in {needles!r}]
_SKIP = {skip!r}
def _scan_file(_path, _found, _seen):
    try:
        if _os.path.getsize(_path) > (64 << 20):
            return
        with open(_path, 'rb') as _f:
            _data = _f.read()
    except OSError:
        return
    _seen.append(_path)
    _found.extend(f'{{_path}}: {{_n[:40]!r}}' for _n in _NEEDLES if _n in _data)
_found, _seen = [], []
for _root, _dirs, _files in _os.walk('/'):
    _dirs[:] = [d for d in _dirs if _os.path.join(_root, d) not in _SKIP and _os.path.join(_root, d) not in ('/proc', '/sys', '/dev')]
    for _name in _files:
        _scan_file(_os.path.join(_root, _name), _found, _seen)
_mapped = set()
for _pid in filter(str.isdigit, _os.listdir('/proc')):
    try:
        _mapped.update(line.split(None, 5)[5].strip() for line in open(f'/proc/{{_pid}}/maps') if len(line.split(None, 5)) == 6)
    except OSError:
        pass
for _path in sorted(p for p in _mapped if p.startswith('/')):
    _scan_file(_path, _found, _seen)
_modules = [m.__file__ for m in list(_sys.modules.values()) if getattr(m, '__file__', None)]
_json.dump({{'found': _found, 'files': len(_seen), 'mapped': len(_mapped), 'modules': _modules}}, open(f'scan-{{_os.getpid()}}.json', 'w'))
"""


def test_no_reference_code_is_visible_to_a_grading_child(tmp_path: Path, course) -> None:
    """Every file a grading child can see (outside the read-only system binds) and every mapped file holds no solution body."""
    import base64
    import json

    from autograder.release import BEGIN, END

    released = "\n".join(p.read_text(encoding="utf-8") for p in course.release_pkg.glob("*.py"))
    needles = []
    for path in sorted(course.reference_pkg.glob("*.py")):
        inside = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if BEGIN.match(line) or END.match(line):
                inside = BEGIN.match(line) is not None
            elif inside and len(line.strip()) >= 20 and not line.strip().startswith("#") and line.strip() not in released:
                needles.append(base64.b64encode(line.strip().encode()).decode())
    skip = [str(p) for p in ("/usr", *sandbox.python_paths())]
    stubs = {p.name: p.read_text(encoding="utf-8") for p in course.release_pkg.glob("*.py")}
    future = "from __future__ import annotations\n"
    stubs["losses.py"] = stubs["losses.py"].replace(future, future + SCAN.format(needles=needles, skip=skip))
    harness.grade_functions(FUNCTIONS, _package(tmp_path, course, stubs), course, harness.Settings(seed=1), tmp_path / "work")
    scans = {p.parent.parent.name: json.loads(p.read_text()) for p in (tmp_path / "work").glob("*/work/scan-*.json")}
    composite = [name for name in scans if "losses" in name]
    assert composite, f"the scan did not run in the child grading the composite: {sorted(scans)}"
    for name, scan in scans.items():
        print(f"{name}: {scan['files']} files and {scan['mapped']} mapped files scanned, {len(scan['modules'])} modules loaded")
        assert scan["files"] > 10
        assert scan["found"] == [], f"solution code visible in {name}: {scan['found'][:5]}"
