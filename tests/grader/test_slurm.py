"""The README's Slurm recipe, run for real on a one-node Slurm cluster started on localhost.

munged (its own key and socket), slurmctld and slurmd are started from a
configuration written into the test's folder, on free loopback ports, as
root (slurmd must be root). The two batch scripts and the submit lines are
the README's code blocks tagged ``# grade.sbatch``, ``# finish.sbatch`` and
``# submit``, written out and run unchanged; only ``BACKPROPLAB_REPO``,
``BACKPROPLAB_COURSE`` and ``BACKPROPLAB_SOURCE`` (the small test course) are
set, as the README says. Then ``grades.csv`` must hold every zip's score.

Skipped where Slurm is not installed or we are not root, unless
``BACKPROPLAB_REQUIRE_SLURM`` is set (``.ci/run`` sets it after installing
``slurm-wlm munge`` in CI as root): then that is a failure.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from grader_course import POINTS, built_course, full_marks, student_notebooks, submission, submission_files, write_zip

from autograder.grading.course import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
REQUIRED = bool(os.environ.get("BACKPROPLAB_REQUIRE_SLURM"))
DAEMONS = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue")
WAIT = 600  # seconds for the whole array and the finish job


def _missing() -> str | None:
    gone = [d for d in DAEMONS if not shutil.which(d, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")]
    if gone:
        return f"Slurm/munge not installed ({', '.join(gone)} missing; Debian: apt-get install slurm-wlm munge)"
    if os.geteuid() != 0:
        return "slurmd must run as root"
    return None


def readme_block(tag: str) -> str:
    """The README's ```bash block, whole and unchanged, whose first or second line (after a #!) is ``# <tag>``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
        if f"# {tag}" in [line.strip() for line in block.splitlines()[:2]]:
            return block
    raise AssertionError(f"README has no ```bash block starting with '# {tag}'")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_mb() -> int:
    kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    return kb // 1024 * 9 // 10


def slurm_conf(base: Path, munge_socket: Path) -> Path:
    host = socket.gethostname().split(".")[0]
    for d in ("state", "spool", "log"):
        (base / d).mkdir(parents=True, exist_ok=True)
    conf = base / "slurm.conf"
    conf.write_text(f"""ClusterName=backproplab-test
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
StateSaveLocation={base / "state"}
SlurmdSpoolDir={base / "spool"}
SlurmctldPidFile={base / "slurmctld.pid"}
SlurmdPidFile={base / "slurmd.pid"}
SlurmctldLogFile={base / "log" / "slurmctld.log"}
SlurmdLogFile={base / "log" / "slurmd.log"}
TmpFS={base}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmdParameters=config_overrides
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName={host} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} RealMemory={_memory_mb()} State=UNKNOWN
PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP
""")
    return conf


