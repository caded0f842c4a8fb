"""Loaded by ``pytest --nbval solutions/*.ipynb``: stored numbers are compared as numbers (tests/support/nbval_numbers.py)."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("backproplab_nbval_numbers", Path(__file__).resolve().parent.parent / "tests" / "support" / "nbval_numbers.py")
_plugin = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_plugin)
_plugin.install()
