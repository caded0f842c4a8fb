"""The student's editing loop: edit ``backproplab/*.py``, re-run a cell, see the change.

A real kernel (nbclient) runs notebook 01's set-up cell in a copy of the
untouched release, then the cells a student runs while working.

The notebooks use ``%autoreload 3``. With IPython 9's ``%autoreload 2`` (its new
"deduperreload" algorithm) the first edit of a module is reloaded the classic
way and later ones by deduperreload, which only patches the module's current
function objects: a name imported before the first edit
(``from backproplab.softmax import softmax``) keeps running the first edited
version forever. The first test below fails on that. Mode 3 always uses the
classic reload, on IPython 8 and 9.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from student_course import copy_course

pytestmark = pytest.mark.timeout(180)

ANSI = re.compile(r"\x1b\[[0-9;]*m")
STUB = re.compile(r"^    raise NotImplementedError\(.*\)$", re.M)


class Kernel:
    """One kernel in `cwd`; `run(source)` executes a cell and returns its outputs as text."""

    def __init__(self, cwd: Path) -> None:
        self.nb = nbformat.v4.new_notebook()
        self.nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        self.client = NotebookClient(self.nb, timeout=60, allow_errors=True, resources={"metadata": {"path": str(cwd)}})

    def __enter__(self) -> Kernel:
        self._ctx = self.client.setup_kernel()
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._ctx.__exit__(*exc)

    def run(self, source: str) -> tuple[str, list[dict]]:
        """Execute one cell; return (all its text output, its error outputs)."""
        cell = nbformat.v4.new_code_cell(source)
        self.nb.cells.append(cell)
        self.client.execute_cell(cell, len(self.nb.cells) - 1)
        text = []
        for out in cell.outputs:
            if out.output_type == "stream":
                text.append(out.text)
            elif out.output_type == "execute_result":
                text.append(out.data.get("text/plain", ""))
            elif out.output_type == "error":
                text.append("\n".join(out.traceback))
        return ANSI.sub("", "\n".join(text)), [o for o in cell.outputs if o.output_type == "error"]


def setup_source(course: Path) -> str:
    """The source of notebook 01's set-up cells (tag ``setup``), as the student runs them first."""
    nb = nbformat.read(course / "01_softmax.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if "setup" in c.metadata.get("tags", [])]
    assert cells, "notebook 01 has no cell tagged 'setup'"
    assert any(re.search(r"^%autoreload (2|3|all|complete)\b", c, re.M) for c in cells), "notebook 01's set-up does not turn on %autoreload"
    return "\n".join(cells)


def write_body(path: Path, released: str, function: str, body: str) -> None:
    """Save `path` as the released file `released` with the stub of `function` replaced by `body`."""
    head, sep, rest = released.partition(f"\ndef {function}(")
    stub = STUB.search(rest)
    assert stub is not None, f"no stub for {function}"
    path.write_text(head + sep + rest[: stub.start()] + body.rstrip("\n") + rest[stub.end() :], encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def names_file_and_line(output: str, filename: str, line: int) -> bool:
    """Whether a traceback names the file and the line (``file", line N`` or ``file:N``)."""
    return re.search(rf"{re.escape(filename)}(\", line |:){line}\b", output) is not None


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return copy_course(tmp_path / "course")


GOOD = "    E = np.exp(Z - Z.max(axis=-1, keepdims=True))\n    return E / E.sum(axis=-1, keepdims=True)\n"


def test_an_edit_is_picked_up_without_restarting_the_kernel(course: Path) -> None:
    softmax_py = course / "backproplab" / "softmax.py"
    released = softmax_py.read_text(encoding="utf-8")
    with Kernel(course) as k:
        _, errors = k.run(setup_source(course))
        assert not errors, errors
        _, errors = k.run("from backproplab.softmax import softmax\nsoftmax(np.zeros(4))")
        assert [e.ename for e in errors] == ["NotImplementedError"]

        write_body(softmax_py, released, "softmax", GOOD)
        out, errors = k.run("softmax(np.zeros(4))")  # the name imported before the edit
        assert not errors, out
        assert "0.25, 0.25, 0.25, 0.25" in out

        write_body(softmax_py, released, "softmax", "    return np.exp(Z) / np.exp(Z).sum()\n")  # a second edit: global sum
        out, errors = k.run("softmax(np.zeros((2, 2)))")
        assert not errors, out
        assert "0.25" in out and "0.5" not in out


def test_a_syntax_error_names_the_file_and_line_and_the_fix_is_picked_up(course: Path) -> None:
    softmax_py = course / "backproplab" / "softmax.py"
    activations_py = course / "backproplab" / "activations.py"
    released = softmax_py.read_text(encoding="utf-8")
    with Kernel(course) as k:
        k.run(setup_source(course))
        write_body(softmax_py, released, "softmax", GOOD)
        out, errors = k.run("from backproplab.softmax import softmax\nsoftmax(np.zeros(2))")
        assert not errors and "0.5, 0.5" in out, out

        # Already imported module: %autoreload reports the failed reload, naming file and line.
        write_body(softmax_py, released, "softmax", GOOD.replace("E.sum(axis=-1, keepdims=True)", "E.sum(axis=-1, keepdims=True"))
        bad_line = line_of(softmax_py, "return E / E.sum(axis=-1, keepdims=True")
        out, _ = k.run("softmax(np.zeros(2))")
        assert "SyntaxError" in out, out
        assert names_file_and_line(out, "softmax.py", bad_line), out

        write_body(softmax_py, released, "softmax", GOOD.replace("E / E.sum", "2 * E / E.sum"))  # fixed (and changed)
        out, errors = k.run("softmax(np.zeros(2))")
        assert not errors and "1., 1." in out, out

        # Module not imported yet: the import itself fails with a SyntaxError naming file and line.
        write_body(activations_py, activations_py.read_text(encoding="utf-8"), "relu", "    return np.maximum(0, Z\n")
        out, errors = k.run("from backproplab.activations import relu")
        assert [e.ename for e in errors] == ["SyntaxError"], out
        assert names_file_and_line(out, "activations.py", line_of(activations_py, "return np.maximum(0, Z")), out
