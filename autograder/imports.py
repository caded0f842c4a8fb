"""Importing course code under a private name: never as ``backproplab``, so nothing collides with a student's copy."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_private(path: Path, prefix: str) -> ModuleType:
    """Import the package folder or module file `path` as ``<prefix>_<digest of path>`` (once) and return it."""
    path = Path(path).resolve()
    alias = f"{prefix}_{hashlib.sha1(str(path).encode()).hexdigest()[:10]}"
    if alias not in sys.modules:
        if path.is_dir():
            spec = importlib.util.spec_from_file_location(alias, path / "__init__.py", submodule_search_locations=[str(path)])
        elif path.is_file():
            spec = importlib.util.spec_from_file_location(alias, path)
        else:
            raise FileNotFoundError(f"{path} does not exist")
        module = importlib.util.module_from_spec(spec)
        sys.modules[alias] = module  # before executing: dataclasses and relative imports look it up
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[alias]
            raise
    return sys.modules[alias]
