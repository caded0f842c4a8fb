"""Every path the course and the grader use, in one place (as nbgrader's ``coursedir`` does).

The repository's folders (`ROOT` …), the names of the package and the
assignment, and the layout of an instructor's course folder (`CourseDir`).
Modules ask here instead of building paths of their own.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
"""The instructor source: reference package and source notebooks (the only hand-edited copy)."""
NOTEBOOKS = ROOT / "notebooks"
"""The student copy, generated from `SOLUTIONS` by ``make release``."""
WORK = "work"
"""The student's own copy of `NOTEBOOKS`, beside it (``autograder/student/workspace.py``)."""
SUBMISSIONS = "submissions"
"""Where ``make submit`` writes the zip, beside `WORK`."""
PACKAGE = "backproplab"
ASSIGNMENT = "backproplab"
"""The nbgrader assignment: the notebooks together."""
REFERENCE_PKG = SOLUTIONS / PACKAGE
FINGERPRINTS = "fingerprints.json"
"""The release-made file of the student package that the visible checks compare against."""
DEFAULT_COURSE = ROOT.parent / "backproplab-grading"
"""The instructor's course folder unless ``--course`` says otherwise (outside the repository)."""


class CourseDir:
    """Where things live in the instructor's course folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.db = self.root / "gradebook.db"
        self.results = self.root / "results"
        self.autograded = self.root / "autograded"
        self.reports = self.root / "reports"
        self.feedback = self.root / "feedback-html"
        self.log = self.root / "grading.log"
        self.inbox = self.root / "inbox"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db}"
