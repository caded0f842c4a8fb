"""``make submit``: check your work and pack it into one zip named after you.

Shipped in the student bundle as ``tools/submit.py`` (standard library only;
the checks run your package in a separate Python process). Usage::

    make submit STUDENT=<your id>        # or: python tools/submit.py --student <your id>

It reads your working copy ``work/`` (see ``workspace.py``): it checks that
every notebook is present and valid JSON, that your package imports, lists
the written answers and code answers you have not touched yet, and runs the
visible checks of every function (``make progress``; a failing or unfinished
function does not stop the submission: it is listed). Then it writes
``submissions/<your id>.zip`` (a folder git ignores) and says where.
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
COURSE, WORK, OUT = "notebooks", "work", "submissions"  # the release, the student's copy, where zips go


def student_id(name: str) -> str:
    """A safe id from a name or file name ("Alice Smith (1).zip" → "alice_smith")."""
    stem = re.sub(r"\.zip$", "", Path(name).name, flags=re.IGNORECASE)
    stem = re.sub(r"\s*\(\d+\)$", "", stem)
    return re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")[:64]


def load_manifest(root: Path) -> dict:
    """Expected notebooks and exercises: from the bundle's manifest, else (in the course repository) from the contract."""
    path = Path(__file__).resolve().parent / MANIFEST
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from autograder.contract import exercises  # the course repository: its one reader of the contract

    return {"notebooks": sorted(p.stem for p in (root / COURSE).glob("*.ipynb")), "exercises": exercises(root / COURSE / "backproplab")}


def _read_notebook(path: Path) -> dict:
    """The notebook's JSON; ValueError with a reason a student can act on."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text") from None
    except ValueError as exc:
        raise ValueError(f"is not valid JSON ({exc}): open it in JupyterLab and save it again") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("is not a notebook")
    return nb


def check_notebooks(root: Path, expected: list[str]) -> list[str]:
    errors = []
    for name in expected:
        path = root / WORK / f"{name}.ipynb"
        if not path.exists():
            errors.append(f"{WORK}/{name}.ipynb is missing (the course's copy is {COURSE}/{name}.ipynb, if you deleted or renamed yours)")
            continue
        try:
            _read_notebook(path)
        except ValueError as exc:
            errors.append(f"{WORK}/{name}.ipynb {exc}")
    return errors


def _answers(nb: dict) -> dict[str, tuple[str, str]]:
    """``grade_id -> (cell type, source)`` of the cells a student answers in (nbgrader ``solution`` cells)."""
    out = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
        if isinstance(meta, dict) and meta.get("solution") and isinstance(meta.get("grade_id"), str):
            source = cell.get("source", "")
            out[meta["grade_id"]] = (cell.get("cell_type", ""), "".join(source) if isinstance(source, list) else str(source))
    return out


def unanswered(root: Path, expected: list[str]) -> list[str]:
    """Answer cells still exactly as the course released them (nbgrader's Validate warns about these too)."""
    out = []
    for name in expected:
        try:
            released = _answers(_read_notebook(root / COURSE / f"{name}.ipynb"))
            mine = _answers(_read_notebook(root / WORK / f"{name}.ipynb"))
        except (OSError, ValueError):
            continue  # a missing or broken notebook is reported by check_notebooks
        for gid, (kind, source) in released.items():
            if mine.get(gid, (kind, source))[1] == source:
                what = "written answer" if kind == "markdown" else "code answer"
                out.append(f"{name}.ipynb: the {what} {gid!r} is not answered yet")
    return out


def check_import(root: Path, modules: list[str]) -> str | None:
    code = "import importlib\n" + "".join(f"importlib.import_module('backproplab.{m}')\n" for m in modules)
    try:
        proc = subprocess.run([sys.executable, "-c", code], cwd=root / WORK, capture_output=True, text=True, timeout=CHECK_SECONDS)
    except subprocess.TimeoutExpired:
        return f"importing your package takes more than {CHECK_SECONDS} s (a loop at import time?)"
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        return "your package does not import: " + (lines[-1] if lines else f"exit code {proc.returncode}")
    return None


def run_checks(root: Path, functions: list[tuple[str, str]]) -> dict[str, list[str]]:
    """``function -> [status, feedback]`` from the visible checks (``backproplab.progress``, as ``make progress``)."""
    try:
        proc = subprocess.run([sys.executable, "-m", "backproplab.progress", "--json"], cwd=root / WORK,
                              capture_output=True, text=True, timeout=CHECK_SECONDS)
        rows = {r["function"]: [r["status"], r["detail"]] for r in json.loads(proc.stdout)}
    except (subprocess.TimeoutExpired, ValueError, KeyError, TypeError):
        rows = {}
    return {name: rows.get(name, ["error", "the visible checks did not finish"]) for _, name in functions}


def pack(root: Path, out: Path, student: str, summary: dict) -> Path:
    """Zip the working copy's notebooks and package, under the course's names (``notebooks/…``)."""
    work = root / WORK
    files = sorted(work.glob("*.ipynb")) + sorted((work / "backproplab").glob("*.py"))
    names = {p: str(Path(COURSE) / p.relative_to(work)) for p in files}
    meta = {
        "student": student,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "visible_checks": summary,
        "files": {names[p]: hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in files:
            zf.write(p, names[p])
        zf.writestr("SUBMISSION.json", json.dumps(meta, indent=1))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make submit", description="Check your work and write <your id>.zip")
    parser.add_argument("--student", default="", help="your student id (letters, digits, _)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2] if Path(__file__).resolve().parent.name == "student" else Path(__file__).resolve().parent.parent,
                        help="the course folder")
    parser.add_argument("--out", type=Path, default=None, help=f"folder for the zip (default: {OUT}/ in the course folder)")
    parser.add_argument("--force", action="store_true", help="write the zip even if something is missing")
    args = parser.parse_args(argv)
    if not (args.root / WORK).is_dir():
        print(f"There is no {args.root / WORK}: run `make lab` (or python tools/workspace.py) first, then do your work there.", file=sys.stderr)
        return 2
    manifest = load_manifest(args.root)
    functions = [(m, f) for mods in manifest["exercises"].values() for m, fs in mods.items() for f in fs]
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
    for warning in unanswered(args.root, manifest["notebooks"]):
        print(f"WARNING: {warning}", file=sys.stderr)
    for error in errors:
        print(f"PROBLEM: {error}", file=sys.stderr)
    if errors and not args.force:
        print("Nothing written. Fix the problems above, or run `make submit STUDENT=... FORCE=1` to submit anyway.", file=sys.stderr)
        return 1
    out = pack(args.root, (args.out or args.root / OUT) / f"{student}.zip", student, results)
    print(f"Wrote {out.resolve()}: hand in this file.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
