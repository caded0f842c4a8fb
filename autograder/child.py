"""The sandboxed side of the harness: the only code that imports a student's package.

Run as ``python child.py JOB_DIR`` inside the sandbox (see `sandbox`), with
``wire.py`` copied next to it. ``JOB_DIR/spec.json`` says what to do:

``{"mode": "calls", "module": "softmax", "patch": {...}, "calls": [...]}``
    import ``backproplab.<module>`` from ``JOB_DIR/pkg``, replace the named
    module attributes by the reference versions (``patch``: function name →
    reference module), then call each function on its decoded arguments.
``{"mode": "cells", "setup": [...], "cells": [{"id", "source", "names"}]}``
    run the set-up cells and then each cell in one IPython shell, and
    return the variables each cell must define (code-answer cells; also the
    instructor's answer test cells, run with only the value injected).

Everything goes back as ``JOB_DIR/out/<id>.json`` + ``.npy`` (see `wire`);
``JOB_DIR/progress`` names what ran last, so a crash is charged to it. The
student's own stdout/stderr go to /dev/null. Standard library + NumPy only.
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

    def timed(self, fn, *args, **kwargs):
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(self.call_seconds)
        try:
            return fn(*args, **kwargs)
        finally:
            signal.alarm(0)


def _error(exc: BaseException) -> dict:
    return {"error": type(exc).__name__, "message": str(exc)[:500]}


def run_calls(job: Job) -> None:
    import wire

    spec = job.spec
    job.progress("import")
    try:
        module = job.timed(importlib.import_module, f"{spec['package']}.{spec['module']}")
        originals = {}
        for name, ref_module in spec.get("patch", {}).items():
            ref = importlib.import_module(f"{spec['package']}.{ref_module}")
            originals[name] = getattr(module, name, None)
            setattr(module, name, getattr(ref, name))
        _repoint(spec["package"], originals, module)
    except BaseException as exc:  # noqa: BLE001 - SystemExit at import is a result, too
        job.write("import", _error(exc), {})
        return
    for call in spec["calls"]:
        ident = call["id"]
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


def run_cells(job: Job) -> None:
    import wire
    from IPython.core.interactiveshell import InteractiveShell

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None):  # `%matplotlib inline` outside a kernel: nothing to enable
            return None

    shell = Shell.instance()
    job.progress("setup")
    for source in job.spec.get("setup", []):
        result = job.timed(shell.run_cell, source, store_history=False, silent=True)
        if not result.success:
            job.write("setup", {"error": "SetupFailed", "message": _result_error(result)}, {})
            return
    for name, value in job.spec.get("inject", {}).items():
        shell.user_ns[name] = wire.decode(value, job.folder / "in")
    for cell in job.spec["cells"]:
        ident = cell["id"]
        job.progress(ident)
        try:
            result = job.timed(shell.run_cell, cell["source"], store_history=False, silent=True)
        except BaseException as exc:  # noqa: BLE001
            job.write(ident, _error(exc), {})
            continue
        if not result.success:
            job.write(ident, {"error": "CellFailed", "message": _result_error(result)}, {})
            continue
        missing = [n for n in cell.get("names", []) if n not in shell.user_ns]
        if missing:
            job.write(ident, {"error": "NameError", "message": f"the cell does not define {', '.join(missing)}"}, {})
            continue
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
    {"calls": run_calls, "cells": run_cells}[job.spec["mode"]](job)
    job.progress("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
