"""Opening a graph for querying and validation: a built graph file, or sources.

Queries run on a pyoxigraph ``Store`` (see README, "Why pyoxigraph": it loads and
answers the canned queries one to two orders of magnitude faster than rdflib's
in-memory graph on a year-sized graph). Mapping still uses rdflib.

``open_graph(paths)`` accepts either graph files written by ``kg build``
(``.nt .ttl .nq .trig .jsonld .rdf``) or source documents / folders, which are
built on the fly with the same code as ``kg build``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .model import Diagnostic
from .read import InputError

#: graph file suffix → format
GRAPH_SUFFIXES = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


def is_graph_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in GRAPH_SUFFIXES


@dataclass
class OpenedGraph:
    """A graph ready to query (``store``) and, on demand, as an rdflib ``Graph``."""

    store: ox.Store
    description: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    _graph: Graph | None = None

    @property
    def graph(self) -> Graph:
        """The rdflib view (copied from the store on first use; built graphs have it already)."""
        if self._graph is None:
            data = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
            self._graph = Graph().parse(data=data, format="nt")
        return self._graph


def to_rdflib(term) -> Node | None:
    """A pyoxigraph term as the rdflib term (None stays None)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)  # the same term in RDF 1.1; rdflib parses it without a datatype
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def to_ox(term: Node):
    """An rdflib term as the pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


def store_from_graph(g: Graph) -> ox.Store:
    """Copy an rdflib graph into a new in-memory pyoxigraph store."""
    store = ox.Store()
    store.bulk_load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def load_graph_files(files: list[Path]) -> ox.Store:
    """Load graph files into one store (named graphs of N-Quads/TriG merged into the default graph)."""
    store = ox.Store()
    for f in files:
        fmt = GRAPH_SUFFIXES[f.suffix.lower()]
        try:
            if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                for quad in ox.parse(path=f, format=fmt):
                    store.add(ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph()))
            else:
                store.bulk_load(path=f, format=fmt)
        except SyntaxError as exc:
            raise InputError(f, f"not a valid {f.suffix} graph: {exc}") from exc
        except OSError as exc:
            raise InputError(f, f"cannot read: {exc}") from exc
    return store


def open_graph(
    paths: list[Path],
    base_iri: str | None = None,
    progress: Callable[[Path], None] | None = None,
) -> OpenedGraph:
    """Open graph files, or build sources; :class:`InputError` when nothing usable is given."""
    for p in paths:
        if not p.exists():
            raise InputError(p, "no such file or folder")
    graph_files = [p for p in paths if is_graph_file(p)]
    if graph_files and len(graph_files) == len(paths):
        store = load_graph_files(graph_files)
        names = ", ".join(str(f) for f in graph_files)
        return OpenedGraph(store=store, description=f"{names} ({len(store)} triples)")
    if graph_files:
        raise InputError(graph_files[0], "give either graph files or source documents, not both")
    from .build import build  # sources: build them as `kg build` would

    result = build(paths, base_iri=base_iri, progress=progress)
    if result.documents == 0:
        where = result.failed[0] if result.failed else ", ".join(map(str, paths))
        raise InputError(where, "no document could be built: " + "; ".join(str(d) for d in result.diagnostics[:3]))
    return OpenedGraph(
        store=result.store(),
        description=result.summary(),
        diagnostics=result.diagnostics,
        failed=result.failed,
    )
