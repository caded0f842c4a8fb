"""Mutation test: every catalogued mistake is caught by the hidden tests and named by the visible check and the grader.

Each mutant (``autograder/mutants``) is spliced into a private copy of the
reference package, so a composite keeps the reference's dependencies. It must
fail at least one hidden case (``hidden.cases`` + ``hidden.evaluate``, as the
grading harness runs them) and ``check_<function>`` of the released student
package must raise ``AssertionError`` with that mutant's own hint. The test
prints the kill rate per function and fails below 100 %.
"""

from __future__ import annotations

import contextlib
import copy
import io
import warnings
from collections import defaultdict

import numpy as np
import pytest

from autograder import hidden, mutants

SEEDS = (0, 1)
NOTEBOOK_OF = hidden.NOTEBOOK


def hidden_verdict(name: str, fn, seeds=SEEDS) -> str | None:
    """What the grader says about `fn` (``hidden.summarize`` over every case, as the harness does), or None when right."""
    reference = hidden.reference(name)
    for seed in seeds:
        outcomes = []
        for case in hidden.cases(name, seed):
            want = reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
            args = copy.deepcopy(case.args)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                try:
                    got = fn(*args, **copy.deepcopy(case.kwargs))
                except (NameError, UnboundLocalError, SyntaxError) as exc:  # a broken mutant, not a caught one
                    raise AssertionError(f"{name}: the catalogue entry itself is broken: {exc!r}") from exc
                except Exception as exc:  # the harness reports a raise as a failed case, named as it does
                    hint = hidden.known_mistake(name, case, None, case.args, raised=type(exc).__name__)
                    outcomes.append(hidden.Outcome(case, f"{hint} [raised {type(exc).__name__}]" if hint else f"raised {type(exc).__name__}"))
                    continue
            outcomes.append(hidden.Outcome(case, hidden.evaluate(name, case, got, want, args), got, want, args))
        summary = hidden.summarize(name, outcomes)
        if not summary["passed"]:
            return summary["reason"]
    return None


