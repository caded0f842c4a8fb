"""Reading what a sandboxed child wrote: every file, record and string is hostile input.

The child (student code) can replace any file of its job folder by a FIFO, a
symlink, a device or a huge file, and can write any JSON it likes. The
parent therefore opens files without following symlinks and without
blocking, reads only regular files and only up to a limit, parses JSON with
a depth limit, checks every record against its schema, and caps and
escapes every string before it is logged, stored or shown.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from autograder.sandbox.wire import WireError, open_regular

MAX_TEXT = 300
MAX_DEPTH = 40
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,79}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
RECORD_TEXT = ("error", "message", "stage")
RECORD_VALUES = ("got", "args_after")


Refused = WireError
"""A file or record the parent will not use; the message says why (student-facing)."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; `Refused` otherwise."""
    with open_regular(path, limit) as f:
        data = f.read(limit + 1)
    if len(data) > limit:  # it grew after the check
        raise Refused(f"{Path(path).name} is larger than {limit} bytes")
    return data


def clean(text, limit: int = MAX_TEXT) -> str:
    """`text` as a short, printable, single-purpose string: control and bidi characters escaped, capped at `limit`."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 256 else f"\\u{ord(m[0]):04x}", str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def depth(value, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of decoded JSON, raising `Refused` beyond `limit` (iterative: no recursion to exhaust)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if level > limit:
            raise Refused(f"a record nested more than {limit} levels deep")
        deepest = max(deepest, level)
        if isinstance(item, dict):
            todo.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, level + 1) for v in item)
    return deepest


def parse_json(data: bytes):
    """JSON from untrusted bytes: `Refused` for bad UTF-8, bad JSON or deep nesting (never RecursionError)."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Refused(f"a malformed record ({type(exc).__name__})") from None
    depth(value)
    return value


def check_record(value) -> dict:
    """A child's record, schema-checked and with its strings cleaned; `Refused` when it does not fit."""
    if not isinstance(value, dict):
        raise Refused("a malformed record (not an object)")
    unknown = set(value) - {*RECORD_TEXT, *RECORD_VALUES, "unsendable"}
    if unknown:
        raise Refused("a malformed record (unknown fields)")
    out: dict = {}
    for key in RECORD_TEXT:
        if key in value:
            if not isinstance(value[key], str):
                raise Refused(f"a malformed record ({key} is not text)")
            out[key] = clean(value[key])
    if "error" in out and not IDENTIFIER.match(value["error"]):
        out["error"] = "UnusualException"  # a class name is a channel too: only plain identifiers pass
    for key in RECORD_VALUES:
        if key in value:
            if value[key] is not None and not isinstance(value[key], dict):
                raise Refused(f"a malformed record ({key} is not a value)")
            out[key] = value[key]
    unsendable = value.get("unsendable", {})
    if not isinstance(unsendable, dict) or not all(isinstance(v, str) for v in unsendable.values()):
        raise Refused("a malformed record (unsendable is not a map of text)")
    if unsendable:
        out["unsendable"] = {k: clean(v, 200) for k, v in unsendable.items() if k in RECORD_VALUES}
    return out
