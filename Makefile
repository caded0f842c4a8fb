# Thin wrappers; everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
NB ?= 01
LAB_ARGS ?=
PYTEST_ARGS ?=

.PHONY: venv lab test lint check release progress submit grade bench bench-grading clean mutants

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

## make lab: install everything into .venv and open the course in JupyterLab
lab: venv
	cd notebooks && ../$(BIN)/jupyter lab $(LAB_ARGS)

## make test: the maintainers' suite (lint, reference tests, release sync, nbval, autograder)
test: venv lint
	$(PY) -m pytest tests $(PYTEST_ARGS)
	@if ls solutions/*.ipynb >/dev/null 2>&1; then \
	  $(PY) -m pytest --nbval --nbval-current-env -p no:randomly solutions/*.ipynb $(PYTEST_ARGS); fi

lint: venv
	$(BIN)/ruff check .

## make check NB=02: run the tests of one notebook against your notebooks/backproplab
check: venv
	$(PY) -m pytest --impl=student -m nb$(NB) tests

## make progress: a table of your exercise functions: not started / wrong (with a hint) / correct, and their points
progress: venv
	cd notebooks && ../$(PY) -m backproplab.progress

## make mutants: the mutation test alone (kill rate of the hidden tests, hints of the visible checks)
mutants: venv
	$(PY) -m pytest -q tests/test_mutants.py $(PYTEST_ARGS)

## make release: regenerate notebooks/ from solutions/
release: venv
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

## make submit STUDENT=<id>: check your work and write <id>.zip (FORCE=1 to write it despite problems)
submit: venv
	$(PY) autograder/submit.py --root . --student "$(STUDENT)" $(if $(FORCE),--force,)

## make grade COURSE=<folder>: grade COURSE/inbox/*.zip, then grades.csv, feedback, report (README, Instructor guide)
COURSE ?= ../backproplab-grading
grade: venv
	$(PY) -m autograder grade --course $(COURSE)

## make bench-grading: our grading pipeline vs plain sequential nbgrader autograde (bench/grading_throughput.md)
bench-grading: venv
	$(PY) -m bench.grading_throughput

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
