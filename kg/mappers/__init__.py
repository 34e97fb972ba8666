"""One module per source layout. Each has ``NAME``, ``DESCRIPTION``,
``sniff(text) -> bool`` and ``map_document(doc) -> (records, diagnostics)``.

Adding a layout = adding a module and listing it in ``MAPPERS`` (first match wins,
so more specific layouts come first).

The 法人番号 register (:mod:`.nta`) is the one layout not mapped a document at a time:
its files (a national 全件 file is 5.8 M rows) are streamed by :mod:`kg.pipeline` after the
others, keeping the corporations they name. It is in ``STREAMED``, not ``MAPPERS``.
"""

from __future__ import annotations

from types import ModuleType

from . import excel_cells, judgit_json, nta, pdf_text, preanalysis, rs_csv

MAPPERS: tuple[ModuleType, ...] = (judgit_json, rs_csv, preanalysis, excel_cells, pdf_text)
#: layouts read as a stream by the pipeline, not through :func:`detect`
STREAMED: tuple[ModuleType, ...] = (nta,)


def detect(text: str) -> ModuleType | None:
    """The mapper whose layout this text has, judged by content (never by file name)."""
    for mapper in MAPPERS:
        if mapper.sniff(text):
            return mapper
    return None
