"""Search by name (any spelling the graph keeps, after NFKC), 法人番号 or 事業番号: the
``/search`` page of ``kg serve`` and the index the static site searches in the browser.

A name matches when it contains what was typed, both NFKC-normalised, without spaces and
in lower case (``ＮＥＣ`` finds ＮＥＣソリューションイノベータ's "NEC…"); a 法人番号 or a 事業番号
(``2022-総務-21-0059``, ``2024-RS-5120``; as the sheet publishes it, ``2022-官房-21-0021``, or as kg
spells it, ``2022-内閣-21-0021``) finds its node exactly. Results are ranked: exact
numbers first, then names that start with the text, then shorter names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..iris import DEFAULT_BASE, KG, PREFIXES, IRIs
from ..normalize import compact, number_spellings
from ..queries import internal, select

#: the kinds of node search finds, in the order results are grouped
KINDS = tuple(str(KG[c]) for c in ("Corporation", "Project", "Ministry", "Law", "Plan", "Policy", "Measure"))
#: the names search compares (as in queries/internal/search-names.rq)
NAME_PREDICATES = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
                   "http://www.w3.org/2004/02/skos/core#altLabel")
RDF_TYPE = ox.NamedNode(str(PREFIXES["rdf"]) + "type")
MAX_QUERY = 200  # characters of a search


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str  # class IRI
    label: str  # the spelling that matched


def normal(text: str) -> str:
    """What is compared: NFKC, no whitespace, lower case (of the first MAX_QUERY characters)."""
    return compact(text[:MAX_QUERY]).lower()


def key_of(name: str) -> str:
    """A name as search compares it, whole (the key a store folder keeps for it)."""
    return compact(name).lower()


def search(store: ox.Store, text: str, limit: int = 100, base: str = DEFAULT_BASE) -> list[Hit]:
    """The nodes whose number is ``text`` or whose name contains it, best first (``base``:
    the data's base IRI, under which a store folder keeps its search keys). A node's place
    is its best name's: exact numbers first, then names that start with the text, then
    shorter names; then by kind, name and IRI."""
    wanted = normal(text)
    if not wanted:
        return []
    hits: dict[str, tuple] = {}
    for number in number_spellings(text[:MAX_QUERY]):  # a 事業番号 in another spelling too
        for row in select(store, internal("search-numbers"), text=number):
            iri = row["s"].value
            hits[iri] = ((0, 0, 0), 0, "", Hit(iri, "", ""))
    for iri, kind, label in _names(store, wanted, base, limit):
        key = normal(label)
        place = ((1, 0 if key.startswith(wanted) else 1, len(key)), KINDS.index(kind) if kind in KINDS else 0, label)
        if iri not in hits or place < hits[iri][:3]:
            hits[iri] = (*place, Hit(iri, kind, label))
    ordered = sorted(hits.values(), key=lambda h: (h[:3], h[3].iri))
    return [h[3] for h in ordered[:limit]]


def _names(store: ox.Store, wanted: str, base: str, limit: int) -> list[tuple[str, str, str]]:
    """(node, kind, name) of the names that contain ``wanted`` (those of the best ``limit``
    nodes at least): from the keys a store folder's build wrote (``<…/graph/index/search>``,
    each name normalised as :func:`normal` does), else by comparing every name in the query."""
    graph = ox.NamedNode(str(IRIs(base).index_graph("search")))
    if not store.contains_named_graph(graph):
        return [(r["s"].value, r["type"].value, r["label"].value)
                for r in select(store, internal("search-names"), text=wanted)]
    best: dict[str, tuple] = {}  # node → its best key's rank: the keys alone order the nodes first
    for row in store.query(f"SELECT ?s ?key WHERE {{ GRAPH {graph} {{ ?s <{KG.searchKey}> ?key }} "
                           f"FILTER(CONTAINS(?key, {ox.Literal(wanted)})) }}"):
        key = row["key"].value
        # the rank search() gives the name, from its key (a name past MAX_QUERY characters ranks at most as long)
        rank = (0 if key.startswith(wanted) else 1, min(len(key), MAX_QUERY))
        node = row["s"].value
        if node not in best or rank < best[node]:
            best[node] = rank
    ranked = sorted(best.values())
    cut = ranked[limit - 1] if len(ranked) >= limit else None  # a node ranked below the limit-th cannot make it
    out = []
    default = ox.DefaultGraph()
    for node in (n for n, r in best.items() if cut is None or r <= cut or r[1] >= MAX_QUERY - 20):
        subject = ox.NamedNode(node)
        kinds = {q.object.value for q in store.quads_for_pattern(subject, RDF_TYPE, None, default)}
        names = {q.object.value for p in NAME_PREDICATES for q in store.quads_for_pattern(subject, ox.NamedNode(p), None, default)
                 if isinstance(q.object, ox.Literal) and wanted in key_of(q.object.value)}
        out += [(node, kind, name) for kind in KINDS if kind in kinds for name in sorted(names)]
    return out

