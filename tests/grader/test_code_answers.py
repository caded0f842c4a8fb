"""Code answers of the real course, judged as the grader judges them (visible test cell in a child, then the hidden check).

NB03's ``derivative_check`` (the student's own centered differences) is checked from the data alone: the
slopes must be those of the activations, a relative error of exactly 0 means a derivative compared with
itself, and at ReLU's kink a centered difference gives 1/2 where the analytic derivative says 0.

NB06's ``lr_sweep`` is the student's own learning-rate sweep. Its visible test can only check that the
reported numbers agree with each other, so a made-up, self-consistent dict passes it. The hidden check
(`autograder.hidden.answers`) retrains with the reference code, in float64, at the reported rate (it must
diverge) and at the next smaller rate of the student's grid (it must not).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autograder.grading import answers, harness
from autograder.grading.notebooks import ANSWER
from autograder.hidden import answers as hidden_answers
from autograder.sandbox import wire

LRS = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
FIRST = [2.4127] * len(LRS)
TRUE_LAST = [0.664, 0.494, 0.601, 1.189, 2.874, 30.1, 26208.5, 1329255.6]  # the model answer's sweep (float32)

HONEST = {"lrs": LRS, "first_loss": FIRST, "last_loss": TRUE_LAST, "first_diverging": 2.0}
# Self-consistent fakes: the visible test passes them; the numbers of the runs that matter are made up.
TOO_EARLY = {"lrs": LRS, "first_loss": FIRST, "last_loss": [0.664, 0.494, 2.9, 3.0, 3.1, 30.1, 26208.5, 1329255.6],
             "first_diverging": 0.5}    # 0.5 really converges
TOO_LATE = {"lrs": LRS, "first_loss": FIRST, "last_loss": [0.664, 0.494, 0.601, 1.189, 2.0, 30.1, 26208.5, 1329255.6],
            "first_diverging": 5.0}     # 2.0 really diverges


@pytest.mark.parametrize("value, says", [(HONEST, None), (TOO_EARLY, "does not diverge"), (TOO_LATE, "already diverges")])
def test_lr_sweep_hidden_check_retrains_the_two_rates_that_decide(value: dict, says: str | None) -> None:
    reason = hidden_answers.CHECKS["lr_sweep"](value)
    assert (reason is None) if says is None else (reason is not None and says in reason), reason


@pytest.mark.parametrize("value", [
    {"lrs": [0.1, 1e300, 1e301, 1e302, 1e303], "first_loss": [2.4] * 5, "last_loss": [1.0, 9.0, 9.0, 9.0, 9.0], "first_diverging": 1e300},
    {"lrs": [0.1, 0.2, 0.5, 1.0, 10.0], "first_loss": [2.4] * 5, "last_loss": [1.0] * 5, "first_diverging": "2"},
    {"lrs": "0.1", "first_diverging": 0.1},
])
def test_lr_sweep_hidden_check_refuses_rates_it_will_not_train_with(value: dict) -> None:
    """Hostile values: absurd rates are refused with a reason, never trained with; no exception escapes."""
    reason = hidden_answers.CHECKS["lr_sweep"](value)
    assert isinstance(reason, str) and reason


def test_lr_sweep_hidden_check_turns_a_failing_retraining_into_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(lr: float) -> str:
        raise FloatingPointError("overflow")

    monkeypatch.setattr(hidden_answers, "run_verdict", broken)
    assert "could not retrain" in hidden_answers.CHECKS["lr_sweep"](HONEST)


@pytest.fixture(scope="module")
def real_course(tmp_path_factory):
    from autograder.grading.course import SOLUTIONS, Course

    return Course.load(SOLUTIONS, tmp_path_factory.mktemp("real-course") / "build", build=False)


def _judge(course, notebook: str, answer: str, value, folder: Path) -> harness.Verdict:
    cell = next(c for c in course.notebooks[notebook].cells(ANSWER) if c.answer == answer)
    record = {"got": wire.encode({answer: value}, folder / "out"), "_dir": str(folder)}
    return answers.judge(course, {cell.grade_id: cell}, {answers.cell_id(cell.grade_id): record}, harness.Settings(seed=1),
                         folder / "work", [])[cell.grade_id]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_faked_lr_sweep_passes_the_visible_test_and_fails_the_grader(tmp_path: Path, real_course) -> None:
    """Graded as a submission is: NB06's graded test cell in a child on the value, then the hidden check."""
    verdicts = {name: _judge(real_course, "06_deep_mlp", "lr_sweep", value, tmp_path / name)
                for name, value in {"honest": HONEST, "too_early": TOO_EARLY, "too_late": TOO_LATE}.items()}
    assert verdicts["honest"].passed, verdicts["honest"].reason
    for name in ("too_early", "too_late"):  # the visible test passed them: the hidden check failed them
        assert not verdicts[name].passed and "retrained" in verdicts[name].reason, verdicts[name].reason


def _analytic_check(errors: float) -> dict:
    """The analytic derivatives passed off as centered differences (what a check that checks nothing reports)."""
    z = np.arange(-600, 601) / 100
    s = 1 / (1 + np.exp(-z))
    exact = {"sigmoid": s * (1 - s), "tanh": 1 - np.tanh(z) ** 2, "relu": (z > 0).astype(float)}
    return {"z": z, "numeric": exact, "error": dict.fromkeys(exact, errors)}


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("errors, says", [(0.0, "compare your derivative with itself"), (1e-11, "not your relu_grad(0)")])
def test_a_derivative_check_that_checks_nothing_fails_the_visible_test(tmp_path: Path, real_course, errors: float, says: str) -> None:
    verdict = _judge(real_course, "03_activations_losses", "derivative_check", _analytic_check(errors), tmp_path)
    assert not verdict.passed and says in verdict.reason, verdict.reason


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("notebook, answer", [("03_activations_losses", "derivative_check"), ("06_deep_mlp", "lr_sweep")])
def test_the_model_answer_runs_in_the_student_child_and_earns_its_points(tmp_path: Path, real_course, notebook: str,
                                                                        answer: str) -> None:
    """The answer cell after the set-up cells, in the sandboxed child (NB06's set-up loads MNIST: the child gets a copy)."""
    from autograder.grading.course import SOLUTIONS
    from autograder.grading.notebooks import read_student

    mine = read_student(SOLUTIONS / f"{notebook}.ipynb", real_course.notebooks[notebook])  # the model answer as the submission
    specs, todo, decided = answers.student_cells(real_course, {notebook: mine})
    assert answer in todo and answer not in decided
    package = harness.StudentPackage({p.stem: p for p in real_course.reference_pkg.glob("*.py") if p.stem in real_course.exercise_modules()})
    _, records, _ = harness.grade_functions([], package, real_course, harness.Settings(seed=1), tmp_path / "student", specs)
    assert "error" not in records[answers.cell_id(answer)], records[answers.cell_id(answer)]
    verdicts = answers.judge(real_course, todo, records, harness.Settings(seed=1), tmp_path / "judge", [])
    assert verdicts[answer].passed, verdicts[answer].reason
