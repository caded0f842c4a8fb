"""The reference that builds the hidden cases is the one that judges them: the course's ``--source``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.grader_course import make_source

from autograder import hidden
from autograder.grading.course import Course

STABLE = "    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))\n"
SHIFTED = "    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)) - 1.0\n"


@pytest.fixture(scope="module")
def other_course(tmp_path_factory) -> Course:
    """A course whose reference `log_softmax` is one less than ``solutions/``'s (rows of exp sum to 1/e)."""
    base = tmp_path_factory.mktemp("other-source")
    source = make_source(base / "source")
    softmax = source / "backproplab" / "softmax.py"
    text = softmax.read_text(encoding="utf-8")
    assert text.count(STABLE) == 1
    softmax.write_text(text.replace(STABLE, SHIFTED), encoding="utf-8")
    return Course.load(source, base / "work", build=False)


def _row_sums(cases, index: int) -> np.ndarray:
    """Row sums of exp(argument `index`) over the hidden cases (the visible probes' inputs are the release's, fixed)."""
    return np.concatenate([np.exp(np.asarray(c.args[index], dtype=np.float64)).sum(axis=1) for c in cases if not c.visible])


@pytest.mark.parametrize("name, index", [("log_softmax_backward", 1), ("nll_backward", 1)])
def test_case_inputs_come_from_the_source_reference(other_course: Course, name: str, index: int) -> None:
    cases = other_course.hidden.cases(name, 7)
    judged = other_course.reference.call("log_softmax", (np.zeros((1, 3)),), {})
    assert np.allclose(np.exp(judged).sum(axis=1), np.exp(-1.0))  # the judge is the other source ...
    assert np.allclose(_row_sums(cases, index), np.exp(-1.0), rtol=1e-5)  # ... and so are the inputs
    assert np.allclose(_row_sums(hidden.cases(name, 7), index), 1.0, rtol=1e-5)  # solutions/ stays the default


def test_the_bound_reference_is_the_source_s(other_course: Course) -> None:
    mine = other_course.hidden.reference("log_softmax")
    assert Path(mine.__code__.co_filename).resolve() == (other_course.reference_pkg / "softmax.py").resolve()
    assert Path(hidden.reference("log_softmax").__code__.co_filename).resolve() == (hidden.REFERENCE_PKG / "softmax.py").resolve()
    assert other_course.hidden.FUNCTIONS == hidden.FUNCTIONS


def test_catalogued_mistakes_are_spliced_into_the_source_reference(other_course: Course) -> None:
    """A wrong answer equal to a mutant of the *source* module is named (the mutants follow the source too)."""
    from autograder import mutants

    name = "softmax_cross_entropy"
    mutant = next(m for m in mutants.by_function()[name] if m.slug == "dz_mean_twice")  # calls log_softmax
    case = other_course.hidden.cases(name, 3)[0]
    got = mutant.bind(other_course.reference_pkg)(*case.args)
    assert other_course.hidden.known_mistake(name, case, got, case.args) == mutant.hint
    assert hidden.known_mistake(name, case, got, case.args) != mutant.hint  # spliced into solutions/, it answers otherwise
