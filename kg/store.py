"""Opening a graph for every command: a built graph file (also gzipped), sources built
on the fly, or an Oxigraph store folder (opened read-only), as one :class:`Graph`.

Queries run on a pyoxigraph ``Store`` (docs/decisions.md: it loads and answers
the canned queries one to two orders of magnitude faster than rdflib's in-memory graph
on a year-sized graph); the rdflib view is made on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib import Graph as RdflibGraph
from rdflib.namespace import XSD
from rdflib.term import Node

from .model import Diagnostic
from .read import InputError

if TYPE_CHECKING:
    from .pipeline import BuildResult

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


def _graph_suffix(path: Path) -> str:
    """``.nt`` for ``graph.nt`` and ``graph.nt.gz``."""
    suffixes = [x.lower() for x in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def is_graph_file(path: Path) -> bool:
    return path.is_file() and _graph_suffix(path) in GRAPH_SUFFIXES


def is_store_folder(path: Path) -> bool:
    """An Oxigraph (RocksDB) store folder."""
    return path.is_dir() and (path / "CURRENT").is_file()


@dataclass
class Graph:
    """A graph to query, validate, export, publish, push or serve (what ``kg.build`` and
    ``kg.open`` return). ``store`` is the pyoxigraph store (made on first use from a build,
    opened read-only from a store folder); ``graph`` the rdflib view, made on demand."""

    description: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: what the build could not settle, not wrong in any input (BuildResult.notes)
    notes: list[Diagnostic] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    #: the build this graph comes from (None when it was read from files or a store folder)
    result: "BuildResult | None" = None
    #: an Oxigraph store folder this graph is read from
    folder: Path | None = None
    #: documents built (0 when the graph was read, not built)
    documents: int = 0
    _store: ox.Store | None = None
    _graph: RdflibGraph | None = None

    @property
    def store(self) -> ox.Store:
        if self._store is None:
            if self.folder is not None:  # a store folder is read where it is, never copied into memory
                self._store = ox.Store.read_only(str(self.folder))
            elif self.result is not None:
                self._store = self.result.store()
        return self._store

    @property
    def graph(self) -> RdflibGraph:
        """The rdflib view (copied from the store on first use; a build has it already)."""
        if self._graph is None:
            if self.result is not None:
                self._graph = self.result.graph
            else:
                data = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
                self._graph = RdflibGraph().parse(data=data, format="nt")
        return self._graph

    @property
    def triples(self) -> int:
        """Triples of the default graph (a store folder also holds them per document)."""
        return self.result.triples if self.result is not None else default_triples(self.store)

    def opener(self) -> Callable[[], ox.Store]:
        """How a server's worker gets the store: a store folder is opened in each (RocksDB
        handles do not survive a fork); an in-memory store is shared."""
        if self.folder is not None:
            folder = str(self.folder)
            return lambda: ox.Store.read_only(folder)
        store = self.store
        return lambda: store



def default_triples(store: ox.Store) -> int:
    """How many triples the default graph holds (``len(store)`` counts the named graphs' quads
    too): as a store folder's build recorded it, else counted (a second on a national year)."""
    from .queries import internal, select

    if next(iter(store.named_graphs()), None) is not None:
        recorded = select(store, internal("store-build"))
        if recorded:
            return int(recorded[0]["triples"].value)
    return count_default_triples(store)


def count_default_triples(store: ox.Store) -> int:
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)


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


def store_from_graph(g: RdflibGraph) -> ox.Store:
    """Copy an rdflib graph into a new in-memory pyoxigraph store."""
    store = ox.Store()
    store.bulk_load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def load_graph_files(files: list[Path]) -> ox.Store:
    """Load graph files (gzipped or not) into one store (named graphs of N-Quads/TriG merged
    into the default graph)."""
    import gzip

    store = ox.Store()
    for f in files:
        fmt = GRAPH_SUFFIXES[_graph_suffix(f)]
        try:
            if f.suffix.lower() == ".gz":
                with gzip.open(f, "rb") as raw:
                    data = raw.read()
                source = {"input": data}
            else:
                source = {"path": f}
            if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                for quad in ox.parse(format=fmt, **source):
                    store.add(ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph()))
            else:
                store.bulk_load(format=fmt, **source)
        except SyntaxError as exc:
            raise InputError(f, f"not a valid {_graph_suffix(f)} graph: {exc}") from exc
        except (OSError, EOFError) as exc:
            raise InputError(f, f"cannot read: {exc}") from exc
    return store


def open_graph(
    paths: list[Path],
    base_iri: str | None = None,
    progress: Callable[[Path], None] | None = None,
) -> Graph:
    """Open an Oxigraph store folder (read-only), graph files, or build sources;
    :class:`InputError` when nothing usable is given."""
    for p in paths:
        if not p.exists():
            raise InputError(p, "no such file or folder")
    if len(paths) == 1 and is_store_folder(paths[0]):
        try:
            store = ox.Store.read_only(str(paths[0]))
        except OSError as exc:
            raise InputError(paths[0], f"not an Oxigraph store folder: {exc}") from exc
        return Graph(description=f"Oxigraph store {paths[0]} ({default_triples(store):,} triples)", folder=paths[0],
                     _store=store)
    graph_files = [p for p in paths if is_graph_file(p)]
    if graph_files and len(graph_files) == len(paths):
        store = load_graph_files(graph_files)
        names = ", ".join(str(f) for f in graph_files)
        return Graph(description=f"{names} ({len(store)} triples)", _store=store)
    if graph_files:
        raise InputError(graph_files[0], "give either graph files or source documents, not both")
    from .pipeline import build  # sources: build them as `kg build` would

    result = build(paths, base_iri=base_iri, progress=progress)
    if result.documents == 0:
        where = result.failed[0] if result.failed else ", ".join(map(str, paths))
        raise InputError(where, "no document could be built: " + "; ".join(str(d) for d in result.diagnostics[:3]))
    return Graph(description=result.summary(), diagnostics=result.diagnostics, notes=result.notes, failed=result.failed, result=result,
                 documents=result.documents)
