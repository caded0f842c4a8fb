"""Similarity report: which pairs of students wrote suspiciously alike exercise code.

``python -m autograder similarity SUBMISSIONS_DIR --out report.html``

Each entry of SUBMISSIONS_DIR is one student: a zip (read in memory, never
extracted) or a folder, with a ``backproplab/`` package somewhere inside. Only
the exercise functions count, and only what the student wrote in them:

1. every exercise function is parsed with `ast` and written out canonically:
   arguments become ``_a0, _a1, …`` by position, local variables all become
   ``_v`` (so renaming or reordering hides nothing), keyword arguments are
   sorted, ``a + b`` / ``a * b`` are ordered; comments, docstrings and layout
   are gone;
2. statements of the released stub (the validation preamble) are dropped, and
   so is every feature that also occurs in the stub; a function left as the
   stub or equal to the reference contributes nothing;
3. a function is a set of features: the canonical text of each subtree and the
   4-grams of its node types (in canonical order);
4. each feature is weighted by its rarity in the class, ``log(D / df)`` over the
   D students who wrote that function plus the reference, so what most of the
   class wrote (the few natural ways to write a 3-line ``softmax``) weighs
   little and structure that only two students share weighs most;
5. a pair's score is the weighted Jaccard similarity pooled over the functions
   both wrote: the share of the (rarity-weighted) structure either wrote that
   both wrote. A pair is flagged when it is far above the class's typical pair,
   robust z-score ``(score - median) / (1.4826 MAD)`` at least ``--threshold``,
   and shares at least ``--min-score`` of its structure: one function that two
   students happen to write alike stands out in a small class, but it is not
   half of what they wrote.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import os
import re
import stat
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from autograder import contract
from autograder.grading.notebooks import package_folder
from autograder.release.student_copy import NOTEBOOKS, PACKAGE, SOLUTIONS

MAX_FILE_BYTES = 1_000_000  # a .py larger than this is not a hand-written exercise module
MAX_SUBMISSION_BYTES = 20_000_000  # stop reading a submission (a zip bomb, a huge tree) after this many bytes
MAX_ZIP_MEMBERS = 20_000
KGRAM = 4
MAD_TO_SIGMA = 1.4826  # MAD of a normal distribution times this is its standard deviation
MIN_SCALE = 0.02  # floor of the robust spread, so a class of near-identical scores does not flag noise
THRESHOLD = 3.5  # robust z-score at which a pair is far above the class (Iglewicz and Hoaglin's outlier rule)
MIN_SCORE = 0.4  # independent students share far less; a copy with renamed variables shares most


# --------------------------------------------------------------------------- reading submissions


@dataclass
class Package:
    """The exercise modules' raw bytes found in one submission, and what went wrong reading it."""

    files: dict[str, bytes] = field(default_factory=dict)  # module name -> source bytes
    where: str = ""  # the package folder inside the submission
    problems: list[str] = field(default_factory=list)
    found: dict[PurePosixPath, dict[str, bytes]] = field(default_factory=dict)  # every package folder seen
    read: int = 0  # bytes read so far
    seen: list[tuple[str, ...]] = field(default_factory=list)  # every exercise module's path, kept or not

    def add(self, parts: tuple[str, ...], data: bytes) -> bool:
        """Keep one module's bytes unless oversized; False once the submission's byte budget is spent."""
        self.read += len(data)
        self.seen.append(parts)
        if len(data) > MAX_FILE_BYTES:
            self.problems.append(f"{PurePosixPath(*parts)} larger than {MAX_FILE_BYTES} bytes skipped")
        else:
            self.found.setdefault(PurePosixPath(*parts[:-1]), {})[parts[-1][:-3]] = data
        if self.read > MAX_SUBMISSION_BYTES:
            self.problems.append(f"stopped reading after {MAX_SUBMISSION_BYTES} bytes")
        return self.read <= MAX_SUBMISSION_BYTES

    def choose(self, modules: set[str]) -> Package:
        """Keep the package folder grading reads (`package_folder`, the rule of ``grade-one``)."""
        folder = package_folder(self.seen, modules)
        if folder is None:
            self.problems.append(f"no {PACKAGE}/ package with exercise modules found")
            return self
        best = PurePosixPath(*folder)
        if len(self.found) > 1:
            self.problems.append(f"several {PACKAGE}/ folders; compared {best}")
        self.files, self.where = self.found.get(best, {}), str(best)
        return self


