"""Enter the namespace sandbox and run a command in it: `sandbox` runs this file as a script.

``python -S enter.py SPEC_JSON -- COMMAND...`` (standard library only,
Linux). In one process instead of a chain of ``unshare``/``mount`` tools:
new user, mount, PID, network, IPC, UTS and cgroup namespaces; a tmpfs root
holding read-only binds (``ro``), device nodes, a small ``/tmp`` and, at
each writable path (``rw``), a size-capped tmpfs holding a copy of that
host folder; ``pivot_root`` into it with the host root detached; then the
command, with rlimits, in one more user + mount namespace, so every mount
is locked. The namespace's init (this script) reaps orphans, watches the
whole tree (process count and total resident memory, `Watchdog`: the
kill is ``__sandbox_limit__ <what>`` on stderr), kills everything when
the command ends or on SIGTERM, copies each writable tmpfs back to its
host folder (regular files and folders only, within the tmpfs size and a
file count), reports how many processes were still alive
(``__sandbox_leftover__ N``) and exits. Nothing outlives it: its IPC
objects die with the IPC namespace, its files with the tmpfs.
Exit status: the command's (128 + n for signal n), 125 when set-up failed.
"""

import ctypes
import fcntl
import json
import os
import platform
import resource
import signal
import socket
import struct
import sys

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC = 0x02000000, 0x04000000, 0x08000000
MAX_COPY_FILES = 10_000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_PRIVATE, MS_RELATIME = 1024, 2048, 4096, 16384, 1 << 18, 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "arm64": 41}
SYS_SETSID = {"x86_64": (0xC000003E, 112), "aarch64": (0xC00000B7, 157), "arm64": (0xC00000B7, 157)}  # (audit arch, number)
FONTS_CONF = '<?xml version="1.0"?>\n<fontconfig><dir>/usr/share/fonts</dir><cachedir>/tmp/fontconfig</cachedir></fontconfig>\n'
LIMITS = {"as": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU, "fsize": resource.RLIMIT_FSIZE,
          "nproc": resource.RLIMIT_NPROC, "core": resource.RLIMIT_CORE}

libc = ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    _check(libc.unshare(flags), "unshare")


def map_ids(uid: int, gid: int) -> None:
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {gid} 1")


def mount(src, dst, fstype, flags: int, data=None) -> None:
    enc = [None if x is None else str(x).encode() for x in (src, dst, fstype, data)]
    _check(libc.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]), f"mount {src} {dst}")


def _locked_flags(path: str) -> int:
    """Flags a remount must keep (they are locked in a user namespace)."""
    f = os.statvfs(path).f_flag
    pairs = [(2, MS_NOSUID), (4, MS_NODEV), (8, MS_NOEXEC), (1024, MS_NOATIME), (2048, MS_NODIRATIME), (4096, MS_RELATIME)]
    return sum(ms for st, ms in pairs if f & st)


def bind(root: str, path: str, readonly: bool) -> None:
    target = root + path
    if os.path.isdir(path):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    mount(path, target, None, MS_BIND | MS_REC)
    if readonly:
        mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | _locked_flags(path))


