"""The sandboxed side of the harness: the only code that imports a student's package.

Run as ``python child.py JOB_DIR`` inside the sandbox (see `sandbox`), with
``wire.py`` copied next to it. ``JOB_DIR/spec.json`` lists

``calls``: ``{"id", "module", "function", "args", "kwargs"}``; each module of
    ``JOB_DIR/pkg/backproplab`` is imported once, on first use; then the
    function is called on the decoded arguments.
``replay``: the dependencies of the composites graded here (see
    ``autograder/replay.py``): each becomes a replayer that answers the
    calls the reference made with the grader's recorded answers, and every
    other call with the student's own function. A dependency's module that
    is not graded here is a placeholder holding the replayers; the
    student's file behind it is loaded only if a call needs it.
``notebooks``: ``{"setup": [...], "inject": {...}, "cells": [{"id", "source", "names"}]}``;
    per notebook, in a fresh namespace (plain ``exec`` when every cell is plain
    Python but for harmless magics, see `plain_source`; else IPython): the set-up cells, injected
    values, then each cell; the variables in ``names`` come back (code
    answers; also the instructor's answer tests, run with only the value
    injected).

Everything goes back as ``JOB_DIR/out/<id>.json`` + ``.npy`` (see `wire`);
``JOB_DIR/progress`` names what ran last (``import:<module>``, ``setup``, a
call or cell id), so a crash is charged to it. The student's own
stdout/stderr go to /dev/null. Standard library + NumPy (+ IPython for cells that need it).
"""

from __future__ import annotations

import importlib
import json
import os
import random
import re
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
    # the parent caps and cleans these again: this child runs student code and cannot be trusted to
    return {"error": type(exc).__name__[:80], "message": _text(exc)}


def _text(exc: BaseException) -> str:
    try:
        return str(exc)[:300]
    except BaseException:  # noqa: BLE001 - a __str__ that raises is the student's
        return "(the exception cannot be shown)"


class Replay:
    """The recorded reference answers of the dependencies (``spec["replay"]``)."""

    def __init__(self, job: Job, spec: dict) -> None:
        self.folder = job.folder / "in"
        self.functions: dict[str, str] = spec.get("functions", {})
        self.params: dict[str, list | None] = spec.get("params", {})
        self.table: dict[str, dict] = spec.get("table", {})
        self.graded = set(spec.get("graded", []))

    def function(self, name: str, fallback):
        """A replayer for dependency `name`; calls the reference did not make go to `fallback` (the student's)."""
        import wire

        def replayed(*args, **kwargs):
            values = wire.bind(self.params[name], args, kwargs) if self.params.get(name) is not None else None
            entry = self.table.get(wire.digest(name, values) or "") if values is not None else None
            if entry is None:
                return fallback(*args, **kwargs)
            if "raise" in entry:
                raise _exception(*entry["raise"])
            return wire.decode(entry["value"], self.folder)

        replayed.__name__ = replayed.__qualname__ = name
        replayed._replays = True
        return replayed

    def install(self, package: str) -> None:
        """Placeholders for the dependencies' modules that are not graded here (before anything imports them)."""
        import types

        pkg = importlib.import_module(package)
        for module in sorted(set(self.functions.values()) - self.graded):
            placeholder = types.ModuleType(f"{package}.{module}")
            placeholder.__package__ = package
            placeholder.__getattr__ = _student_attribute(package, module)
            for name, home in self.functions.items():
                if home == module:
                    setattr(placeholder, name, self.function(name, _student_attribute(package, module, call=name)))
            sys.modules[placeholder.__name__] = placeholder
            setattr(pkg, module, placeholder)

    def patch(self, package: str, module) -> None:
        """Replayers for the dependencies defined in the graded `module` itself."""
        originals = {}
        for name, home in self.functions.items():
            original = getattr(module, name, None)
            if home == module.__name__.rsplit(".", 1)[-1] and not getattr(original, "_replays", False):
                originals[name] = original
                setattr(module, name, self.function(name, original or _missing(name)))
        _repoint(package, originals, module)


