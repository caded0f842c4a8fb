"""``make lab`` as a new user runs it: on a headless machine, as root or not, it prints a URL that serves notebook 01."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"(http://127\.0\.0\.1:\d+/lab\?token=\w+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, attempts: int = 60) -> tuple[int, bytes]:
    """GET `url`; the server may print its URL a moment before it accepts connections."""
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError):
                raise
            time.sleep(0.5)
    raise AssertionError(f"{url} refused connections for {attempts / 2:g} s")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_make_lab_prints_a_url_that_serves_notebook_01(tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    for name in ("Makefile", "requirements.txt", "autograder", "notebooks"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, course / name)
    jupyter = {k: str(tmp_path / k.lower()) for k in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR")}
    args = f"--no-browser --ip=127.0.0.1 --port={_free_port()} --ServerApp.port_retries=0 --LabApp.news_url=None"
    venv = Path(sys.executable).parent.parent
    proc = subprocess.Popen(["make", f"VENV={venv}", "lab", f"LAB_ARGS={args}"], cwd=course, env={**os.environ, **jupyter},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    log: list[str] = []
    try:
        deadline = time.monotonic() + 240
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            log.append(line)
            url = next(iter(URL.findall(line)), None)
        assert url, "make lab printed no URL:\n" + "".join(log[-40:])
        if os.geteuid() == 0:
            assert "--allow-root" in "".join(log), "make lab as root must pass --allow-root"
        base, token = url.split("/lab?token=")
        status, body = _get(f"{base}/api/contents/01_softmax.ipynb?token={token}")
        nb = json.loads(body)
        assert status == 200 and nb["type"] == "notebook" and nb["content"]["cells"]
        assert (course / "work" / "01_softmax.ipynb").exists()  # served from the student's working copy
        status, body = _get(url)
        assert status == 200 and b"JupyterLab" in body
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
