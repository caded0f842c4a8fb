"""The course as the grader sees it: source notebooks, reference and release packages, nbgrader build.

`Course.load(source, workdir)` reads the instructor source (``solutions/`` by
default: reference package + source notebooks), writes the release package
(stubs) into `workdir`, and runs ``nbgrader generate_assignment`` once in a
build directory under `workdir` (outside the repository), cached by a
fingerprint of the source. Its gradebook, holding the assignment's
structure and no solutions, is the template for every throw-away
per-submission course and for the instructor's gradebook.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from autograder import sandbox
from autograder.contract import exercises
from autograder.grading.notebooks import SourceNotebook, read_source
from autograder.grading.reference import Reference, load_hidden
from autograder.layout import ASSIGNMENT, PACKAGE, ROOT, SOLUTIONS
from autograder.release.student_copy import release_package

__all__ = ["ASSIGNMENT", "PACKAGE", "ROOT", "SOLUTIONS", "Course", "exercises", "nbgrader_config", "nbgrader_env"]


def fingerprint(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def nbgrader_env() -> dict[str, str]:
    """Environment for running nbgrader on the host (it calls ``alembic`` through PATH)."""
    env = sandbox._base_env(Path("/tmp"))
    env["HOME"] = str(Path.home())
    env.pop("JUPYTER_RUNTIME_DIR", None)
    env.pop("IPYTHONDIR", None)
    env.pop("MPLCONFIGDIR", None)
    return env


def nbgrader_config(root: Path, *, db: Path, exclude: list[str], cell_timeout: int) -> str:
    """An ``nbgrader_config.py`` for a course rooted at `root`."""
    return "\n".join(
        [
            "c = get_config()",
            f"c.CourseDirectory.root = {str(root)!r}",
            f"c.CourseDirectory.course_id = {ASSIGNMENT!r}",
            f"c.CourseDirectory.db_url = {('sqlite:///' + str(db))!r}",
            # nbgrader overwrites a submission's supporting files with the source version unless told not to.
            f"c.Autograde.exclude_overwriting = {{{ASSIGNMENT!r}: {exclude!r}}}",
            # The per-cell timeout is Execute.timeout (nbgrader #1004, #1463), not ExecutePreprocessor.timeout.
            f"c.Execute.timeout = {int(cell_timeout)}",
            "c.Execute.interrupt_on_timeout = True",
            "c.Execute.raise_on_iopub_timeout = False",
            # Deleted graded cells come back (with a note) instead of silently losing their grade (#1682).
            "c.OverwriteCells.add_missing_cells = True",
            "c.LimitOutput.max_lines = 500",
            "c.LimitOutput.max_traceback = 50",
            "",
        ]
    )


@dataclass
class Course:
    source: Path
    workdir: Path
    hidden_name: str = "autograder.hidden"
    notebooks: dict[str, SourceNotebook] = field(default_factory=dict)

    @property
    def reference_pkg(self) -> Path:
        return self.source / PACKAGE

    @property
    def release_pkg(self) -> Path:
        return self.workdir / "release" / PACKAGE

    @property
    def build(self) -> Path:
        return self.workdir / "nbgrader-build"

    @property
    def template_db(self) -> Path:
        return self.build / "gradebook.db"

    @property
    def release_notebooks(self) -> Path:
        return self.build / "release" / ASSIGNMENT

    @classmethod
    def load(cls, source: Path = SOLUTIONS, workdir: Path | None = None, hidden: str = "autograder.hidden", build: bool = True) -> Course:
        source = Path(source).resolve()
        workdir = Path(workdir or (ROOT.parent / "backproplab-grading" / ".build")).resolve()
        course = cls(source, workdir, hidden)
        course.hidden = load_hidden(hidden, course.reference_pkg)
        functions = course.hidden.FUNCTIONS
        course.notebooks = {p.stem: read_source(p, functions) for p in sorted(source.glob("*.ipynb"))}
        if not course.notebooks:
            raise FileNotFoundError(f"no source notebooks (*.ipynb) in {source}")
        course.prepare(build)
        return course

    @classmethod
    def from_args(cls, args, build: bool = True) -> Course:
        """The course the CLI's ``--source``, ``--course`` (its ``.build`` folder) and ``--hidden`` name."""
        return cls.load(args.source, Path(args.course) / ".build", hidden=args.hidden, build=build)

    # ------------------------------------------------------------------ build

    def source_files(self) -> list[Path]:
        return sorted(self.source.glob("*.ipynb")) + sorted(self.reference_pkg.glob("*.py"))

    def prepare(self, build: bool) -> None:
        """Release package and nbgrader build, redone only when the source changed (one process at a time)."""
        import fcntl

        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._prepare(build)

    def _prepare(self, build: bool) -> None:
        stamp = self.workdir / "fingerprint.json"
        fp = fingerprint(self.source_files())
        current = json.loads(stamp.read_text()) if stamp.exists() else {}
        if current.get("fingerprint") == fp and self.release_pkg.exists() and (self.template_db.exists() or not build):
            return
        release_package(self.reference_pkg, self.release_pkg)
        if build:
            self.generate_assignment()
        stamp.write_text(json.dumps({"fingerprint": fp, "source": str(self.source)}))

    def generate_assignment(self) -> None:
        """``nbgrader generate_assignment`` on the source notebooks, in the build directory."""
        if self.build.exists():
            shutil.rmtree(self.build)
        src = self.build / "source" / ASSIGNMENT
        src.mkdir(parents=True)
        for nb in self.source.glob("*.ipynb"):
            shutil.copyfile(nb, src / nb.name)
        (self.build / "nbgrader_config.py").write_text(
            nbgrader_config(self.build, db=self.template_db, exclude=self.package_files(), cell_timeout=60), encoding="utf-8"
        )
        proc = subprocess.run(
            [sandbox.python(), "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
            cwd=self.build,
            env=nbgrader_env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode != 0 or not self.template_db.exists():
            raise RuntimeError(f"nbgrader generate_assignment failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")

    # ------------------------------------------------------------------ facts

    @functools.cached_property
    def reference(self) -> Reference:
        return Reference(self.reference_pkg, self.hidden.FUNCTIONS)

    # ------------------------------------------------------------------ what every submission of one seed shares

    @functools.cached_property
    def _shared(self) -> dict:
        return {}

    def cases(self, name: str, seed: int) -> list:
        """The hidden cases of `name` for `seed`, built once per process (a batch builds them before it forks)."""
        key = ("cases", name, seed)
        if key not in self._shared:
            self._shared[key] = list(self.hidden.cases(name, seed))
        return self._shared[key]

    def answer(self, name: str, case):
        """The reference's answer to `case` (a `Raised` when it raises), computed once per case object."""
        key = ("answer", name, id(case))
        kept = self._shared.get(key)
        if kept is None or kept[0] is not case:  # the case is kept with its answer: its id cannot be reused meanwhile
            kept = self._shared[key] = (case, self.reference.call(name, case.args, case.kwargs))
        return kept[1]

    def recorded(self, name: str, seed: int, deps: frozenset[str]) -> tuple[dict, dict]:
        """The dependencies' answers the reference `name` asks for on its cases (`replay.record`), once per seed."""
        from autograder.grading import replay

        key = ("recorded", name, seed, deps)
        if key not in self._shared:
            self._shared[key] = replay.record(self.reference, name, self.cases(name, seed), set(deps))
        return self._shared[key]

    @functools.cached_property
    def _released(self) -> dict[str, dict[str, str]]:
        from autograder.grading.notebooks import cell_source, nbgrader_meta

        out = {}
        for path in sorted(self.release_notebooks.glob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            out[path.stem] = {nbgrader_meta(c).get("grade_id"): cell_source(c) for c in cells if nbgrader_meta(c).get("grade_id")}
        return out

    def released_source(self, notebook: str, grade_id: str) -> str:
        """The student version (as released) of a graded cell: what an unanswered cell still says."""
        return self._released.get(notebook, {}).get(grade_id, "")

    def package_files(self) -> list[str]:
        """Every package file, relative to the assignment folder (for ``exclude_overwriting``)."""
        return sorted(f"{PACKAGE}/{p.name}" for p in self.reference_pkg.glob("*.py"))

    def graded_functions(self) -> list[str]:
        return [c.grade_id for nb in self.notebooks.values() for c in nb.cells("function")]

    def exercise_modules(self) -> set[str]:
        return {m for nb in exercises(self.reference_pkg).values() for m in nb}

    def function_notebook(self) -> dict[str, str]:
        return {c.grade_id: nb.name for nb in self.notebooks.values() for c in nb.cells("function")}
