"""One module per source layout. Each has ``NAME``, ``DESCRIPTION``,
``sniff(text) -> bool`` and ``map_document(doc) -> (records, diagnostics)``.

Adding a layout = adding a module and listing it in ``MAPPERS`` (first match wins,
so more specific layouts come first).
"""

from __future__ import annotations

from types import ModuleType

from . import excel_cells, judgit_json, pdf_text, preanalysis, rs_csv

MAPPERS: tuple[ModuleType, ...] = (judgit_json, rs_csv, preanalysis, excel_cells, pdf_text)


def detect(text: str) -> ModuleType | None:
    """The mapper whose layout this text has, judged by content (never by file name)."""
    for mapper in MAPPERS:
        if mapper.sniff(text):
            return mapper
    return None
