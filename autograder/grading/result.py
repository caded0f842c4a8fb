"""One submission's result: one schema, one writer (`Result.to_json`), one reader (`Result.from_json` / `read`).

The result is built from hostile material (file names, exception messages,
notebook text) and may be read back from a folder anyone with access to the
course could edit, so reading validates it: known fields must have their
types and bounds (string lengths, list and map sizes, finite points no larger
than the maximum), strings are capped and escaped again, nesting is limited.
Keys this version does not know are kept (bounded) and written back, so a
newer writer's additions survive an older reader.

Status: one code from `STATUSES` (the most severe that applies), decided
where the fact is known (`flag`); ``flags`` lists every code that applies,
``status_detail`` says why in words. Schema 1 results (free-text status)
are read too.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder.sandbox import untrusted

SCHEMA = 2
MAX_RESULT_BYTES = 64 << 20
MAX_TEXT, MAX_ANSWER, MAX_LOG_LINE = 2000, 5000, 500
MAX_ITEMS = 2000  # issues, log lines, notebooks, cells per notebook
STUDENT_RE = re.compile(r"^[a-z0-9_]{1,64}$")

# most severe first: `status` is the first of these that was flagged
GRADER_ERROR = "grader_error"  # the grader failed, not the submission: regrade
TIMEOUT = "timeout"  # the submission used up the time it may take
UNGRADABLE = "ungradable"  # the archive was refused or holds nothing to grade
CONFLICT = "conflict"  # who submitted it is in doubt (collect)
IMPORT_ERROR = "import_error"  # a module of the package does not import
MISSING_PACKAGE = "missing_package"  # no backproplab/ folder, or exercise modules missing from it
MISSING_NOTEBOOK = "missing_notebook"
UNREADABLE_NOTEBOOK = "unreadable_notebook"  # not UTF-8, not JSON, not a notebook
OK = "ok"
STATUSES = (GRADER_ERROR, TIMEOUT, UNGRADABLE, CONFLICT, IMPORT_ERROR, MISSING_PACKAGE, MISSING_NOTEBOOK, UNREADABLE_NOTEBOOK, OK)
SAYS = {
    GRADER_ERROR: "grader error, regrade",
    TIMEOUT: "ran out of time",
    UNGRADABLE: "ungradable",
    CONFLICT: "identity conflict",
    IMPORT_ERROR: "a module does not import",
    MISSING_PACKAGE: "package files missing",
    MISSING_NOTEBOOK: "notebook missing",
    UNREADABLE_NOTEBOOK: "notebook unreadable",
    OK: "ok",
}
KINDS = ("function", "answer", "written", "other")


class Invalid(ValueError):
    """A result file that does not fit the schema; the message says where."""


@dataclass
class Result:
    """What `grade_one` decided about one submission (JSON: `to_json`)."""

    student: str
    submission: str
    status: str = OK
    status_detail: str = ""
    flags: list[str] = field(default_factory=list)
    sha256: str | None = None
    graded_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    seed: int | None = None
    isolation: str | None = None
    issues: list[str] = field(default_factory=list)
    notebooks: dict[str, dict] = field(default_factory=dict)
    autograded: dict[str, dict | None] = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # keys a newer writer added: kept as they are
    schema: int = SCHEMA

    def flag(self, code: str, detail: str = "") -> None:
        """Record that `code` applies (with why); `status` becomes the most severe code flagged."""
        if code not in STATUSES:
            raise ValueError(f"unknown status {code!r}; expected one of {STATUSES}")
        if code != OK and code not in self.flags:
            self.flags.append(code)
        self.flags.sort(key=STATUSES.index)
        new = self.flags[0] if self.flags else OK
        if new != self.status or not self.status_detail:
            self.status_detail = untrusted.clean(detail, MAX_TEXT) if detail else SAYS[new]
        elif code == new and detail and detail not in self.status_detail:
            self.status_detail = untrusted.clean(f"{self.status_detail}; {detail}", MAX_TEXT)
        self.status = new

    @property
    def says(self) -> str:
        """The status in words, e.g. ``grader error, regrade``."""
        return SAYS[self.status]

    @property
    def auto(self) -> float:
        return sum(float(nb.get("auto") or 0.0) for nb in self.notebooks.values())

    @classmethod
    def failed(cls, student: str, submission: str, code: str, why: str) -> Result:
        """A result with no scores: the grading (or the archive) failed; `why` says how."""
        result = cls(student=student, submission=submission)
        result.flag(code, why)
        result.log.append(f"{student}: {code}: {untrusted.clean(why)}")
        return result

    # ------------------------------------------------------------------ JSON

    def to_json(self) -> dict:
        out = dict(self.extra)
        out.update(schema=self.schema, student=self.student, submission=self.submission, sha256=self.sha256, graded_at=self.graded_at,
                   seed=self.seed, isolation=self.isolation, status=self.status, status_detail=self.status_detail, flags=list(self.flags),
                   issues=self.issues, notebooks=self.notebooks, autograded=self.autograded, timings=self.timings, log=self.log)
        return out

    @classmethod
    def from_json(cls, data) -> Result:
        """A validated result from decoded JSON; `Invalid` when it does not fit."""
        if not isinstance(data, dict):
            raise Invalid("not an object")
        try:
            untrusted.depth(data, 60)
        except untrusted.Refused as exc:
            raise Invalid(str(exc)) from None
        student = data.get("student")
        if not isinstance(student, str) or not STUDENT_RE.match(student):
            raise Invalid("bad or missing student id")
        schema = data.get("schema", 1)
        if not isinstance(schema, int) or not 1 <= schema <= SCHEMA:
            raise Invalid(f"unknown schema {schema!r}")
        result = cls(student=student, submission=_text(data.get("submission", ""), "submission", 300))
        result.sha256 = _optional(data.get("sha256"), "sha256", lambda v: isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v))
        result.graded_at = _text(data.get("graded_at") or "", "graded_at", 64)
        result.seed = _optional(data.get("seed"), "seed", lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**63)
        result.isolation = _optional(data.get("isolation"), "isolation", lambda v: isinstance(v, str) and len(v) <= 40)
        result.issues = [_text(i, "issues", MAX_TEXT) for i in _list(data.get("issues", []), "issues")]
        result.log = [_text(i, "log", MAX_LOG_LINE) for i in _list(data.get("log", []), "log")]
        result.notebooks = {_key(k, "notebooks"): _notebook(v, k) for k, v in _map(data.get("notebooks", {}), "notebooks").items()}
        result.autograded = {_key(k, "autograded"): _autograded(v, k) for k, v in _map(data.get("autograded", {}), "autograded").items()}
        timings = _map(data.get("timings", {}), "timings")
        result.timings = timings
        status = data.get("status", OK)
        if schema == 1:
            _legacy_status(result, status)
        else:
            if status not in STATUSES:
                raise Invalid(f"unknown status {str(status)[:40]!r}")
            flags = _list(data.get("flags", []), "flags")
            if not all(f in STATUSES and f != OK for f in flags):
                raise Invalid("unknown code in flags")
            result.flags = sorted(set(flags), key=STATUSES.index)
            if (result.flags[0] if result.flags else OK) != status:
                raise Invalid("status is not the most severe of flags")
            result.status = status
            result.status_detail = _text(data.get("status_detail", ""), "status_detail", MAX_TEXT)
        known = {f for f in cls.__dataclass_fields__ if f != "extra"}
        result.extra = {k: v for k, v in data.items() if k not in known and isinstance(k, str) and len(k) <= 80}
        result.schema = SCHEMA
        return result

    def write(self, out: Path) -> None:
        """Write atomically: a reader never sees half a result."""
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")
        tmp.replace(out)


def read(path: Path) -> Result:
    """A result file, read within `MAX_RESULT_BYTES` (no symlink, FIFO or device) and validated; `Invalid` otherwise."""
    try:
        return Result.from_json(untrusted.parse_json(untrusted.read_regular(Path(path), MAX_RESULT_BYTES)))
    except untrusted.Refused as exc:
        raise Invalid(f"{Path(path).name}: {exc}") from None
    except Invalid as exc:
        raise Invalid(f"{Path(path).name}: not a grade-one result ({exc})") from None


def load(path: Path) -> dict:
    """`read`, as the JSON dict the outputs render (validated, every known key present)."""
    return read(path).to_json()


# ---------------------------------------------------------------------- validation


def _text(value, where: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{where}: not text")
    return untrusted.clean(value, limit)


def _optional(value, where: str, ok):
    if value is None:
        return None
    if not ok(value):
        raise Invalid(f"{where}: out of range")
    return value


def _list(value, where: str) -> list:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise Invalid(f"{where}: not a list of at most {MAX_ITEMS}")
    return value


def _map(value, where: str) -> dict:
    if not isinstance(value, dict) or len(value) > MAX_ITEMS:
        raise Invalid(f"{where}: not a map of at most {MAX_ITEMS}")
    return value


def _key(key: str, where: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,100}", key):
        raise Invalid(f"{where}: bad name {key[:40]!r}")
    return key


def _number(value, where: str, limit: float = 1e6) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= limit:
        raise Invalid(f"{where}: not a number in [0, {limit:g}]")
    return float(value)


def _notebook(nb, name: str) -> dict:
    nb = dict(_map(nb, f"notebooks.{name}"))
    cells = {}
    for gid, cell in _map(nb.get("cells", {}), f"notebooks.{name}.cells").items():
        where = f"notebooks.{name}.cells.{_key(gid, name)}"
        cell = dict(_map(cell, where))
        if cell.get("kind") not in KINDS:
            raise Invalid(f"{where}: unknown kind")
        cell["max"] = _number(cell.get("max", 0), where + ".max")
        if cell.get("points") is not None:
            cell["points"] = _number(cell["points"], where + ".points", cell["max"])
        for key, limit in (("reason", MAX_TEXT), ("hint", MAX_TEXT), ("text", MAX_ANSWER)):
            if cell.get(key) is not None:
                cell[key] = _text(cell[key], f"{where}.{key}", limit)
        for key in ("passed", "answered"):
            if key in cell and not isinstance(cell[key], bool):
                raise Invalid(f"{where}.{key}: not true/false")
        cells[gid] = cell
    nb["cells"] = cells
    for key in ("auto", "auto_max", "manual_max"):
        nb[key] = _number(nb.get(key, 0), f"notebooks.{name}.{key}")
    if nb["auto"] > nb["auto_max"]:
        raise Invalid(f"notebooks.{name}: more automatic points than the maximum")
    for key in ("problem", "renamed_from"):
        if nb.get(key) is not None:
            nb[key] = _text(nb[key], f"notebooks.{name}.{key}", MAX_TEXT)
    nb["issues"] = [_text(i, f"notebooks.{name}.issues", MAX_TEXT) for i in _list(nb.get("issues", []), f"notebooks.{name}.issues")]
    return nb


def _autograded(nb, name: str) -> dict | None:
    if nb is None:
        return None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise Invalid(f"autograded.{name}: not a notebook")
    return nb  # sanitised when it was made (grading/sanitize); merge writes it only as JSON


def _legacy_status(result: Result, status) -> None:
    """Schema 1 said its status in free text; its codes are inferred once, here, from what the grader wrote then."""
    text = _text(status, "status", MAX_TEXT)
    if text == OK:
        result.flag(OK)
    elif text.startswith("ungradable: grader error") or text.startswith("ungradable: grading did not finish"):
        result.flag(GRADER_ERROR, text)
    elif text.startswith("ungradable: grading took longer"):
        result.flag(TIMEOUT, text)
    elif text.startswith("partial"):
        result.flag(MISSING_NOTEBOOK if "missing" in text else UNREADABLE_NOTEBOOK, text)
    else:
        result.flag(UNGRADABLE, text)
