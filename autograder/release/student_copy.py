"""Generate the student copy ``notebooks/`` from the instructor source ``solutions/``.

Package: modules without solution markers are copied verbatim; in exercise
modules each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block becomes
``raise NotImplementedError("<hint>")``, the hint being the block's first
line when it is a ``# hint:`` comment. Notebooks: see `release_notebooks`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from autograder.layout import FINGERPRINTS, NOTEBOOKS, PACKAGE, ROOT, SOLUTIONS

__all__ = ["FINGERPRINTS", "NOTEBOOKS", "PACKAGE", "ROOT", "SOLUTIONS", "release", "release_package", "stub_source"]

BEGIN = re.compile(r"^(?P<indent>\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
HINT = re.compile(r"^\s*# hint:\s*(?P<hint>.+?)\s*$")


def stub_source(source: str, filename: str = "<source>") -> str:
    """Replace every solution block of a Python source with a NotImplementedError stub."""
    out: list[str] = []
    lines = source.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        begin = BEGIN.match(lines[i])
        if not begin:
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not END.match(lines[j]):
            if BEGIN.match(lines[j]):
                raise ValueError(f"{filename}:{j + 1}: nested ### BEGIN SOLUTION")
            j += 1
        if j == len(lines):
            raise ValueError(f"{filename}:{i + 1}: ### BEGIN SOLUTION without ### END SOLUTION")
        hint = HINT.match(lines[i + 1]) if i + 1 < j else None
        message = hint["hint"] if hint else "write this part (see the notebook)"
        out.append(f"{begin['indent']}raise NotImplementedError({message!r})\n")
        i = j + 1
    return "".join(out)


def is_exercise_module(source: str) -> bool:
    return any(BEGIN.match(line) for line in source.splitlines())


def release_package(src: Path, dst: Path) -> list[Path]:
    """Write the student package for `src` into `dst`; return the files written."""
    written = []
    if dst.exists():
        shutil.rmtree(dst)
    for path in sorted(src.rglob("*")):
        if "__pycache__" in path.parts or path.is_dir() or path.suffix == ".pyc":
            continue
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".py":
            text = path.read_text(encoding="utf-8")
            target.write_text(stub_source(text, str(path)) if is_exercise_module(text) else text, encoding="utf-8")
        else:
            shutil.copyfile(path, target)
        written.append(target)
    return written


def release_notebooks(src: Path, dst: Path) -> list[Path]:
    """Student notebooks: solution regions cleared, outputs removed (see `notebook_release`)."""
    from autograder.release.notebooks import release_notebook

    written = []
    for nb in sorted(src.glob("*.ipynb")):
        target = dst / nb.name
        release_notebook(nb, target)
        written.append(target)
    return written


def release_fingerprints(src: Path, dst: Path, previous: str | None = None) -> Path:
    """What the student's visible checks compare against: fingerprints and hints, no code (see `fingerprints`)."""
    from autograder.release.fingerprints import write

    return write(src, dst, previous)


def release(src_root: Path = SOLUTIONS, dst_root: Path = NOTEBOOKS) -> list[Path]:
    """Regenerate the whole student copy under `dst_root` from `src_root`."""
    dst_root.mkdir(parents=True, exist_ok=True)
    for stale in dst_root.glob("*.ipynb"):
        stale.unlink()
    fingerprints = dst_root / PACKAGE / FINGERPRINTS
    previous = fingerprints.read_text(encoding="utf-8") if fingerprints.is_file() else None
    written = release_package(src_root / PACKAGE, dst_root / PACKAGE)
    written.append(release_fingerprints(src_root / PACKAGE, dst_root / PACKAGE, previous))
    written += release_notebooks(src_root, dst_root)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.release", description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=SOLUTIONS, help="instructor source (default: solutions/)")
    parser.add_argument("--dst", type=Path, default=NOTEBOOKS, help="student copy to write (default: notebooks/)")
    args = parser.parse_args(argv)
    files = release(args.src, args.dst)
    print(f"released {len(files)} files into {args.dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