def exercises(reference: Path) -> dict[str, list[str]]:
    """Module -> exercise functions of the reference package (its contract)."""
    by_module: dict[str, list[str]] = {}
    for e in contract.load(reference).CONTRACT:
        by_module.setdefault(e.module, []).append(e.name)
    return by_module


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or bool(re.match(r"^[A-Za-z]:", name))


def _wanted(parts: tuple[str, ...], modules: set[str]) -> bool:
    """An exercise module of some ``backproplab/`` folder (the candidates `package_folder` chooses from)."""
    return package_folder([parts], modules) is not None


def read_zip(path: Path, modules: set[str]) -> Package:
    """Exercise modules from a zip, in memory; unsafe, linked or oversized members are skipped and reported."""
    package = Package()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                package.problems.append(f"zip has {len(members)} members; read only the first {MAX_ZIP_MEMBERS}")
            for info in members[:MAX_ZIP_MEMBERS]:
                if _unsafe(info.filename):
                    package.problems.append(f"unsafe path {info.filename!r} skipped")
                    continue
                parts = PurePosixPath(info.filename.replace("\\", "/")).parts
                if info.is_dir() or not _wanted(parts, modules):
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    package.problems.append(f"symlink {info.filename!r} skipped")
                    continue
                with archive.open(info) as member:  # never trust the declared size: read at most the cap
                    if not package.add(parts, member.read(MAX_FILE_BYTES + 1)):
                        break
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as err:
        package.problems.append(f"unreadable zip: {err}")
    return package.choose(modules)


def _walk(path: Path, modules: set[str]) -> Iterator[tuple[tuple[str, ...], Path]]:
    """Exercise module files under `path` (relative parts, path), without following symlinked folders."""
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        dirnames.sort()
        rel = Path(dirpath).relative_to(path).parts
        yield from (((*rel, name), Path(dirpath, name)) for name in sorted(filenames) if _wanted((*rel, name), modules))


def read_folder(path: Path, modules: set[str]) -> Package:
    """Exercise modules from an extracted folder; symlinks are neither followed nor read."""
    package = Package()
    for parts, file in _walk(path, modules):
        if file.is_symlink() or not file.is_file():
            package.problems.append(f"{PurePosixPath(*parts)} is a symlink or not a regular file: skipped")
            continue
        with open(file, "rb") as handle:
            if not package.add(parts, handle.read(MAX_FILE_BYTES + 1)):
                break
    return package.choose(modules)


def read_submissions(root: Path, modules: set[str]) -> tuple[dict[str, Package], list[str]]:
    """One `Package` per student (a zip or a folder in `root`), and the entries that were ignored."""
    packages: dict[str, Package] = {}
    ignored = []
    for entry in sorted(root.iterdir()):
        if entry.is_symlink():
            ignored.append(f"{entry.name}: symlink ignored")
            continue
        if entry.is_dir():
            name = entry.name
            package = read_folder(entry, modules)
        elif entry.suffix.lower() == ".zip" and entry.is_file():
            name = entry.stem
            package = read_zip(entry, modules)
        else:
            ignored.append(f"{entry.name}: neither a folder nor a .zip, ignored")
            continue
        packages[name if name not in packages else entry.name] = package
    return packages, ignored


# --------------------------------------------------------------------------- normalising functions


@dataclass
class Function:
    """What a student wrote in one exercise function, normalised."""

    key: tuple[str, ...]  # canonical text of each statement written beyond the stub
    features: frozenset[str]
    code: str = ""  # those statements as the student wrote them (dedented), for the report
    statement_lines: dict[str, list[int]] = field(default_factory=dict)  # digest of a simple statement -> its lines in `code`


@dataclass
class _Trace:
    """What canonicalising a subtree saw: digests of its subtrees, node types in order, simple statements."""

    features: set[str] = field(default_factory=set)
    types: list[str] = field(default_factory=list)
    statements: list[tuple[str, int, int]] = field(default_factory=list)  # (digest, first line, last line)


