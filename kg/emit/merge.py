"""The cross-file merge: what no single file can settle.

Each input file is emitted on its own (so it can be cached and mapped in parallel);
:func:`merge` then joins their graphs: one law node per 法令ID (a law cited by name only
joins it when some file gives the name's ID), one project node when an RS-CSV sheet
names its own legacy 事業番号, and in the default graph the code lists, one node per
法人番号 with every spelling, and ``kg:sameProjectAs`` across each project's lineage.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import nt
from ..version import __version__
from ..assets import ontology_version, vocabulary_graph
from ..iris import EGOV_LAW, IRIs, egov_article
from . import contested as contested_numbers
from . import scale
from .organisations import corporations
from .summaries import Summaries
from .sink import DCTERMS, KG, PROV, RDF, RDFS, SKOS, CorporationNames, Emitted, Sink, ja, plain

_IRI_RE = re.compile(r"<([^>]*)>")


def _rewrite(lines: set[str], mapping: dict[str, str], marker: str) -> set[str]:
    """Lines with every IRI in ``mapping`` (or under it, ``iri/…``) replaced by its target."""
    if not mapping:
        return lines

    def repl(m: re.Match) -> str:
        iri = m.group(1)
        if iri in mapping:
            return f"<{mapping[iri]}>"
        head, sep, tail = iri.partition("/" + marker)
        if sep:
            root, slash, rest = tail.partition("/")
            key = head + sep + root
            if key in mapping:
                return f"<{mapping[key]}{slash}{rest}>"
        return m.group(0)

    out = set()
    for line in lines:
        out.add(_IRI_RE.sub(repl, line) if marker in line else line)
    return out


@dataclass
class MergePlan:
    """What the merge rewrites in every file's lines: laws cited by name → their 法令ID node,
    RS sheets → the legacy node of the same sheet, and the lines an RS sheet drops when it
    joins that node (its own 事業番号 and name)."""

    laws: dict[str, str]
    aliases: dict[str, str]
    dropped: tuple[str, ...]
    #: rows whose 法人番号 another organisation holds (:mod:`kg.emit.contested`)
    contested: contested_numbers.Contested = field(default_factory=contested_numbers.Contested)

    def rewrite(self, lines: Iterable[str], made: bool = False) -> set[str]:
        """``lines`` as the merged graph has them; ``made``: lines the merge made itself, whose
        IRIs are rewritten but which lose nothing."""
        if self.dropped and not made:
            lines = {line for line in lines if not line.startswith(self.dropped)}
        lines = set(lines) if made else contested_numbers.drop(set(lines), self.contested.moved)
        return _rewrite(_rewrite(lines, self.laws, "law/"), self.aliases, "project/")


def plan(parts: list[Emitted]) -> MergePlan:
    law_ids: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for part in parts:
        law_ids.update(part.law_ids)
        aliases.update(part.project_aliases)
    laws = {iri: law_ids[name] for part in parts for iri, name in part.law_names.items() if name in law_ids}
    # an RS sheet joining its legacy node keeps the legacy 事業番号 and name
    dropped = tuple(f"<{rs}> <{prop}> " for rs in aliases for prop in (DCTERMS.identifier, RDFS.label))
    return MergePlan(laws, aliases, dropped, contested_numbers.plan(parts))


def shared_lines(parts: list[Emitted], merge_plan: MergePlan, iris: IRIs | None = None) -> set[str]:
    """The default graph's part no single file has: the code lists, what made the graph, one
    node per 法人番号 with every spelling, one label per shared node (law, plan …), the
    out-of-scale rows (:mod:`kg.emit.scale`)."""
    numbers: dict[str, CorporationNames] = defaultdict(CorporationNames)
    spellings: dict[str, Counter] = defaultdict(Counter)
    for part in parts:
        for digits, seen in part.corporations.items():
            numbers[digits].update(seen)
        for node, seen in part.names.items():
            spellings[merge_plan.laws.get(node, node)].update(seen)
    out = Sink(iris)
    for triple in vocabulary_graph():
        out.put(triple)
    dataset = out.iris.dataset()  # what made the graph: the same inputs and versions give the same bytes
    out.put((dataset, RDF.type, PROV.Entity))
    out.put((dataset, KG.softwareVersion, plain(__version__)))
    out.put((dataset, KG.ontologyVersion, plain(ontology_version())))
    contested_numbers.discount(numbers, merge_plan.contested)
    corporations(out, numbers, merge_plan.contested.unheld)
    for node, seen in sorted(spellings.items()):
        ranked = sorted(seen, key=lambda n: (-seen[n], len(n), n))
        out.put((node, RDFS.label, ja(ranked[0])))
        for alt in ranked[1:]:
            out.put((node, SKOS.altLabel, ja(alt)))
    flagged = scale.lines((part.scale for part in parts), (row for part in parts for row in part.scale_rows),
                          merge_plan.aliases)
    moved = contested_numbers.lines(merge_plan.contested, out.iris)
    return out.graphs[None] | merge_plan.rewrite(flagged | moved, made=True)


def merge(parts: list[Emitted], iris: IRIs | None = None) -> dict[str | None, set[str]]:
    """The graphs of a build from every file's :class:`Emitted` (see the module doc)."""
    merge_plan = plan(parts)
    graphs: dict[str | None, set[str]] = {None: set()}
    for part in parts:
        for name, lines in part.graphs.items():
            graphs.setdefault(name, set()).update(merge_plan.rewrite(lines))
    graphs[None] |= shared_lines(parts, merge_plan, iris)
    scan = LineScan()
    for lines in graphs.values():
        scan.update(lines)
    graphs[None] |= scan.lines()
    return graphs


