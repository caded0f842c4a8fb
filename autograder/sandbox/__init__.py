"""The trust boundary. Run an untrusted command: its own namespaces and a minimal root, limits, nothing left behind.

``namespace`` isolation (Linux; see `sandbox_init`): the command runs
in new user, mount, PID, network, IPC, UTS and cgroup namespaces whose root
is a fresh tmpfs holding only read-only binds of ``/usr``, the Python
installation and the virtual environment, a small ``/tmp``, and at each job
folder given as writable a size-capped tmpfs (``Limits.disk_mb``) holding a
copy of it, copied back when the command ends. The repository,
``solutions/``, the hidden tests, the gradebook and other submissions simply
do not exist in there; nothing is written to the host disk from inside, and
no SysV/POSIX IPC object or process outlives the job. After ``pivot_root``
the command enters one more user + mount namespace, so every mount is
locked, and ``setsid`` becomes a no-op (seccomp: the scheduler shares CPU
per session). The PID namespace's init watches the whole tree.

``process`` isolation (the fallback where namespaces are unavailable): the
command runs on the host file system in a temporary copy, in its own
session, under a subreaper that watches the tree and kills every descendant
at the end. It can read whatever the user running the grader can read, and
write to the host disk up to the file-size limit per file: `describe` says so.

Both: per process ``RLIMIT_AS``, CPU and file-size limits, core dumps off;
for the whole tree a process count, a total memory (proportional set size)
and a total CPU-time limit (polled every 50-100 ms by the init or subreaper:
this host offers no delegated cgroup v2, see `describe`), and a wall-clock
limit after which the whole tree is killed.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

NAMESPACE = "namespace"
PROCESS = "process"

TREE_LIMITS = ("memory, process count, CPU time and wall time are enforced for the whole process tree by a watchdog "
               "(polled, not cgroups: no delegated cgroup v2 is used), file size per process")
DESCRIPTIONS = {
    NAMESPACE: "namespace (user + mount + PID + network + IPC + UTS + cgroup namespaces, minimal read-only root, "
    "writable area a size-capped tmpfs: the submission cannot see solutions/, the hidden tests, the gradebook or "
    f"other submissions, cannot write to the host disk, and leaves no process or IPC object behind; {TREE_LIMITS})",
    PROCESS: "process limits only (WEAKER: namespaces are unavailable here, so submission code runs "
    "as the grading user on the host file system and could read anything that user can read, write to the host "
    f"disk, and leave SysV/POSIX IPC objects behind; {TREE_LIMITS})",
}


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed command."""

    wall: float = 60.0
    memory: int = 2 << 30
    cpu: int | None = None
    file_size: int = 256 << 20
    tmp_size_mb: int = 256
    disk_mb: int = 512  # the writable job area (a tmpfs in namespace isolation)
    nproc: int = 512


@dataclass
class Outcome:
    """How a sandboxed command ended."""

    returncode: int | None
    timed_out: bool
    seconds: float
    stdout: str = ""
    stderr: str = ""
    isolation: str = NAMESPACE
    extra: dict = field(default_factory=dict)
    cpu: float = 0.0  # CPU seconds of the whole tree (user + system, every process its init or subreaper reaped)

    @property
    def outside(self) -> bool:
        """Killed by a signal nobody inside sent: the supervised process itself died of it (the command's death is 128 + n)."""
        return self.returncode is not None and self.returncode < 0 and not self.timed_out

    @property
    def signal(self) -> int | None:
        """The signal that killed the command, if any (shell convention 128 + n included)."""
        rc = self.returncode
        if rc is None:
            return None
        if rc < 0:
            return -rc
        return rc - 128 if 128 < rc < 160 else None

    def describe(self) -> str:
        limit = self.extra.get("limit")
        if limit and limit[0] == "memory":
            return f"was stopped: its processes used {limit[1]} MB together, over the {limit[2]} MB memory limit"
        if limit and limit[0] == "processes":
            return f"was stopped: it started too many processes ({limit[1]}, the limit is {limit[2]})"
        if limit and limit[0] == "cpu":
            return f"was stopped: its processes used {limit[1]} s of CPU time together, over the {limit[2]} s limit"
        if self.timed_out:
            return f"was stopped after the {self.extra.get('wall', '?')} s time limit"
        sig = self.signal
        if sig == signal.SIGKILL:
            return "was killed (signal 9: the memory limit, or the code killed itself)"
        if sig == signal.SIGXFSZ:
            return "was stopped for writing too much output"
        if sig is not None:
            return f"was killed by signal {sig} ({signal.Signals(sig).name})"
        return f"exited with code {self.returncode}"


