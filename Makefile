# Thin wrappers; everything runs inside .venv, created on first use.
# The student's commands (venv, workspace, lab, check, progress, submit) are in autograder/student/student.mk,
# which the student bundle ships as its Makefile: both give the same output.
TOOLS := autograder/student
include autograder/student/student.mk
PYTEST_ARGS ?=
TESTS ?= tests
NBVAL_NOTEBOOKS ?= $(wildcard solutions/*.ipynb)

.PHONY: test test-fast test-nb lint release grade bench bench-grading clean mutants

## make test: the maintainers' suite (lint, reference tests, release sync, nbval, autograder)
test: venv lint
	$(PY) -m pytest $(TESTS) $(PYTEST_ARGS)
	$(if $(NBVAL_NOTEBOOKS),$(PY) -m pytest --nbval --nbval-current-env -p no:randomly $(NBVAL_NOTEBOOKS) $(PYTEST_ARGS))

## make test-fast: the inner loop: the suite without the tests marked slow, no nbval
test-fast: venv lint
	$(PY) -m pytest $(TESTS) -m "not slow" $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

## make test-nb NB=02: the maintainers' pytest suite of one notebook, run against work/backproplab
test-nb: workspace
	$(PY) -m pytest --impl=work -m nb$(NB) tests $(PYTEST_ARGS)

## make mutants: the mutation test alone (kill rate of the hidden tests, hints of the visible checks)
mutants: venv
	$(PY) -m pytest -q tests/exercises/test_mutants.py $(PYTEST_ARGS)

## make release: re-execute the solution notebooks (fresh stored outputs; REFRESH=no skips it), then regenerate notebooks/
REFRESH ?= yes
release: venv
	$(if $(filter yes,$(REFRESH)),$(PY) -m autograder.release.refresh_outputs)
	$(PY) -m autograder.release

## make bench: benchmarks and their report in bench/results/ (never part of `make test`).
## Installs bench-only packages into .venv: bench/requirements.txt and, where its CPU build is
## available, PyTorch (else its rows are skipped). BENCH_ARGS="--make-test" also times the suite.
BENCH_ARGS ?=
BENCH_TORCH ?= torch==2.13.0+cpu
bench: venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	@$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install --quiet --disable-pip-version-check "$(BENCH_TORCH)" \
	  || echo "make bench: no CPU build of PyTorch ($(BENCH_TORCH)) can be installed here; the PyTorch rows will be skipped"
	$(PY) -m bench $(BENCH_ARGS)

## make grade COURSE=<folder>: grade COURSE/inbox/*.zip, then grades.csv, feedback, report (README, Instructor guide)
COURSE ?= ../backproplab-grading
grade: venv
	$(PY) -m autograder grade --course $(COURSE)

## make bench-grading: a class of 500 generated submissions graded by ours and the first 6 by plain sequential nbgrader
## autograde, in one run (bench/grading_throughput.md; about 15 min on 2 cores: use a quiet machine);
## BENCH_GRADING_ARGS="-n 24" for a quick look, "-n 500 --plain-n 500" to grade all 500 both ways (hours for the plain side)
BENCH_GRADING_ARGS ?= -n 500 --plain-n 6
bench-grading: venv
	$(PY) -m bench.grading_throughput $(BENCH_GRADING_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
