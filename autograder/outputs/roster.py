"""The class roster (``--roster FILE.csv``): the LMS's id for each student → the gradebook's id, name, email, SIS id.

Columns (case-insensitive, any order; only ``id`` is required):

* ``id`` — the id the LMS puts in its download names: the Canvas user id,
  the Moodle participant id, or the nbgrader (JupyterHub) user name;
* ``name``, ``email``, ``sis_id`` (the SIS User ID / Moodle "ID number"),
  ``login`` (Canvas's SIS Login ID), ``section``;
* ``gradebook_id`` — the id to grade under; by default the SIS id, else the
  email's local part, else the name, normalised like every student id.

Canvas's own gradebook export (``Student, ID, SIS User ID, SIS Login ID,
Section``) and Moodle's grading worksheet (``Identifier`` = "Participant 123",
``Full name``, ``Email address``, ``ID number``) are read as they are.

The file is untrusted too (it is often edited in a spreadsheet, or comes from
elsewhere): size and row count are bounded, every field is cleaned and capped,
an email must look like one. A duplicate LMS id, or two rows that would grade
under one gradebook id, is a *conflict*: those rows are not used, and the
conflict says which rows to fix. Nothing here is written to a CSV unescaped
(`autograder/outputs/csvsafe.py` neutralises formulas at export).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox.untrusted import clean
from autograder.student.submit import student_id

MAX_BYTES = 16 << 20
MAX_ROWS = 100_000
FIELDS = ("id", "name", "email", "sis_id", "login", "section", "gradebook_id")
ALIASES = {
    "id": "id", "lms id": "id", "lms_id": "id", "canvas id": "id", "user id": "id", "participant id": "id", "identifier": "id",
    "name": "name", "student": "name", "full name": "name", "fullname": "name",
    "email": "email", "email address": "email", "e-mail": "email",
    "sis_id": "sis_id", "sis id": "sis_id", "sis user id": "sis_id", "id number": "sis_id", "idnumber": "sis_id",
    "login": "login", "sis login id": "login", "username": "login",
    "section": "section",
    "gradebook_id": "gradebook_id", "gradebook id": "gradebook_id",
}
EMAIL = re.compile(r"^[A-Za-z0-9][^@\s,;<>\"']{0,63}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
LMS_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
CANVAS_POINTS_ROW = "points possible"  # the second row of a Canvas gradebook export


class RosterError(ValueError):
    """The roster cannot be used at all (its message names the file and what is wrong)."""


@dataclass
class Person:
    id: str
    student: str  # the gradebook id
    name: str = ""
    email: str = ""
    sis_id: str = ""
    login: str = ""
    section: str = ""
    row: int = 0

    def identities(self) -> set[str]:
        """Every id this person could claim in a zip (``make submit --student``), normalised."""
        local = self.email.split("@")[0]
        return {s for s in map(student_id, (self.student, self.id, self.name, self.sis_id, self.login, local)) if s}


@dataclass
class Roster:
    by_id: dict[str, Person] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def find(self, lms_id: str) -> Person | None:
        return self.by_id.get(lms_id)

    def by_student(self) -> dict[str, Person]:
        return {p.student: p for p in self.by_id.values()}


def _header(name: str) -> str | None:
    return ALIASES.get(re.sub(r"\s+", " ", name.strip().lower().lstrip("\ufeff")))


def _lms_id(text: str) -> str:
    text = text.strip()
    m = re.fullmatch(r"participant\s*(\d{1,32})", text, re.IGNORECASE)  # Moodle's worksheet: "Participant 12345"
    return m[1] if m else text


def read(path: Path) -> Roster:
    """The roster at `path`; `RosterError` if it has no usable ``id`` column or is too large."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise RosterError(f"{path}: {size >> 20} MB, larger than the {MAX_BYTES >> 20} MB a roster may be")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"{path}: not UTF-8 text (save the roster as CSV UTF-8)") from None
    except OSError as exc:
        raise RosterError(f"{path}: cannot read the roster ({exc.strerror})") from None
    return parse(text, str(path))


def parse(text: str, where: str = "roster") -> Roster:
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows)
    except (StopIteration, csv.Error):
        raise RosterError(f"{where}: empty, or not CSV") from None
    columns = {i: _header(h) for i, h in enumerate(header) if _header(h)}
    if "id" not in columns.values():
        raise RosterError(f"{where}: no id column (expected one of: id, ID, Identifier, …; found {[clean(h, 40) for h in header[:12]]})")
    out, seen, rows_of = Roster(), {}, {}
    try:
        for n, row in enumerate(rows, start=2):
            if n - 1 > MAX_ROWS:
                raise RosterError(f"{where}: more than {MAX_ROWS} rows")
            got = {f: "" for f in FIELDS}
            for i, key in columns.items():
                if i < len(row) and not got[key]:
                    got[key] = clean(row[i].strip(), 200)
            if got["name"].strip().lower() == CANVAS_POINTS_ROW or not any(got.values()):
                continue
            person = _person(got, n, where, out.notes)
            if person is None:
                continue
            if person.id in seen:
                out.conflicts.append(f"roster: id {person.id!r} is on rows {seen[person.id].row} and {n}: "
                                     f"neither row is used (fix the roster)")
                seen[person.id] = None  # type: ignore[assignment]
                continue
            seen.setdefault(person.id, person)
            rows_of.setdefault(person.student, []).append(person)
    except csv.Error as exc:
        raise RosterError(f"{where}: not valid CSV ({clean(exc, 120)})") from None
    for student, people in rows_of.items():
        if len(people) > 1:
            out.conflicts.append(f"roster: rows {', '.join(str(p.row) for p in people)} would all grade as {student!r}: "
                                 "none of them is used (give them distinct gradebook_id or SIS ids)")
            for p in people:
                seen[p.id] = None  # type: ignore[assignment]
    out.by_id = {k: v for k, v in seen.items() if v is not None}
    return out


def _person(got: dict[str, str], row: int, where: str, notes: list[str]) -> Person | None:
    lms_id = _lms_id(got["id"])
    if not LMS_ID.match(lms_id):
        notes.append(f"{where} row {row}: id {clean(lms_id, 40)!r} is not an id (letters, digits, _ . @ -): row skipped")
        return None
    email = got["email"]
    if email and not EMAIL.match(email):
        notes.append(f"{where} row {row}: {clean(email, 60)!r} is not an email address: ignored")
        email = ""
    local = email.split("@")[0] if email else ""
    student = student_id(got["gradebook_id"] or got["sis_id"] or local or got["name"] or lms_id)
    if not student:
        notes.append(f"{where} row {row}: no usable gradebook id: row skipped")
        return None
    return Person(lms_id, student, got["name"], email, got["sis_id"], got["login"], got["section"], row)
