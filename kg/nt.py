"""N-Triples terms and lines, written directly as text.

The emitter produces a year of review sheets (millions of triples); building
rdflib ``Literal`` objects costs ~14 µs each for a decimal and adding to an
rdflib ``Graph`` ~20 µs a triple, while formatting the N-Triples line costs ~2 µs
(measured, see benchmarks/README.md "Scale"). So every triple is kept as its N-Triples line: a
set of lines is a graph, sorting the lines gives the byte-identical output, and
pyoxigraph bulk-loads the same bytes.

A literal here is an :class:`NT` string already in N-Triples form; an IRI is any
``str`` (rdflib ``URIRef`` included) and is written ``<…>``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from rdflib import BNode, Literal, URIRef

XSD = "http://www.w3.org/2001/XMLSchema#"
#: lines per encoded piece when writing or loading
CHUNK = 100_000

_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
_ESCAPES.update({c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F) if c not in _ESCAPES})


class NT(str):
    """A literal term already written as N-Triples (``"…"@ja``, ``"1"^^<…#integer>``)."""

    __slots__ = ()


def _quote(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'


def lang(text: str, language: str = "ja") -> NT:
    return NT(f"{_quote(text)}@{language}")


def unquote(term: str) -> str:
    """The lexical form of a literal as N-Triples writes it (``"4の2"``, ``"x"@ja``, ``"1"^^<…>``)."""
    body = term[1 : term.rindex('"')]
    if "\\" not in body:
        return body
    return body.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def plain(text: str) -> NT:
    """An ``xsd:string`` literal (written without a datatype, as N-Triples does)."""
    return NT(_quote(text))


def typed(lexical: str, datatype: str) -> NT:
    if datatype == XSD + "string":
        return plain(lexical)
    return NT(f"{_quote(lexical)}^^<{datatype}>")


def integer(value: int) -> NT:
    return NT(f'"{int(value)}"^^<{XSD}integer>')


def decimal(value: Decimal) -> NT:
    """The canonical xsd:decimal form: no exponent, no trailing zeros, integers without a point."""
    if value == value.to_integral_value():
        text = str(value.quantize(Decimal(1)))
    else:
        text = format(value.normalize(), "f")
    if text in ("-0", "+0"):
        text = "0"
    return NT(f'"{text}"^^<{XSD}decimal>')


def boolean(value: bool) -> NT:
    return NT(f'"{"true" if value else "false"}"^^<{XSD}boolean>')


def date_literal(value: date | str, datatype: str = "date") -> NT:
    return NT(f'"{value if isinstance(value, str) else value.isoformat()}"^^<{XSD}{datatype}>')


def term(t) -> str:
    """The N-Triples form of a term: an :class:`NT` literal, an rdflib term, or an IRI string."""
    if type(t) is NT:
        return t
    if type(t) is URIRef:
        return f"<{t}>"
    if isinstance(t, Literal):
        if t.language:
            return lang(str(t), t.language)
        return typed(str(t), str(t.datatype)) if t.datatype else plain(str(t))
    if isinstance(t, BNode):
        raise ValueError("blank nodes have no stable N-Triples form; give the node an IRI")
    if isinstance(t, (URIRef, str)):
        return f"<{t}>"
    raise TypeError(f"not an RDF term: {t!r}")


def line(s, p, o) -> str:
    """One N-Triples line (without the newline)."""
    return f"{term(s)} {term(p)} {term(o)} ."


def sorted_bytes(lines) -> bytes:
    """The lines, sorted and deduplicated, as UTF-8 N-Triples (byte-identical for the same set)."""
    buf = io.BytesIO()
    write_sorted(lines, buf)
    return buf.getvalue()


def chunks(lines: Iterable[str], size: int = CHUNK) -> Iterator[bytes]:
    """UTF-8 N-Triples, ``size`` lines at a time (a national year is a gigabyte: never one string)."""
    batch: list[str] = []
    for ln in lines:
        batch.append(ln)
        if len(batch) >= size:
            yield ("\n".join(batch) + "\n").encode("utf-8")
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode("utf-8")


def write_sorted(lines: Iterable[str], out: BinaryIO) -> int:
    """Write the lines sorted and deduplicated (code-point order, which is UTF-8 byte order)
    to ``out``; returns how many."""
    ordered = sorted(lines if isinstance(lines, (set, frozenset)) else set(lines))
    for data in chunks(ordered):
        out.write(data)
    return len(ordered)


def write_sorted_spilling(lines: Iterable[str], out: BinaryIO, run: int = 500_000) -> int:
    """:func:`write_sorted`, byte for byte, holding ``run`` lines at most: each run of lines
    is sorted and spilled to a temporary file, and the runs are merged (``heapq.merge``) as
    they are written. For the whole default graph of a store folder (a national year is
    5.5 M lines: 3.9 GB of strings held at once by :func:`write_sorted`)."""
    import heapq
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kg-sort-") as tmp:
        runs: list[Path] = []
        batch: list[bytes] = []

        def spill() -> None:
            path = Path(tmp) / f"{len(runs)}.nt"
            with path.open("wb") as f:
                f.writelines(ln + b"\n" for ln in sorted(set(batch)))
            runs.append(path)
            batch.clear()

        for ln in lines:
            batch.append(ln.encode("utf-8"))
            if len(batch) >= run:
                spill()
        if batch or not runs:
            spill()
        files = [path.open("rb") for path in runs]
        try:
            n, last, buf = 0, None, []
            for ln in heapq.merge(*files):
                if ln != last:
                    buf.append(ln)
                    last = ln
                    n += 1
                    if len(buf) >= CHUNK:
                        out.write(b"".join(buf))
                        buf.clear()
            out.write(b"".join(buf))
        finally:
            for f in files:
                f.close()
    return n

#: output formats of a built graph: name → (rdflib's name, file suffixes)
FORMATS = {
    "nt": ("nt", (".nt",)),
    "turtle": ("turtle", (".ttl",)),
    "json-ld": ("json-ld", (".jsonld", ".json")),
    "nquads": ("nquads", (".nq",)),
    "trig": ("trig", (".trig",)),
    "rdf-xml": ("xml", (".rdf", ".owl", ".xml")),
}
#: formats that keep one named graph per source document
DATASET_FORMATS = ("nquads", "trig")


def format_for(output: Path | None, fmt: str | None) -> str:
    """The output format: named, or guessed from the file suffix (default N-Triples)."""
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        return fmt
    if output is not None and str(output) != "-" and output.suffix:
        for name, (_, suffixes) in FORMATS.items():
            if output.suffix.lower() in suffixes:
                return name
        known = ", ".join(x for _, suffixes in FORMATS.values() for x in suffixes)
        raise ValueError(f"{output}: no output format for the suffix {output.suffix!r} (known: {known}); "
                         "name one with -f")
    return "nt"
