"""Network exports for Gephi (GEXF) and other tools (GraphML), built with networkx.

Views (``kg export gephi --view …``):

- ``projects`` (default): the directed network of projects and the recipients they
  paid. Project nodes carry their 事業番号, sheet year and ministry; recipient nodes
  their 法人番号 (when they have one), the ministries that paid them and the yen
  received and their ``recipientClass`` (corporation, government, bundled, contested,
  unnumbered: filter on it to see firms only); each edge runs from one project to one
  recipient it paid, with the yen of its 支出先 rows and, as Gephi's ``weight``,
  log10(1 + yen), since raw yen (0 to 5e10) would let a few edges flatten every layout.
  An out-of-scale row (many times its sheet's budget: a unit error, docs/graph/truth.md "Out-of-scale
  amounts") adds no yen; the edge counts it in ``outOfScaleRows``.
- ``corporations``: corporations only, joined when the same project paid both
  (co-funding); the weight is the number of such projects. A project that paid more
  than ``max_clique`` corporations (default 100) is left out of this view, since it
  would join them all and hide every other structure; the graph says how many were.
- ``full``: the projects view plus ministries (ministry → project: the money's way),
  laws (project → law) and measures (project → 施策).

Every node has a ``kind`` and a ``ministry``. Time is the fiscal year (a sheet of year N
reports the execution of fiscal year N−1): each edge lasts its fiscal year (1 April to
31 March) and each node has one GEXF spell per run of consecutive fiscal years, so that
Gephi's timeline plays the years; ``year`` filters one sheet year.

GEXF is written as version 1.3 by networkx's writer, with three things it gets wrong for
1.3 put right (:func:`gexf`): the XML Schema instance namespace, the date of the day in
``meta`` (which would make two runs differ), and the edge ``kind``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations, groupby
from math import log10
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from .files import replacing
from .queries import internal, select
from .version import __version__
from .errors import ExportError  # raised here; every error class lives in kg/errors.py

VIEWS = ("projects", "corporations", "full")
FORMATS = {".gexf": "gexf", ".graphml": "graphml"}

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


def network(store: ox.Store, view: str = "projects", year: int | None = None, max_clique: int = 100,
            say: Callable[[str], None] | None = None) -> nx.Graph:
    """The view of the graph in ``store`` as a networkx graph (see the module doc): directed
    for ``projects`` and ``full``, undirected for ``corporations``. ``say`` hears each step
    (a national graph takes a minute)."""
    if view not in VIEWS:
        raise ExportError(f"unknown view {view!r}; choose from {', '.join(VIEWS)}")
    say = say or (lambda message: None)
    say("reading projects …")
    projects = {k: p for k, p in _projects(store).items() if year is None or p.year == year}
    say(f"reading the recipients and payments of {len(projects):,} projects …")
    recipients = {s["r"].value: s for s in _rows(store, "recipients")}
    rows_read = [s for s in _rows(store, "payments") if s["p"].value in projects]
    payments = [(s["p"].value, s["r"].value, _yen(s.get("yen")), int(s["rows"].value)) for s in rows_read]
    # rows many times their sheet's budget (a unit error): their yen are not in the weights
    out_of_scale = {(s["p"].value, s["r"].value): int(s["outOfScaleRows"].value) for s in rows_read
                    if s.get("outOfScaleRows") is not None and s["outOfScaleRows"].value != "0"}
    say(f"building the {view} view from {len(payments):,} payments …")
    payments.sort()
    g = nx.Graph() if view == "corporations" else nx.DiGraph()
    g.graph.update(view=view, year=year if year is not None else "all")
    received: dict[str, int] = defaultdict(int)
    paid_by: dict[str, set[str]] = defaultdict(set)
    years: dict[str, set[int]] = defaultdict(set)  # node → fiscal years
    for p, r, yen, _ in payments:
        received[r] += yen
        paid_by[r].add(projects[p].ministry)
        if projects[p].year is not None:
            years[r].add(fiscal_year(projects[p].year))

    def add_recipient(r: str) -> None:
        s = recipients[r]
        number = _value(s.get("number"))
        g.add_node(
            r, label=_value(s.get("pref")) or _value(s.get("label")) or r.rsplit("/", 1)[-1],
            kind="corporation" if number else "recipient", corporateNumber=number,
            recipientClass=_value(s.get("class")) or "",
            ministry="; ".join(sorted(m for m in paid_by[r] if m)), totalYen=received[r],
        )

    if view == "corporations":
        _co_funding(g, projects, payments, add_recipient, max_clique, recipients)
    else:
        per_project: dict[str, int] = defaultdict(int)
        for p, _, yen, _ in payments:
            per_project[p] += yen
        for p in sorted(projects):
            if view == "projects" and p not in per_project:
                continue  # a project that paid no one is not part of the payment network
            pr = projects[p]
            g.add_node(p, label=pr.label or pr.identifier or p.rsplit("/", 1)[-1], kind="project", identifier=pr.identifier,
                       ministry=pr.ministry, sheetYear=pr.year or 0, totalYen=per_project[p])
            if pr.year is not None:
                years[p].add(fiscal_year(pr.year))
        for p, r, yen, rows in payments:
            if r not in g:
                add_recipient(r)
            y = projects[p].year
            g.add_edge(p, r, relation="pays", weight=log_weight(yen), yen=yen, rows=rows, sheetYear=y or 0,
                       outOfScaleRows=out_of_scale.get((p, r), 0), **_fiscal(y))
        if view == "full":
            _context(g, store, projects, years)
    for node, fys in years.items():
        if node in g and fys:
            g.nodes[node]["spells"] = spells(fys)
    return g


def fiscal_year(sheet_year: int) -> int:
    """The fiscal year whose execution a sheet of ``sheet_year`` reports."""
    return sheet_year - 1


def log_weight(yen: int) -> float:
    """Gephi's edge weight for a payment: log10(1 + yen), 0 for nothing, about 10.7 for 5e10 yen."""
    return round(log10(1 + max(yen, 0)), 6)


