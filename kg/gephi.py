"""Network exports for Gephi (GEXF) and other tools (GraphML), built with networkx.

Views (``kg export gephi --view …``):

- ``projects`` (default): the bipartite network of projects and the recipients they
  paid. Project nodes carry their 事業番号, sheet year and ministry; recipient nodes
  their 法人番号 (when they have one), the ministries that paid them and the yen
  received; each edge is one project paying one recipient, weighted by the yen of its
  支出先 rows.
- ``corporations``: corporations only, joined when the same project paid both
  (co-funding); the weight is the number of such projects. A project that paid more
  than ``max_clique`` corporations (default 100) is left out of this view, since it
  would join them all and hide every other structure; the graph says how many were.
- ``full``: the bipartite network plus ministries (project → ministry), laws
  (project → law) and measures (project → 施策).

Every node and edge has ``start``/``end`` years (the sheet year: a sheet of year N
reports the execution of fiscal year N−1), written as GEXF dynamics so that Gephi's
timeline works; ``year`` filters one sheet year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from .files import replacing
from .queries import internal, select

VIEWS = ("projects", "corporations", "full")
FORMATS = {".gexf": "gexf", ".graphml": "graphml"}

class ExportError(Exception):
    """The export cannot be made as asked (unknown view or file type, nothing to export)."""


@dataclass
class Project:
    iri: str
    identifier: str
    label: str
    year: int | None
    ministry: str
    ministry_iri: str


def _rows(store: ox.Store, name: str) -> list[dict]:
    """The rows of ``queries/internal/export-NAME.rq``."""
    return select(store, internal(f"export-{name}"))


def _value(term) -> str:
    return "" if term is None else term.value


def _yen(term) -> int:
    return int(Decimal(term.value)) if term is not None else 0


def _projects(store: ox.Store) -> dict[str, Project]:
    out = {}
    for s in _rows(store, "projects"):
        year = s.get("year")
        out[s["p"].value] = Project(
            s["p"].value, _value(s.get("identifier")), _value(s.get("label")), int(year.value) if year is not None else None,
            _value(s.get("ministry")), _value(s.get("ministryIri")),
        )
    return out


def network(store: ox.Store, view: str = "projects", year: int | None = None, max_clique: int = 100) -> nx.Graph:
    """The view of the graph in ``store`` as a networkx graph (see the module doc)."""
    if view not in VIEWS:
        raise ExportError(f"unknown view {view!r}; choose from {', '.join(VIEWS)}")
    projects = {k: p for k, p in _projects(store).items() if year is None or p.year == year}
    recipients = {s["r"].value: s for s in _rows(store, "recipients")}
    payments = [(s["p"].value, s["r"].value, _yen(s.get("yen")), int(s["rows"].value))
                for s in _rows(store, "payments") if s["p"].value in projects]
    payments.sort()
    g = nx.Graph()
    g.graph.update(view=view, year=year if year is not None else "all")
    received: dict[str, int] = defaultdict(int)
    paid_by: dict[str, set[str]] = defaultdict(set)
    years: dict[str, set[int]] = defaultdict(set)
    for p, r, yen, _ in payments:
        received[r] += yen
        paid_by[r].add(projects[p].ministry)
        if projects[p].year is not None:
            years[r].add(projects[p].year)

    def add_recipient(r: str) -> None:
        s = recipients[r]
        number = _value(s.get("number"))
        span = sorted(years[r])
        g.add_node(
            r, label=_value(s.get("pref")) or _value(s.get("label")) or r.rsplit("/", 1)[-1],
            type="corporation" if number else "recipient", corporateNumber=number,
            ministries="; ".join(sorted(m for m in paid_by[r] if m)), totalYen=received[r],
            **_span(span[0] if span else None, span[-1] if span else None),
        )

    if view == "corporations":
        _co_funding(g, projects, payments, recipients, add_recipient, max_clique)
        return g
    per_project: dict[str, int] = defaultdict(int)
    for p, _, yen, _ in payments:
        per_project[p] += yen
    for p in sorted(projects):
        if view == "projects" and p not in per_project:
            continue  # a project that paid no one is not part of the payment network
        pr = projects[p]
        g.add_node(p, label=pr.label or pr.identifier or p.rsplit("/", 1)[-1], type="project", identifier=pr.identifier, ministry=pr.ministry,
                   sheetYear=pr.year or 0, totalYen=per_project[p], **_span(pr.year, pr.year))
    for p, r, yen, rows in payments:
        if r not in g:
            add_recipient(r)
        y = projects[p].year
        g.add_edge(p, r, relation="pays", weight=float(yen), yen=yen, rows=rows, sheetYear=y or 0, **_span(y, y))
    if view == "full":
        _context(g, store, projects)
    return g


def _co_funding(g, projects, payments, recipients, add_recipient, max_clique) -> None:
    by_project: dict[str, list[str]] = defaultdict(list)
    for p, r, _, _ in payments:
        if _value(recipients[r].get("number")):
            by_project[p].append(r)
    skipped = 0
    for p in sorted(by_project):
        corps = sorted(set(by_project[p]))
        for r in corps:
            if r not in g:
                add_recipient(r)
        if len(corps) > max_clique:
            skipped += 1
            continue
        y = projects[p].year
        for a, b in combinations(corps, 2):
            if g.has_edge(a, b):
                e = g.edges[a, b]
                e["weight"] += 1.0
                e["projects"] += 1
                _widen(e, y)
            else:
                g.add_edge(a, b, relation="co-funded", weight=1.0, projects=1, **_span(y, y))
    g.graph["projectsLeftOut"] = skipped
    g.graph["maxClique"] = max_clique


def _context(g: nx.Graph, store: ox.Store, projects: dict[str, Project]) -> None:
    for p in sorted(projects):
        pr = projects[p]
        if pr.ministry_iri:
            if pr.ministry_iri not in g:
                g.add_node(pr.ministry_iri, label=pr.ministry, type="ministry", **_span(pr.year, pr.year))
            _widen(g.nodes[pr.ministry_iri], pr.year)
            g.add_edge(p, pr.ministry_iri, relation="ministry", weight=1.0, **_span(pr.year, pr.year))
    for s in sorted(_rows(store, "context"), key=lambda s: (s["p"].value, s["node"].value)):
        p, node = s["p"].value, s["node"].value
        if p not in projects:
            continue
        y = projects[p].year
        if node not in g:
            g.add_node(node, label=s["label"].value, type=s["kind"].value, **_span(y, y))
        _widen(g.nodes[node], y)
        g.add_edge(p, node, relation=s["kind"].value, weight=1.0, **_span(y, y))


def _span(start: int | None, end: int | None) -> dict:
    """GEXF time interval attributes, years as doubles (GEXF 1.2 has no "long" time format,
    which networkx would write for integers); none when the year is unknown."""
    return {} if start is None else {"start": float(start), "end": float(end)}


def _widen(attrs: dict, year: int | None) -> None:
    if year is not None:
        attrs["start"] = min(attrs.get("start", float(year)), float(year))
        attrs["end"] = max(attrs.get("end", float(year)), float(year))


def write(g: nx.Graph, path: Path) -> str:
    """Write ``g`` as GEXF or GraphML (by the suffix); returns the format written."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(f"{path}: the file name must end in {' or '.join(FORMATS)}")
    with replacing(path) as out:
        if fmt == "gexf":
            nx.write_gexf(g, out, encoding="utf-8", prettyprint=True, version="1.2draft")
        else:
            h = g.copy()
            h.graph = {k: v for k, v in g.graph.items() if isinstance(v, (str, int, float, bool))}
            nx.write_graphml(h, out, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return fmt


def counts(g: nx.Graph) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for _, t in g.nodes(data="type"):
        out[t] += 1
    return dict(sorted(out.items()))


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def summary(g: nx.Graph, path: Path | None = None, fmt: str = "") -> str:
    kinds = ", ".join(f"{n} {_plural(k) if n != 1 else k}" for k, n in counts(g).items())
    where = f" → {path} ({fmt})" if path else ""
    extra = ""
    if g.graph.get("projectsLeftOut"):
        extra = f"; {g.graph['projectsLeftOut']} projects paying more than {g.graph['maxClique']} corporations left out of the co-funding edges"
    return f"{g.graph['view']} view: {g.number_of_nodes()} nodes ({kinds}), {g.number_of_edges()} edges{extra}{where}"
