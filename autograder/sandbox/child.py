"""The sandboxed side of the harness: the only code that imports a student's package.

Run as ``python child.py JOB_DIR`` inside the sandbox (see `sandbox`), with
``wire.py`` copied next to it. ``JOB_DIR/spec.json`` lists

``calls``: ``{"id", "module", "function", "args", "kwargs"}``; each module of
    ``JOB_DIR/pkg/backproplab`` is imported once, on first use, after which
    ``patch[module]`` (function name → reference module) replaces the
    student's versions of those functions by the reference's; then the
    function is called on the decoded arguments.
``notebooks``: ``{"setup": [...], "inject": {...}, "cells": [{"id", "source", "names"}]}``;
    per notebook, in a fresh IPython namespace: the set-up cells, injected
    values, then each cell; the variables in ``names`` come back (code
    answers; also the instructor's answer tests, run with only the value
    injected).

Everything goes back as ``JOB_DIR/out/<id>.json`` + ``.npy`` (see `wire`);
``JOB_DIR/progress`` names what ran last (``import:<module>``, ``setup``, a
call or cell id), so a crash is charged to it. The student's own
stdout/stderr go to /dev/null. Standard library + NumPy (+ IPython for cells).
"""

from __future__ import annotations

import importlib
import json
import os
import random
import signal
import sys
from pathlib import Path


def _silence() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _on_alarm(signum, frame):
    raise TimeoutError("took longer than the time limit for one call")


class Job:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.spec = json.loads((folder / "spec.json").read_text(encoding="utf-8"))
        self.out = folder / "out"
        self.out.mkdir(exist_ok=True)
        self.call_seconds = int(self.spec.get("call_seconds", 10))
        self.cell_seconds = int(self.spec.get("cell_seconds", 60))

    def progress(self, what: str) -> None:
        (self.folder / "progress").write_text(what, encoding="utf-8")

    def write(self, ident: str, record: dict, values: dict) -> None:
        import wire

        for key, value in values.items():
            try:
                record[key] = wire.encode(value, self.out, prefix=f"{ident}.{key}.")
            except wire.WireError as exc:
                record[key] = None
                record.setdefault("unsendable", {})[key] = str(exc)
        (self.out / f"{ident}.json").write_text(json.dumps(record), encoding="utf-8")

    def timed(self, fn, *args, seconds: int | None = None, **kwargs):
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(seconds or self.call_seconds)
        try:
            return fn(*args, **kwargs)
        finally:
            signal.alarm(0)


def _error(exc: BaseException) -> dict:
    return {"error": type(exc).__name__, "message": str(exc)[:500]}


def import_module(job: Job, package: str, name: str, patch: dict[str, str]):
    """The student's module `name` with its patched functions, or None (the failure is recorded)."""
    job.progress(f"import:{name}")
    try:
        module = job.timed(importlib.import_module, f"{package}.{name}")
        originals = {}
        for fn, ref_module in patch.items():
            ref = importlib.import_module(f"{package}.{ref_module}")
            originals[fn] = getattr(module, fn, None)
            setattr(module, fn, getattr(ref, fn))
        _repoint(package, originals, module)
        return module
    except BaseException as exc:  # noqa: BLE001 - SystemExit at import is a result, too
        job.write(f"import.{name}", _error(exc), {})
        return None


def run_calls(job: Job) -> None:
    import wire

    spec, modules = job.spec, {}
    for call in spec.get("calls", []):
        name = call["module"]
        if name not in modules:
            modules[name] = import_module(job, spec["package"], name, spec.get("patch", {}).get(name, {}))
        module, ident = modules[name], call["id"]
        if module is None:
            continue
        job.progress(ident)
        args = wire.decode(call["args"], job.folder / "in")
        kwargs = wire.decode(call["kwargs"], job.folder / "in")
        fn = getattr(module, call["function"], None)
        if not callable(fn):
            job.write(ident, {"error": "AttributeError", "message": f"no function {call['function']}"}, {})
            continue
        try:
            got = job.timed(fn, *args, **kwargs)
        except BaseException as exc:  # noqa: BLE001
            job.write(ident, _error(exc), {"args_after": args})
            continue
        job.write(ident, {}, {"got": got, "args_after": args})


def _repoint(package: str, originals: dict, module) -> None:
    """Also replace the student's versions that other modules imported by name."""
    for mod_name, mod in list(sys.modules.items()):
        if not mod_name.startswith(package + ".") or mod is module:
            continue
        for name, original in originals.items():
            if original is not None and getattr(mod, name, None) is original:
                setattr(mod, name, getattr(module, name))


def run_notebooks(job: Job) -> None:
    import wire
    from IPython.core.interactiveshell import InteractiveShell

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None):  # `%matplotlib inline` outside a kernel: nothing to enable
            return None

    shell = Shell.instance()
    for index, notebook in enumerate(job.spec.get("notebooks", [])):
        shell.reset(new_session=False)
        job.progress(f"setup:{index}")
        failed = None
        for source in notebook.get("setup", []):
            result = job.timed(shell.run_cell, source, store_history=False, silent=True, seconds=job.cell_seconds)
            if not result.success:
                failed = _result_error(result)
                break
        if failed:
            job.write(f"setup.{index}", {"error": "SetupFailed", "message": failed}, {})
            continue
        for name, value in notebook.get("inject", {}).items():
            shell.user_ns[name] = wire.decode(value, job.folder / "in")
        for cell in notebook["cells"]:
            run_cell(job, shell, cell)


def run_cell(job: Job, shell, cell: dict) -> None:
    ident = cell["id"]
    job.progress(ident)
    try:
        result = job.timed(shell.run_cell, cell["source"], store_history=False, silent=True, seconds=job.cell_seconds)
    except BaseException as exc:  # noqa: BLE001
        job.write(ident, _error(exc), {})
        return
    if not result.success:
        job.write(ident, {"error": "CellFailed", "message": _result_error(result)}, {})
        return
    missing = [n for n in cell.get("names", []) if n not in shell.user_ns]
    if missing:
        job.write(ident, {"error": "NameError", "message": f"the cell does not define {', '.join(missing)}"}, {})
        return
    job.write(ident, {}, {"got": {n: shell.user_ns[n] for n in cell.get("names", [])}})


def _result_error(result) -> str:
    exc = result.error_in_exec or result.error_before_exec
    if exc is None:
        return "the cell failed"
    return f"{type(exc).__name__}: {str(exc)[:500]}" if str(exc) else type(exc).__name__


def main(folder: str) -> int:
    job_dir = Path(folder).resolve()
    sys.path.insert(0, str(job_dir))
    sys.path.insert(0, str(job_dir / "pkg"))
    os.chdir(job_dir / "work")
    _silence()
    job = Job(job_dir)
    seed = int(job.spec.get("seed", 0))
    random.seed(seed)
    import numpy as np

    np.random.seed(seed % 2**32)
    run_calls(job)
    run_notebooks(job)
    job.progress("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
