"""Who handed a file in, read from the names an LMS (or nbgrader) gives its downloads.

Every name here is hostile input: it is only ever *matched*, never used as a
path; the fields taken from it are bounded and validated, and an id used for
a file name is rebuilt by `student_id` (``[a-z0-9_]``, at most 64 characters).

The layouts, as documented or shown by their users:

* **Canvas** "Download Submissions" gives one flat zip of files named
  ``<name>_<user id>_<submission id>_<original file name>``, with ``LATE``
  after the name for a late submission (``smithbob_340934_208490284_BobsWork.zip``
  in the README of mikewesthad/canvas-unzipper; the extra late field and the
  ``-1`` appended on resubmission in the README of TimHanneman/Canvas_submission_sort).
  ``<name>`` is the sortable name, lower case, without separators; the user id
  is the Canvas user id (the ``ID`` column of Canvas's gradebook CSV).
* **Moodle** "Download all submissions" gives one folder per participant,
  ``<Full Name>_<participant id>_assignsubmission_file_/`` (the format quoted
  in a Moodle feedback-upload guide: "First Last_participantId_assignsubmission_file_"),
  or, with "download submissions in folders" off, the same prefix flattened
  into the file name: ``<Full Name>_<id>_assignsubmission_file_<file>``. The
  participant id is the assignment's own id for the user (``get_uniqueid_for_user``
  in mod/assign), not the user's account id, so only a roster maps it to an email.
* **nbgrader**: the exchange's inbound folder holds one folder per submission,
  ``<student>+<assignment>+<timestamp>[+<random>]`` (nbgrader/exchange/default/submit.py;
  ``collect.py`` there keeps each student's newest by that timestamp), and a course
  directory keeps ``submitted/<student>/<assignment>/`` ("How to structure course
  files" in nbgrader's docs: ``{course_directory}/{nbgrader_step}/{student_id}/{assignment_id}/``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograder.sandbox.untrusted import clean
from autograder.student.submit import student_id

MAX_ID = 32  # digits of an LMS id; Canvas and Moodle ids are database integers
MAX_NAME = 120

CANVAS = re.compile(r"^(?P<name>[^/\\]{1,120}?)_(?:(?P<late>LATE)_)?(?P<id>\d{2,32})_(?P<submission>\d{2,32})_(?P<file>[^/\\]+)$")
MOODLE_FOLDER = re.compile(r"^(?P<name>[^/\\]{1,120}?)_(?:(?P<id>\d{1,32})_)?assignsubmission_(?P<plugin>[a-z]{1,40})_$", re.IGNORECASE)
MOODLE_FLAT = re.compile(r"^(?P<name>[^/\\]{1,120}?)_(?P<id>\d{1,32})_assignsubmission_(?P<plugin>[a-z]{1,40})_(?P<file>[^/\\]+)$",
                         re.IGNORECASE)
# nbgrader refuses '+' and '*' in a student id (exchange/default/submit.py), so splitting on '+' is exact
EXCHANGE = re.compile(r"^(?P<student>[^+*/\\]{1,64})\+(?P<assignment>[^+*/\\]{1,64})\+(?P<timestamp>[^+/\\]{1,64})(?:\+[^+/\\]{1,64})?$")
NBGRADER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


@dataclass
class Sender:
    """Who sent one file, as the LMS named them."""

    lms: str  # "canvas", "moodle", "nbgrader", or "" when no LMS naming was found
    lms_id: str  # the LMS's own id for the student ("" when it gave none)
    name: str  # display name (cleaned, bounded)
    file: str = ""  # the file name the student chose, when the LMS kept it
    late: bool = False
    timestamp: str = ""  # nbgrader's submission time, compared as text (its format sorts)

    @property
    def student(self) -> str:
        """The id from the name alone (what is used without a roster)."""
        return student_id(self.name) if self.lms != "nbgrader" else student_id(self.lms_id)


def _name(text: str) -> str:
    return clean(text.strip(), MAX_NAME)


def canvas(file_name: str) -> Sender | None:
    m = CANVAS.match(file_name)
    if not m or not student_id(m["name"]):
        return None
    return Sender("canvas", m["id"], _name(m["name"]), clean(m["file"], 255), late=bool(m["late"]))


def moodle_folder(folder_name: str) -> Sender | None:
    m = MOODLE_FOLDER.match(folder_name)
    if not m or not student_id(m["name"]):
        return None
    return Sender("moodle", m["id"] or "", _name(m["name"]))


def moodle_flat(file_name: str) -> Sender | None:
    m = MOODLE_FLAT.match(file_name)
    if not m or not student_id(m["name"]):
        return None
    return Sender("moodle", m["id"], _name(m["name"]), clean(m["file"], 255))


def exchange(folder_name: str, assignment: str) -> Sender | None | str:
    """A Sender for an inbound folder of `assignment`; the other assignment's name (str) for another; None if not one."""
    m = EXCHANGE.match(folder_name)
    if not m or not NBGRADER_ID.match(m["student"]):
        return None
    if m["assignment"] != assignment:
        return clean(m["assignment"], 64)
    return Sender("nbgrader", m["student"], m["student"], timestamp=m["timestamp"])


def submitted(student_folder: str) -> Sender | None:
    """``submitted/<student>/<assignment>/``: the student's folder name is nbgrader's id."""
    if not NBGRADER_ID.match(student_folder):
        return None
    return Sender("nbgrader", student_folder, student_folder)


def from_path(parts: list[str]) -> Sender | None:
    """The sender of a file at `parts` (folders from the download's top, then the file name), from LMS naming only."""
    for folder in reversed(parts[:-1]):
        sender = moodle_folder(folder)
        if sender:
            sender.file = clean(parts[-1], 255)
            return sender
    return moodle_flat(parts[-1]) or canvas(parts[-1])  # "assignsubmission_" is Moodle's own; a Canvas name cannot hold it