_IGNORED_FIELDS = {"ctx", "type_comment", "kind"}
_COMMUTATIVE = (ast.Add, ast.Mult)
_NAMED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler)
_COMPOUND = (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try, *_NAMED[:3])


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _canon(node: ast.AST, names: dict[str, str]) -> tuple[str, _Trace | None]:
    """Canonical text of `node` and its trace: the subtrees' digests and the node types in canonical order."""
    if isinstance(node, ast.Name):
        return names.get(node.id, node.id), None
    if isinstance(node, ast.Constant):
        return repr(node.value), None
    parts, children = [], []
    for name, value in ast.iter_fields(node):
        if name in _IGNORED_FIELDS:
            continue
        if isinstance(value, list):
            items = [_canon(v, names) if isinstance(v, ast.AST) else (repr(v), None) for v in value]
            if name == "keywords":
                items.sort(key=lambda item: item[0])
            parts.append("[" + ",".join(text for text, _ in items) + "]")
            children += [trace for _, trace in items]
        elif isinstance(value, ast.AST):
            text, trace = _canon(value, names)
            parts.append(text)
            children.append(trace)
        elif isinstance(value, str) and (isinstance(node, ast.arg) or (name == "name" and isinstance(node, _NAMED))):
            parts.append(names.get(value, value))
        else:
            parts.append(repr(value))
    if isinstance(node, ast.BinOp) and isinstance(node.op, _COMMUTATIVE) and parts[2] < parts[0]:
        parts[0], parts[2], children[0], children[2] = parts[2], parts[0], children[2], children[0]
    text = f"{type(node).__name__}({','.join(parts)})"
    trace = _Trace(types=[type(node).__name__])
    for child in filter(None, children):
        trace.features |= child.features
        trace.types += child.types
        trace.statements += child.statements
    if isinstance(node, (ast.stmt, ast.expr, ast.keyword, ast.comprehension)):
        trace.features.add("t:" + _digest(text))
    if isinstance(node, ast.stmt) and not isinstance(node, _COMPOUND):
        trace.statements.append((_digest(text), node.lineno, node.end_lineno or node.lineno))
    return text, trace


def _names(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
    """Arguments -> ``_a<position>``, every other name bound inside `fn` -> ``_v``; globals keep their names."""
    local = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            local.add(node.id)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, _NAMED) and node is not fn and node.name:
            local.add(node.name)
        elif isinstance(node, ast.alias):
            local.add((node.asname or node.name).split(".")[0])
    a = fn.args
    args = [*a.posonlyargs, *a.args, *([a.vararg] if a.vararg else []), *a.kwonlyargs, *([a.kwarg] if a.kwarg else [])]
    return {name: "_v" for name in local} | {arg.arg: f"_a{i}" for i, arg in enumerate(args)}


def _statements(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[ast.stmt, str, _Trace]]:
    """Top-level statements of `fn` without docstrings, each with its canonical text and trace."""
    names = _names(fn)
    out = []
    for statement in fn.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str):
            continue
        text, trace = _canon(statement, names)
        out.append((statement, text, trace or _Trace()))
    return out


def _features(traces: list[_Trace]) -> set[str]:
    """Subtree digests of the statements, plus the k-grams of their node types in order."""
    types = [t for trace in traces for t in trace.types]
    grams = {"k:" + ">".join(types[i : i + KGRAM]) for i in range(max(len(types) - KGRAM + 1, 1))}
    return set().union(*(trace.features for trace in traces)) | (grams if types else set())


@dataclass(frozen=True)
class Stub:
    """One released stub function: its statements (to drop) and its features (to ignore)."""

    statements: tuple[str, ...] = ()
    features: frozenset[str] = frozenset()


