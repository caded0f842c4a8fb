"""environment.yml (conda-forge) and requirements.txt (pip) pin the same packages and versions."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pip_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        spec, _, marker = line.partition(";")
        # conda installs Python 3.11+, so a pin for older Pythons only is not part of the comparison
        if "python_version <" in marker:
            continue
        name, _, version = spec.strip().partition("==")
        assert version, f"requirements.txt: {line!r} is not pinned with =="
        pins[name.lower()] = version
    return pins


def conda_pins() -> dict[str, str]:
    text = (ROOT / "environment.yml").read_text()
    deps = text.split("dependencies:", 1)[1]
    pins = {}
    for match in re.finditer(r"^[ \t]*-[ \t]*([A-Za-z0-9_.\-]+)[ \t]*(?:=+[ \t]*([^\s#]+))?", deps, re.M):
        name, version = match.group(1).lower(), match.group(2)
        if name in ("python", "pip"):
            continue
        pins[name] = version
    return pins


def test_same_packages_and_versions() -> None:
    pip, conda = pip_pins(), conda_pins()
    assert pip == conda, f"only in pip: {sorted(set(pip) - set(conda))}; only in conda: {sorted(set(conda) - set(pip))}; " + ", ".join(
        f"{k}: pip {pip[k]} vs conda {conda[k]}" for k in sorted(set(pip) & set(conda)) if pip[k] != conda[k]
    )


def test_conda_python_satisfies_every_pin() -> None:
    text = (ROOT / "environment.yml").read_text()
    version = re.search(r"-\s*python\s*=\s*3\.(\d+)", text)
    assert version and int(version.group(1)) >= 11, "environment.yml must pin python >= 3.11 (nbgrader 0.9.6 needs it)"
