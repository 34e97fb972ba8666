"""Where triples go: one set of N-Triples lines per graph, and what spans files.

A :class:`Sink` collects the triples of the documents of one input file: each document's
named graph (named by the document's IRI) and, under ``None``, the default graph (the
document descriptions). It also keeps what only the whole build can settle (the names
written next to each 法人番号, law and project identities), which :mod:`kg.emit.merge`
joins across every file's :class:`Emitted`.

The domain modules beside this one are plain functions ``f(out: Sink, …)``; the terms
they write are the ones below, made once (a national year asks for them millions of
times). ``KG`` knows the terms ``ontology/kg.ttl`` declares: a typo fails at once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import URIRef
from rdflib import namespace as ns

from .. import iris, nt
from ..assets import declared_terms
from ..iris import IRIs, Terms
from ..model import Document
from ..normalize import PartialDate, RoundedYen

DCTERMS, ORG, PROV, RDF, RDFS, SKOS, KGC, ROV, SCHEMA = (
    Terms(n) for n in (ns.DCTERMS, ns.ORG, ns.PROV, ns.RDF, ns.RDFS, ns.SKOS, iris.KGC, iris.ROV, iris.SCHEMA)
)
KG = Terms(iris.KG, declared=lambda: declared_terms(str(iris.KG)))

ja = nt.lang
dec = nt.decimal
integer = nt.integer
boolean = nt.boolean
plain = nt.plain


def uri_literal(url: str) -> nt.NT:
    return nt.typed(url, str(ns.XSD.anyURI))


def date_literal(d: PartialDate) -> nt.NT:
    return nt.date_literal(d.isoformat(), "date" if d.day else "gYearMonth")


@dataclass
class CorporationNames:
    """The names written next to one 法人番号, counted (in 支出先 tables, and anywhere)."""

    in_tables: Counter = field(default_factory=Counter)
    everywhere: Counter = field(default_factory=Counter)
    valid: bool = True

    def update(self, other: "CorporationNames") -> None:
        self.in_tables.update(other.in_tables)
        self.everywhere.update(other.everywhere)
        self.valid = self.valid and other.valid


@dataclass
class Emitted:
    """What the documents of one input file contribute to a build (picklable, so it can be
    cached per file and made in another process)."""

    graphs: dict[str | None, set[str]]
    corporations: dict[str, CorporationNames]
    unknown_codes: list[tuple[str, int | None, str]]
    #: law IRIs keyed by name (no 法令ID known to this file) → compact name
    law_names: dict[str, str] = field(default_factory=dict)
    #: compact law name → the law's IRI by 法令ID
    law_ids: dict[str, str] = field(default_factory=dict)
    #: RS-CSV project IRI → the legacy IRI of the same sheet (旧事業番号 of the same year)
    project_aliases: dict[str, str] = field(default_factory=dict)
    #: node IRI → the spellings of the name of a node shared across documents (law, plan …)
    names: dict[str, Counter] = field(default_factory=dict)
    #: rows naming a 法人番号 (支出先, 費目・使途, contracts), for the register's checks: (row IRI, 法人番号, name as
    #: written, sheet year, 法人種別 code as written)
    recipient_rows: list[tuple[str, str, str, int | None, str | None]] = field(default_factory=list)
    #: project IRI → the largest budget figure its sheet (this file's part) reports, yen
    scale: dict[str, Decimal] = field(default_factory=dict)
    #: rows with an amount this file's figures do not clear: (row IRI, project IRI, yen) (:mod:`kg.emit.scale`)
    scale_rows: list[tuple[str, str, Decimal]] = field(default_factory=list)
    #: 法人番号 → every name the register gave it (the register's part only)
    register_names: dict[str, list[str]] = field(default_factory=dict)
    #: rows the register says carry another organisation's number at their time (the register's part only)
    register_wrong: list[str] = field(default_factory=list)
    #: rows the register could judge: its files reach back to their fiscal year (the register's part only)
    register_judged: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(len(lines) for lines in self.graphs.values())


class Sink:
    """Collects triples into the current graph (see the module doc)."""

    def __init__(self, iris: IRIs | None = None):
        self.iris = iris or IRIs()
        self.graphs: dict[str | None, set[str]] = {None: set()}
        self._lines = self.graphs[None]
        self._current: str | None = None
        self.corporations: dict[str, CorporationNames] = defaultdict(CorporationNames)
        self.unknown_codes: list[tuple[str, int | None, str]] = []
        self.law_names: dict[str, str] = {}
        self.law_ids: dict[str, str] = {}
        self.project_aliases: dict[str, str] = {}
        self.names: dict[str, Counter] = defaultdict(Counter)
        self.recipient_rows: list[tuple[str, str, str, int | None, str | None]] = []
        self.scale: dict[str, Decimal] = {}
        self.scale_rows: list[tuple[str, str, Decimal]] = []
        self.register_names: dict[str, list[str]] = {}
        self.register_wrong: list[str] = []
        self.register_judged: list[str] = []
        #: the rows with an amount of the sheet being emitted, until :func:`kg.emit.scale.settle_sheet`
        self.pending_scale: list[tuple[str, Decimal]] = []
        #: the year of the sheet being emitted (its 支出先 rows were paid the fiscal year before)
        self.sheet_year: int | None = None

    @property
    def current(self) -> str | None:
        """The graph triples go to: a document's IRI, or None for the default graph."""
        return self._current

    @current.setter
    def current(self, graph: str | None) -> None:
        self._current = None if graph is None else str(graph)
        self._lines = self.graphs.setdefault(self._current, set())

    def emitted(self) -> Emitted:
        return Emitted(
            graphs=self.graphs,
            corporations=dict(self.corporations),
            unknown_codes=self.unknown_codes,
            law_names=self.law_names,
            law_ids=self.law_ids,
            project_aliases=self.project_aliases,
            names=dict(self.names),
            recipient_rows=self.recipient_rows,
            scale=self.scale,
            scale_rows=self.scale_rows,
            register_names=self.register_names,
            register_wrong=self.register_wrong,
            register_judged=self.register_judged,
        )

    # ------------------------------------------------------------------ writing
    def put(self, triple) -> None:
        """Add to the current graph."""
        self._lines.add(nt.line(*triple))

    def add(self, s, p, o) -> None:
        """Add unless the object is absent (None)."""
        if o is None:
            return
        self.put((s, p, o))

    def text(self, s, p, value: str | None) -> None:
        """A Japanese text (``@ja``), unless empty."""
        if value:
            self.put((s, p, ja(value)))

    def amount(self, s, p, value: Decimal | None) -> None:
        """A number (yen, a percent). Yen rounded from what the source wrote
        (:class:`~kg.normalize.RoundedYen`) keep the value as written beside them: a
        ``kg:AmountAsWritten`` node ``{s}/written/{property}``."""
        if value is None:
            return
        self.put((s, p, dec(value)))
        if isinstance(value, RoundedYen):
            written = URIRef(f"{s}/written/{str(p).rsplit('/', 1)[-1].rsplit('#', 1)[-1]}")
            self.put((s, KG.writtenAmount, written))
            self.put((written, RDF.type, KG.AmountAsWritten))
            self.put((written, KG.roundedProperty, URIRef(str(p))))
            # its digits as written: xsd:decimal of some stores keeps 18 decimals (0.00024827299999999997 has 20)
            self.put((written, KG.writtenValue, plain(str(value.written))))
            self.put((written, KG.writtenUnit, plain(value.unit)))

    def paid(self, node: URIRef, value: Decimal | None) -> None:
        """``node`` is a row paying ``value`` yen (支出先, contract, 費目・使途): its
        ``kg:amount``, and the row kept for the out-of-scale check (:mod:`kg.emit.scale`)."""
        self.amount(node, KG.amount, value)
        if value is not None and value > 0:
            self.pending_scale.append((str(node), value))

    def line(self, node: URIRef, line: int | None) -> None:
        """The line of its document a record was read from."""
        self.add(node, KG.sourceLine, integer(line) if line else None)

    def source(self, node: URIRef, line: int | None, d: URIRef, pointer: str | None = None) -> None:
        """Where a record was read: its document, line and (in a JSON file) JSON Pointer."""
        self.line(node, line)
        self.add(node, PROV.wasDerivedFrom, d)
        self.add(node, KG.sourcePointer, plain(pointer) if pointer else None)

    # ------------------------------------------------------------------ what spans files
    def name(self, node: URIRef, text: str | None) -> None:
        """A spelling of the name of a node that many documents share (a law, plan, policy
        or measure, keyed by its whitespace-free name or by an ID): the build gives it one
        ``rdfs:label``, the spelling written most often, and keeps the others as
        ``skos:altLabel`` (:func:`kg.emit.merge.merge`)."""
        if text:
            self.names[str(node)][text] += 1

    def unknown_code(self, doc: Document, line: int | None, what: str) -> None:
        """A cell that names no concept of the code lists (reported by the build)."""
        self.unknown_codes.append((str(doc.path), line, what))

    def corporation_seen(self, number, name: str, in_table: bool) -> None:
        """``name`` was written next to 法人番号 ``number`` (in a 支出先 table or elsewhere)."""
        names = self.corporations[number.digits]
        if in_table:
            names.in_tables[name] += 1
        names.everywhere[name] += 1
        names.valid = names.valid and number.valid


def document(out: Sink, doc: Document) -> URIRef:
    """The document's node (in the default graph); what follows goes to its named graph."""
    d = out.iris.document(doc.sha256)
    out.current = None
    out.add(d, RDF.type, KG.SourceDocument)
    out.add(d, RDF.type, PROV.Entity)
    out.add(d, DCTERMS.title, plain(doc.path.name))
    out.add(d, KG.sha256, plain(doc.sha256))
    out.add(d, KG.layout, plain(doc.layout))
    out.add(d, DCTERMS.format, plain(doc.media_type))
    out.current = d
    return d