def stub_of(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Stub:
    """The statements and features of a released stub function."""
    statements = _statements(fn)
    return Stub(tuple(text for _, text, _ in statements), frozenset(_features([trace for _, _, trace in statements])))


def normalise(fn: ast.FunctionDef | ast.AsyncFunctionDef, source: str, stub: Stub) -> Function:
    """What the student wrote in `fn` beyond the stub `stub`, as canonical statements and features."""
    preamble = Counter(stub.statements)
    kept = []
    for statement, text, trace in _statements(fn):
        if preamble[text] > 0:
            preamble[text] -= 1
        else:
            kept.append((statement, text, trace))
    if not kept:
        return Function((), frozenset())
    lines = source.splitlines()
    first, last = kept[0][0].lineno, max(s.end_lineno or s.lineno for s, _, _ in kept)
    block = lines[first - 1 : last]
    indent = min((len(line) - len(line.lstrip()) for line in block if line.strip()), default=0)
    statement_lines: dict[str, list[int]] = {}
    for _, _, trace in kept:
        for digest, start, end in trace.statements:
            statement_lines.setdefault(digest, []).extend(range(start - first, end - first + 1))
    return Function(
        key=tuple(text for _, text, _ in kept),
        features=frozenset(_features([trace for _, _, trace in kept]) - stub.features),
        code="\n".join(line[indent:] for line in block),
        statement_lines=statement_lines,
    )


def parse_module(data: bytes, label: str) -> tuple[ast.Module | None, str, str | None]:
    """(tree, source text, problem): a file that does not parse gives a problem, never an exception."""
    try:
        tree = ast.parse(data, filename=label)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as err:
        where = f" line {err.lineno}" if isinstance(err, SyntaxError) and err.lineno else ""
        return None, "", f"{label}: does not parse ({type(err).__name__}{where}: {getattr(err, 'msg', err)})"
    return tree, data.decode("utf-8", errors="replace"), None


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


# --------------------------------------------------------------------------- the class


@dataclass
class Baseline:
    """The released stub and the reference for every exercise function."""

    stubs: dict[str, Stub]
    reference: dict[str, Function]


def load_baseline(reference: Path, stubs: Path, by_module: dict[str, list[str]]) -> Baseline:
    """Normalise the stub and the reference of every exercise function (both are trusted files)."""
    baseline = Baseline({}, {})
    for module, names in by_module.items():
        stub_tree = ast.parse((stubs / f"{module}.py").read_bytes())
        ref_source = (reference / f"{module}.py").read_text(encoding="utf-8")
        stub_fns, ref_fns = _functions(stub_tree), _functions(ast.parse(ref_source))
        for name in names:
            baseline.stubs[name] = stub_of(stub_fns[name])
            baseline.reference[name] = normalise(ref_fns[name], ref_source, baseline.stubs[name])
    return baseline


@dataclass
class Student:
    name: str
    functions: dict[str, Function]  # only the functions that count: written, and not the reference
    as_reference: list[str]
    problems: list[str]


def student_of(name: str, package: Package, by_module: dict[str, list[str]], baseline: Baseline) -> Student:
    """Parse and normalise one student's exercise functions; what cannot be parsed becomes a problem."""
    student = Student(name, {}, [], list(package.problems))
    for module, names in by_module.items():
        data = package.files.get(module)
        if data is None:
            continue
        label = str(PurePosixPath(package.where, f"{module}.py"))
        tree, source, problem = parse_module(data, label)
        if problem:
            student.problems.append(problem)
            continue
        found = _functions(tree)
        for fn_name in names:
            if fn_name not in found:
                continue
            try:
                fn = normalise(found[fn_name], source, baseline.stubs[fn_name])
            except RecursionError:
                student.problems.append(f"{label}: {fn_name} is too deeply nested to compare")
                continue
            if fn.key == baseline.reference[fn_name].key:
                student.as_reference.append(fn_name)
            elif fn.key:
                student.functions[fn_name] = fn
    return student


@dataclass
class Scores:
    students: list[Student]
    score: np.ndarray  # (n, n) pooled weighted Jaccard, NaN where the pair wrote no function in common
    compared: np.ndarray  # (n, n) number of functions both wrote
    weights: dict[str, dict[str, float]]  # function -> feature -> rarity weight

    def pair_function(self, i: int, j: int, fn: str) -> float:
        """Weighted Jaccard similarity of students i and j on one function."""
        a, b, w = self.students[i].functions[fn].features, self.students[j].functions[fn].features, self.weights[fn]
        union = sum(w[f] for f in a | b)
        return sum(w[f] for f in a & b) / union if union else 0.0


def score_pairs(students: list[Student], baseline: Baseline, function_names: list[str]) -> Scores:
    """Rarity-weighted Jaccard similarity of every pair, pooled over the functions both wrote."""
    n = len(students)
    shared, union, compared = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, n), dtype=int)
    weights = {}
    for fn in function_names:
        rows = [i for i, s in enumerate(students) if fn in s.functions]
        docs = [students[i].functions[fn].features for i in rows] + [baseline.reference[fn].features]
        vocabulary = {f: k for k, f in enumerate(sorted(set().union(*docs)))}
        B = np.zeros((len(docs), len(vocabulary)))
        for r, doc in enumerate(docs):
            B[r, [vocabulary[f] for f in doc]] = 1.0
        w = np.log(len(docs) / np.maximum(B.sum(axis=0), 1.0))  # rarity: log(D / df), 0 for what everyone wrote
        weights[fn] = dict(zip(vocabulary, w.tolist()))
        Bs = B[: len(rows)]
        inter = (Bs * w) @ Bs.T
        mass = Bs @ w
        block = np.ix_(rows, rows)
        shared[block] += inter
        union[block] += mass[:, None] + mass[None, :] - inter
        compared[block] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(compared > 0, shared / np.where(union > 0, union, 1.0), np.nan)
    return Scores(students, score, compared, weights)


@dataclass
class Pair:
    a: str
    b: str
    score: float | None  # None: no function written by both
    z: float | None
    compared: int
    flagged: bool
    i: int
    j: int


