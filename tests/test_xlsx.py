"""Review sheets as the ministries publish them: Excel workbooks (.xlsx), read with openpyxl.

Each workbook here is made from a bundled seed's cell dump (the text the excel-cells layout
reads): a row per line, a cell per tab; numbers written as numbers with the formats the
sheets use (``1,000``, ``97%``), and every run of empty cells after a value — across the
row, and down the first column — merged into that value's cell, as a review sheet's
layout does. ``kg build sheet.xlsx`` must give the graph of the dump itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kg.pipeline import build
from kg.read import InputError, read_document

from .conftest import seed_file

ID_DOC = re.compile(r"<https://kg\.jp-spending\.example/id/document/[0-9a-f]+>")
DOC_TERMS = ("<http://purl.org/dc/terms/title>", "<https://kg.jp-spending.example/def/sha256>",
             "<http://purl.org/dc/terms/format>")


def workbook_from_dump(text: str, path: Path) -> tuple[int, int]:
    """Write the dump as a workbook; returns (numbers written as numbers, merged ranges)."""
    wb = Workbook()
    ws = wb.active
    numbers = merges = 0
    rows = [line.split("\t") for line in text.split("\n")]
    for r, cells in enumerate(rows, 1):
        for c, value in enumerate(cells, 1):
            if value == "":
                continue
            cell = ws.cell(row=r, column=c)
            if re.fullmatch(r"-?[1-9]\d*|0", value):  # 0005 stays text, as in the sheets
                cell.value, numbers = int(value), numbers + 1
            elif re.fullmatch(r"-?\d{1,3}(,\d{3})+", value):
                cell.value, cell.number_format, numbers = int(value.replace(",", "")), "#,##0", numbers + 1
            elif re.fullmatch(r"\d+%", value):
                cell.value, cell.number_format, numbers = int(value[:-1]) / 100, "0%", numbers + 1
            else:
                cell.value = value
    for r, cells in enumerate(rows, 1):  # a value and the empty cells after it in its row: one merged cell
        c = 1
        while c <= len(cells):
            end = c
            while end < len(cells) and cells[end] == "" and cells[c - 1] != "":
                end += 1
            if end > c:
                ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=end)
                merges += 1
            c = end + 1
    r = 1
    while r < len(rows):  # down the first column: a value and the rows below that are empty there
        end = r
        while end < len(rows) and rows[end] == [""] and rows[r - 1][0] != "":
            end += 1
        if end > r:
            ws.merge_cells(start_row=r, start_column=1, end_row=end, end_column=1)
            merges += 1
        r = end + 1
    wb.save(path)
    return numbers, merges


def graph_lines(paths) -> set[str]:
    """The build's lines, its source document named alike and its file facts left out."""
    result = build(paths)
    assert result.documents == 1 and not result.failed, [str(d) for d in result.diagnostics]
    return {ID_DOC.sub("<doc>", line) for line in result.lines if not any(t in line for t in DOC_TERMS)}


@pytest.mark.parametrize("seed", ["001", "002", "004"])
def test_a_workbook_gives_the_graph_of_its_cell_dump(tmp_path, seed):
    dump = seed_file(seed)
    text = read_document(dump).text
    xlsx = tmp_path / f"{dump.stem}.xlsx"
    numbers, merges = workbook_from_dump(text, xlsx)
    assert numbers > 5 and merges > 20
    assert load_workbook(xlsx).active.merged_cells.ranges  # the workbook really has merged cells
    assert graph_lines([xlsx]) == graph_lines([dump])


def test_a_workbook_is_a_document_of_its_own(tmp_path):
    xlsx = tmp_path / "sheet.xlsx"
    workbook_from_dump(read_document(seed_file("002")).text, xlsx)
    result = build([xlsx])
    assert result.layouts == {str(xlsx): "excel-cells"}
    formats = [line for line in result.lines if "<http://purl.org/dc/terms/format>" in line]
    assert formats == [next(line for line in formats)] and "spreadsheetml.sheet" in formats[0]


def test_a_broken_workbook_is_an_error_naming_the_file(tmp_path):
    bad = tmp_path / "cut.xlsx"
    good = tmp_path / "good.xlsx"
    workbook_from_dump(read_document(seed_file("002")).text, good)
    bad.write_bytes(good.read_bytes()[:4000])  # a download cut short
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        read_document(bad)
    result = build([bad, good])  # the other file still builds
    assert result.failed == [str(bad)] and result.documents == 1
