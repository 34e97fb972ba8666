"""The site of one store: which resource has which page, labels, types, statements, class
indexes — what every page reads, shared by ``kg serve`` (answered per request) and
``kg publish`` (written once as a static site). The pages themselves are drawn by
:mod:`kg.web.views` (``Pages``, a Site that draws its pages) from the templates in
``kg/web/templates``.

Resources live under two roots, each published at a fixed local path whatever the base
IRI of the data: ``/id/…`` for the data (default ``https://kg.jp-spending.example/id/``)
and ``/def/…`` for our ontology terms and code lists. A resource's page is the folder
``/id/project/2024-rs-005120/`` (``index.html``, with ``index.ttl`` beside it), so the
IRI itself dereferences on any static web server once the site is hosted at the base.
Links between pages are relative, so a site also works from a sub-folder or a file system.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable
from urllib.parse import quote, unquote

import pyoxigraph as ox

from ..assets import ontology_store
from ..display import shorten
from ..iris import DEFAULT_BASE, KG, PREFIXES
from ..queries import internal, select

RDF_TYPE = ox.NamedNode(str(PREFIXES["rdf"]) + "type")
#: the pages read the default graph: a store folder's named graphs repeat it per document
DEFAULT = ox.DefaultGraph()

#: media type → (pyoxigraph format, file suffix)
RDF_MEDIA = {
    "text/turtle": (ox.RdfFormat.TURTLE, "ttl"),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, "nt"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "jsonld"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "rdf"),
}

#: label properties, most preferred first
_LABELS = [str(PREFIXES["skos"]) + "prefLabel", str(PREFIXES["rdfs"]) + "label",
           str(PREFIXES["dcterms"]) + "title", str(PREFIXES["dcterms"]) + "identifier",
           str(KG) + "blockLetter"]
#: at most this many incoming links listed on a page (the count is always given)
MAX_INCOMING = 200
#: instances on one page of a class index (kg serve --index-page changes it)
INDEX_PAGE_SIZE = 500


@lru_cache(maxsize=1)
def ontology_labels() -> dict[str, str]:
    """Japanese labels of our classes and properties (English when there is none)."""
    out: dict[str, str] = {}
    label = ox.NamedNode(str(PREFIXES["rdfs"]) + "label")
    for q in sorted(ontology_store().quads_for_pattern(None, label, None), key=str):
        iri = q.subject.value
        if q.object.language == "ja" or iri not in out:
            out[iri] = q.object.value
    return out


@dataclass
class Site:
    """The pages of one store. ``base`` is the data's base IRI (the ``/id/`` root)."""

    store: ox.Store
    base: str = DEFAULT_BASE
    title: str = "jp-spending-kg"
    endpoint: str | None = None  # path of a SPARQL endpoint to link to (kg serve)
    #: for a static site: page path → folder on disk (links then point where the files are)
    page_path: Callable[[str], str] | None = None
    #: a site of some classes only: the resources with pages and the classes with an index
    published: set[str] | None = None
    indexed: set[str] | None = None

    def __post_init__(self):
        if not self.base.endswith("/"):
            self.base += "/"
        self.roots = [("id/", self.base), ("def/", str(KG))]
        self._labels: dict[str, str] = {}
        self._exists: dict[str, bool] = {}
        self._classes: dict[str, bool] = {}
        self._urls: dict[str, str] = {}

    # ------------------------------------------------------------------ paths and IRIs

    def iri_for(self, local: str) -> str | None:
        """The IRI published at a local path (``id/project/x``, ``/resource/id/…``, with
        or without a trailing ``/`` or ``index.*``); None when outside both roots."""
        local = local.lstrip("/")
        if local.startswith("resource/"):
            local = local[len("resource/"):]
        for name in ("index.html", "index.ttl", "index.nt", "index.jsonld"):
            if local.endswith("/" + name):
                local = local[: -len(name)]
        local = local.rstrip("/")
        for prefix, root in self.roots:
            if local.startswith(prefix) and len(local) > len(prefix):
                iri = root + local[len(prefix):]
                try:
                    ox.NamedNode(iri)
                except ValueError:  # /id/%ZZ: not an IRI, so no resource of ours
                    return None
                return iri
        return None

    def path_for(self, iri: str) -> str | None:
        """``id/project/x`` for an IRI under a root (as in the IRI: percent-encoded)."""
        for prefix, root in self.roots:
            if iri.startswith(root) and len(iri) > len(root) and "#" not in iri and "?" not in iri:
                rest = iri[len(root):]
                if any(seg in ("", ".", "..") for seg in rest.split("/")):
                    return None  # a dot segment climbs a folder in any client: no page of ours
                return prefix + rest
        return None

    def href(self, iri: str, here: str) -> str | None:
        """A link from the page at folder ``here`` to ``iri``'s page: relative for ours, the IRI
        itself for others, the class index for a class of ours; None when ours has no page."""
        path = self.path_for(iri)
        if path is None:
            return iri
        if not self.exists(iri):
            if self.is_class(iri):
                return _relpath(f"class/{class_slug(iri)}", self.url_path(here) if here else ".") + "/"
            return None
        return _relpath(self.url_path(path), self.url_path(here) if here else ".") + "/"

    def url_path(self, path: str) -> str:
        """The URL path of a page folder: the page path itself, or for a static site the
        folder on disk, percent-encoded again."""
        if self.page_path is None:
            return path
        known = self._urls.get(path)
        if known is None:
            known = self._urls[path] = "/".join(quote(seg, safe="~-_.!$&'()*+,;=:@")
                                                for seg in self.page_path(path).split("/"))
        return known

    # ------------------------------------------------------------------ reading the store

    def _about(self, node: ox.NamedNode, predicate: ox.NamedNode | None = None) -> list[ox.Quad]:
        """Quads with ``node`` as subject: from the data, else (an ontology term) from the ontology."""
        quads = list(self.store.quads_for_pattern(node, predicate, None, DEFAULT))
        if not quads and node.value.startswith(str(KG)):
            quads = list(ontology_store().quads_for_pattern(node, predicate, None))
        return quads

    def exists(self, iri: str) -> bool:
        """Whether the resource has a page: an IRI under a root that the graph (or our
        ontology) says something about."""
        if self.path_for(iri) is None:
            return False
        if self.published is not None:
            return iri in self.published
        known = self._exists.get(iri)
        if known is None:
            known = self._exists[iri] = bool(self._about(ox.NamedNode(iri)))
        return known

    def label(self, iri: str) -> str:
        """The best label of a resource (Japanese first), else its short IRI."""
        if iri in self._labels:
            return self._labels[iri]
        node = ox.NamedNode(iri)
        best, rank = None, (len(_LABELS), 2)
        for i, prop in enumerate(_LABELS):
            for q in self._about(node, ox.NamedNode(prop)):
                o = q.object
                r = (i, 0 if getattr(o, "language", None) in ("ja", None) else 1)
                if r < rank or (r == rank and best is not None and o.value < best):
                    best, rank = o.value, r
            if best is not None and rank[1] == 0:
                break
        text = best if best is not None else ontology_labels().get(iri) or self._short(iri)
        self._labels[iri] = text
        return text

    def _short(self, iri: str) -> str:
        """An unlabelled resource of ours as its path under the root (``project/…/expenditure/J-1``)."""
        for _prefix, root in self.roots:
            if iri.startswith(root) and len(iri) > len(root):
                return unquote(iri[len(root):])
        return shorten(iri)

    def types(self, iri: str) -> list[str]:
        """Its classes, ours first (the first one names the page's kind)."""
        return sorted((q.object.value for q in self._about(ox.NamedNode(iri), RDF_TYPE)),
                      key=lambda t: (not t.startswith(str(KG)), t))

    def triples(self, iri: str) -> list[ox.Triple]:
        """The data of a page: every triple about the resource, and every triple pointing to it
        (but not a class's ``rdf:type`` links from its instances: the class index lists those)."""
        node = ox.NamedNode(iri)
        out = {ox.Triple(q.subject, q.predicate, q.object) for q in self._about(node)}
        out |= {ox.Triple(q.subject, q.predicate, q.object) for q in self.store.quads_for_pattern(None, None, node, DEFAULT)
                if q.predicate != RDF_TYPE}
        return sorted(out, key=str)

    def data(self, iri: str, media: str) -> bytes:
        fmt = RDF_MEDIA[media][0]
        if fmt == ox.RdfFormat.TURTLE:
            prefixes = {k: str(v) for k, v in PREFIXES.items()} | {"id": self.base}
            return ox.serialize(self.triples(iri), format=fmt, prefixes=prefixes)
        return ox.serialize(self.triples(iri), format=fmt)

    # ------------------------------------------------------------------ what pages read

    def is_class(self, iri: str) -> bool:
        """Whether ``iri`` is a class with an index page."""
        if self.indexed is not None:
            return iri in self.indexed
        known = self._classes.get(iri)
        if known is None:
            known = self._classes[iri] = next(iter(self.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(iri), DEFAULT)), None) is not None
        return known

    def about(self, iri: str) -> list[ox.Quad]:
        """Every quad about the resource (from the data, else from our ontology)."""
        return self._about(ox.NamedNode(iri))

    def search_action(self, here: str) -> str:
        """Where the search box of the page at ``here`` sends its query: ``/search`` when
        served, the site's ``search/`` page (which searches an index in the browser) when published."""
        if self.endpoint:
            return "/search"
        return _relpath("search", self.url_path(here) if here else ".") + "/"

    # ------------------------------------------------------------------ indexes

    def _index_graph(self, slug: str | None = None) -> ox.NamedNode:
        from ..iris import IRIs

        return ox.NamedNode(str(IRIs(self.base).index_graph(slug)))

    def _counts(self) -> dict[str, int] | None:
        """The instance count of every class, as a store folder's build wrote it
        (``<…/graph/index>``); None for a graph without (a graph file: counted when asked)."""
        if not hasattr(self, "_class_counts"):
            graph = self._index_graph()
            counts = None
            if self.store.contains_named_graph(graph):
                counts = {q.subject.value: int(q.object.value) for q in self.store.quads_for_pattern(
                    None, ox.NamedNode(str(KG.instanceCount)), None, graph) if isinstance(q.subject, ox.NamedNode)}
            self._class_counts = counts
        return self._class_counts

    def classes(self) -> list[tuple[str, int]]:
        """(class IRI, instances) of every class with instances (with an index), by class IRI."""
        counts = self._counts()
        if counts is not None:
            pairs = sorted(counts.items())
        else:
            rows = select(self.store, internal("page-classes"))
            pairs = [(r["c"].value, int(r["n"].value)) for r in rows if isinstance(r["c"], ox.NamedNode)]
        return [(c, n) for c, n in pairs if self.indexed is None or c in self.indexed]

    def class_size(self, cls: str) -> int:
        """How many instances a class has."""
        counts = self._counts()
        if counts is not None:
            return counts.get(cls, 0)
        return dict(self.classes()).get(cls, 0)

    def ranked(self, cls: str) -> bool:
        """Whether the build wrote the index order of ``cls`` (a large class of a store folder)."""
        return self.store.contains_named_graph(self._index_graph(class_slug(cls)))

    def ranked_members(self, cls: str, first: int, last: int) -> list[tuple[str, float | None]]:
        """(instance, amount or None) at positions ``first`` … ``last`` (from 1) of a ranked
        class's index: looked up by position, the order the build wrote (:meth:`ranked`)."""
        graph = self._index_graph(class_slug(cls))
        values = " ".join(str(i) for i in range(first, last + 1))
        rows = self.store.query(
            f"SELECT ?x ?pos (MAX(?a) AS ?amount) WHERE {{ VALUES ?pos {{ {values} }} "
            f"GRAPH {graph} {{ ?x <{KG.indexPosition}> ?pos }} "
            f"OPTIONAL {{ ?x <{KG.receivedTotal}>|<{KG.expenditureTotal}> ?a }} }} GROUP BY ?x ?pos ORDER BY ?pos")
        return [(r["x"].value, float(r["amount"].value) if r["amount"] is not None else None) for r in rows]

    def instances(self, cls: str) -> list[str]:
        return sorted({q.subject.value for q in self.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(cls), DEFAULT)
                       if isinstance(q.subject, ox.NamedNode)})

    #: instances listed on one page of a class index
    INDEX_PAGE = INDEX_PAGE_SIZE

    def members(self, cls: str) -> list[tuple[str, float | None]]:
        """(instance, amount or None) of a class, in index order: largest first where the
        build summed an amount (corporations, projects), then by name."""
        rows = select(self.store, internal("page-class-members"), cls=cls)
        return [(r["x"].value, float(r["amount"].value) if "amount" in r else None) for r in rows]

    def index_pages(self, members: list) -> int:
        """How many pages a class index of ``members`` has."""
        return max(1, -(-len(members) // self.INDEX_PAGE))

    def search_index(self) -> list[list[str]]:
        """What the static site's search page searches in the browser: one entry per node of
        a searchable kind with a page — [path, name, kind, every spelling and number, normalised]."""
        from .search import KINDS, normal

        names: dict[str, set[str]] = {}
        for row in select(self.store, internal("search-index")):
            names.setdefault(row["s"].value, set()).add(row["text"].value)
        out = []
        labels = ontology_labels()
        for iri in sorted(names):
            path = self.path_for(iri)
            if path is None or not self.exists(iri):
                continue
            kinds = [t for t in self.types(iri) if t in KINDS]
            out.append([self.url_path(path) + "/", self.label(iri), labels.get(kinds[0], "") if kinds else "",
                        " ".join(sorted({normal(n) for n in names[iri]}))])
        return out


def _relpath(target: str, here: str) -> str:
    """``posixpath.relpath`` for clean relative paths from the site root (no ``.`` or
    ``..`` segments): a page renders hundreds of links, so this is on the hot path."""
    t = [] if target in ("", ".") else target.split("/")
    h = [] if here in ("", ".") else here.split("/")
    common = 0
    while common < min(len(t), len(h)) and t[common] == h[common]:
        common += 1
    parts = [".."] * (len(h) - common) + t[common:]
    return "/".join(parts) or "."


def class_slug(cls: str) -> str:
    """``kg-Project`` for a class IRI: a folder name for its index."""
    short = shorten(cls)
    return quote(short.replace(":", "-"), safe="-_.~") if short != cls else quote(cls, safe="")


def page_path(iri: str, base: str) -> str:
    """Where a resource's page is on this server: our IRIs under ``/id/``; others are their own address."""
    return "/id/" + iri[len(base):] if iri.startswith(base) else iri
