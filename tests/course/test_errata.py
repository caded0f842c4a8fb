"""The README's errata table points at real boxes and at the cells that demonstrate them.

Every row names an erratum ``E<n>``, a notebook link ``notebooks/<nb>.ipynb#erratum-e<n>`` and the
cell positions that show it. The box anchor must exist in the solutions notebook, every listed cell
must be a code cell whose comment names the erratum, and every box in the notebooks must be listed.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| (E\d+) \|.*\]\(notebooks/(\d\d_\w+)\.ipynb#(erratum-e\d+)\) \| cells? ([\d, ]+) \|$", re.M)


def _rows() -> list[tuple[str, str, str, list[int]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(t, nb, a, [int(i) for i in cells.split(",")]) for t, nb, a, cells in ROW.findall(text)]


def test_every_row_points_at_its_box_and_demonstration() -> None:
    rows = _rows()
    assert rows, "README.md has no errata table"
    for tag, name, anchor, cells in rows:
        assert anchor == f"erratum-{tag.lower()}", tag
        nb = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
        box = [i for i, c in enumerate(nb.cells) if f'<a id="{anchor}">' in c.source]
        assert len(box) == 1, f"{tag}: {name} has {len(box)} boxes with id {anchor}"
        for i in cells:
            cell = nb.cells[i]
            assert cell.cell_type == "code" and re.search(rf"# .*Erratum {tag}\b", cell.source), (
                f"{tag}: cell {i} of {name} is not a code cell demonstrating it"
            )


def test_every_box_is_in_the_table() -> None:
    listed = {anchor for _, _, anchor, _ in _rows()}
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for anchor in re.findall(r'<a id="(erratum-e\d+)">', cell.source):
                assert anchor in listed, f"{path.name}: box {anchor} is missing from the README's errata table"
