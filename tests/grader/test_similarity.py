"""The similarity report on a generated class (see `_similarity_corpus`): one planted copy among
nine independently written packages, the reference and the stub excluded, broken and hostile files reported."""

from __future__ import annotations

import ast
import csv
import importlib
import importlib.util
import json
import subprocess
import sys
import zipfile
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from _similarity_corpus import COPIED, COPIER, COPY_EDITS, INDEPENDENT, MODULES, ROOT, build_class, students, write_package

from autograder.outputs.similarity import MAX_FILE_BYTES, MAX_SUBMISSION_BYTES, Stub, analyse, main, normalise, read_zip


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_class(tmp_path_factory.mktemp("similarity"))


@pytest.fixture(scope="module")
def report(submissions: Path):
    return analyse(submissions)


def _scores(report) -> dict[frozenset[str], float | None]:
    return {frozenset((p.a, p.b)): p.score for p in report.pairs}


def _student(report, name: str):
    return next(s for s in report.scores.students if s.name == name)


# --------------------------------------------------------------------------- the test set itself


def _load(package: Path, name: str):
    """Import the package folder `package` under the top-level name `name`."""
    spec = importlib.util.spec_from_file_location(name, package / "__init__.py", submodule_search_locations=[str(package)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return lambda submodule: importlib.import_module(f"{name}.{submodule}")


def _probes(rng: np.random.Generator) -> dict[str, tuple]:
    Z = 3 * rng.standard_normal((4, 5))
    s = np.exp(Z[0] - Z[0].max())
    Y = np.eye(3)[rng.integers(0, 3, size=4)]
    return {
        "softmax": (Z,),
        "log_softmax": (Z,),
        "softmax_jacobian": (s / s.sum(),),
        "sigmoid": (5 * rng.standard_normal((3, 4)),),
        "sigmoid_grad": (5 * rng.standard_normal((3, 4)),),
        "relu": (rng.standard_normal((3, 4)),),
        "dense_backward": (rng.standard_normal((4, 3)), rng.standard_normal((4, 5)), rng.standard_normal((5, 3))),
        "softmax_regression_loss_loop": (0.1 * rng.standard_normal((5, 3)), rng.standard_normal((4, 5)), Y, 0.1),
    }


def test_every_generated_student_writes_correct_functions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _load(ROOT / "solutions" / "backproplab", "simref_backproplab")
    probes = _probes(np.random.default_rng(0))
    for name in [*INDEPENDENT, COPIER]:
        package = write_package(tmp_path / name / "backproplab", students()[name], COPY_EDITS if name == COPIER else None)
        student = _load(package, f"simstudent_{name}")
        monkeypatch.setattr(student("softmax_regression"), "l2_penalty", reference("losses").l2_penalty)  # still a stub
        for module, functions in MODULES.items():
            for fn in functions:
                want, got = (f(*probes[fn]) for f in (getattr(reference(module), fn), getattr(student(module), fn)))
                want, got = (x if isinstance(x, tuple) else (x,) for x in (want, got))
                assert len(got) == len(want), f"{name}.{fn}"
                for g, w in zip(got, want):
                    np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=f"{name}.{fn}")


def test_independent_students_write_different_code() -> None:
    bodies = students()
    for fn in MODULES["softmax"] + MODULES["layers"] + MODULES["softmax_regression"]:
        assert len({bodies[name][fn] for name in INDEPENDENT}) >= 8, fn


# --------------------------------------------------------------------------- the report


def test_the_planted_copy_scores_above_every_pair_of_independent_students(report) -> None:
    scores = _scores(report)
    planted = scores[frozenset((COPIED, COPIER))]
    independent = [scores[frozenset(pair)] for pair in combinations(INDEPENDENT, 2)]
    assert all(s is not None for s in independent)
    print(f"planted pair {planted:.3f}, independent pairs: median {np.median(independent):.3f}, max {max(independent):.3f}")
    assert planted > max(independent)
    assert planted > 0.8


def test_only_the_planted_pair_is_flagged(report) -> None:
    assert [(p.a, p.b) for p in report.flagged] == [(COPIED, COPIER)]
    assert report.flagged[0].z >= report.threshold
    assert report.flagged[0].compared == 8


def test_a_shared_natural_solution_alone_does_not_flag(report) -> None:
    """ada and gus both wrote sigmoid with a boolean mask, as many students do: alike there, nowhere else."""
    names = [s.name for s in report.scores.students]
    i, j = names.index("ada"), names.index("gus")
    assert report.scores.pair_function(i, j, "sigmoid") > 0.5
    assert not any(p.flagged for p in report.pairs if {p.a, p.b} == {"ada", "gus"})


def test_the_reference_and_the_stubs_contribute_nothing(report) -> None:
    for name in ("ref1", "ref2"):  # pasted the reference, ref1 with renamed variables, comments and reordered keywords
        student = _student(report, name)
        assert student.functions == {}
        assert sorted(student.as_reference) == ["dense_backward", "relu", "softmax", "softmax_jacobian"]
    blank = _student(report, "blank")  # the untouched release
    assert blank.functions == {} and blank.as_reference == [] and blank.problems == []
    for pair in report.pairs:
        if {pair.a, pair.b} & {"ref1", "ref2", "blank"}:
            assert pair.score is None and pair.compared == 0 and not pair.flagged
    ada = _student(report, "ada")  # wrote three functions exactly as the reference: the other five count
    assert sorted(ada.as_reference) == ["relu", "sigmoid_grad", "softmax_jacobian"]
    assert sorted(ada.functions) == ["dense_backward", "log_softmax", "sigmoid", "softmax", "softmax_regression_loss_loop"]


def test_the_preamble_is_not_the_students_code(report) -> None:
    code = _student(report, COPIED).functions["softmax"].code
    assert "as_float_array" not in code and "NotImplementedError" not in code and '"""' not in code
    assert code.startswith("row_max = np.amax(Z, axis=-1, keepdims=True)")


def test_malformed_files_are_reported_and_the_rest_compared(report) -> None:
    hal, ivy = _student(report, "hal"), _student(report, "ivy")
    assert len(hal.problems) == 1 and "activations.py: does not parse (SyntaxError" in hal.problems[0]
    assert "sigmoid" not in hal.functions and "softmax" in hal.functions
    assert len(ivy.problems) == 1 and "losses.py: does not parse" in ivy.problems[0] and "utf-8" in ivy.problems[0]
    assert len(ivy.functions) == 8


def test_zips_are_read_safely_and_any_nesting_is_found(report, submissions: Path) -> None:
    assert sorted(s.name for s in report.scores.students) == sorted([*INDEPENDENT, COPIER, "ref1", "ref2", "blank"])
    ada = _student(report, "ada")
    assert ada.problems == [
        "unsafe path '../backproplab/softmax.py' skipped",
        "unsafe path '/tmp/backproplab/softmax.py' skipped",
        "symlink 'linked/backproplab/mlp.py' skipped",
        "big/backproplab/losses.py larger than 1000000 bytes skipped",
    ]
    assert ada.functions["softmax"].code.startswith("shifted = Z - np.max(Z")  # the real package, under ada/notebooks/
    assert _student(report, "cai").problems == ["deep/nested/backproplab/mlp.py is a symlink or not a regular file: skipped"]
    assert report.ignored == ["notes.txt: neither a folder nor a .zip, ignored"]
    assert not (submissions.parent / "backproplab").exists() and not Path("/tmp/backproplab/softmax.py").exists()


def test_a_zip_bomb_is_read_only_up_to_the_budget(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for k in range(MAX_SUBMISSION_BYTES // MAX_FILE_BYTES + 5):
            archive.writestr(f"copy{k:02d}/backproplab/softmax.py", b"#" * MAX_FILE_BYTES)
    package = read_zip(bomb, {"softmax"})
    assert package.read <= MAX_SUBMISSION_BYTES + MAX_FILE_BYTES
    assert package.problems == [f"stopped reading after {MAX_SUBMISSION_BYTES} bytes", "several backproplab/ folders; compared copy00/backproplab"]


def test_renaming_reformatting_and_keyword_order_do_not_change_a_function() -> None:
    original = '''
def f(Z, axis):
    """Docstring."""
    shifted = Z - Z.max(axis=axis, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=axis, keepdims=True)
'''
    disguised = '''
def f(logits, ax):
    # a comment
    tmp = (logits
           - logits.max(keepdims = True, axis = ax))

    ex=np.exp( tmp )
    return ex/ex.sum(keepdims=True,axis=ax)
'''
    different = original.replace("Z.max", "Z.min")
    a, b, c = (normalise(ast.parse(src).body[0], src, Stub()) for src in (original, disguised, different))
    assert a.key == b.key and a.features == b.features
    assert a.key != c.key


# --------------------------------------------------------------------------- command line and files


def test_command_line_writes_an_escaped_self_contained_page_and_every_score(submissions: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    assert main([str(submissions), "--out", str(out)]) == 0
    assert "1 flagged" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "<h2>eli and zed</h2>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "http://" not in page and "https://" not in page and " src=" not in page
    with open(tmp_path / "report.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    n = len(INDEPENDENT) + 4
    assert len(rows) == n * (n - 1) // 2
    assert [(r["student_a"], r["student_b"]) for r in rows if r["flagged"] == "1"] == [(COPIED, COPIER)]
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert len(data["pairs"]) == len(rows) and [p for p in data["pairs"] if p["flagged"]][0]["a"] == COPIED


def test_command_line_help_and_errors(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0 and "SUBMISSIONS" in capsys.readouterr().out.upper()
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path / "missing")])
    assert exit_.value.code == 2
    run = subprocess.run([sys.executable, "-m", "autograder.outputs.similarity", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0 and "--threshold" in run.stdout


def test_the_report_reads_the_package_grading_reads(tmp_path: Path) -> None:
    """A stray one-file ``backproplab/`` above the real package: grade-one took the shallowest, the report the fullest."""
    from autograder.grading.grade_one import locate
    from autograder.sandbox import safezip

    modules = set(MODULES)
    members = {"backproplab/softmax.py": "def softmax(Z):\n    return Z\n"}
    members |= {f"work/backproplab/{m}.py": f"# {m}, the real one\n" for m in modules}
    members |= {"work/__MACOSX/backproplab/softmax.py": "", ".ipynb_checkpoints/backproplab/softmax.py": ""}
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    unpacked = safezip.extract(archive, tmp_path / "out")
    _, graded = locate(unpacked.files, unpacked.root, modules)
    compared = read_zip(archive, modules)
    assert graded == unpacked.root / "work" / "backproplab"
    assert compared.where == "work/backproplab" and set(compared.files) == modules
