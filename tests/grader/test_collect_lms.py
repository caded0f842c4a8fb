"""``collect`` reads the layouts LMSs and nbgrader write, maps ids through a roster, and trusts no name.

Attack cases first (path traversal in a Canvas member name, a symlink in an
nbgrader folder, duplicate roster ids, two students behind one name), then
the layouts themselves. No nbgrader, no grading: these run in well under a second each.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from grader_course import write_zip

from autograder.outputs import csvsafe, roster
from autograder.outputs.collect import collect, load_conflicts, load_students, write_conflicts, zip_folder

NB = ["01_softmax"]


def _zip_bytes(files: dict[str, str]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def _everything(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


# --------------------------------------------------------------------------- attacks


def test_a_canvas_bulk_download_with_traversal_names_writes_nothing_outside_the_inbox(tmp_path: Path) -> None:
    download = tmp_path / "dl" / "submissions.zip"
    download.parent.mkdir()
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr("smithfay_4242_98765_fay.zip", _zip_bytes({"backproplab/softmax.py": "fay's"}))
        zf.writestr("../../escaped.zip", _zip_bytes({"x": "1"}))
        zf.writestr("/tmp/absolute.zip", _zip_bytes({"x": "1"}))
        zf.writestr("evilmal_4243_98766_../../../escaped2.zip", _zip_bytes({"x": "1"}))
        zf.writestr("evilmal_4244_98767_..\\..\\escaped3.zip", _zip_bytes({"x": "1"}))
    before = _everything(tmp_path)
    got = collect(download, tmp_path / "course" / "inbox", NB)
    assert sorted(got.chosen) == ["smithfay"]
    assert _everything(tmp_path) - before == {"course", "course/inbox", "course/inbox/smithfay.zip"}
    outside = [c for c in got.conflicts if "points outside the download" in c]
    assert len(outside) == 4, got.conflicts
    assert got.students["smithfay"]["lms"] == "canvas" and got.students["smithfay"]["lms_id"] == "4242"


def test_a_symlink_in_an_nbgrader_folder_is_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "exchange" / "course101" / "inbound" / "ada+backproplab+2026-01-30 10:30:47.524219 UTC"
    folder.mkdir(parents=True)
    (folder / "01_softmax.ipynb").write_text("{}")
    secret = tmp_path / "secret.txt"
    secret.write_text("the instructor's secret")
    (folder / "stolen.txt").symlink_to(secret)
    got = collect(tmp_path / "exchange", tmp_path / "inbox", NB)
    with zipfile.ZipFile(got.chosen["ada"]) as zf:
        assert zf.namelist() == ["01_softmax.ipynb"]


def test_a_symlinked_submission_folder_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "instructor"
    secret.mkdir()
    (secret / "solutions.py").write_text("the reference")
    inbound = tmp_path / "exchange" / "inbound"
    inbound.mkdir(parents=True)
    (inbound / "eve+backproplab+2026-01-30 10:30:47 UTC").symlink_to(secret, target_is_directory=True)
    (tmp_path / "sub" / "submitted" / "mal").mkdir(parents=True)
    (tmp_path / "sub" / "submitted" / "mal" / "backproplab").symlink_to(secret, target_is_directory=True)
    for top in (tmp_path / "exchange", tmp_path / "sub"):
        got = collect(top, tmp_path / "inbox", NB)
        assert got.chosen == {}, got.chosen
    assert not (tmp_path / "inbox").exists() or not any((tmp_path / "inbox").iterdir())


def test_duplicate_roster_ids_are_a_conflict_and_neither_row_is_used(tmp_path: Path) -> None:
    text = "id,name,email,sis_id\n4242,Fay Smith,fay@uni.edu,S1\n4242,Mallory,mal@uni.edu,S2\n4243,Bo Jones,bo@uni.edu,S3\n"
    r = roster.parse(text)
    assert r.find("4242") is None and r.find("4243").student == "s3"
    assert any("4242" in c and "rows 2 and 3" in c for c in r.conflicts), r.conflicts
    (tmp_path / "dl").mkdir()
    write_zip(tmp_path / "dl" / "smithfay_4242_98765_fay.zip", {"x": "1"})
    got = collect(tmp_path / "dl", tmp_path / "inbox", NB, roster=r)
    assert sorted(got.chosen) == ["smithfay"]  # graded, under the name, never under either row's id
    assert any("not on the roster" in c for c in got.conflicts) and any("rows 2 and 3" in c for c in got.conflicts)


def test_two_roster_rows_that_would_grade_as_one_student_are_a_conflict() -> None:
    r = roster.parse("id,name,sis_id\n11,Al,S1\n12,Al Two,s1\n13,Cy,S3\n")
    assert r.find("11") is None and r.find("12") is None and r.find("13").student == "s3"
    assert any("would all grade as 's1'" in c for c in r.conflicts)


def test_two_students_with_one_name_are_both_kept_and_reported(tmp_path: Path) -> None:
    write_zip(tmp_path / "dl" / "smithjohn_1111_5001_hw.zip", {"who": "first"})
    write_zip(tmp_path / "dl" / "smithjohn_2222_5002_hw.zip", {"who": "second"})
    got = collect(tmp_path / "dl", tmp_path / "inbox", NB)
    assert sorted(got.chosen) == ["smithjohn_1111", "smithjohn_2222"]
    with zipfile.ZipFile(got.chosen["smithjohn_2222"]) as zf:
        assert zf.read("who") == b"second"
    assert any("2 different LMS ids" in c for c in got.conflicts)


def test_hostile_roster_fields_are_bounded_and_formulas_neutralised_on_export(tmp_path: Path) -> None:
    text = 'id,name,email\n4242,"=cmd|\' /C calc\'!A0",=1+1@x.com\n4243,"' + "A" * 5000 + '\u202e",bo@uni.edu\n../../x,Eve,e@x.com\n'
    r = roster.parse(text)
    fay, bo = r.find("4242"), r.find("4243")
    assert fay.name.startswith("=cmd") and fay.email == ""  # not an email: dropped, with a note
    assert len(bo.name) <= 200 and "\u202e" not in bo.name
    assert r.find("../../x") is None and any("not an id" in n for n in r.notes)
    out = csvsafe.write(tmp_path / "x.csv", ["name"], [[fay.name], ["-2+3"], ["@SUM(A1)"], [" =1"], ["1.5"], ["ok"]])
    import csv

    cells = [row[0] for row in csv.reader(open(out, encoding="utf-8"))][1:]
    assert cells == ["'=cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "' =1", "1.5", "ok"]


def test_a_roster_without_an_id_column_is_refused_with_what_was_found() -> None:
    with pytest.raises(roster.RosterError, match="no id column.*'name'"):
        roster.parse("name,email\nFay,fay@uni.edu\n")


def test_a_canvas_name_claiming_someone_else_is_a_conflict(tmp_path: Path) -> None:
    write_zip(tmp_path / "dl" / "jonesalice_4243_98766_smithfay.zip", {"SUBMISSION.json": json.dumps({"student": "smithfay"})})
    got = collect(tmp_path / "dl", tmp_path / "inbox", NB)
    assert sorted(got.chosen) == ["jonesalice"]
    assert len([c for c in got.conflicts if c.startswith("jonesalice:")]) == 2, got.conflicts
    write_conflicts(got, tmp_path / "collect.json")  # merge reads them back: that student's status becomes `conflict`
    assert list(load_conflicts(tmp_path / "collect.json")) == ["jonesalice"] and len(load_conflicts(tmp_path / "collect.json")["jonesalice"]) == 2


def test_conflicts_read_back_for_merge_are_bounded_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "collect.json"
    path.write_text(json.dumps({"by_student": {"../x": ["a"], "bob": ["bob: <script>", 7] + ["bob: more"] * 50, "eve": "not a list"}}))
    got = load_conflicts(path)
    assert list(got) == ["bob"] and len(got["bob"]) <= 20 and all(isinstance(t, str) for t in got["bob"])
    path.write_text("[1, 2]")
    assert load_conflicts(path) == {} and load_conflicts(tmp_path / "missing.json") == {}


# --------------------------------------------------------------------------- the layouts


def test_canvas_flat_download_with_late_and_roster(tmp_path: Path) -> None:
    write_zip(tmp_path / "dl" / "smithfay_4242_98765_fay.zip", {"x": "1"})
    write_zip(tmp_path / "dl" / "jonesbo_LATE_4243_98766_backproplab_student.zip", {"x": "2"})
    (tmp_path / "dl" / "smithfay_4242_text.html").write_text("<p>hi</p>")
    r = roster.parse("Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n"
                     "\"Smith, Fay\",4242,S001,fsmith,Sec A\n\"Jones, Bo\",4243,S002,bjones,Sec B\n")
    got = collect(tmp_path / "dl", tmp_path / "inbox", NB, roster=r)
    assert sorted(got.chosen) == ["s001", "s002"]
    assert got.students["s002"] | {} == got.students["s002"] and got.students["s002"]["late"] is True
    assert got.students["s001"]["sis_id"] == "S001" and got.students["s001"]["login"] == "fsmith"
    assert got.students["s001"]["name"] == "Smith, Fay" and got.students["s001"]["section"] == "Sec A"
    assert not got.conflicts, got.conflicts
    assert any("text.html" in n for n in got.notes)


def test_moodle_folders_and_flattened_files_map_through_the_worksheet(tmp_path: Path) -> None:
    write_zip(tmp_path / "dl" / "Ivy Smith_12345_assignsubmission_file_" / "ivy.zip", {"x": "1"})
    write_zip(tmp_path / "dl" / "Raj Patel_12346_assignsubmission_file_backproplab.zip", {"x": "2"})
    worksheet = ("Identifier,Full name,Email address,Status,Grade\n"
                 "Participant 12345,Ivy Smith,ivy.smith@uni.edu,Submitted,\nParticipant 12346,Raj Patel,raj@uni.edu,Submitted,\n")
    got = collect(tmp_path / "dl", tmp_path / "inbox", NB, roster=roster.parse(worksheet))
    assert sorted(got.chosen) == ["ivy_smith", "raj"]
    assert got.students["ivy_smith"]["email"] == "ivy.smith@uni.edu" and got.students["raj"]["lms_id"] == "12346"
    assert not got.conflicts, got.conflicts  # "ivy.zip" is Ivy's own name: no claim on anyone else


def test_moodle_without_a_roster_uses_the_full_name(tmp_path: Path) -> None:
    write_zip(tmp_path / "dl" / "Ivy Smith_12345_assignsubmission_file_ivy.zip", {"x": "1"})
    got = collect(tmp_path / "dl", tmp_path / "inbox", NB)
    assert sorted(got.chosen) == ["ivy_smith"] and got.students["ivy_smith"]["lms_id"] == "12345"


def test_nbgrader_exchange_keeps_the_newest_and_ignores_other_assignments(tmp_path: Path) -> None:
    inbound = tmp_path / "exchange" / "course101" / "inbound"
    for stamp, text in (("2026-01-30 10:00:00.000000 UTC", "old"), ("2026-01-31 09:00:00.000000 UTC", "new")):
        folder = inbound / f"ada+backproplab+{stamp}+abc123"
        (folder / "backproplab").mkdir(parents=True)
        (folder / "backproplab" / "softmax.py").write_text(text)
        (folder / "timestamp.txt").write_text(stamp)
    (inbound / "ada+otherhw+2026-01-31 09:00:00 UTC").mkdir()
    got = collect(tmp_path / "exchange", tmp_path / "inbox", NB)
    assert sorted(got.chosen) == ["ada"]
    with zipfile.ZipFile(got.chosen["ada"]) as zf:
        assert zf.read("backproplab/softmax.py") == b"new"
    assert any("another assignment" in n for n in got.notes) and any("duplicate" in n for n in got.notes)


def test_nbgrader_submitted_folders_are_zipped_identically_each_time(tmp_path: Path) -> None:
    folder = tmp_path / "course" / "submitted" / "bob" / "backproplab"
    (folder / ".ipynb_checkpoints").mkdir(parents=True)
    (folder / "01_softmax.ipynb").write_text("{}")
    (folder / ".ipynb_checkpoints" / "01_softmax-checkpoint.ipynb").write_text("{}")
    (tmp_path / "course" / "submitted" / "bob" / "other").mkdir()
    got = collect(tmp_path / "course" / "submitted", tmp_path / "inbox", NB)
    assert sorted(got.chosen) == ["bob"]
    first = got.chosen["bob"].read_bytes()
    os.utime(folder / "01_softmax.ipynb", (1, 1))
    assert zip_folder(folder) == first  # same content, same bytes: `grade` can skip it
    write_conflicts(got, tmp_path / "collect.json")
    assert load_students(tmp_path / "collect.json")["bob"]["lms"] == "nbgrader"


def test_files_uploaded_one_by_one_become_one_submission(tmp_path: Path) -> None:
    dl = tmp_path / "dl"
    (dl / "Ivy Smith_12345_assignsubmission_file_").mkdir(parents=True)
    (dl / "Ivy Smith_12345_assignsubmission_file_" / "01_softmax.ipynb").write_text("{}")
    (dl / "Ivy Smith_12345_assignsubmission_file_" / "softmax.py").write_text("ivy's")
    (dl / "smithfay_4242_98765_softmax.py").write_text("first")
    (dl / "smithfay_4242_98765_softmax-1.py").write_text("uploaded again")
    (dl / "smithfay_4242_98765_01_softmax.ipynb").write_text("{}")
    (dl / "smithfay_4242_98765_notes.txt").write_text("x")
    (dl / "Ivy Smith_12345_assignsubmission_file_hw_2024_10_final.py").write_text("Moodle's, not Canvas's")
    got = collect(dl, tmp_path / "inbox", NB)
    assert sorted(got.chosen) == ["ivy_smith", "smithfay"], got.notes
    with zipfile.ZipFile(got.chosen["smithfay"]) as zf:
        assert sorted(zf.namelist()) == ["01_softmax.ipynb", "backproplab/softmax.py"]
        assert zf.read("backproplab/softmax.py") == b"uploaded again"
    with zipfile.ZipFile(got.chosen["ivy_smith"]) as zf:
        assert sorted(zf.namelist()) == ["01_softmax.ipynb", "backproplab/hw_2024_10_final.py", "backproplab/softmax.py"]
    assert not got.conflicts, got.conflicts
    assert any("notes.txt: not a zip" in n for n in got.notes)
