# The student's commands: the same in the course repository and in the student bundle
# (the bundle ships this file as its Makefile, with its tools in tools/).
# Your work lives in work/, a copy of notebooks/ that no command of the course overwrites.
PYTHON ?= python3
VENV ?= .venv
TOOLS ?= tools
BIN := $(abspath $(VENV))/bin
PY := $(BIN)/python
STAMP := $(abspath $(VENV))/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
NB ?= 01
LAB_ARGS ?=
STUDENT ?=
FORCE ?=
# Jupyter refuses to start as root unless told: containers and many servers run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: venv workspace lab check progress submit

$(STAMP):  # its name carries the checksum of requirements.txt: a changed pin reinstalls
	@test -x $(PY) || { echo "[1/2] creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "[2/2] installing the course's packages into $(VENV) (a few minutes the first time)"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt
	@rm -f $(abspath $(VENV))/.installed-*
	@touch $@

venv: $(STAMP)

## make workspace: create work/ from notebooks/, or bring course updates into it (your edits are kept)
workspace: venv
	@$(PY) $(TOOLS)/workspace.py --root .

## make lab: install everything into .venv and open your working copy (work/) in JupyterLab
lab: workspace
	cd work && $(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

## make check NB=02: the visible checks of one notebook's functions, one line each (status, points, hint)
check: workspace
	@cd work && $(PY) -m backproplab.progress --notebook $(NB) || test $$? = 1  # 1: some function not passing yet (the table says), not a failure of make

## make progress: the same table for every notebook
progress: workspace
	@cd work && $(PY) -m backproplab.progress

## make submit STUDENT=<id>: check your work and write submissions/<id>.zip (FORCE=1 to write it despite problems)
submit: workspace
	@$(PY) $(TOOLS)/submit.py --root . --student "$(STUDENT)" $(if $(FORCE),--force,)