def check_message(checks, name: str, fn) -> str | None:
    """What ``check_<name>(fn)`` says: None when it passes, else its AssertionError message."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            checks.check(name, fn)
    except AssertionError as exc:
        return str(exc)
    return None


@pytest.fixture(scope="module")
def verdicts(student_checks) -> dict[str, tuple[str | None, str | None]]:
    """Mutant id → (hidden reason, check message)."""
    out = {}
    for m in mutants.catalogue():
        fn = m.bind()
        out[m.id] = (hidden_verdict(m.function, fn), check_message(student_checks, m.function, fn))
    return out


def test_catalogue_size_and_coverage() -> None:
    catalogue = mutants.catalogue()
    assert len(catalogue) >= 30
    assert {m.function for m in catalogue} <= set(hidden.FUNCTIONS)
    assert {NOTEBOOK_OF[m.function] for m in catalogue} == set(hidden.EXERCISES), "every notebook needs mutants"
    for m in catalogue:
        assert m.module == hidden.FUNCTIONS[m.function], f"{m.id} is filed under {m.module}.py"
        assert 20 < len(m.hint) < 220, f"{m.id}: the hint should be one short sentence or two"


REQUIRED = {
    "no max subtraction": ["softmax__no_max", "log_softmax__no_max"],
    "one global max": ["softmax__global_max", "log_softmax__global_max"],
    "max over the wrong axis": ["softmax__max_axis0"],
    "sum over the wrong axis / no keepdims": ["softmax__sum_axis0", "softmax__sum_no_keepdims", "softmax__max_no_keepdims"],
    "log of softmax": ["log_softmax__log_of_softmax", "softmax_cross_entropy__log_of_softmax"],
    "missing 1/m": ["softmax_cross_entropy__dz_no_mean", "cross_entropy__no_mean", "l1_loss_grad__no_mean"],
    "1/m twice": ["softmax_cross_entropy__dz_mean_twice", "dense_backward__dW_mean_twice", "dense_backward__db_mean", "mlp_backward__mean_again"],
    "λ vs λ/2, missing λW": ["l2_penalty__no_half", "mlp_loss__lambda_not_halved", "mlp_loss__no_lambda_in_grad", "softmax_regression_loss__no_lambda_in_grad"],
    "regularised biases": ["mlp_loss__biases_regularised"],
    "Xᵀ vs X, transposed W": ["softmax_regression_loss__transposed", "dense_forward__W_transposed", "dense_backward__dW_transposed"],
    "bias gradient not summed": ["dense_backward__db_not_summed"],
    "ReLU′ with z ≥ 0": ["relu_grad__at_zero"],
    "σ′ from a instead of z, and the reverse": ["sigmoid_grad__input_as_output", "sigmoid_grad__sigmoid_twice", "backward_single__derivative_of_a"],
    "missing activation derivative in BP2": ["backward_single__no_derivative_in_bp2", "mlp_backward__no_activation_derivative"],
    "W instead of Wᵀ in BP2": ["backward_single__W_not_transposed"],
    "wrong update sign": ["sgd_step__wrong_sign"],
    "init_params ignoring its seed": ["init_params__global_rng", "init_params__seed_ignored"],
    "softmax applied twice in the loss": ["softmax_cross_entropy__softmax_twice", "softmax_regression_loss__softmax_twice"],
    "-log(softmax) is inf": ["softmax_regression_loss__log_of_softmax", "softmax_cross_entropy__log_of_softmax"],
    "no max shift in a loss promising stability": ["softmax_regression_loss__no_max_shift"],
    "epsilon inside the log": ["cross_entropy__epsilon"],
    "ReLU′ at 0 on every ReLU path": ["relu_grad__at_zero", "mlp_backward__relu_at_zero", "unary_backward__relu_at_zero"],
    "sgd_step reassigning the caller's dict entries": ["sgd_step__reassigns_entries"],
    "in-place mutation": ["relu__in_place", "activation_backward__in_place", "sgd_step__in_place"],
    "float64 for float32": ["relu_grad__float64", "softmax_regression_loss_loop__float64_accumulator"],
    "autograd: = instead of +=": ["accumulate__assign"],
    "autograd: no topological order": ["backward__no_topological_order", "backward__no_visited_set", "backward__breadth_first"],
    "autograd: broadcast gradient not summed": ["accumulate__not_summed", "accumulate__leading_axes_only"],
    "autograd: grads not zeroed between steps": ["autograd_train__no_zero_grad"],
    "autograd: ReLU′ at 0": ["unary_backward__relu_at_zero"],
    "autograd: in-place op corrupting a saved value": ["unary_backward__in_place_saved_output"],
}


@pytest.mark.parametrize("mistake", sorted(REQUIRED))
def test_required_mistakes_are_catalogued(mistake: str) -> None:
    ids = {m.id for m in mutants.catalogue()}
    assert set(REQUIRED[mistake]) <= ids, f"{mistake}: missing {sorted(set(REQUIRED[mistake]) - ids)}"


def test_reference_passes_every_hidden_case() -> None:
    failures = {name: hidden_verdict(name, hidden.reference(name), seeds=(0, 1, 2, 12345)) for name in hidden.FUNCTIONS}
    assert not {k: v for k, v in failures.items() if v}


def test_reference_passes_every_check(student_checks) -> None:
    failures = {name: check_message(student_checks, name, hidden.reference(name)) for name in hidden.FUNCTIONS}
    assert not {k: v for k, v in failures.items() if v}


def test_every_mutant_is_killed_and_named(verdicts, capsys: pytest.CaptureFixture) -> None:
    per_function: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    hints = defaultdict(set)
    for m in mutants.catalogue():
        hints[m.function].add(m.hint)
    problems = []
    for m in mutants.catalogue():
        reason, message = verdicts[m.id]
        row = per_function[m.function]
        row[0] += 1
        row[1] += reason is not None
        named = message == f"{m.function}: {m.hint}"
        row[2] += named
        # The grader names the first catalogued mistake that gives the same answer on the failing case:
        # this one, or another that cannot be told from it there.
        graded_named = reason is not None and any(reason.removeprefix("likely: ").startswith(h) for h in hints[m.function])
        row[3] += graded_named
        if reason is None:
            problems.append(f"{m.id}: passes every hidden case")
        if not named:
            problems.append(f"{m.id}: check says {message!r}")
        if reason is not None and not graded_named:
            problems.append(f"{m.id}: the grader says {reason!r}, naming no catalogued mistake")
    lines = [f"{'function':30s} {'mutants':>7s} {'hidden':>8s} {'named':>8s} {'grader':>8s}"]
    for name in hidden.FUNCTIONS:
        if name in per_function:
            n, killed, named, graded = per_function[name]
            lines.append(f"{name:30s} {n:7d} {killed / n:8.0%} {named / n:8.0%} {graded / n:8.0%}")
    total = np.sum(list(per_function.values()), axis=0)
    lines.append(f"{'all':30s} {total[0]:7d} {total[1] / total[0]:8.0%} {total[2] / total[0]:8.0%} {total[3] / total[0]:8.0%}")
    with capsys.disabled():
        print("\nmutant kill rate (hidden tests) and identification (visible checks)\n" + "\n".join(lines))
    assert not problems, "\n".join(problems)


def test_hidden_reasons_never_show_code(verdicts) -> None:
    hints = {m.hint for m in mutants.catalogue()}  # the catalogue's hints are written for students
    for m in mutants.catalogue():
        reason = verdicts[m.id][0] or ""
        for hint in hints:
            reason = reason.replace(hint, "")
        assert "np." not in reason and "def " not in reason and "return" not in reason, (m.id, reason)


def test_mutant_bodies_are_not_the_reference() -> None:
    """A mutant is the reference with a change: splicing must alter the module's source."""
    for m in mutants.catalogue():
        source = (mutants.REFERENCE_PKG / f"{m.module}.py").read_text(encoding="utf-8")
        assert m.module_source() != source and "### BEGIN SOLUTION" in source, m.id


def test_all_zero_output_gets_a_reason() -> None:
    case = hidden.cases("softmax", seed=0)[0]
    want = hidden.reference("softmax")(*case.args, **case.kwargs)
    reason = hidden.evaluate("softmax", case, np.zeros_like(want), want, case.args)
    assert reason and "zero" in reason