def _exception(type_name: str, message: str) -> Exception:
    import builtins

    cls = getattr(builtins, type_name, None)
    return cls(message) if isinstance(cls, type) and issubclass(cls, Exception) else RuntimeError(message)


def _missing(name: str):
    def missing(*args, **kwargs):
        raise AttributeError(f"your module has no function {name}")

    return missing


def _student_attribute(package: str, module: str, call: str | None = None):
    """The student's file behind a placeholder, loaded on first use: a ``__getattr__`` (or, with `call`, that function)."""

    def load():
        import importlib.util

        name = f"{package}._student_{module}"
        if name not in sys.modules:
            path = Path(sys.modules[package].__file__).with_name(f"{module}.py")
            spec = importlib.util.spec_from_file_location(name, path)
            loaded = importlib.util.module_from_spec(spec)
            sys.modules[name] = loaded
            try:
                spec.loader.exec_module(loaded)
            except BaseException:
                del sys.modules[name]
                raise
        return sys.modules[name]

    if call is not None:
        return lambda *args, **kwargs: getattr(load(), call)(*args, **kwargs)

    def attribute(attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(load(), attr)

    return attribute


def import_module(job: Job, package: str, name: str, replay: Replay):
    """The student's module `name` with its replayed dependencies, or None (the failure is recorded)."""
    job.progress(f"import:{name}")
    try:
        module = job.timed(importlib.import_module, f"{package}.{name}")
        replay.patch(package, module)
        return module
    except BaseException as exc:  # noqa: BLE001 - SystemExit at import is a result, too
        job.write(f"import.{name}", _error(exc), {})
        return None


def run_calls(job: Job) -> None:
    import wire

    spec, modules = job.spec, {}
    replay = Replay(job, spec.get("replay", {}))
    if spec.get("calls"):
        replay.install(spec["package"])
    for call in spec.get("calls", []):
        name = call["module"]
        if name not in modules:
            modules[name] = import_module(job, spec["package"], name, replay)
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


HARMLESS_MAGICS = ("load_ext", "autoreload", "matplotlib")
"""Line magics that do nothing for a cell's value outside a kernel (plots are not shown here)."""
IPYTHON_NAMES = {"get_ipython", "display", "In", "Out", "_ih", "_oh"}
MAGIC_LINE = re.compile(r"^(\s*)%(\w+)")


def plain_source(source: str) -> str | None:
    """`source` as plain Python (harmless magics become ``pass``), or None when it needs IPython."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        lines = []
        for line in source.splitlines():
            magic = MAGIC_LINE.match(line)
            if magic and magic.group(2) not in HARMLESS_MAGICS:
                return None
            lines.append(f"{magic.group(1)}pass" if magic else line)
        source = "\n".join(lines)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return None  # IPython syntax (`!cmd`, `x?`, top-level await) or a real syntax error: IPython says which
    if any(isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in IPYTHON_NAMES for n in ast.walk(tree)):
        return None
    try:
        compile(tree, "<cell>", "exec")  # what only the compiler refuses, e.g. a top-level `await` (IPython runs it)
    except SyntaxError:
        return None
    return source


class Plain:
    """An IPython-like shell without IPython: ``run_cell`` compiles and execs in ``user_ns`` (about 0.5 CPU-s less a child)."""

    class Result:
        def __init__(self, error: BaseException | None = None) -> None:
            self.error_in_exec, self.error_before_exec = error, None
            self.success = error is None

    def __init__(self) -> None:
        self.user_ns: dict = {}

    def reset(self, new_session: bool = False) -> None:
        import builtins

        self.user_ns = {"__name__": "__main__", "__builtins__": builtins}

    def run_cell(self, source: str, **_options) -> Plain.Result:
        try:
            exec(compile(source, "<cell>", "exec"), self.user_ns)  # noqa: S102 - the student's cell, in the sandbox
        except BaseException as exc:  # noqa: BLE001 - as IPython: the cell failed (time limit included), the child goes on
            return Plain.Result(exc)
        return Plain.Result()


DEFERRED = ("matplotlib", "matplotlib.pyplot")
"""Imported for real on first use only: set-up cells import pyplot (0.3 CPU-s) that a cell's value rarely needs."""


class _Existing:
    """Loader of a module that is already in ``sys.modules`` (the real parent's import brought it in)."""

    def __init__(self, module) -> None:
        self.module, self.spec = module, module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module) -> None:
        module.__spec__ = self.spec


