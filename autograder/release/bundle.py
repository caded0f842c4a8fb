"""The student bundle: what an instructor hands out (no solutions, no grader, no hidden tests).

``notebooks/`` (student notebooks + package stubs, generated fresh from the
source), ``data/``, a student README with the two commands, the Makefile of
the student's commands (``student.mk``: ``lab``, ``check``, ``progress``,
``submit``), the pinned environment files, and ``tools/`` (``submit.py`` with
a manifest of the expected notebooks, ``workspace.py``).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from autograder import student
from autograder.grading.course import ROOT, SOLUTIONS, exercises
from autograder.release.student_copy import release

README = """# backproplab — your course folder

From a numerically stable softmax to a deep network trained with backprop you
write yourself, in NumPy, in Jupyter notebooks with graded exercises.

```bash
make lab                      # installs everything into .venv and opens your copy of the notebooks in JupyterLab
make submit STUDENT=<your id> # checks your work and writes submissions/<your id>.zip: hand in that file
```

Needs Python >= 3.10 with `venv` and `pip`. Headless (a server, a container):
`make lab LAB_ARGS=--no-browser`, then open the URL it prints.

Your work lives in `work/`: the first `make lab` copies `notebooks/` there,
and no command ever overwrites it (an updated course folder only brings new
files, and files you have not changed; for a file you changed, the course's
new version is put in `work/.course-updates/` for you to compare). Your code
goes in `work/backproplab/*.py` (each notebook says which function); the
notebooks reload your edits automatically. `make check NB=02` runs the
visible checks of one notebook (one line a function: status, points, hint);
`make progress` runs them all. The grader uses its own, fresh inputs, so
passing the visible checks is a good sign, not a guarantee. Keep the notebook
file names; don't delete or copy the graded cells.

Windows without `make`: `conda env create -f environment.yml`,
`conda activate backproplab`, `python tools/workspace.py`, `jupyter lab work/`,
`cd work && python -m backproplab.progress` to check, and
`python tools/submit.py --student <your id>` to submit.
"""

STUDENT_DIR = Path(student.__file__).resolve().parent
STUDENT_MAKEFILE = STUDENT_DIR / "student.mk"
"""The bundle's Makefile: the same file the course repository includes, so both give the same output."""
STUDENT_TOOLS = ("submit.py", "workspace.py")


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
    shutil.copyfile(STUDENT_MAKEFILE, folder / "Makefile")
    for tool in STUDENT_TOOLS:
        shutil.copyfile(STUDENT_DIR / tool, folder / "tools" / tool)
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