def python() -> str:
    """The interpreter to run inside the sandbox: the environment's, by its resolved path."""
    candidate = Path(sys.prefix).resolve() / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def python_paths() -> list[Path]:
    """Directories the interpreter needs (installation and environment), resolved."""
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.executable).resolve().parent.parent}
    return sorted(p for p in paths if p != Path("/usr") and not _under(p, Path("/usr")))


def _under(p: Path, root: Path) -> bool:
    return p == root or root in p.parents


def _prlimit(limits: Limits) -> list[str]:
    return ["prlimit", *(f"--{k}={v}" for k, v in _rlimits(limits).items()), "--"]


@functools.lru_cache(maxsize=1)
def available() -> str:
    """The strongest isolation that works here (probed once), or ``$BACKPROPLAB_ISOLATION`` if set."""
    forced = os.environ.get("BACKPROPLAB_ISOLATION")
    if forced in (NAMESPACE, PROCESS):
        return forced
    if sys.platform != "linux":
        return PROCESS
    with tempfile.TemporaryDirectory(prefix="sbx-probe-") as tmp:
        probe = Path(tmp) / "job"
        probe.mkdir()
        try:
            out = _run_namespace(
                [python(), "-c", f"open({str(probe / 'ok')!r}, 'w').write(str(len(__import__('os').listdir('/'))))"],
                rw=[probe],
                limits=Limits(wall=30),
                env=_base_env(probe),
                cwd=probe,
                stdout=Path(tmp) / "o",
                stderr=Path(tmp) / "e",
            )
        except OSError:
            return PROCESS
        return NAMESPACE if out.returncode == 0 and (probe / "ok").exists() else PROCESS


def describe(isolation: str) -> str:
    return DESCRIPTIONS[isolation]


def _base_env(home: Path) -> dict[str, str]:
    env = {
        "PATH": f"{Path(python()).parent}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/mpl",
        "FONTCONFIG_FILE": "/tmp/fonts.conf",  # written by the sandbox (enter.py; next to the logs in process isolation)
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
        "IPYTHONDIR": "/tmp/ipython",
    }
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        env["VIRTUAL_ENV"] = venv
    if os.environ.get("OPENBLAS_CORETYPE"):  # the grader's own BLAS kernel: replayed answers are matched by their exact bytes
        env["OPENBLAS_CORETYPE"] = os.environ["OPENBLAS_CORETYPE"]
    return env


def run(
    argv: list[str],
    *,
    rw: list[Path],
    limits: Limits,
    cwd: Path,
    log_dir: Path,
    env: dict[str, str] | None = None,
    isolation: str | None = None,
) -> Outcome:
    """Run `argv` isolated; only the folders in `rw` (at their own paths) are visible and writable.

    stdout/stderr go to files in `log_dir` (outside every `rw` folder), of
    which the last 4 kB are returned.
    """
    isolation = isolation or available()
    log_dir.mkdir(parents=True, exist_ok=True)
    full_env = _base_env(cwd) | (env or {})
    out, err = log_dir / "stdout", log_dir / "stderr"
    if isolation == NAMESPACE:
        outcome = _run_namespace(argv, rw=rw, limits=limits, env=full_env, cwd=cwd, stdout=out, stderr=err)
    else:
        from autograder.sandbox.enter import FONTS_CONF

        (log_dir / "fonts.conf").write_text(FONTS_CONF, encoding="utf-8")
        if "FONTCONFIG_FILE" not in (env or {}):
            full_env["FONTCONFIG_FILE"] = str(log_dir / "fonts.conf")
        outcome = _run_process(argv, limits=limits, env=full_env, cwd=cwd, stdout=out, stderr=err)
    outcome.stdout, outcome.stderr = _tail(out), _tail(err)
    outcome.extra["wall"] = limits.wall
    marks = [line.split()[-1] for line in outcome.stderr.splitlines() if line.startswith("__sandbox_leftover__ ")]
    outcome.extra["leftover"] = int(marks[-1]) if marks and marks[-1].isdigit() else 0
    waited = [line.split()[-1] for line in outcome.stderr.splitlines() if line.startswith("__sandbox_waited__ ")]
    try:  # the last line is the init's own (printed after every other process was killed); namespace isolation only
        outcome.extra["waited"] = float(waited[-1]) if waited else None
    except ValueError:
        outcome.extra["waited"] = None
    limit = [line.split()[1:] for line in outcome.stderr.splitlines() if line.startswith("__sandbox_limit__ ")]
    if limit and len(limit[-1]) == 3:  # the last one is the watchdog's own (it prints after the command ended)
        outcome.extra["limit"] = limit[-1]
    return outcome


