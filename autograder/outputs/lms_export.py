"""Grades in the CSV layouts Canvas and Moodle import (``export --format canvas|moodle``).

* **Canvas** (Grades → Import): the gradebook's own export layout, ``Student,
  ID, SIS User ID, SIS Login ID, Section``, then one column per assignment;
  a student is matched by name, Canvas ID or SIS User ID (one of them
  suffices), the assignment column by its name ("Name (id)" for an existing
  assignment; a new name creates one), and an optional ``Points Possible``
  row gives a new assignment its points. (Canvas guides, e.g. "Import a CSV
  file to Carmen Grades", teaching.resources.osu.edu: the required components
  are the student name or ID or SIS User ID, the SIS Login ID, the Section
  and the assignment.)
* **Moodle** (Grades → Import → CSV file): any columns; on import one column is
  mapped to a user field — ``userid``, ``useridnumber``, ``useremail`` or
  ``username`` (``map_user_data_with_value`` in moodle/moodle
  grade/import/csv/classes/load_data.php) — the grade column to the grade item,
  and an optional column to its feedback. A row whose user cannot be found
  aborts the whole import there, so rows without the chosen identifier are left
  out and listed instead.

Identities (Canvas ID, SIS ids, email, section) come from ``collect.json``
(what ``collect`` read from the LMS's names and the roster) and, if given, the
roster again. Every cell is neutralised against formula injection
(`autograder/outputs/csvsafe.py`).
"""

from __future__ import annotations

from pathlib import Path

from autograder.outputs import csvsafe
from autograder.outputs.collect import load_students
from autograder.outputs.roster import Roster

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDENTIFIERS = {"email": "Email address", "idnumber": "ID number"}


def identities(collect_json: Path, roster: Roster | None = None) -> dict[str, dict]:
    """Gradebook id → {lms, lms_id, name, email, sis_id, login, section} from collect.json, the roster filling gaps.

    A roster row belongs to the student collect recorded with its LMS id, else to its own gradebook id.
    """
    who = {sid: dict(rec) for sid, rec in load_students(collect_json).items()}
    if roster is not None:
        by_lms_id = {rec.get("lms_id"): sid for sid, rec in who.items() if rec.get("lms_id")}
        for person in roster.by_id.values():
            rec = who.setdefault(by_lms_id.get(person.id, person.student), {"lms_id": person.id})
            for key in ("name", "email", "sis_id", "login", "section"):
                if getattr(person, key) and not rec.get(key):
                    rec[key] = getattr(person, key)
            rec.setdefault("lms_id", person.id)
    return who


def _points(rows: list[dict]) -> str:
    best = max((float(r.get("auto_max") or 0) + float(r.get("manual_max") or 0) for r in rows), default=0.0)
    return f"{best:g}"


def canvas(rows: list[dict], who: dict[str, dict], out: Path, column: str) -> tuple[Path, list[str]]:
    """Canvas's gradebook-import CSV; the warnings name students Canvas can match only by name."""
    body, warnings = [["Points Possible", "", "", "", "", _points(rows)]], []
    for row in rows:
        rec = who.get(row["student"], {})
        canvas_id = rec.get("lms_id", "") if rec.get("lms") in ("canvas", None, "") else ""
        if not canvas_id and not rec.get("sis_id"):
            warnings.append(f"{row['student']}: no Canvas ID or SIS User ID (add a --roster): Canvas can match this row by name only")
        body.append([rec.get("name") or row["student"], canvas_id, rec.get("sis_id", ""), rec.get("login", ""), rec.get("section", ""),
                     row["total"]])
    return csvsafe.write(out, [*CANVAS_COLUMNS, column], body), warnings


def _feedback(row: dict) -> str:
    text = f"automatic {row['auto']}/{row['auto_max']}, hand-graded {row['manual']}/{row['manual_max']}"
    if int(row.get("awaiting_hand_grading") or 0):
        text += f", {row['awaiting_hand_grading']} written answers awaiting hand grading"
    return f"{text} ({row['status']})"


def moodle(rows: list[dict], who: dict[str, dict], out: Path, column: str, identifier: str = "email") -> tuple[Path, list[str]]:
    """Moodle's grade-import CSV: identifier, grade, feedback; rows without the identifier are left out (and named)."""
    field = {"email": "email", "idnumber": "sis_id"}[identifier]
    body, warnings = [], []
    for row in rows:
        value = who.get(row["student"], {}).get(field, "")
        if not value:
            warnings.append(f"{row['student']}: no {MOODLE_IDENTIFIERS[identifier].lower()} (add a --roster): left out, "
                            "since Moodle stops the whole import at a row it cannot place")
            continue
        body.append([value, row["total"], _feedback(row)])
    return csvsafe.write(out, [MOODLE_IDENTIFIERS[identifier], column, "Feedback"], body), warnings
