"""Executed notebooks from nbgrader are student output: verify them and strip anything that could run in a browser.

nbgrader's kernel runs student code, so everything it returns is untrusted:
a cell can display ``<script>``, an ``onerror=`` attribute or JavaScript, and
can even write a whole notebook file in place of the one nbgrader executes.
`verify` accepts a returned notebook only when every student-editable cell
is one the student submitted (same source); `clean_notebook` keeps only
inert output types and passes HTML and Markdown through bleach's allow-list,
so what the formgrader renders cannot run script in the instructor's browser.
"""

from __future__ import annotations

import copy

import bleach

TAGS = frozenset({"a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
                  "img", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"})
ATTRIBUTES = {"a": ["href", "title"], "img": ["src", "alt", "width", "height"], "td": ["colspan", "rowspan"], "th": ["colspan", "rowspan"]}
PROTOCOLS = frozenset({"http", "https", "data"})
INERT = {"text/plain", "text/latex", "image/png", "image/jpeg", "image/gif"}
MARKUP = {"text/html", "text/markdown"}


def clean_html(text: str) -> str:
    """`text` with every tag, attribute and URL scheme outside the allow-list removed (script bodies stay as text)."""
    return bleach.clean(text, tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS, strip=True, strip_comments=True)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def clean_output(output: dict) -> dict | None:
    """One output with only inert data kept (None when nothing of it is left)."""
    if not isinstance(output, dict):
        return None
    out = {k: v for k, v in output.items() if k in ("output_type", "name", "text", "execution_count", "ename", "evalue", "traceback")}
    if "data" in output and isinstance(output["data"], dict):
        data = {}
        for mime, value in output["data"].items():
            if mime in INERT:
                data[mime] = value
            elif mime in MARKUP:
                data[mime] = clean_html(_text(value))
        if not data and out.get("output_type") in ("display_data", "execute_result"):
            return None
        out["data"], out["metadata"] = data, {}
    return out


def clean_notebook(nb: dict) -> dict:
    """A copy of `nb` safe to render: inert outputs, sanitised HTML/Markdown outputs and markdown cells, no attachments."""
    nb = copy.deepcopy(nb)
    nb["metadata"] = {k: v for k, v in (nb.get("metadata") or {}).items() if k in ("kernelspec", "language_info")}
    for cell in nb.get("cells", []):
        cell.pop("attachments", None)
        if cell.get("cell_type") == "markdown":
            cell["source"] = clean_html(_text(cell.get("source", "")))
        elif cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in map(clean_output, cell.get("outputs") or []) if o is not None]
    return nb


def _locked(cell: dict) -> bool:
    meta = cell.get("metadata")
    return isinstance(meta, dict) and isinstance(meta.get("nbgrader"), dict) and bool(meta["nbgrader"].get("locked"))


def verify(executed: dict, submitted: dict | None) -> str | None:
    """None when every student-editable cell of `executed` is a cell of `submitted` (same source), else why not."""
    if submitted is None:
        return "there is no submitted notebook to compare it with"
    mine = {_text(c.get("source", "")) for c in submitted.get("cells", []) if isinstance(c, dict)}
    for i, cell in enumerate(executed.get("cells", [])):
        if not isinstance(cell, dict):
            return f"cell {i + 1} is not a cell"
        if not _locked(cell) and _text(cell.get("source", "")) not in mine:
            return f"cell {i + 1} is not one the student submitted"
    return None
