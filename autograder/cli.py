"""``python -m autograder``: the instructor's commands, from the student bundle to grades.csv.

    bundle        the student bundle (notebooks, stubs, data, README, make submit); `release` is its old name
    collect       a folder of zips (any nesting) → COURSE/inbox/<student>.zip
    grade         grade every zip in parallel (skipping unchanged ones), merge, export, feedback, report
    grade-one     one zip → one self-contained RESULT.json (for batch engines)
    finish        merge + export + feedback + report in one process (after a batch engine)
    merge         fold RESULT.json files into the gradebook
    feedback      one HTML page per student
    export        grades.csv, or the CSV Canvas / Moodle import, from the gradebook
    report        score plot, most-failed table, isolation, log
    similarity    pairs of packages far more alike than usual
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder.grading.course import SOLUTIONS
from autograder.layout import DEFAULT_COURSE


def _course_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--course", type=Path, default=Path(os.environ.get("BACKPROPLAB_COURSE", DEFAULT_COURSE)),
                   help=f"the instructor's nbgrader course folder, outside the repository (default: {DEFAULT_COURSE})")
    p.add_argument("--source", type=Path, default=Path(os.environ.get("BACKPROPLAB_SOURCE", SOLUTIONS)),
                   help="instructor source: reference package + source notebooks (default: $BACKPROPLAB_SOURCE, else solutions/)")
    p.add_argument("--hidden", default="autograder.hidden", help="module with the hidden tests (default: autograder.hidden)")


def _limit_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=None, help="probe seed (default: a fresh random one, written to the log)")
    p.add_argument("--timeout", type=int, default=10, help="seconds per function call (default 10)")
    p.add_argument("--cell-timeout", type=int, default=60, help="seconds per notebook cell: code answers and nbgrader's c.Execute.timeout (default 60)")
    p.add_argument("--job-timeout", type=int, default=120, help="seconds for one sandboxed grading process (default 120)")
    p.add_argument("--memory-mb", type=int, default=2048, help="memory cap per sandboxed process, MB (default 2048)")
    p.add_argument("--no-nbgrader", action="store_true", help="no notebooks for the formgrader at all (scores are the same; the written "
                   "answers are still in each result and on the feedback page, but the formgrader shows no notebook to grade by hand)")
    p.add_argument("--execute", action="store_true", help="nbgrader re-executes every notebook in a sandbox (about 5 CPU-s a notebook); "
                   "default: the formgrader shows the notebooks as the student saved them (outputs sanitised), scores are the same")
    p.add_argument("--isolation", choices=["namespace", "process"], default=None, help="force an isolation level (default: the strongest available)")


def _load(args, build: bool = True):
    from autograder.grading.course import Course

    return Course.from_args(args, build=build)


def cmd_bundle(args) -> int:
    from autograder.release.bundle import make_bundle

    out = make_bundle(args.out, args.source, as_zip=not args.no_zip)
    print(f"student bundle: {out}")
    return 0


def cmd_collect(args) -> int:
    from autograder.layout import CourseDir
    from autograder.outputs.collect import collect, write_conflicts
    from autograder.outputs.roster import RosterError, read

    course = _load(args, build=False)
    try:
        people = read(args.roster) if args.roster else None
    except RosterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    got = collect(args.inbox, CourseDir(args.course).inbox, list(course.notebooks), roster=people)
    write_conflicts(got, CourseDir(args.course).root / "collect.json")
    for note in got.notes:
        print(note)
    for conflict in got.conflicts:
        print(f"CONFLICT {conflict}")
    print(f"{len(got.chosen)} submissions in {CourseDir(args.course).inbox}")
    return 0


def cmd_grade_one(args) -> int:
    """Always writes a result and exits 0: a failure of the grader itself becomes a ``grader_error`` result."""
    from autograder.grading.batch import grade_to_file

    result = grade_to_file(args.submission, args.out, args, student=args.student)
    print(f"{result.student}: {result.auto:g} automatic points, {result.status} (seed {result.seed}, {result.isolation} isolation)")
    return 0


def cmd_grade(args) -> int:
    from autograder.grading import unchanged
    from autograder.grading.batch import grade_many
    from autograder.layout import CourseDir
    from autograder.outputs.merge import Merger
    from autograder.student.submit import student_id

    course = _load(args)
    paths = CourseDir(args.course)
    zips = sorted(args.zips) if args.zips else sorted(paths.inbox.glob("*.zip"))
    if not zips:
        print("no submissions: run `python -m autograder collect FOLDER` first, or pass zips", file=sys.stderr)
        return 1
    key = unchanged.course_key(course, args)
    zips, same = unchanged.split(zips, paths.results, key, lambda z: student_id(z.name) or "student", force=args.force)
    if same:
        print(f"skipped {len(same)} unchanged submissions (same zip, course, hidden tests and grader as their stored result; --force regrades)")
    print(f"grading {len(zips)} submissions, {args.jobs or os.cpu_count()} at a time ({course.source})")
    with Merger(course, args.course) as merger:
        if zips:  # each result merged as it lands, while the others grade: no merging tail at the end
            grade_many(zips, paths.root / "graded", args, course, jobs=args.jobs, progress=not args.quiet, course_key=key,
                       on_result=merger.add_or_say)
    return _after_grading(course, args, merger.lines)


def _after_grading(course, args, merged: list[str]) -> int:
    """After merging (`merged`: one line per result): export, feedback, report."""
    from autograder import sandbox
    from autograder.outputs import export, feedback, report

    for line in sorted(merged):
        print(line)
    print(f"grades: {export.export(course, args.course)}")
    feedback.write_all(course, args.course, nbgrader_html=getattr(args, "nbgrader_feedback", False))
    print(f"report: {report.write(course, args.course)}")
    print(f"isolation: {sandbox.describe(sandbox.available())}")
    return 0


def cmd_finish(args) -> int:
    """merge (the given results) + export + feedback + report in this one process: nbgrader and the course loaded once."""
    from autograder.outputs.merge import merge

    course = _load(args)
    return _after_grading(course, args, merge(course, args.course, sorted(args.results)))


def cmd_merge(args) -> int:
    from autograder.outputs.merge import merge

    course = _load(args)
    for line in merge(course, args.course, args.results):
        print(line)
    return 0


def cmd_feedback(args) -> int:
    from autograder.outputs.feedback import write_all

    course = _load(args)
    pages = write_all(course, args.course, nbgrader_html=args.nbgrader_feedback)
    print(f"{len(pages)} feedback pages in {Path(args.course) / 'feedback-html'}")
    return 0


def cmd_export(args) -> int:
    from autograder.outputs.export import export_as
    from autograder.outputs.roster import RosterError, read

    try:
        people = read(args.roster) if args.roster else None
    except RosterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    course = _load(args)
    out, warnings = export_as(course, args.course, args.format, args.out, roster=people, column=args.assignment_name, moodle_id=args.moodle_id)
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    print(out)
    return 0


def cmd_report(args) -> int:
    from autograder.outputs.report import write

    course = _load(args)
    print(write(course, args.course))
    return 0


def cmd_similarity(args) -> int:
    from autograder.outputs.similarity import main as similarity_main

    return similarity_main(args.rest)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0],
                                  formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("bundle", aliases=["release"], help="write the student bundle", description="Write the student bundle (folder and zip): notebooks, "
                       "package stubs, data, a student README and `make submit`; never solutions/.")
    p.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist/)")
    p.add_argument("--source", type=Path, default=SOLUTIONS, help="instructor source (default: solutions/)")
    p.add_argument("--no-zip", action="store_true", help="only the folder")
    p.set_defaults(func=cmd_bundle)

    p = sub.add_parser("collect", help="gather zips into COURSE/inbox", description="Gather student submissions into COURSE/inbox/<student>.zip: "
                       "a folder of zips (any nesting), a Canvas or Moodle bulk-download zip, nbgrader's exchange (inbound/) or submitted/ "
                       "folders; ids from the LMS's naming, mapped through --roster; reports conflicts, duplicates, renamed notebooks and stray files.")
    p.add_argument("inbox", type=Path, help="a folder (an unpacked LMS download, nbgrader's exchange or submitted/) or an LMS bulk-download zip")
    p.add_argument("--roster", type=Path, default=None, help="CSV with id (Canvas user id, Moodle participant id or nbgrader user), "
                   "name, email, sis_id [, login, section, gradebook_id]; Canvas's gradebook export and Moodle's grading worksheet work as they are")
    _course_args(p)
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser("grade", help="grade all submissions, then merge/export/feedback/report",
                       description="Grade every zip (default: COURSE/inbox/*.zip) in parallel: the course loaded and the reference solution "
                       "graded once (one seed for the class, printed), then one forked grader per submission; then merge into the "
                       "gradebook, write grades.csv, feedback and the report.")
    p.add_argument("zips", type=Path, nargs="*", help="zips to grade (default: COURSE/inbox/*.zip)")
    p.add_argument("-j", "--jobs", type=int, default=None, help="submissions at a time (default: one per core)")
    p.add_argument("--submission-timeout", type=int, default=3600, help="seconds for one whole submission (default 3600)")
    p.add_argument("--nbgrader-feedback", action="store_true", help="also run nbgrader generate_feedback")
    p.add_argument("--force", action="store_true", help="regrade every zip, even those unchanged since their stored result")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _course_args(p)
    _limit_args(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("grade-one", help="grade one zip into RESULT.json", description="Grade one submission zip into one self-contained "
                       "result file (scores, reasons, executed notebooks, seed, log). Safe to run on many machines at once; "
                       "then `merge` the results.")
    p.add_argument("submission", type=Path, help="the student's zip")
    p.add_argument("--out", type=Path, required=True, help="RESULT.json to write")
    p.add_argument("--student", default=None, help="student id (default: from the zip's name)")
    _course_args(p)
    _limit_args(p)
    p.set_defaults(func=cmd_grade_one)

    p = sub.add_parser("finish", help="merge + export + feedback + report, in one process",
                       description="After a batch engine ran grade-one: merge RESULT.json files (if given) into the gradebook, then write "
                       "grades.csv, the feedback pages and the report, all in one process (nbgrader imported once, instead of once per command).")
    p.add_argument("results", type=Path, nargs="*", help="RESULT.json files (none: only export, feedback and report)")
    p.add_argument("--nbgrader-feedback", action="store_true", help="also run nbgrader generate_feedback")
    _course_args(p)
    p.set_defaults(func=cmd_finish)

    p = sub.add_parser("merge", help="fold RESULT.json files into the gradebook", description="Fold grade-one results into the course's "
                       "nbgrader gradebook (written answers stay for the formgrader) and autograded/ notebooks.")
    p.add_argument("results", type=Path, nargs="+", help="RESULT.json files")
    _course_args(p)
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("feedback", help="HTML feedback per student", description="One HTML page per merged student in COURSE/feedback-html/.")
    p.add_argument("--nbgrader-feedback", action="store_true", help="also run nbgrader generate_feedback")
    _course_args(p)
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("export", help="grades.csv, or Canvas / Moodle import CSV", description="Write grades from the gradebook (formgrader "
                       "scores included): grades.csv, or the CSV Canvas's gradebook import (Student, ID, SIS User ID, SIS Login ID, Section, "
                       "assignment) or Moodle's grade import (identifier, grade, feedback) reads.")
    p.add_argument("--format", choices=["csv", "canvas", "moodle"], default="csv",
                   help="csv (default: COURSE/grades.csv), canvas (COURSE/grades-canvas.csv) or moodle (COURSE/grades-moodle.csv)")
    p.add_argument("--out", type=Path, default=None, help="CSV path (default: by format, in COURSE)")
    p.add_argument("--roster", type=Path, default=None, help="roster CSV to fill ids and emails collect did not record")
    p.add_argument("--assignment-name", default=None, help="the grade column's name (Canvas: 'Name (id)' of an existing assignment; default backproplab)")
    p.add_argument("--moodle-id", choices=["email", "idnumber"], default="email", help="Moodle: identify users by email (default) or ID number")
    _course_args(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="plot, most-failed table, isolation", description="Write COURSE/reports/: score distribution per "
                       "notebook, most-failed functions, isolation level, links to the grading log.")
    _course_args(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("similarity", help="suspiciously similar packages", add_help=False,
                       description="Pairs of submissions whose exercise code is far more alike than usual (see autograder.outputs.similarity).")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="arguments of `python -m autograder similarity` (try --help)")
    p.set_defaults(func=cmd_similarity)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["similarity"]:  # its own parser, options included
        from autograder.outputs.similarity import main as similarity_main

        return similarity_main(argv[1:])
    args = parser().parse_args(argv)
    return args.func(args)