class Deferred:
    """Stand-in modules for `DEFERRED` in ``sys.modules``; any attribute (or other submodule) imports the real ones."""

    def __init__(self, names: tuple[str, ...] = DEFERRED) -> None:
        import importlib.util
        import types

        self.stand_ins: dict[str, types.ModuleType] = {}
        top = importlib.util.find_spec(names[0]) if names[0] not in sys.modules else None
        if top is None or top.submodule_search_locations is None:
            return
        owner = self

        class StandIn(types.ModuleType):
            def __getattr__(self, attr: str):
                child = owner.stand_ins.get(f"{self.__name__}.{attr}")
                if child is not None and sys.modules.get(child.__name__) is child:
                    return child
                return getattr(owner.real(self.__name__), attr)

        for name in names:
            self.stand_ins[name] = sys.modules[name] = StandIn(name)
        self.stand_ins[names[0]].__path__ = list(top.submodule_search_locations)
        self.stand_ins[names[0]].__spec__ = top
        self.prefix = names[0] + "."
        sys.meta_path.insert(0, self)

    def real(self, name: str):
        if self in sys.meta_path:
            sys.meta_path.remove(self)
            for key, stand_in in self.stand_ins.items():
                if sys.modules.get(key) is stand_in:
                    del sys.modules[key]
        module = importlib.import_module(name)
        self.stand_ins[name].__dict__.update(module.__dict__)  # later uses of the stand-in skip __getattr__
        return module

    def find_spec(self, name: str, path=None, target=None):
        """Another submodule (``import matplotlib.colors``): the real package first, then as usual."""
        if not name.startswith(self.prefix) or name in self.stand_ins:
            return None
        self.real(self.prefix[:-1])
        if name in sys.modules:
            import importlib.util

            return importlib.util.spec_from_loader(name, _Existing(sys.modules[name]))
        return None


def _shell(plain: bool):
    if plain:
        return Plain()
    from IPython.core.interactiveshell import InteractiveShell

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None):  # `%matplotlib inline` outside a kernel: nothing to enable
            return None

    return Shell.instance()


def run_notebooks(job: Job) -> None:
    import wire

    notebooks = job.spec.get("notebooks", [])
    if not notebooks:
        return  # no IPython, no set-up: a job of function calls only
    os.environ.setdefault("MPLBACKEND", "Agg")  # a cell that draws does so off screen, without the inline backend
    Deferred()
    shells: dict[bool, object] = {}
    for index, notebook in enumerate(notebooks):
        setup = notebook.get("setup", [])
        plain = [plain_source(s) for s in [*setup, *(c["source"] for c in notebook["cells"])]]
        use_plain = None not in plain  # one notebook, one kind of shell: its set-up and cells share a namespace
        if use_plain:
            notebook = dict(notebook, setup=plain[: len(setup)],
                            cells=[dict(c, source=s) for c, s in zip(notebook["cells"], plain[len(setup):])])
        if use_plain not in shells:
            shells[use_plain] = _shell(use_plain)
        shell = shells[use_plain]
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
    text = _text(exc)
    return f"{type(exc).__name__[:80]}: {text}" if text else type(exc).__name__[:80]


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
