"""The child process of ``make progress``: import one exercise module, run the visible check of each function.

`progress` starts one per module, with a time limit per function, so a file
with a syntax error, a function that raises and one that never returns are
each reported in their own row. The statuses are defined here.
"""

from __future__ import annotations

import json
import os
import traceback
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

NOT_STARTED, WRONG, CORRECT = "not started", "wrong", "correct"
BLOCKED, ERROR, TIMED_OUT, IMPORT_FAILED = "blocked", "error", "timed out", "import failed"


def _innermost_in_package(tb) -> traceback.FrameSummary | None:
    frames = [f for f in traceback.extract_tb(tb) if Path(f.filename).resolve().parent == PACKAGE_DIR]
    return frames[-1] if frames else None


def _where(frame: traceback.FrameSummary | None) -> str:
    return f" ({Path(frame.filename).name} line {frame.lineno})" if frame else ""


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def _exercise_functions() -> set[str]:
    from . import EXERCISES

    return {n for modules in EXERCISES.values() for names in modules.values() for n in names}


def _classify(name: str, exc: BaseException) -> tuple[str, str]:
    """Status and feedback for an exception a visible check let through."""
    frame = _innermost_in_package(exc.__traceback__)
    if isinstance(exc, NotImplementedError):
        if frame is not None and frame.name != name and frame.name in _exercise_functions():
            return BLOCKED, f"calls {frame.name}, which is not written yet"
        return NOT_STARTED, ""
    if isinstance(exc, AssertionError):
        return WRONG, _first_line(exc) or "a visible check failed"
    message = _first_line(exc)
    return ERROR, f"{type(exc).__name__}{_where(frame)}" + (f": {message}" if message else "")


def _import_failure(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"{type(exc).__name__} in {Path(exc.filename or '?').name} line {exc.lineno}: {exc.msg}"
    message = _first_line(exc)
    return f"{type(exc).__name__}{_where(_innermost_in_package(exc.__traceback__))}" + (f": {message}" if message else "")


def worker(module: str, names: list[str]) -> None:
    """Child process: import one exercise module and run the visible check of each function.

    Reports JSON lines on the original stdout; anything the student's code or the
    checks print goes to /dev/null (the parent discards stderr).
    """
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)

    def send(**message) -> None:
        channel.write(json.dumps(message) + "\n")

    import importlib

    try:
        checks = importlib.import_module(f"{PACKAGE_DIR.name}.checks")
    except BaseException as exc:  # a broken checks.py is reported, not raised
        send(event="checks", error=f"the checks (backproplab/checks/) cannot be imported: {_import_failure(exc)}")
        return
    send(event="ready")
    try:
        mod = importlib.import_module(f"{PACKAGE_DIR.name}.{module}")
    except BaseException as exc:
        send(event="import", error=_import_failure(exc))
        return
    send(event="import", error=None)
    for name in names:
        send(event="start", function=name)
        fn, check = getattr(mod, name, None), getattr(checks, f"check_{name}", None)
        if not callable(fn):
            status, detail = ERROR, f"{module}.py has no function {name}"
        elif check is None:
            status, detail = ERROR, f"checks.py has no check_{name}"
        else:
            try:
                check(fn)
                status, detail = CORRECT, ""
            except BaseException as exc:  # SystemExit from student code included
                status, detail = _classify(name, exc)
        send(event="done", function=name, status=status, detail=detail)