class Cluster:
    def __init__(self, base: Path) -> None:
        self.base, self.procs = base, []
        self.munge_socket = base / "munge" / "munge.socket"
        self.env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")

    def start(self) -> None:
        m = self.base / "munge"
        m.mkdir(mode=0o700, parents=True)
        subprocess.run(["mungekey", "--create", f"--keyfile={m / 'munge.key'}"], check=True, env=self.env, timeout=30)
        self._daemon(["munged", "-F", "--force", f"--socket={self.munge_socket}", f"--key-file={m / 'munge.key'}",
                      f"--pid-file={m / 'munged.pid'}", f"--log-file={m / 'munged.log'}", f"--seed-file={m / 'munged.seed'}"])
        self._until(lambda: self.munge_socket.exists(), 20, "munged did not start", m / "munged.log")
        self.env["SLURM_CONF"] = str(slurm_conf(self.base, self.munge_socket))
        self._daemon(["slurmctld", "-D", "-i"])
        self._daemon(["slurmd", "-D"])
        self._until(self._node_idle, 60, "the node did not come up", self.base / "log" / "slurmd.log")

    def _daemon(self, cmd: list[str]) -> None:
        log = open(self.base / f"{cmd[0]}.out", "w")
        self.procs.append(subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def _node_idle(self) -> bool:
        proc = subprocess.run(["sinfo", "-h", "-o", "%T"], env=self.env, capture_output=True, text=True, timeout=20)
        return proc.returncode == 0 and proc.stdout.strip() in ("idle", "mixed", "allocated")

    def _until(self, ok, seconds: float, why: str, log: Path) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if ok():
                return
            if any(p.poll() is not None for p in self.procs):
                break
            time.sleep(0.5)
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        outs = "\n".join((self.base / f"{n}.out").read_text(errors="replace")[-1500:] for n in ("munged", "slurmctld", "slurmd")
                         if (self.base / f"{n}.out").exists())
        raise AssertionError(f"{why}\n{tail}\n{outs}")

    def jobs(self) -> str:
        return subprocess.run(["squeue", "-h", "-o", "%i %T %r"], env=self.env, capture_output=True, text=True, timeout=20).stdout.strip()

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(self.procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path: Path):
    why = _missing()
    if why:
        if REQUIRED:
            pytest.fail(f"{why}, and BACKPROPLAB_REQUIRE_SLURM is set")
        pytest.skip(why)
    c = Cluster(tmp_path / "slurm")
    try:
        c.start()
        yield c
    finally:
        c.stop()


def test_the_readme_slurm_recipe_grades_a_class_on_a_real_slurm(tmp_path: Path, cluster: Cluster) -> None:
    course = built_course(tmp_path / "grader-course")  # the small course (its release makes the blank zip); tasks build their own
    class_dir = tmp_path / "course"
    write_zip(class_dir / "inbox" / "ada.zip", submission(course))
    write_zip(class_dir / "inbox" / "bob.zip", submission(course, wrong=("softmax",)))
    write_zip(class_dir / "inbox" / "cy.zip", submission_files(student_notebooks(course.release_notebooks), course.release_pkg))
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    for name in ("grade.sbatch", "finish.sbatch"):
        script = readme_block(name)
        assert script.startswith("#!/bin/bash\n"), "sbatch needs the #! line first"
        (jobs / name).write_text(script)
    env = dict(cluster.env, BACKPROPLAB_REPO=str(ROOT), BACKPROPLAB_COURSE=str(class_dir), BACKPROPLAB_SOURCE=str(course.source))
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_block("submit")], cwd=jobs, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    end = time.monotonic() + WAIT
    while cluster.jobs() and time.monotonic() < end:
        time.sleep(2)
    logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in sorted(jobs.glob("slurm-*.out")))
    assert not cluster.jobs(), f"jobs still queued after {WAIT} s:\n{cluster.jobs()}\n{logs}"
    grades = class_dir / "grades.csv"
    assert grades.exists(), logs
    rows = {r["student"]: r for r in csv.DictReader(open(grades, encoding="utf-8"))}
    assert sorted(rows) == ["ada", "bob", "cy"], logs
    assert float(rows["ada"]["auto"]) == full_marks()
    assert float(rows["bob"]["auto"]) == full_marks() - POINTS["softmax"]
    assert float(rows["cy"]["auto"]) == 0
    assert len(list(jobs.glob("slurm-*_*.out"))) == 3  # one array task per zip
    assert (class_dir / "reports" / "index.html").exists() and (class_dir / "feedback-html" / "bob.html").exists()



def test_without_slurm_the_test_says_what_to_install(monkeypatch) -> None:
    """The skip (or, with BACKPROPLAB_REQUIRE_SLURM, the failure) names the missing programs and the packages."""
    monkeypatch.setattr(shutil, "which", lambda name, path=None: None if name in ("slurmctld", "munged") else "/usr/bin/" + name)
    why = _missing()
    assert "slurmctld" in why and "munged" in why and "apt-get install slurm-wlm munge" in why
