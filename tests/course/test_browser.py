"""The student path in a real browser: JupyterLab + headless Chromium (selenium).

One JupyterLab server (127.0.0.1, a free port, a token) serves a temporary folder
with two copies of the student course: ``solved/`` (the release with the reference
package and the code answers filled in) and ``student/`` (the untouched release).
Chromium opens notebook 01, runs all cells from the Run menu, and we read the
rendered page: no error output, every plot drawn. nbgrader's *Validate* toolbar
button is then pressed on both copies. Screenshots go to ``tests/artifacts/``
(gitignored; CI uploads them).

Skipped when Chromium or chromedriver is missing (Debian: ``apt-get install
chromium chromium-driver``; ``.ci/run`` installs them in CI).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from student_course import DATA, SOLUTIONS, copy_course

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
NOTEBOOK = "01_softmax.ipynb"


def _find(*names: str) -> str | None:
    return next((p for p in map(shutil.which, names) if p), None)


CHROMIUM = os.environ.get("BACKPROPLAB_CHROMIUM") or _find("chromium", "chromium-browser", "google-chrome")
CHROMEDRIVER = os.environ.get("BACKPROPLAB_CHROMEDRIVER") or _find("chromedriver")
# Set in CI (.ci/run, the GitHub workflow): there a missing browser is a failure, not a skip.
REQUIRED = bool(os.environ.get("BACKPROPLAB_REQUIRE_BROWSER"))
MISSING = "no Chromium/chromedriver (apt-get install chromium chromium-driver)"

pytestmark = [
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER) and not REQUIRED, reason=MISSING),
    pytest.mark.timeout(600),
    pytest.mark.slow,
]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
]

# JupyterLab settings for a reproducible page: every cell in the DOM (no windowing), no news or update checks.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def expected_images(course: Path) -> int:
    """How many images notebook 01 draws: the image outputs stored in the instructor's run of it."""
    cells = json.loads((SOLUTIONS / NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    return sum("image/png" in out.get("data", {}) for c in cells for out in c.get("outputs", []))


class Lab:
    """A JupyterLab server on 127.0.0.1 serving `root`, with a token."""

    def __init__(self, root: Path, work: Path) -> None:
        self.root, self.port, self.token = root, free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        settings = work / "user-settings"
        for name, value in LAB_SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(value), encoding="utf-8")
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(work / "config"),  # nothing from ~/.jupyter
            "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
            "IPYTHONDIR": str(work / "ipython"),
            "BACKPROPLAB_DATA": str(DATA),
            "OPENBLAS_NUM_THREADS": "1",
        }
        self.log = work / "jupyterlab.log"
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "jupyterlab", "--no-browser",
                "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
                f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={work / 'workspaces'}",
                "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
            ],
            cwd=root, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(f"{self.url}/api/status", headers={"Authorization": f"token {self.token}"})
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(request, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"JupyterLab did not answer in {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab-root")
    copy_course(root / "solved", solved=True)
    copy_course(root / "student")
    server = Lab(root, tmp_path_factory.mktemp("lab-work"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail(f"{MISSING}, and BACKPROPLAB_REQUIRE_BROWSER is set")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path_factory.mktemp("chromedriver") / "log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_window_size(1400, 1000)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, script: str, timeout: float, what: str):
    """Poll a JavaScript expression until it returns something truthy; return that value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.25).until(
        lambda d: d.execute_script(f"return {script};"), message=f"timed out after {timeout} s waiting for {what}"
    )


def open_notebook(driver, lab: Lab, path: str) -> None:
    """Load JupyterLab with only `path` open (``reset``: no tabs restored) and wait for its kernel."""
    driver.get(f"{lab.url}/lab/tree/{path}?reset&token={lab.token}")
    current = "document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')"
    wait_for(driver, f"({current} || {{title: ''}}).title.includes('Path: {path}')", 120, f"{path} to be the current tab")
    wait_for(driver, "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')", 120,
             "the notebook to render")
    wait_for(driver, "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
             ".jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')", 120, "the kernel to be idle")


def click_menu(driver, menu: str, command: str) -> None:
    """Open a main-menu menu by its label and click the item bound to `command`."""
    from selenium.webdriver.common.by import By

    label = driver.find_element(By.XPATH, f"//div[contains(@class,'lm-MenuBar-itemLabel') and text()='{menu}']")
    label.click()
    item = wait_for(driver, f"document.querySelector('.lm-Menu li[data-command=\"{command}\"]')", 10, f"menu item {command}")
    item.click()


# What the rendered notebook shows: per code cell its prompt, output MIME types and error text; images.
READ_PAGE = """
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
const cells = [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(c => ({
  prompt: (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
  mimes: [...c.querySelectorAll('.jp-OutputArea-output')].map(o => o.getAttribute('data-mime-type')),
  errors: [...c.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')].map(o => o.textContent),
}));
const imgs = [...panel.querySelectorAll('.jp-OutputArea-output img')].map(i => ({complete: i.complete, width: i.naturalWidth}));
const status = (panel.querySelector('.jp-Notebook-ExecutionIndicator') || {dataset: {}}).dataset.status;
return {cells, imgs, status};
"""


def screenshot(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    driver.save_screenshot(str(path))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(path, ARTIFACTS / name)
    return path


def test_notebook_01_runs_in_the_browser_with_every_plot(lab: Lab, browser, tmp_path: Path) -> None:
    start = time.perf_counter()
    open_notebook(browser, lab, f"solved/{NOTEBOOK}")
    opened = time.perf_counter()
    click_menu(browser, "Run", "runmenu:run-all")  # "Run All Cells"
    done = "(p => p.every(x => /\\[\\d+\\]/.test(x)))([...document.querySelectorAll(" \
           "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent))"
    wait_for(browser, done, 300, "every code cell to have run")
    wait_for(browser, "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
             ".jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')", 60, "the kernel to be idle again")
    page = browser.execute_script(READ_PAGE)
    ran = time.perf_counter()

    errors = [(i, c["prompt"], e[:400]) for i, c in enumerate(page["cells"]) for e in c["errors"]]
    assert not errors, f"cells with an error output: {errors}"
    assert all(c["prompt"].strip() not in ("[ ]:", "[*]:", "") for c in page["cells"]), page["cells"]
    want = expected_images(lab.root / "solved")
    assert len(page["imgs"]) == want, f"{len(page['imgs'])} images rendered, notebook 01 draws {want}"
    assert all(i["complete"] and i["width"] > 0 for i in page["imgs"]), page["imgs"]

    browser.execute_script(
        "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img')"
        ".scrollIntoView({block: 'center'});"
    )
    time.sleep(0.5)
    shot = screenshot(browser, tmp_path, "browser_01_softmax.png")
    print(f"\nopen {opened - start:.1f} s, run all {ran - opened:.1f} s, "
          f"{len(page['cells'])} code cells, {len(page['imgs'])} images; screenshot {shot} (copied to {ARTIFACTS})")


def validate(driver) -> dict:
    """Press nbgrader's Validate toolbar button; return the result dialog's class list and text."""
    from selenium.webdriver.common.by import By

    button = wait_for(driver, "(b => b && (b.matches('jp-button, button') ? b : b.querySelector('jp-button, button')))"
                      "(document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .validate-button'))",
                      60, "nbgrader's Validate button")
    driver.execute_script("arguments[0].click();", button)
    message = wait_for(driver, "document.querySelector('.jp-Dialog #validation-message')", 300, "the validation result")
    result = {"classes": message.get_attribute("class").split(), "text": message.text,
              "title": driver.find_element(By.CSS_SELECTOR, ".jp-Dialog .jp-Dialog-header").text}
    return result


def close_dialog(driver) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, ".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
    wait_for(driver, "!document.querySelector('.jp-Dialog')", 10, "the dialog to close")


def validated(browser, lab: Lab, tmp_path: Path, copy: str) -> tuple[dict, float]:
    """nbgrader's Validate on notebook 01 of `copy` ("student" or "solved"): its dialog, and the seconds it took."""
    start = time.perf_counter()
    open_notebook(browser, lab, f"{copy}/{NOTEBOOK}")
    result = validate(browser)
    seconds = time.perf_counter() - start
    screenshot(browser, tmp_path, f"browser_validate_{copy}.png")
    close_dialog(browser)
    return result, seconds


def test_nbgrader_validate_in_the_browser(lab: Lab, browser, tmp_path: Path) -> None:
    result, failed_in = validated(browser, lab, tmp_path, "student")
    assert result["title"] == "Validation Results"
    assert "validation-failed" in result["classes"], result
    assert "The following cell failed" in result["text"]
    assert "NotImplementedError" in result["text"], result["text"][:2000]  # the stubs', in the graded cells

    result, passed_in = validated(browser, lab, tmp_path, "solved")
    assert "validation-success" in result["classes"], result
    assert "Success! Your notebook passes all the tests." in result["text"]
    print(f"\nValidate: untouched release {failed_in:.1f} s (failed as it should), solved copy {passed_in:.1f} s (passed)")


CHECK_CELLS = [  # in the untouched release (its fingerprints name the mistakes), as a student would write softmax
    "import numpy as np\n\nfrom backproplab import validate\nfrom backproplab.checks import check_softmax",
    "def softmax(Z):\n    Z = validate.softmax(Z)  # the stub's line\n"
    "    E = np.exp(Z - Z.max(axis=-1, keepdims=True))\n    return E / E.sum(axis=-1, keepdims=True)\n\n\ncheck_softmax(softmax)",
    "def softmax(Z):\n    Z = validate.softmax(Z)\n"
    "    E = np.exp(Z - Z.max())  # one global max\n    return E / E.sum(axis=-1, keepdims=True)\n\n\ncheck_softmax(softmax)",
]

READ_CHECK_CELLS = """
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
return [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(c => ({
  prompt: (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
  text: [...c.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent).join('\\n'),
  html: [...c.querySelectorAll('.jp-OutputArea-output')].map(o => o.innerHTML).join('\\n'),
}));
"""


def test_check_cells_show_a_clean_result_in_the_browser(lab: Lab, browser, tmp_path: Path) -> None:
    """A passing and a failing check cell, as a student sees them: a green ✓ line, a red ✗ block with the mistake, no checker frames."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(src) for src in CHECK_CELLS])
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, lab.root / "student" / "check_cells.ipynb")
    open_notebook(browser, lab, "student/check_cells.ipynb")
    click_menu(browser, "Run", "runmenu:run-all")
    done = "(p => p.every(x => /\\[\\d+\\]/.test(x)))([...document.querySelectorAll(" \
           "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent))"
    wait_for(browser, done, 120, "every check cell to have run")
    cells = browser.execute_script(READ_CHECK_CELLS)
    passing, failing = cells[1], cells[2]
    assert "✓" in passing["text"] and "visible checks passed" in passing["text"], passing
    assert "✗" in failing["text"] and "Subtract each row's own maximum" in failing["text"], failing  # the catalogue's hint
    for frame in ("checks/__init__.py", "running.py", "for wrong in", "Traceback"):
        assert frame not in failing["text"], (frame, failing["text"][:600])
    time.sleep(0.5)
    shot = screenshot(browser, tmp_path, "browser_check_cells.png")
    print(f"\npassing cell: {passing['text'].strip()!r}\nfailing cell: {failing['text'].strip()[:300]!r}\nscreenshot {shot}")
