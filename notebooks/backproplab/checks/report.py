"""How a check reports: a short coloured result in a notebook, plain text elsewhere; time limits; stale code.

A failing check raises `CheckFailed` (an ``AssertionError``, so the cell
fails and nbgrader's Validate sees it). In IPython it renders as the result
block alone (``_render_traceback_``), with none of the checker's frames.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import types
from pathlib import Path

CALL_SECONDS = 10.0
"""How long one call of the student's function on a probe may take (the model answers take milliseconds)."""

_GREEN, _RED, _BOLD, _RESET = "\033[32m", "\033[31m", "\033[1m", "\033[0m"


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where colour and a traceback-free result read best)."""
    shell = sys.modules.get("IPython")
    try:
        ip = shell.get_ipython() if shell else None
    except Exception:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class CheckFailed(AssertionError):
    """A visible check failed: the first line names the most likely mistake, the next ones what else to compare."""

    def _render_traceback_(self) -> list[str]:
        first, *rest = str(self).splitlines() or [""]
        return [f"{_RED}{_BOLD}✗ {first}{_RESET}", *(f"{_RED}{line}{_RESET}" for line in rest)]


def passed(name: str, text: str) -> None:
    """Print that the visible checks of `name` passed (green, with a tick, in a notebook)."""
    line = f"{name}: {text}"
    print(f"{_GREEN}{_BOLD}✓{_RESET} {_GREEN}{line}{_RESET}" if in_notebook() else line)


class CallTimedOut(Exception):
    """The student's function did not return within `CALL_SECONDS`."""


class _Alarm(BaseException):  # a BaseException, so `except Exception` in student code cannot swallow it
    pass


@contextlib.contextmanager
def time_limit(seconds: float | None = None):
    """Raise `CallTimedOut` if the block runs longer than `seconds` (default `CALL_SECONDS`; main thread on Unix only)."""
    seconds = CALL_SECONDS if seconds is None else seconds
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum, frame):
        raise _Alarm

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Alarm:
        raise CallTimedOut(f"did not return within {seconds:g} s (an endless loop, or a loop over far too many entries?)") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def stale_source(fn) -> str | None:
    """Why the function being checked is not what its file now says (a failed autoreload), or None.

    The file on disk is compiled afresh: a syntax error, or a function whose
    bytecode differs from the loaded one, means the kernel still runs an older
    version.
    """
    code = getattr(fn, "__code__", None)
    path = Path(getattr(code, "co_filename", ""))
    if code is None or not path.is_file():
        return None
    try:
        module = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    except SyntaxError as exc:
        return (f"{path.name} line {exc.lineno} has a syntax error ({exc.msg}): this kernel still runs your previous "
                f"version of {fn.__name__}, so checking it says nothing about the file. Fix the file, save it, and run this cell again.")
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    fresh = next((c for c in module.co_consts if isinstance(c, types.CodeType) and c.co_name == code.co_name), None)
    if fresh is not None and fresh.co_code != code.co_code:
        return (f"{fn.__name__} in {path.name} has changed since this kernel loaded it (autoreload did not pick it up): "
                "the check would run your previous version. Run the set-up cell again, or restart the kernel.")
    return None
