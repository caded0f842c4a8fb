"""CSV cells a spreadsheet will not execute.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is a formula to Excel, LibreOffice and Google Sheets (CSV injection:
``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``). Names, emails and reasons in our
CSVs come from rosters and submissions, so every text cell that could start
one gets a leading ``'`` (OWASP's "CSV Injection" advice); numbers we format
ourselves pass unchanged. Control characters are escaped as well.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from autograder.sandbox.untrusted import clean

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
NUMBER = re.compile(r"^-?\d+(\.\d+)?(e[+-]?\d+)?$")


def cell(value) -> str:
    text = "" if value is None else str(value)
    if NUMBER.match(text):
        return text
    if text.startswith(TRIGGERS) or text.lstrip().startswith(TRIGGERS[:4]):
        text = "'" + text
    return clean(text, 2000)


def write(path: Path, header: list[str], rows: list[list]) -> Path:
    """`rows` under `header` as UTF-8 CSV, every cell neutralised."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([cell(h) for h in header])
        writer.writerows([[cell(v) for v in row] for row in rows])
    return path