def _rlimits(limits: Limits) -> dict[str, int]:
    cpu = limits.cpu if limits.cpu is not None else int(limits.wall) + 5
    return {"as": limits.memory, "cpu": cpu, "fsize": limits.file_size, "nproc": limits.nproc, "core": 0}


def _run_namespace(argv, *, rw, limits, env, cwd, stdout, stderr) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="sbx-root-") as root:
        spec = {
            "root": root,
            "ro": [str(p) for p in python_paths()],
            "rw": [str(Path(p).resolve()) for p in rw],
            "tmp_mb": limits.tmp_size_mb,
            "disk_mb": limits.disk_mb,
            "limits": _rlimits(limits),
            "cwd": str(cwd),
            "env": env,
        }
        cmd = [sys.executable, "-S", str(Path(__file__).with_name("enter.py")), json.dumps(spec), "--", *argv]
        return _supervise(cmd, env={"PATH": env["PATH"]}, cwd="/", stdout=stdout, stderr=stderr, wall=limits.wall, isolation=NAMESPACE)


_REAPER = r"""
import ctypes, os, signal, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come back to us
NPROC, MEMORY, CPU = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
child = subprocess.Popen(sys.argv[4:])
signal.signal(signal.SIGTERM, lambda *a: child.kill())
def descendants():
    kids = {}
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            ppid = int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(pid))
    todo, found = [os.getpid()], []
    while todo:
        for k in kids.get(todo.pop(), []):
            found.append(k); todo.append(k)
    return found
def tripped():
    left = descendants()
    if len(left) > NPROC:
        return f"processes {len(left)} {NPROC}"
    rss, cpu = 0, os.times().children_user + os.times().children_system
    for pid in left:  # proportional set size: pages shared after fork count once; CPU of the reaped counts too
        try: rss += next(int(l.split()[1]) << 10 for l in open(f'/proc/{pid}/smaps_rollup') if l.startswith('Pss:'))
        except (OSError, StopIteration, IndexError, ValueError): pass
        try: cpu += sum(map(int, open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[11:15])) / os.sysconf('SC_CLK_TCK')
        except (OSError, IndexError, ValueError): pass
    if rss > MEMORY:
        return f"memory {rss >> 20} {MEMORY >> 20}"
    return f"cpu {cpu:.0f} {CPU}" if cpu > CPU else None
limit = None
while child.poll() is None:
    limit = limit or tripped()
    if limit:
        for pid in descendants():
            try: os.kill(pid, signal.SIGKILL)
            except OSError: pass
    time.sleep(0.1)
rc = child.returncode
first = None
for _ in range(50):
    left = descendants()
    first = len(left) if first is None else first
    if not left:
        break
    for pid in left:
        try: os.kill(pid, signal.SIGKILL)
        except OSError: pass
    try:
        while os.waitpid(-1, os.WNOHANG)[0]: pass
    except ChildProcessError: pass
    time.sleep(0.02)
if limit:
    print(f"__sandbox_limit__ {limit}", file=sys.stderr)
print(f"__sandbox_leftover__ {first or 0}", file=sys.stderr)
sys.exit(rc if rc >= 0 else 128 - rc)
"""


def _run_process(argv, *, limits, env, cwd, stdout, stderr) -> Outcome:
    prefix = _prlimit(limits) if shutil.which("prlimit") else []
    limit = _rlimits(limits)
    reaper = [sys.executable, "-c", _REAPER, str(limit["nproc"]), str(limit["as"]), str(limit["cpu"])] if sys.platform == "linux" else []
    return _supervise([*reaper, *prefix, *argv], env=env, cwd=cwd, stdout=stdout, stderr=stderr, wall=limits.wall, isolation=PROCESS)


def _supervise(cmd, *, env, cwd, stdout: Path, stderr: Path, wall: float, isolation: str) -> Outcome:
    start = time.monotonic()
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
        reaped: dict = {}
        # wait4 (not Popen.wait) so the tree's CPU time comes back with the exit status
        waiter = threading.Thread(target=lambda: reaped.update(r=os.wait4(proc.pid, 0)), daemon=True)
        waiter.start()
        waiter.join(wall)
        timed_out = waiter.is_alive()
        if timed_out:
            _kill_group(proc, signal.SIGTERM)
            waiter.join(5)  # the namespace's init stops the tree and copies the job folder back
        _kill_group(proc, signal.SIGKILL)
        waiter.join()
    _, status, usage = reaped["r"]
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Outcome(proc.returncode, timed_out, time.monotonic() - start, isolation=isolation, cpu=round(cpu, 3))


def _kill_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _tail(path: Path, size: int = 4096) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, path.stat().st_size - size))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""
