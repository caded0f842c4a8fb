"""The grading child's cell runner: plain ``exec`` where a notebook needs no IPython, matplotlib only when used.

Code answers are computed in the sandbox from the notebook's set-up cells and
the student's cell. IPython (and the inline matplotlib backend it brings)
cost about 0.5 CPU-s a child; these tests pin down when the child may skip
them without changing what a cell computes.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from autograder.sandbox import child


@pytest.mark.parametrize("source", [
    "x = 1",
    "%load_ext autoreload\n%autoreload 3\n%matplotlib inline\nimport numpy as np\nx = np.ones(2)",
    "if True:\n    %matplotlib inline\n    y = 2",
    "for _ in range(3):\n    pass",  # `_` as a loop variable is plain Python
    's = """\n%timeit inside a string\n"""',  # magic-looking text in a string is left alone
])
def test_plain_python_with_harmless_magics_runs_without_ipython(source: str) -> None:
    plain = child.plain_source(source)
    assert plain is not None and "%" not in plain.replace("%timeit inside", "")
    shell = child.Plain()
    shell.reset()
    assert shell.run_cell(plain).success


@pytest.mark.parametrize("source", [
    "%timeit 1 + 1",                                                       # a magic that does something
    "!ls",                                                                  # shell escape
    "x?",                                                                   # help syntax
    "get_ipython().input_transformers_post.append(lambda lines: lines)",    # the hostile corpus's attack: IPython meets it
    "display(1)",
    "await something()",                                                    # top-level await
    "def broken(:\n    pass",                                               # a real syntax error: IPython reports it
])
def test_anything_else_keeps_ipython(source: str) -> None:
    assert child.plain_source(source) is None


def test_a_failing_plain_cell_reports_like_ipython() -> None:
    shell = child.Plain()
    shell.reset()
    result = shell.run_cell("raise ValueError('bad shape')")
    assert not result.success and child._result_error(result) == "ValueError: bad shape"
    result = shell.run_cell("import sys\nsys.exit(3)")  # SystemExit is the cell's failure, not the child's
    assert not result.success and child._result_error(result).startswith("SystemExit")
    shell.run_cell("z = 41 + 1")
    assert shell.user_ns["z"] == 42 and shell.user_ns["__name__"] == "__main__"


def _run(code: str) -> str:
    script = f"import sys\nsys.path.insert(0, {str(child.__file__.rsplit('/', 1)[0])!r})\nimport child\n" + textwrap.dedent(code)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env={"MPLBACKEND": "Agg", "PATH": ""})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_matplotlib_is_imported_only_when_a_cell_uses_it() -> None:
    out = _run("""
        child.Deferred()
        import matplotlib.pyplot as plt
        from matplotlib import pyplot
        print('after import:', 'matplotlib.figure' in sys.modules, pyplot is plt)
        fig, ax = plt.subplots()
        ax.plot([1, 2])
        print('after use:', 'matplotlib.figure' in sys.modules, type(fig).__name__, plt.get_backend().lower())
    """)
    assert "after import: False True" in out and "after use: True Figure agg" in out


def test_another_matplotlib_submodule_imports_once_and_for_real() -> None:
    out = _run("""
        child.Deferred()
        import matplotlib.pyplot as plt
        import matplotlib.colors as colors
        import matplotlib
        print(colors.to_rgb('red'), colors is sys.modules['matplotlib.colors'], matplotlib.colors is colors)
        print(matplotlib.__spec__.name, callable(plt.plot))
    """)
    assert "(1.0, 0.0, 0.0) True True" in out and "matplotlib True" in out
