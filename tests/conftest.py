"""Test configuration: which copy of the package the exercise tests run against.

The suite mirrors the project: ``exercises/`` (the package's functions, its
checks, the mutant catalogue), ``course/`` (release, notebooks, data, the
student's commands), ``grader/`` (harness, pipeline, hostile corpus,
similarity); shared helpers live in ``support/``.

``--impl=reference`` (default) puts ``solutions/`` first on ``sys.path``;
``--impl=student`` puts ``notebooks/`` (the untouched release), ``--impl=work``
the student's working copy ``work/`` (``make test-nb``). Exercise tests import
``backproplab.<module>`` normally and so test whichever copy was chosen.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))  # the suite's shared helpers
IMPLS = {"reference": ROOT / "solutions", "student": ROOT / "notebooks", "work": ROOT / "work"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--impl",
        choices=sorted(IMPLS),
        default="reference",
        help="run the exercise tests against solutions/ (reference), notebooks/ (student) or work/ (your copy)",
    )


def pytest_configure(config: pytest.Config) -> None:
    sys.path.insert(0, str(IMPLS[config.getoption("--impl")]))
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def impl(pytestconfig: pytest.Config) -> str:
    return pytestconfig.getoption("--impl")


@pytest.fixture(scope="session")
def student_checks():
    """``backproplab.checks`` of the released student package (with its fingerprints), under a private name."""
    import importlib

    from autograder.mutants import load_package

    return importlib.import_module(f"{load_package(IMPLS['student'] / 'backproplab')}.checks")
