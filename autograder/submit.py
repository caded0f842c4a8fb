"""``make submit``: check your work and pack it into one zip named after you.

Shipped in the student bundle as ``tools/submit.py`` (standard library only;
the checks run your package in a separate Python process). Usage::

    make submit STUDENT=<your id>        # or: python tools/submit.py --student <your id>
    make check NB=02                     # only the visible checks of one notebook

It checks that every notebook is present and valid JSON, that your package
imports, and runs the visible checks of every function (a failing or
unfinished function does not stop the submission: it is listed). Then it
writes ``<your id>.zip`` with your notebooks and your package.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

MANIFEST = "manifest.json"
CHECK_SECONDS = 120

CHECK_CODE = r"""
import importlib, io, json, sys, contextlib
results = {}
for module, name in json.loads(sys.argv[1]):
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            fn = getattr(importlib.import_module("backproplab." + module), name)
            getattr(importlib.import_module("backproplab.checks"), "check_" + name)(fn)
        results[name] = ["passed", ""]
    except NotImplementedError:
        results[name] = ["not implemented", ""]
    except AssertionError as exc:
        results[name] = ["failed", str(exc).splitlines()[0][:200] if str(exc) else ""]
    except Exception as exc:
        results[name] = ["error", f"{type(exc).__name__}: {exc}"[:200]]
print(json.dumps(results))
"""


def student_id(name: str) -> str:
    """A safe id from a name or file name ("Alice Smith (1).zip" → "alice_smith")."""
    stem = re.sub(r"\.zip$", "", Path(name).name, flags=re.IGNORECASE)
    stem = re.sub(r"\s*\(\d+\)$", "", stem)
    return re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")[:64]


def load_manifest(root: Path) -> dict:
    """Expected notebooks and exercises: from the bundle's manifest, else from the course folder itself."""
    path = Path(__file__).resolve().parent / MANIFEST
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    import ast

    init = (root / "notebooks" / "backproplab" / "__init__.py").read_text(encoding="utf-8")
    exercises = next(ast.literal_eval(n.value) for n in ast.parse(init).body
                     if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "EXERCISES")
    return {"notebooks": sorted(p.stem for p in (root / "notebooks").glob("*.ipynb")), "exercises": exercises}


def check_notebooks(root: Path, expected: list[str]) -> list[str]:
    errors = []
    for name in expected:
        path = root / "notebooks" / f"{name}.ipynb"
        if not path.exists():
            errors.append(f"notebooks/{name}.ipynb is missing (restore it from the course bundle if you deleted or renamed it)")
            continue
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            errors.append(f"notebooks/{name}.ipynb is not UTF-8 text")
            continue
        except ValueError as exc:
            errors.append(f"notebooks/{name}.ipynb is not valid JSON ({exc}): open it in JupyterLab and save it again")
            continue
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            errors.append(f"notebooks/{name}.ipynb is not a notebook")
    return errors


def check_import(root: Path, modules: list[str]) -> str | None:
    code = "import importlib\n" + "".join(f"importlib.import_module('backproplab.{m}')\n" for m in modules)
    try:
        proc = subprocess.run([sys.executable, "-c", code], cwd=root / "notebooks", capture_output=True, text=True, timeout=CHECK_SECONDS)
    except subprocess.TimeoutExpired:
        return f"importing your package takes more than {CHECK_SECONDS} s (a loop at import time?)"
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        return "your package does not import: " + (lines[-1] if lines else f"exit code {proc.returncode}")
    return None


def run_checks(root: Path, functions: list[tuple[str, str]]) -> dict[str, list[str]]:
    try:
        proc = subprocess.run([sys.executable, "-c", CHECK_CODE, json.dumps(functions)], cwd=root / "notebooks",
                              capture_output=True, text=True, timeout=CHECK_SECONDS)
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return {name: ["error", "the visible checks did not finish"] for _, name in functions}


def pack(root: Path, out: Path, student: str, summary: dict) -> Path:
    files = sorted(p for p in (root / "notebooks").glob("*.ipynb")) + sorted((root / "notebooks" / "backproplab").glob("*.py"))
    meta = {
        "student": student,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "visible_checks": summary,
        "files": {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in files:
            zf.write(p, str(p.relative_to(root)))
        zf.writestr("SUBMISSION.json", json.dumps(meta, indent=1))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make submit", description="Check your work and write <your id>.zip")
    parser.add_argument("--student", default="", help="your student id (letters, digits, _)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent, help="the course folder")
    parser.add_argument("--out", type=Path, default=None, help="folder for the zip (default: the course folder)")
    parser.add_argument("--check", metavar="NB", default=None, help="only run the visible checks of notebook NB (e.g. 02)")
    parser.add_argument("--force", action="store_true", help="write the zip even if something is missing")
    args = parser.parse_args(argv)
    manifest = load_manifest(args.root)
    functions = [(m, f) for nb, mods in manifest["exercises"].items() if args.check in (None, nb) for m, fs in mods.items() for f in fs]
    if args.check is not None:
        results = run_checks(args.root, functions)
        for name, (status, why) in results.items():
            print(f"  {name:32s} {status}{': ' + why if why else ''}")
        return 0 if all(s == "passed" for s, _ in results.values()) else 1
    student = student_id(args.student)
    if not student:
        print("Tell me who you are: make submit STUDENT=<your id>", file=sys.stderr)
        return 2
    errors = check_notebooks(args.root, manifest["notebooks"])
    modules = sorted({m for mods in manifest["exercises"].values() for m in mods})
    problem = check_import(args.root, modules)
    if problem:
        errors.append(problem)
        results = {}
    else:
        results = run_checks(args.root, functions)
    print("Visible checks (the grader uses its own, fresh inputs):")
    for name, (status, why) in results.items():
        print(f"  {name:32s} {status}{': ' + why if why else ''}")
    for error in errors:
        print(f"PROBLEM: {error}", file=sys.stderr)
    if errors and not args.force:
        print("Nothing written. Fix the problems above, or run `make submit STUDENT=... FORCE=1` to submit anyway.", file=sys.stderr)
        return 1
    out = pack(args.root, (args.out or args.root) / f"{student}.zip", student, results)
    print(f"Wrote {out}: hand in this file.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