def fiscal_dates(fy: int) -> tuple[str, str]:
    """Fiscal year ``fy`` as GEXF dates: 1 April to 31 March of the next year."""
    return f"{fy:04d}-04-01", f"{fy + 1:04d}-03-31"


def spells(fys: set[int]) -> list[tuple[str, str]]:
    """One (start, end) date pair per run of consecutive fiscal years."""
    out = []
    for _, run in groupby(enumerate(sorted(fys)), key=lambda t: t[1] - t[0]):
        run = [fy for _, fy in run]
        out.append((fiscal_dates(run[0])[0], fiscal_dates(run[-1])[1]))
    return out


def _fiscal(sheet_year: int | None) -> dict:
    """An edge's time: the fiscal year its sheet reports (none when the year is unknown)."""
    if sheet_year is None:
        return {}
    fy = fiscal_year(sheet_year)
    start, end = fiscal_dates(fy)
    return {"fiscalYear": fy, "start": start, "end": end}


def _co_funding(g, projects, payments, add_recipient, max_clique, recipients) -> None:
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
        fys = {fiscal_year(y)} if y is not None else set()
        for a, b in combinations(corps, 2):
            if g.has_edge(a, b):
                e = g.edges[a, b]
                e["weight"] += 1.0
                e["projects"] += 1
                e["fys"] |= fys
            else:
                g.add_edge(a, b, relation="co-funded", weight=1.0, projects=1, fys=set(fys))
    for _, _, e in g.edges(data=True):
        fys = e.pop("fys")
        if fys:
            e["spells"] = spells(fys)
    g.graph["projectsLeftOut"] = skipped
    g.graph["maxClique"] = max_clique


def _context(g: nx.DiGraph, store: ox.Store, projects: dict[str, Project], years: dict[str, set[int]]) -> None:
    def add(node: str, label: str, kind: str, ministry: str, y: int | None) -> None:
        if node not in g:
            g.add_node(node, label=label, kind=kind, ministry=ministry)
        if y is not None:
            years[node].add(fiscal_year(y))

    for p in sorted(projects):
        pr = projects[p]
        if pr.ministry_iri:
            add(pr.ministry_iri, pr.ministry, "ministry", pr.ministry, pr.year)
            g.add_edge(pr.ministry_iri, p, relation="funds", weight=1.0, **_fiscal(pr.year))
    for s in sorted(_rows(store, "context"), key=lambda s: (s["p"].value, s["node"].value)):
        p, node = s["p"].value, s["node"].value
        if p not in projects:
            continue
        y = projects[p].year
        add(node, s["label"].value, s["kind"].value, "", y)
        g.add_edge(p, node, relation=s["kind"].value, weight=1.0, **_fiscal(y))


XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def gexf(g: nx.Graph, out) -> None:
    """Write ``g`` to the binary file ``out`` as GEXF 1.3 with networkx's writer, after
    putting right what it writes wrong for 1.3: ``xmlns:xsi`` (it writes
    ``http://w3.org/…``, so the schema location is lost), ``meta/@lastmodifieddate`` (the
    day of the run: two runs would differ), the empty graph ``name``; and adding what it
    does not write: the edge ``kind`` (GEXF 1.3: Gephi's edge type), our creator and a
    description of the view."""
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.3")
    writer.add_graph(g)
    root = writer.xml
    root.set("xmlns:xsi", XSI_NS)
    meta = root.find("meta")
    meta.attrib.pop("lastmodifieddate", None)
    meta.find("creator").text = f"jp-spending-kg {__version__} (networkx {nx.__version__})"
    desc = f"{g.graph['view']} view" + ("" if g.graph.get("year") in (None, "all") else f", sheet year {g.graph['year']}")
    ET.SubElement(meta, "description").text = f"Japanese government spending: {desc}; time = fiscal years"
    graph = root.find("graph")
    if not graph.get("name"):
        graph.attrib.pop("name", None)
    relation = next((a.get("id") for a in graph.iterfind("attributes[@class='edge']/attribute") if a.get("title") == "relation"),
                    None)
    for edge in graph.iterfind("edges/edge"):
        for v in edge.iterfind("attvalues/attvalue"):
            if v.get("for") == relation:
                edge.set("kind", v.get("value"))
    writer.write(out)


def _graphml_ready(g: nx.Graph) -> nx.Graph:
    """A copy GraphML can hold: spells as text ("2020-04-01/2023-03-31; …"), plain graph attributes."""
    h = g.copy()
    h.graph = {k: v for k, v in g.graph.items() if isinstance(v, (str, int, float, bool))}
    for _, d in list(h.nodes(data=True)) + [(None, e) for *_, e in h.edges(data=True)]:
        if "spells" in d:
            d["spells"] = "; ".join(f"{a}/{b}" for a, b in d["spells"])
    return h


def write(g: nx.Graph, path: Path) -> str:
    """Write ``g`` as GEXF 1.3 or GraphML (by the suffix); returns the format written."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(f"{path}: the file name must end in {' or '.join(FORMATS)}")
    with replacing(path) as out:
        if fmt == "gexf":
            gexf(g, out)
        else:
            nx.write_graphml(_graphml_ready(g), out, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return fmt


def counts(g: nx.Graph) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for _, t in g.nodes(data="kind"):
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