def unresolved_law_names(parts: list[Emitted]) -> dict[str, int]:
    """Laws cited by name only whose 法令ID no file of the build gives: name → number of files."""
    known = {name for part in parts for name in part.law_ids}
    out: Counter = Counter()
    for part in parts:
        out.update({name for name in part.law_names.values() if name not in known})
    return dict(out)


class LineScan:
    """What the build derives from all its lines once they are merged — ``kg:sameProjectAs``
    (:meth:`same_project`), the e-Gov links (:meth:`egov`) and the ranking summaries
    (:mod:`kg.emit.summaries`) —, read one line at a time, split once and handed on by
    predicate, so that the lines can stream past (a ten-year build does not hold them)."""

    def __init__(self) -> None:
        self._typed = f"<{KG.Project}>"
        self._dispatch = {f"<{RDF.type}>": self._type, f"<{KG.pastSheet}>": self._past,
                          f"<{KG.lawId}>": self._law_id, f"<{KG.law}>": self._law,
                          f"<{KG.article}>": self._article, f"<{KG.describes}>": self._describes}
        self.projects: set[str] = set()
        self.described: set[str] = set()
        self.past_edges: set[tuple[str, str]] = set()
        self.ids: dict[str, str] = {}
        self.law_of: dict[str, str] = {}
        self.article_of: dict[str, str] = {}
        self.summaries = Summaries()

    def _type(self, s: str, o: str) -> None:
        if o == self._typed:
            self.projects.add(s)

    def _describes(self, s: str, o: str) -> None:
        self.described.add(o)

    def _past(self, s: str, o: str) -> None:
        self.past_edges.add((s, o))

    def _law_id(self, s: str, o: str) -> None:
        self.ids[s] = nt.unquote(o)

    def _law(self, s: str, o: str) -> None:
        self.law_of[s] = o

    def _article(self, s: str, o: str) -> None:
        self.article_of[s] = nt.unquote(o)

    def update(self, lines: Iterable[str]) -> None:
        dispatch, summaries = self._dispatch, self.summaries
        wanted, take = summaries.predicates, summaries.take
        for line in lines:
            i = line.index(" ")
            j = line.index(" ", i + 1)
            p = line[i + 1 : j]
            f, name = dispatch.get(p), wanted.get(p)
            if f is None and name is None:
                continue
            s, o = line[:i], line[j + 1 : -2]
            if f is not None:
                f(s, o)
            if name is not None:
                take(name, s, o)

    def lines(self) -> set[str]:
        lineage = self.lineages()
        return (self.same_project(lineage) | self.egov() | self.placeholders()
                | self.summaries.lines(self.projects, self.past_edges, lineage))

    def placeholders(self) -> set[str]:
        """``kg:SheetPlaceholder`` on every ``kg:Project`` node that no input document
        describes: a sheet the inputs name (a related セグメントシート, a past sheet) but do not
        hold. The build's counts of sheets leave them out."""
        typed = f" <{RDF.type}> <{KG.SheetPlaceholder}> ."
        return {f"{p}{typed}" for p in self.projects - self.described}

    def release(self) -> None:
        """Drop what was collected (a ten-year build's scan holds a few hundred MB that the
        store's loader wants next)."""
        self.__init__()

    def lineages(self) -> dict[str, str]:
        """Each sheet (project node) → the first sheet of its lineage: the sheets joined by
        ``kg:pastSheet`` over the whole build are one project, and the one whose IRI sorts first
        — the earliest sheet year, as every project IRI begins with it — stands for them."""
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(self.projects)
        graph.add_edges_from(self.past_edges)
        out: dict[str, str] = {}
        for part in nx.connected_components(graph):
            first = min(part)
            out.update(dict.fromkeys(part, first))
        return out

    def same_project(self, lineage: dict[str, str] | None = None) -> set[str]:
        """``kg:sameProjectAs`` between every two sheets of one lineage, each sheet with itself
        too: the reflexive, symmetric and transitive closure of ``kg:pastSheet`` over the whole
        build. It spans files, and it lets a query reach a project's other years with one triple
        pattern instead of a ``(kg:pastSheet|^kg:pastSheet)*`` path, which stores may expand from
        every node. Beside it, ``kg:lineageStart`` names each sheet's first sheet
        (:meth:`lineages`), so that a query counts projects, not sheet years, with
        ``COUNT(DISTINCT ?start)``."""
        lineage = self.lineages() if lineage is None else lineage
        parts: dict[str, list[str]] = defaultdict(list)
        for sheet, first in lineage.items():
            parts[first].append(sheet)
        same, start = f" <{KG.sameProjectAs}> ", f" <{KG.lineageStart}> "
        out = {f"{a}{same}{b} ." for part in parts.values() for a in part for b in part}
        out.update(f"{a}{start}{first} ." for first, part in parts.items() for a in part)
        return out

    def egov(self) -> set[str]:
        """``rdfs:seeAlso`` from every law with a 法令ID to its e-Gov page, and from each legal
        basis of such a law to its article's anchor there (after the merge joined the laws cited
        by name to their IDs)."""
        see = f" <{RDFS.seeAlso}> "
        out = {f"{law}{see}<{EGOV_LAW.format(law_id=law_id)}> ." for law, law_id in self.ids.items()}
        for basis, law in self.law_of.items():
            if law in self.ids:
                out.add(f"{basis}{see}<{egov_article(self.ids[law], self.article_of.get(basis))}> .")
        return out


def union(graphs: dict[str | None, set[str]]) -> set[str]:
    """Every line of every graph."""
    out: set[str] = set()
    for lines in graphs.values():
        out |= lines
    return out


def quad_lines(graphs: dict[str | None, set[str]]) -> set[str]:
    """N-Quads lines of the default graph and one named graph per document."""
    out = set()
    for name, lines in graphs.items():
        if name is None:
            out |= lines
        else:
            out.update(f"{line[:-2]} <{name}> ." for line in lines)
    return out


def sorted_nquads(graphs: dict[str | None, set[str]]) -> bytes:
    """N-Quads of the default graph and one named graph per document, sorted: byte-identical."""
    return nt.sorted_bytes(quad_lines(graphs))