def loopback_up() -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        flags = struct.unpack("16sh", fcntl.ioctl(s, 0x8913, struct.pack("16sh", b"lo", 0)))[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sh", b"lo", flags | 1))
    finally:
        s.close()


def pivot(root: str) -> None:
    os.makedirs(root + "/.old", exist_ok=True)
    os.chdir(root)
    number = SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(f"pivot_root: unsupported machine {platform.machine()}")
    _check(libc.syscall(number, b".", b".old"), "pivot_root")
    os.chdir("/")
    mount("proc", "/proc", "proc", 0)
    _check(libc.umount2(b"/.old", MNT_DETACH), "umount /.old")
    os.rmdir("/.old")


def build_root(spec: dict) -> None:
    root = spec["root"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("sandbox", root, "tmpfs", 0, "size=16m,mode=755")
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink("/" + link):
            os.symlink(os.readlink("/" + link), f"{root}/{link}")
    # /tmp first: a course or venv that lives under /tmp is then bound inside it, not hidden by it
    os.makedirs(root + "/tmp")
    mount("tmp", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(spec['tmp_mb'])}m,mode=1777")
    with open(root + "/tmp/fonts.conf", "w") as f:  # no /etc/fonts in here: without a config fontconfig complains on every plot
        f.write(FONTS_CONF)
    for path in ["/usr", *spec["ro"]]:
        bind(root, path, readonly=True)
    for dev in ("null", "zero", "urandom", "random"):
        bind(root, f"/dev/{dev}", readonly=False)
    os.makedirs(root + "/proc")
    hosts = []
    for path in spec["rw"]:  # a tmpfs copy, not the host folder: the host disk is never written from in here
        os.makedirs(root + path, exist_ok=True)
        mount("work", root + path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(spec['disk_mb'])}m,mode=755")
        copy_tree(os.open(path, os.O_RDONLY | os.O_DIRECTORY), os.open(root + path, os.O_RDONLY | os.O_DIRECTORY), 1 << 62, [MAX_COPY_FILES])
        hosts.append((path, os.open(path, os.O_RDONLY | os.O_DIRECTORY)))  # kept across pivot_root for the copy back
    loopback_up()
    socket.sethostname("sandbox")  # its own UTS namespace: the host's name is not the submission's business
    pivot(root)
    return hosts


def copy_tree(src: int, dst: int, budget: int, files: list[int]) -> int:
    """Copy the regular files and folders under directory fd `src` into `dst` (no symlinks, FIFOs, devices); return bytes left.

    Never follows a link, never blocks on a FIFO; stops at `budget` bytes or when ``files[0]`` runs out. Closes both fds.
    """
    import stat

    try:
        for name in os.listdir(src):
            if files[0] <= 0 or budget <= 0:
                break
            files[0] -= 1
            info = os.stat(name, dir_fd=src, follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                try:
                    os.mkdir(name, 0o755, dir_fd=dst)
                except FileExistsError:  # copying back into the host folder: its folders exist
                    pass
                flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                budget = copy_tree(os.open(name, flags, dir_fd=src), os.open(name, flags, dir_fd=dst), budget, files)
            elif stat.S_ISREG(info.st_mode):
                budget = _copy_file(name, src, dst, budget)
    finally:
        os.close(src)
        os.close(dst)
    return budget


def _copy_file(name: str, src: int, dst: int, budget: int) -> int:
    fin = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=src)
    try:
        fout = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644, dir_fd=dst)
        try:
            while budget > 0 and (chunk := os.read(fin, min(1 << 20, budget))):
                os.write(fout, chunk)
                budget -= len(chunk)
        finally:
            os.close(fout)
    finally:
        os.close(fin)
    return budget


def pss(pid: str, page: int) -> int:
    """Proportional resident memory of `pid` (shared pages split among their users; RSS where PSS is unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) << 10 for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * page
    except (OSError, IndexError, ValueError):
        return 0


def cpu_seconds(pid: str) -> float:
    """CPU time of `pid` and of the children it has reaped (utime + stime + cutime + cstime)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class Watchdog:
    """Tree-wide limits for the namespace, checked by its init: process count, total proportional memory, CPU time.

    cgroups would enforce these in the kernel; where they cannot be delegated (cgroup v1, no write
    access) this poll is what holds a tree of processes to the limits (per-process rlimits cannot).
    """

    def __init__(self, limits: dict) -> None:
        self.nproc, self.memory, self.cpu = int(limits["nproc"]), int(limits["as"]), int(limits["cpu"])
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.tripped: str | None = None
        self.waited: dict[str, int] = {}  # pid → ns spent runnable but waiting for a CPU (a starved tree, not a sleeping one)

    def check(self) -> None:
        pids = [p for p in os.listdir("/proc") if p.isdigit() and p != "1"]
        if len(pids) > self.nproc:
            self.tripped = f"processes {len(pids)} {self.nproc}"
        else:
            rss = sum(pss(pid, self.page) for pid in pids)
            for pid in pids:
                self.waited[pid] = run_queue_ns(pid) or self.waited.get(pid, 0)
            reaped = os.times()  # processes that ended and were reaped by this init count too
            cpu = sum(cpu_seconds(pid) for pid in pids) + reaped.children_user + reaped.children_system
            if rss > self.memory:
                self.tripped = f"memory {rss >> 20} {self.memory >> 20}"
            elif cpu > self.cpu:
                self.tripped = f"cpu {cpu:.0f} {self.cpu}"
        if self.tripped:
            kill_all()


def run_queue_ns(pid: str) -> int:
    """Nanoseconds `pid` has spent runnable but waiting for a CPU (``/proc/<pid>/schedstat``), 0 when unreadable."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def kill_all() -> None:
    try:
        os.kill(-1, signal.SIGKILL)  # as the namespace's init: every other process in it
    except ProcessLookupError:
        pass


def one_session() -> None:
    """Make ``setsid`` a no-op that succeeds, for this process and everything it starts (seccomp).

    The scheduler shares CPU between sessions (autogroup); a submission that puts each of its
    processes in a new session would take a larger share from the others graded beside it.
    """
    arch = SYS_SETSID.get(platform.machine())
    if arch is None:
        return
    audit, number = arch
    ld, jeq, ret = 0x20, 0x15, 0x06
    program = [(ld, 0, 0, 4), (jeq, 0, 3, audit), (ld, 0, 0, 0), (jeq, 0, 1, number), (ret, 0, 0, 0x00050000), (ret, 0, 0, 0x7FFF0000)]

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]

    filters = (Filter * len(program))(*(Filter(*insn) for insn in program))
    _check(libc.prctl(38, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    _check(libc.prctl(22, 2, ctypes.byref(Program(len(program), filters)), 0, 0), "prctl(PR_SET_SECCOMP)")


def run_command(spec: dict, argv: list[str]) -> int:
    import time

    signal.signal(signal.SIGTERM, lambda *_: kill_all())  # the wall-clock limit: stop the tree, then copy back
    pid = os.fork()
    if pid == 0:
        try:
            unshare(CLONE_NEWUSER | CLONE_NEWNS)  # locks every mount made above
            map_ids(0, 0)
            for name, value in spec["limits"].items():
                resource.setrlimit(LIMITS[name], (value, value))
            one_session()
            os.chdir(spec["cwd"])
            os.execvpe(argv[0], argv, spec["env"])
        except BaseException as exc:  # noqa: BLE001
            print(f"sandbox: cannot start the command: {exc}", file=sys.stderr)
        os._exit(127)
    status, watchdog = 0, Watchdog(spec["limits"])
    while True:  # as the namespace's init: reap orphans, watch the tree
        try:
            done, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if done == pid:
            status = st
            break
        if done == 0:
            watchdog.check()
            time.sleep(0.05)
    alive = sum(name.isdigit() for name in os.listdir("/proc")) - 1
    kill_all()
    if watchdog.tripped:
        print(f"__sandbox_limit__ {watchdog.tripped}", file=sys.stderr, flush=True)
    print(f"__sandbox_waited__ {sum(watchdog.waited.values()) / 1e9:.2f}", file=sys.stderr, flush=True)
    print(f"__sandbox_leftover__ {max(alive, 0)}", file=sys.stderr, flush=True)
    return os.waitstatus_to_exitcode(status) if status else 0


def main() -> int:
    spec = json.loads(sys.argv[1])
    argv = sys.argv[sys.argv.index("--") + 1 :]
    uid, gid = os.getuid(), os.getgid()
    try:
        unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)
        map_ids(uid, gid)
    except OSError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 125
    init = os.fork()
    if init == 0:  # PID 1 of the new namespace
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        try:
            hosts = build_root(spec)
        except OSError as exc:
            print(f"sandbox: {exc}", file=sys.stderr)
            os._exit(125)
        rc = run_command(spec, argv)
        for path, host in hosts:  # what the command left in its tmpfs goes back to the host folder
            copy_tree(os.open(path, os.O_RDONLY | os.O_DIRECTORY), host, int(spec["disk_mb"]) << 20, [MAX_COPY_FILES])
        os._exit(rc if rc >= 0 else 128 - rc)
    signal.signal(signal.SIGTERM, lambda *_: os.kill(init, signal.SIGTERM))  # init stops the tree, then copies back
    _, status = os.waitpid(init, 0)
    rc = os.waitstatus_to_exitcode(status)
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    sys.exit(main())
