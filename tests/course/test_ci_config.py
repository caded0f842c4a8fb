"""The CI mirror and the Binder set-up say what the README says they do."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_github_workflow_runs_ci_run_on_oldest_and_newest_python() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    (job,) = workflow["jobs"].values()
    assert job["runs-on"].startswith("ubuntu")
    versions = job["strategy"]["matrix"]["python-version"]
    assert "3.10" in versions and max(tuple(map(int, v.split("."))) for v in versions) >= (3, 13)
    assert any(step.get("run", "").strip() == ".ci/run" for step in job["steps"])
    assert job["env"]["BACKPROPLAB_REQUIRE_BROWSER"]


def test_ci_run_installs_chromium_only_in_ci_as_root_then_runs_make_test() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert lines[-1] == "make test"
    guard = next(line for line in lines if "apt-get" in line and line.startswith("if"))
    assert "${CI:-}" in guard and "id -u" in guard
    assert "apt-get install -y -qq chromium chromium-driver" in script


def test_ci_run_installs_slurm_and_munge_in_ci_as_root_and_requires_the_slurm_test() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = next(line for line in script.splitlines() if "apt-get install" in line)
    assert "slurm-wlm" in install.split() and "munge" in install.split()
    guarded = script[script.index('if [ -n "${CI:-}" ]'):script.index("make test")]
    assert "export BACKPROPLAB_REQUIRE_SLURM=1" in guarded  # only inside the CI-as-root branch
    test = (ROOT / "tests" / "grader" / "test_slurm.py").read_text(encoding="utf-8")
    assert 'os.environ.get("BACKPROPLAB_REQUIRE_SLURM")' in test


def test_binder_builds_from_the_root_environment_and_the_badge_opens_notebook_01() -> None:
    # repo2docker ignores top-level configuration when a binder/ or .binder/ folder exists
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"\(https://mybinder\.org/v2/gh/[^)\s]+\?urlpath=lab/tree/([^)\s]+)\)", readme)
    assert badge, "README has no Binder badge that opens JupyterLab"
    assert (ROOT / badge.group(1)).is_file(), badge.group(1)
    assert "## Troubleshooting" in readme