@dataclass
class Report:
    scores: Scores
    pairs: list[Pair]  # every pair, most similar first
    median: float
    scale: float  # robust standard deviation (1.4826 MAD, floored)
    threshold: float
    min_score: float
    baseline: Baseline
    ignored: list[str]

    @property
    def flagged(self) -> list[Pair]:
        return [p for p in self.pairs if p.flagged]


def rank_pairs(scores: Scores, threshold: float, min_score: float) -> tuple[list[Pair], float, float]:
    """Every pair, most similar first, with its robust z-score and flag; and the class's median and spread."""
    n = len(scores.students)
    iu = np.triu_indices(n, k=1)
    values = scores.score[iu]
    finite = values[np.isfinite(values)]
    median = float(np.median(finite)) if finite.size else 0.0
    scale = max(MAD_TO_SIGMA * float(np.median(np.abs(finite - median))) if finite.size else 0.0, MIN_SCALE)
    pairs = []
    for i, j, s in zip(*iu, values):
        ok = bool(np.isfinite(s))
        z = (float(s) - median) / scale if ok else None
        names = scores.students[i].name, scores.students[j].name
        flagged = bool(ok and z >= threshold and s >= min_score)
        pairs.append(Pair(*names, float(s) if ok else None, z, int(scores.compared[i, j]), flagged, int(i), int(j)))
    pairs.sort(key=lambda p: (p.score is None, -(p.score or 0.0), p.a, p.b))
    return pairs, median, scale


def analyse(
    submissions: Path,
    reference: Path = SOLUTIONS / PACKAGE,
    stubs: Path = NOTEBOOKS / PACKAGE,
    threshold: float = THRESHOLD,
    min_score: float = MIN_SCORE,
) -> Report:
    """Read every submission in `submissions`, score every pair of students, flag the outliers."""
    by_module = exercises(reference)
    baseline = load_baseline(reference, stubs, by_module)
    packages, ignored = read_submissions(submissions, set(by_module))
    students = [student_of(name, package, by_module, baseline) for name, package in packages.items()]
    function_names = [fn for names in by_module.values() for fn in names]
    scores = score_pairs(students, baseline, function_names)
    pairs, median, scale = rank_pairs(scores, threshold, min_score)
    return Report(scores, pairs, median, scale, threshold, min_score, baseline, ignored)


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    from autograder.outputs.similarity_html import write_csv, write_html, write_json

    parser = argparse.ArgumentParser(
        prog="python -m autograder similarity",
        description="Flag pairs of submissions whose exercise code is far more alike than the class's typical pair.",
    )
    parser.add_argument("submissions", type=Path, help="folder with one zip or one folder per student")
    parser.add_argument("--out", type=Path, default=Path("similarity.html"), help="HTML report (default: similarity.html)")
    parser.add_argument("--csv", type=Path, help="every pair's score as CSV (default: OUT with .csv)")
    parser.add_argument("--json", type=Path, help="every pair's score and the problems as JSON (default: OUT with .json)")
    parser.add_argument("--reference", type=Path, default=SOLUTIONS / PACKAGE, help="reference package (excluded)")
    parser.add_argument("--stubs", type=Path, default=NOTEBOOKS / PACKAGE, help="released stub package (excluded)")
    parser.add_argument("--threshold", type=float, default=THRESHOLD, help=f"robust z-score to flag a pair (default: {THRESHOLD})")
    parser.add_argument("--min-score", type=float, default=MIN_SCORE, help=f"least score to flag a pair (default: {MIN_SCORE})")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    for package in (args.reference, args.stubs):
        if not (package / "__init__.py").is_file():
            parser.error(f"{package} is not a {PACKAGE} package")
    report = analyse(args.submissions, args.reference, args.stubs, args.threshold, args.min_score)
    write_html(report, args.out)
    write_csv(report, args.csv or args.out.with_suffix(".csv"))
    write_json(report, args.json or args.out.with_suffix(".json"))
    problems = sum(len(s.problems) for s in report.scores.students) + len(report.ignored)
    print(
        f"{len(report.scores.students)} submissions, {len(report.pairs)} pairs, {len(report.flagged)} flagged "
        f"(median {report.median:.3f}; flag at z >= {report.threshold:g} and score >= {report.min_score:g}), "
        f"{problems} problems; report: {args.out}"
    )
    for pair in report.flagged:
        print(f"  {pair.a} ~ {pair.b}: score {pair.score:.3f}, z {pair.z:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
