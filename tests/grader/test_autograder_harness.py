"""The grading harness without nbgrader: sandbox, wire format, package composition, verdicts."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from grader_course import MODULE, WRONG, built_course, mutated_text

from autograder import sandbox
from autograder.grading import compose, harness, replay
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
    assert "(case" in verdicts["log_softmax"].reason


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


@pytest.mark.parametrize("which", ["course", "real_course"])
def test_no_reference_code_is_visible_to_a_grading_child(tmp_path: Path, request, which: str) -> None:
    """Every file a grading child can see (outside the read-only system binds) and every mapped file holds no solution body."""
    import base64

    from autograder.release.student_copy import BEGIN, END

    course = request.getfixturevalue(which)
    released = "\n".join(p.read_text(encoding="utf-8") for p in course.release_pkg.rglob("*.py"))  # infrastructure subpackages too
    needles = []
    for path in sorted(course.reference_pkg.glob("*.py")):
        inside = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if BEGIN.match(line) or END.match(line):
                inside = BEGIN.match(line) is not None
            elif inside and len(line.strip()) >= 20 and not line.strip().startswith("#") and line.strip() not in released:
                needles.append(base64.b64encode(line.strip().encode()).decode())
    skip = [str(p) for p in ("/usr", *sandbox.python_paths())]
    scan = "import sys as _s\nif not hasattr(_s, '_bpl_scanned'):\n    _s._bpl_scanned = True\n" + "".join(
        f"    {line}\n" for line in SCAN.format(needles=needles, skip=skip).strip().splitlines())
    future = "from __future__ import annotations\n"
    stubs = {p.name: p.read_text(encoding="utf-8") for p in course.release_pkg.glob("*.py")}
    stubs = {n: t.replace(future, future + scan) if n[:-3] in course.exercise_modules() else t for n, t in stubs.items()}
    names = course.graded_functions() if which == "real_course" else FUNCTIONS
    harness.grade_functions(names, _package(tmp_path, course, stubs), course, harness.Settings(seed=1), tmp_path / "work")
    scans = {p.parent.parent.name: json.loads(p.read_text()) for p in (tmp_path / "work").glob("*/work/scan-*.json")}
    composite = [name for name in scans if not name.startswith("job00")]
    assert composite, f"the scan did not run in a child grading a composite: {sorted(scans)}"
    for name, scan in scans.items():
        print(f"{name}: {scan['files']} files and {scan['mapped']} mapped files scanned, {len(scan['modules'])} modules loaded")
        assert scan["files"] > 10
        assert scan["found"] == [], f"solution code visible in {name}: {scan['found'][:5]}"


# --------------------------------------------------------------------------- what the parent reads back


def test_parent_reads_child_files_without_following_or_blocking(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "progress")
    assert harness.read_progress(tmp_path) == ""  # a FIFO: refused at once, never opened for a blocking read
    (tmp_path / "progress").unlink()
    (tmp_path / "progress").symlink_to("/dev/zero")
    assert harness.read_progress(tmp_path) == ""
    (tmp_path / "out" / "a.json").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "out" / "b.json")
    (tmp_path / "out" / "c.json").write_bytes(b" " * (harness.MAX_RECORD_BYTES + 1))
    for ident in "abc":
        record = harness.read_record(tmp_path, ident)
        assert record["error"] == harness.REFUSED and record["message"].startswith("sent back"), record
    assert harness.read_record(tmp_path, "missing") is None


@pytest.mark.parametrize("text, why", [
    ('{"unsendable": ["got"], "got": null}', "unsendable"),
    ('{"got": ' + "[" * 300_000 + "]" * 300_000 + "}", "RecursionError"),
    ('{"got": {"t": "py", "v": 1}, "extra": 1}', "unknown fields"),
    ('{"error": 3}', "not text"),
    ("[1, 2]", "not an object"),
    ('{"got": ' + '{"v": ' * 60 + "1" + "}" * 60 + "}", "nested more than"),
])
def test_records_of_the_wrong_shape_are_refused_with_a_reason(tmp_path: Path, text: str, why: str) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.json").write_text(text)
    record = harness.read_record(tmp_path, "x")
    assert record["error"] == harness.REFUSED and why in record["message"], record


def test_exception_names_and_messages_are_capped_and_escaped(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    name = "Leak" + "def softmax(Z):\n    return 1\n" * 500
    (tmp_path / "out" / "x.json").write_text(json.dumps({"error": name, "message": "\x1b[31m<b>" + "m" * 10_000}))
    record = harness.read_record(tmp_path, "x")
    assert record["error"] == "UnusualException"
    assert len(record["message"]) <= 300 and "\x1b" not in record["message"] and "\\x1b" in record["message"]


def test_arrays_need_the_npy_magic_no_objects_and_fit_the_job_budget(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "z.npy", "w") as zf:
        zf.writestr("a.npy", b"\x93NUMPY")
    with pytest.raises(wire.WireError, match="not an .npy"):
        wire.decode({"t": "array", "f": "z.npy"}, tmp_path)
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(wire.WireError, match="Python objects"):
        wire.decode({"t": "array", "f": "o.npy"}, tmp_path)
    np.save(tmp_path / "big.npy", np.zeros(1 << 17))  # 1 MB
    aliased = {"t": "list", "v": [{"t": "array", "f": "big.npy"}] * 3}
    assert len(wire.decode(aliased, tmp_path, wire.Budget(4 << 20))) == 3
    with pytest.raises(wire.WireError, match="more data than"):  # the same file three times counts three times
        wire.decode(aliased, tmp_path, wire.Budget(2 << 20))


def test_feedback_escapes_everything_it_renders() -> None:
    from autograder.outputs.feedback import render

    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    cell = {"kind": "function", "max": 1, "points": 0, "passed": False, "reason": evil, "hint": evil}
    result = {"student": "s", "graded_at": evil, "submission": evil, "status": evil, "issues": [evil],
              "notebooks": {"01": {"auto": 0, "auto_max": 1, "problem": evil, "renamed_from": evil, "issues": [evil], "cells": {evil: cell}}}}
    page = render(result, {})
    assert "<script" not in page and "<img" not in page and page.count("&lt;script&gt;") >= 8


def test_executed_notebooks_are_sanitised_and_forged_ones_refused() -> None:
    from autograder.grading import sanitize

    submitted = {"cells": [{"cell_type": "markdown", "source": "my answer", "metadata": {}},
                           {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": []}]}
    outputs = [{"output_type": "display_data", "metadata": {}, "data": {
        "text/html": "<b onmouseover='alert(1)'>hi</b><script>alert(2)</script>", "application/javascript": "alert(3)",
        "text/markdown": "<img src=x onerror=alert(4)>", "text/plain": "hi"}}]
    executed = {"cells": [submitted["cells"][0], dict(submitted["cells"][1], outputs=outputs)], "metadata": {"widgets": "<script>"}}
    assert sanitize.verify(executed, submitted) is None
    clean = json.dumps(sanitize.clean_notebook(executed)).lower()
    assert "<script" not in clean and "onmouseover" not in clean and "onerror" not in clean and "javascript" not in clean
    assert "<b>hi</b>" in clean and "widgets" not in clean
    forged = {"cells": [{"cell_type": "markdown", "source": "FORGED ANSWER", "metadata": {}}]}
    assert "not one the student submitted" in sanitize.verify(forged, submitted)


# --------------------------------------------------------------------------- limits for the whole tree


@pytest.mark.parametrize("isolation", sorted({sandbox.PROCESS, sandbox.available()}))
@pytest.mark.parametrize("limit, code, says", [
    ({"memory": 1 << 30}, "for _ in range(4):\n    if os.fork() == 0:\n        b = bytearray(400 << 20)\n        time.sleep(20)\n        os._exit(0)\n",
     "memory limit"),
    ({"nproc": 40}, "for _ in range(80):\n    if os.fork() == 0:\n        time.sleep(20)\n        os._exit(0)\n", "too many processes"),
    ({"cpu": 3}, "for _ in range(3):\n    if os.fork() == 0:\n        t = time.time()\n        while time.time() - t < 20:\n            pass\n"
     "        os._exit(0)\n", "s of CPU time together"),
])
def test_processes_of_one_job_share_one_limit(tmp_path: Path, isolation: str, limit: dict, code: str, says: str) -> None:
    """Memory, processes and CPU time of the whole tree are limited together, not per process."""
    job = tmp_path / "job"
    job.mkdir()
    out = sandbox.run([sandbox.python(), "-c", "import os, time\n" + code + "time.sleep(20)\n"], rw=[job],
                      limits=sandbox.Limits(wall=30, **limit), cwd=job, log_dir=tmp_path / "log", isolation=isolation)
    assert says in out.describe() and not out.timed_out, (out.describe(), out.stderr[-500:])


@pytest.mark.skipif(sandbox.available() != sandbox.NAMESPACE, reason="namespaces unavailable here")
def test_the_job_area_is_a_capped_tmpfs_and_ipc_dies_with_the_job(tmp_path: Path) -> None:
    job = tmp_path / "job"
    job.mkdir()
    (job / "in.txt").write_text("input")
    code = ("import os, ctypes\n"
            "n = 0\n"
            "for i in range(8):\n"
            "    try:\n"
            "        fd = os.open(f'fill{i}', os.O_WRONLY | os.O_CREAT); os.posix_fallocate(fd, 0, 100 << 20); os.close(fd); n += 100\n"
            "    except OSError:\n"
            "        break\n"
            "for i in range(8):\n"
            "    os.remove(f'fill{i}') if os.path.exists(f'fill{i}') else None\n"
            "libc = ctypes.CDLL(None)\n"
            "shm = libc.shmget(0x5eed, 4096, 0o1000 | 0o600)\n"
            "os.mkfifo('fifo'); os.symlink('/etc/passwd', 'link')\n"
            "open('out.txt', 'w').write(f'{n} {open(\"in.txt\").read()} {shm >= 0} {os.uname().nodename}')\n")
    out = sandbox.run([sandbox.python(), "-c", code], rw=[job], limits=sandbox.Limits(wall=30, disk_mb=256), cwd=job, log_dir=tmp_path / "log")
    assert out.returncode == 0, out.stderr[-1000:]
    filled, text, made_shm, host = (job / "out.txt").read_text().split()
    assert int(filled) <= 256 and text == "input" and made_shm == "True" and host != os.uname().nodename
    assert not (job / "fifo").exists() and not (job / "link").is_symlink()  # only regular files and folders come back
    assert "0x00005eed" not in subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout


@pytest.mark.parametrize("sessions", ["one session", "a session per process"])
def test_a_cpu_burner_beside_a_normal_job_measured(tmp_path: Path, sessions: str) -> None:
    """Measured, not asserted: the normal job's wall time alone and beside a job spinning 8 processes.

    Without a cgroup CPU controller the share comes from the kernel's per-session scheduling
    (autogroup); a burner that puts each process in its own session gets more of it.
    """
    import threading

    normal = "import time\nt = time.process_time()\ns = sum(i * i for i in range(6_000_000))\nopen('r', 'w').write(str(s))\n"
    setsid = "        os.setsid()\n" if sessions != "one session" else ""
    burn = f"import os, time\nfor _ in range(7):\n    if os.fork() == 0:\n{setsid}        break\nt = time.time()\nwhile time.time() - t < 25:\n    pass\n"

    def run(code: str, name: str, wall: float = 60):
        job = tmp_path / name
        job.mkdir()
        out = sandbox.run([sandbox.python(), "-c", code], rw=[job], limits=sandbox.Limits(wall=wall), cwd=job, log_dir=tmp_path / f"{name}.log")
        return out, (job / "r").read_text() if (job / "r").exists() else None

    alone, value = run(normal, "alone")
    burner = threading.Thread(target=run, args=(burn, "burner", 30))
    burner.start()
    time.sleep(1.0)
    beside, value_beside = run(normal, "beside")
    burner.join()
    assert value is not None and value_beside == value
    print(f"\nnormal job alone {alone.seconds:.2f} s, beside an 8-process CPU burner ({sessions}) {beside.seconds:.2f} s "
          f"({beside.seconds / alone.seconds:.2f}x; load {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)")


@pytest.fixture(scope="module")
def real_course(tmp_path_factory):
    from autograder.grading.course import SOLUTIONS, Course

    return Course.load(SOLUTIONS, tmp_path_factory.mktemp("real-course") / "build", build=False)


@pytest.mark.parametrize("module, old, new, alone", [
    (None, None, None, None),
    ("layers.py", "return A @ W + b", "return A @ W - b", "dense_forward"),  # another module's dependency
    ("mlp.py", "    return Z, cache\n", "    return 2 * Z, cache\n", "mlp_forward"),  # a dependency in the graded module
])
def test_real_course_composites_are_charged_once_through_replay(tmp_path: Path, real_course, module, old, new, alone) -> None:
    """The whole course's hidden tests: the reference passes everything; one wrong function fails alone."""
    pkg = tmp_path / "student" / "backproplab"
    pkg.mkdir(parents=True)
    for p in real_course.reference_pkg.glob("*.py"):
        text = p.read_text(encoding="utf-8")
        (pkg / p.name).write_text(text.replace(old, new) if p.name == module else text, encoding="utf-8")
    if module:
        assert (pkg / module).read_text(encoding="utf-8") != (real_course.reference_pkg / module).read_text(encoding="utf-8")
    student = harness.StudentPackage({p.stem: p for p in pkg.glob("*.py") if p.stem in real_course.exercise_modules()})
    names = real_course.graded_functions()
    verdicts, _, log = harness.grade_functions(names, student, real_course, harness.Settings(seed=5), tmp_path / "work")
    failed = sorted(k for k, v in verdicts.items() if not v.passed)
    assert failed == ([alone] if alone else []), {k: verdicts[k].reason for k in failed}
