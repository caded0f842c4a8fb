"""The student bundle: what an instructor hands out (no solutions, no grader, no hidden tests).

``notebooks/`` (student notebooks + package stubs, generated fresh from the
source), ``data/``, a student README with the two commands, a Makefile with
``lab``, ``check`` and ``submit``, the pinned environment files, and
``tools/submit.py`` with a manifest of the expected notebooks.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from .course import ROOT, SOLUTIONS, exercises
from .release import release

README = """# backproplab — your course folder

From a numerically stable softmax to a deep network trained with backprop you
write yourself, in NumPy, in Jupyter notebooks with graded exercises.

```bash
make lab                      # installs everything into .venv and opens the notebooks in JupyterLab
make submit STUDENT=<your id> # checks your work and writes <your id>.zip: hand in that file
```

Needs Python >= 3.10 with `venv` and `pip`. Windows without `make`:
`conda env create -f environment.yml`, `conda activate backproplab`,
`jupyter lab notebooks/`, and to submit `python tools/submit.py --student <your id>`.

Your code goes in `notebooks/backproplab/*.py` (each notebook says which
function); the notebooks reload your edits automatically. `make check NB=02`
runs the visible checks of one notebook. The grader uses its own, fresh
inputs, so passing the visible checks is a good sign, not a guarantee.
Keep the notebook file names; don't delete or copy the graded cells.
"""

MAKEFILE = """PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
NB ?= 01
STUDENT ?=
FORCE ?=
LAB_ARGS ?=

.PHONY: venv lab check submit

$(STAMP): requirements.txt
\t@test -x $(PY) || $(PYTHON) -m venv $(VENV)
\t$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
\t@touch $@

venv: $(STAMP)

lab: venv
\tcd notebooks && ../$(BIN)/jupyter lab $(LAB_ARGS)

check: venv
\t$(PY) tools/submit.py --check $(NB)

submit: venv
\t$(PY) tools/submit.py --student "$(STUDENT)" $(if $(FORCE),--force,)
"""


def make_bundle(out: Path, source: Path = SOLUTIONS, *, as_zip: bool = True, name: str = "backproplab-student") -> Path:
    """Write `out/name.zip` (or, with ``as_zip=False``, the folder `out/name`); return what was written."""
    folder = Path(out) / name
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "tools").mkdir(parents=True)
    release(Path(source), folder / "notebooks")
    if (ROOT / "data").exists():
        shutil.copytree(ROOT / "data", folder / "data", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for f in ("requirements.txt", "environment.yml", "LICENSE"):
        if (ROOT / f).exists():
            shutil.copyfile(ROOT / f, folder / f)
    (folder / "README.md").write_text(README, encoding="utf-8")
    (folder / "Makefile").write_text(MAKEFILE, encoding="utf-8")
    shutil.copyfile(Path(__file__).with_name("submit.py"), folder / "tools" / "submit.py")
    manifest = {"notebooks": sorted(p.stem for p in Path(source).glob("*.ipynb")), "exercises": exercises(Path(source) / "backproplab")}
    (folder / "tools" / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    if not as_zip:
        return folder
    archive = Path(out) / f"{name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                zf.write(p, str(Path(name) / p.relative_to(folder)))
    shutil.rmtree(folder)
    return archive
