"""The number-aware output comparison used by the nbval run of the solution notebooks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("nbval_numbers_under_test", Path(__file__).resolve().parents[1] / "support" / "nbval_numbers.py")
nbval_numbers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nbval_numbers)
compare = nbval_numbers.compare_text


@pytest.mark.parametrize(
    "stored, fresh",
    [
        ("relative error 2.3e-11", "relative error 4.1e-11"),  # rounding noise, another BLAS kernel
        ("0.0e+00 and 6.9e-17", "1.1e-16 and 0.0e+00"),  # both at machine precision
        ("[0.7646 0.2303 0.0052]", "[0.7647 0.2303 0.0052]"),  # one unit in the last printed digit
        ("loss 2.3027589523", "loss 2.3027589529"),
        ("accuracy 0.9605 after 12 epochs", "accuracy 0.9603 after 12 epochs"),  # within rtol 1e-3
        ("   9.99 ms", "  10.00 ms"),  # a column that widens by one digit
        ("shape (5, 4)", "shape (5, 4)"),
    ],
)
def test_matches(stored: str, fresh: str) -> None:
    assert compare(stored, fresh) is None


@pytest.mark.parametrize(
    "stored, fresh",
    [
        ("relative error 6.8e-10", "relative error 1.1e-11"),  # a stale gradient check (issue 17)
        ("elementwise mistake 1.0e+00", "elementwise mistake 3.0e-01"),  # stale: an older rel_error
        ("accuracy 0.9605", "accuracy 0.9405"),
        ("shape (5, 4)", "shape (5, 3)"),  # integers are exact
        ("79 of 2000 misclassified", "80 of 2000 misclassified"),
        ("dW: 1e-3", "db: 1e-3"),  # the text matters
        ("[0.1 0.2]", "[0.1 0.2 0.3]"),
        ("error 1.0e-09", "error -1.0e-09"),
    ],
)
def test_differs(stored: str, fresh: str) -> None:
    assert compare(stored, fresh) is not None


def test_cell_tolerances_loosen_floats_and_integers() -> None:
    assert compare("accuracy 0.9605, 79 wrong", "accuracy 0.9550, 81 wrong") is not None
    assert compare("accuracy 0.9605, 79 wrong", "accuracy 0.9550, 81 wrong", rtol=0.02, int_rtol=0.05) is None


def test_make_release_rewrites_a_notebook_only_when_an_output_really_changed() -> None:
    import nbformat

    from autograder.release.refresh_outputs import _changed

    def notebook(text: str):
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("print(x)")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        nb.cells = [cell]
        return nb

    assert not _changed(notebook("relative error 2.3e-11, loss 0.76460\n"), notebook("relative error 4.1e-11, loss 0.76461\n"))
    assert _changed(notebook("loss 0.7646\n"), notebook("loss 0.8123\n"))
    assert _changed(notebook("relative error 6.8e-10\n"), notebook("relative error 1.1e-11\n"))


def test_a_stream_split_differently_or_a_progress_widget_is_no_change() -> None:
    import nbformat

    from autograder.release.stored_outputs import cell_outputs_match

    one = [nbformat.v4.new_output("stream", name="stdout", text="a 1.0\nb 2.0\n")]
    two = [nbformat.v4.new_output("stream", name="stdout", text="a 1.0\n"), nbformat.v4.new_output("stream", name="stdout", text="b 2.0\n")]
    widget = nbformat.v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "  3%|"})
    assert cell_outputs_match(one, two) and cell_outputs_match(one + [widget], two)
    assert not cell_outputs_match(one, [nbformat.v4.new_output("stream", name="stdout", text="a 1.0\nb 3.0\n")])
