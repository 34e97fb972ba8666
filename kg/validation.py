"""Validation against ``shapes/``: every constraint as a query on the store, or pyshacl.

``shapes/core.ttl`` (cardinalities, datatypes, ranges, classes) and ``shapes/rules.ttl``
(SHACL-SPARQL: 法人番号 check digit, sums across records) are standard SHACL, with
``ontology/kg.ttl`` as the ontology graph so that subclasses count (a kg:Corporation is a
kg:Recipient).

``engine="fast"`` (the default) evaluates them on the pyoxigraph store: each core
constraint as one SELECT over all its focus nodes (:mod:`kg.shapes_sparql`), each
SPARQL rule's SELECT once over the whole graph instead of once per focus node, and turns
every solution into the ``sh:ValidationResult`` pyshacl would write. pyshacl checks node
by node in Python: about 145 ms a node for a SPARQL rule and about 0.5 ms a triple for the
core shapes (benchmarks/README.md "Scale": hours for a national year). ``engine="pyshacl"`` runs
everything the standard way; the tests check that both engines give the same results.

Each finding is then described for people: the focus node's label, the rule in
plain words (the shape's ``sh:message``), the value, and the source document and
line it was mapped from (read from the store, so a year is never copied into rdflib).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from .assets import CORE_SHAPES, RULE_SHAPES, ontology_graph
from .display import group_digits, shorten
from .display import term as display
from .iris import KG, PREFIXES
from .shapes_sparql import compile_batches, run_checks
from .store import default_triples, store_from_graph, to_ox, to_rdflib

SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}
ENGINES = ("fast", "pyshacl")


@lru_cache(maxsize=8)
def _shapes_file(path: Path) -> Graph:
    g = Graph()
    g.parse(path, format="turtle")
    return g


@lru_cache(maxsize=8)
def shapes_graph(*files: Path) -> Graph:
    """The shapes of ``files``; each file is parsed once, so its blank-node property
    shapes are the same nodes in every combination (results can be traced back)."""
    if len(files) == 1:
        return _shapes_file(files[0])
    g = Graph()
    for f in files:
        for triple in _shapes_file(f):
            g.add(triple)
    return g


@dataclass
class Finding:
    """One sh:ValidationResult, with what a person needs to act on it."""

    severity: URIRef
    focus: Node
    message: str
    path: Node | None = None
    value: Node | None = None
    shape: Node | None = None
    component: URIRef | None = None
    focus_label: str = ""
    focus_class: str = ""
    sources: list[tuple[str, int | None]] = field(default_factory=list)
    more_sources: int = 0
    #: the record's JSON Pointer in its source file (JSON layouts: ``/支出先/3``)
    pointer: str = ""

    @property
    def severity_name(self) -> str:
        return str(self.severity).rsplit("#", 1)[-1]

    def key(self) -> tuple:
        """What identifies a result whatever engine produced it (messages may be worded differently)."""
        value = (self.value.datatype, self.value.language, self.value.toPython()) if isinstance(self.value, Literal) else self.value
        return (self.severity, self.focus, self.path, value, self.shape if isinstance(self.shape, URIRef) else None)


@dataclass
class Report:
    findings: list[Finding]
    triples: int
    shapes: int

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == SH.Violation]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == SH.Warning]

    @property
    def conforms(self) -> bool:
        """No violations (warnings do not make a graph invalid)."""
        return not self.violations


# ----------------------------------------------------------------------------- running


def _findings_from_results(results: Graph, shapes: Graph) -> list[Finding]:
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(r, SH.sourceShape)
        msg = results.value(r, SH.resultMessage)
        own = shapes.value(shape, SH.message) if shape is not None else None
        out.append(
            Finding(
                severity=results.value(r, SH.resultSeverity),
                focus=results.value(r, SH.focusNode),
                message=str(own if own is not None and "{" not in str(own) else msg or ""),
                path=results.value(r, SH.resultPath),
                value=results.value(r, SH.value),
                shape=shape,
                component=results.value(r, SH.sourceConstraintComponent),
            )
        )
    return out


def run_pyshacl(data: Graph, shape_files: Iterable[Path]) -> list[Finding]:
    shapes = shapes_graph(*shape_files)
    _conforms, results, _text = pyshacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology_graph(),
        inference="none",
        advanced=False,
        allow_warnings=True,
    )
    return _findings_from_results(results, shapes)


@dataclass
class SparqlRule:
    shape: URIRef
    constraint: Node
    select: str
    severity: URIRef
    message: str


def sparql_rules(shapes: Graph) -> list[SparqlRule]:
    rules = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        prefixes = []
        for decl_holder in shapes.objects(constraint, SH.prefixes):
            for decl in shapes.objects(decl_holder, SH.declare):
                prefixes.append(f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>")
        rules.append(
            SparqlRule(
                shape=shape,
                constraint=constraint,
                select="\n".join(sorted(prefixes)) + "\n" + str(shapes.value(constraint, SH.select)),
                severity=shapes.value(shape, SH.severity) or SH.Violation,
                message=str(shapes.value(constraint, SH.message) or ""),
            )
        )
    return rules


def _fill(template: str, solution, variables: list[str]) -> str:
    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in variables:
            return m.group(0)
        return display(solution[name])

    return re.sub(r"\{[?$](\w+)\}", sub, template)


def run_rules_fast(store: ox.Store, shape_files: Iterable[Path]) -> list[Finding]:
    """Each SPARQL constraint's SELECT once over the whole store ($this left unbound)."""
    out = []
    for rule in sparql_rules(shapes_graph(*shape_files)):
        solutions = store.query(rule.select)
        variables = [v.value for v in solutions.variables]
        for sol in solutions:
            out.append(
                Finding(
                    severity=rule.severity,
                    focus=to_rdflib(sol["this"]),
                    message=_fill(rule.message, sol, variables),
                    path=to_rdflib(sol["path"]) if "path" in variables else None,
                    value=to_rdflib(sol["value"]) if "value" in variables else None,
                    shape=rule.shape,
                    component=SH.SPARQLConstraintComponent,
                )
            )
    return out


def run_core_fast(store: ox.Store, core: Path = CORE_SHAPES, workers: int = 1,
                  progress: Callable[[int, int], None] | None = None) -> list[Finding]:
    """The core shapes as one SPARQL query per constraint on the store (see kg.shapes_sparql)."""
    batches = compile_batches(shapes_graph(core), ontology_graph())
    return [
        Finding(
            severity=check.severity, focus=to_rdflib(this), message=check.message, path=check.path,
            value=to_rdflib(value), shape=check.shape, component=check.component,
        )
        for check, this, value in run_checks(store, batches, workers, progress)
    ]


def validate(
    data: Graph | None = None,
    store: ox.Store | None = None,
    engine: str = "fast",
    shape_files: tuple[Path, Path] = (CORE_SHAPES, RULE_SHAPES),
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Validate a graph against the shapes: ``data`` (an rdflib graph) and/or ``store`` (the
    same graph in pyoxigraph).

    ``engine="fast"``: every core constraint and every SPARQL rule once as a query on the
    store (``workers`` threads), findings described from the store: a year never becomes
    an rdflib graph. ``engine="pyshacl"``: everything by pyshacl on the whole graph."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    if data is None and store is None:
        raise ValueError("validate needs a graph or a store")
    core, rules = shape_files
    if engine == "pyshacl":
        if data is None:
            data = Graph().parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), format="nt")
        findings = run_pyshacl(data, (core, rules))
        view: Graph | StoreGraph = data
        triples = len(data)
    else:
        if store is None:
            store = store_from_graph(data)
        triples = default_triples(store)
        findings = run_core_fast(store, core, workers, progress)
        findings += run_rules_fast(store, (rules,))
        view = data if data is not None else StoreGraph(store)
    shapes = shapes_graph(core, rules)
    n_shapes = len(set(shapes.subjects(RDF.type, SH.NodeShape)))
    describe(findings, view)
    findings.sort(key=_order)
    return Report(findings, triples, n_shapes)


def _order(f: Finding) -> tuple:
    """Violations first, then by source document and line, record and message."""
    first = [(doc, -1 if line is None else line) for doc, line in f.sources[:1]] or [("~", -1)]
    return (SEVERITY_ORDER.get(f.severity, 9), first, f.focus_label, str(f.focus), f.message)


class StoreGraph:
    """The few rdflib ``Graph`` reads that describing a finding needs, answered by the store
    (so that a year's findings are described without copying the year into rdflib)."""

    def __init__(self, store: ox.Store):
        self.store = store

    def _quads(self, s, p, o):
        def conv(t):
            return None if t is None else to_ox(t)

        return self.store.quads_for_pattern(conv(s), conv(p), conv(o), ox.DefaultGraph())

    def objects(self, s, p):
        for q in self._quads(s, p, None):
            yield to_rdflib(q.object)

    def value(self, s, p):
        values = sorted(self.objects(s, p), key=str)
        return values[0] if values else None

    def subject_predicates(self, o):
        for q in self._quads(None, None, o):
            yield to_rdflib(q.subject), to_rdflib(q.predicate)

    def __contains__(self, triple) -> bool:
        return any(True for _ in self._quads(*triple))


# ----------------------------------------------------------------------------- describing


def _first(g: Graph, node: Node, props) -> str | None:
    for p in props:
        values = sorted(str(v) for v in g.objects(node, p))
        if values:
            return values[0]
    return None


def _class_label(g: Graph, node: Node) -> str:
    onto = ontology_graph()
    for t in sorted(g.objects(node, RDF.type)):
        for lbl in onto.objects(t, RDFS.label):
            if isinstance(lbl, Literal) and lbl.language == "en":
                return str(lbl)
    return ""


#: Classes whose nodes are known by their own name; other nodes are "X of <parent>".
_NAMED_CLASSES = (
    KG.Corporation, KG.Recipient, KG.Ministry, KG.Bureau, KG.Division, KG.Law, KG.Plan,
    KG.Policy, KG.Measure, KG.SourceDocument, KG.KeywordConcept, SKOS.Concept,
)


#: Links that do not lead to where a node was written down (a block only names its largest recipient).
_NOT_PARENTS = (KG.describes, RDF.type, SKOS.inScheme, KG.largestRecipient)


def _parents(g: Graph, node: Node) -> list[Node]:
    return sorted(
        {s for s, p in g.subject_predicates(node) if p not in _NOT_PARENTS},
        key=str,
    )


def label_of(g: Graph, node: Node, depth: int = 0) -> str:
    own = _first(g, node, (SKOS.prefLabel, RDFS.label, DCTERMS.identifier, DCTERMS.title))
    if (node, RDF.type, KG.Expenditure) in g:
        project = g.value(node, KG.project)
        letter = g.value(g.value(node, KG.block), KG.blockLetter) if g.value(node, KG.block) else None
        parts = [label_of(g, project, depth + 1) if project is not None else "?"]
        parts.append(f"block {letter or '?'} row {g.value(node, KG.rank) or '?'}")
        name = g.value(node, KG.recipientName)
        return " ".join(parts) + (f" ({name})" if name else "")
    if (node, RDF.type, KG.Project) in g:
        number = g.value(node, DCTERMS.identifier)
        if number is None:
            year, serial = g.value(node, KG.sheetYear), g.value(node, KG.serialNumber)
            ministry = _first(g, g.value(node, KG.ministry), (RDFS.label,)) if g.value(node, KG.ministry) else None
            number = f"{year}-{ministry or '?'}-{serial}"
        name = _first(g, node, (RDFS.label,))
        return f"{number} {name}" if name else str(number)
    if own is not None and any((node, RDF.type, c) in g for c in _NAMED_CLASSES):
        return own
    cls = _class_label(g, node) or "node"
    fy = g.value(node, KG.fiscalYear)
    letter = g.value(node, KG.blockLetter)
    text = cls + (f" FY{fy}" if fy is not None else "") + (f" {letter}" if letter is not None else "")
    text += f" ({own})" if own is not None else ""
    parents = _parents(g, node)
    if parents and depth < 3:
        return f"{text} of {label_of(g, parents[0], depth + 1)}"
    return f"{text} {shorten(str(node))}"


def sources_of(g: Graph, node: Node, depth: int = 0) -> list[tuple[str, int | None]]:
    """(document file name, line) pairs the node was mapped from, found through its parents."""
    lines = sorted(int(v) for v in g.objects(node, KG.sourceLine))  # a merged node may have several
    line = lines[0] if lines else None
    docs = sorted(str(g.value(d, DCTERMS.title) or shorten(str(d))) for d in g.objects(node, PROV.wasDerivedFrom))
    if docs:
        return [(d, line) for d in docs]
    if depth >= 3:
        return []
    out: list[tuple[str, int | None]] = []
    for parent in _parents(g, node):
        for doc, parent_line in sources_of(g, parent, depth + 1):
            pair = (doc, line if line is not None else parent_line)
            if pair not in out:
                out.append(pair)
    return out


def describe(findings: list[Finding], g: Graph, max_sources: int = 3) -> None:
    for f in findings:
        f.focus_label = label_of(g, f.focus)
        f.focus_class = _class_label(g, f.focus)
        found = sorted(sources_of(g, f.focus), key=lambda s: (s[0], s[1] or 0))
        f.sources, f.more_sources = found[:max_sources], max(0, len(found) - max_sources)
        f.pointer = pointer_of(g, f.focus)


def pointer_of(g: Graph, node: Node, depth: int = 0) -> str:
    """The JSON Pointer (kg:sourcePointer) of the node, or of the record it belongs to."""
    pointer = g.value(node, KG.sourcePointer)
    if pointer is not None:
        return str(pointer)
    for parent in _parents(g, node) if depth < 3 else []:
        found = pointer_of(g, parent, depth + 1)
        if found:
            return found
    return ""


# ----------------------------------------------------------------------------- output


def _value_text(v: Node | None) -> str:
    if v is None:
        return ""
    if isinstance(v, Literal):
        if v.datatype == XSD.decimal:
            return group_digits(str(v))
        return f'"{v}"' + (f"@{v.language}" if v.language else "")
    return shorten(str(v))


def _where(f: Finding) -> str:
    if not f.sources:
        return "(no source document in the graph)"
    parts = [f"{doc}:{line}" if line else doc for doc, line in f.sources]
    pointer = f", JSON {f.pointer}" if f.pointer else ""
    return ", ".join(parts) + pointer + (f" and {f.more_sources} more" if f.more_sources else "")


def _check(f: Finding) -> str:
    comp = str(f.component or "").rsplit("#", 1)[-1].replace("ConstraintComponent", "")
    shape = shorten(str(f.shape)) if isinstance(f.shape, URIRef) else ""
    on = shorten(str(f.path)) if f.path is not None else ""
    return " ".join(x for x in (shape, on, comp) if x)


def to_text(report: Report, source: str = "") -> str:
    lines = []
    for f in report.findings:
        cls = f"{f.focus_class} " if f.focus_class and not f.focus_label.startswith(f.focus_class) else ""
        head = f"{f.severity_name.upper():9} {cls}{f.focus_label}"
        lines.append(head)
        lines.append(f"  rule:   {f.message}")
        if f.value is not None:
            lines.append(f"  value:  {_value_text(f.value)}")
        lines.append(f"  source: {_where(f)}")
        lines.append(f"  check:  {_check(f)}")
        lines.append(f"  node:   <{f.focus}>")
        lines.append("")
    nv, nw = len(report.violations), len(report.warnings)
    ni = len(report.findings) - nv - nw
    verdict = "conforms" if report.conforms else "does not conform"
    where = f" in {source}" if source else ""
    notes = f", {ni} info" if ni else ""
    lines.append(
        f"{nv} violation{'s' * (nv != 1)}, {nw} warning{'s' * (nw != 1)}{notes}{where} "
        f"({report.triples} triples, {report.shapes} shapes): {verdict}"
    )
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> str:
    doc = {
        "conforms": report.conforms,
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "triples": report.triples,
        "results": [
            {
                "severity": f.severity_name,
                "focusNode": str(f.focus),
                "focusLabel": f.focus_label,
                "focusClass": f.focus_class,
                "message": f.message,
                "path": str(f.path) if f.path is not None else None,
                "value": None if f.value is None else str(f.value),
                "shape": str(f.shape) if isinstance(f.shape, URIRef) else None,
                "constraint": str(f.component) if f.component else None,
                "sources": [{"document": d, "line": n} for d, n in f.sources],
                "pointer": f.pointer or None,
                "moreSources": f.more_sources,
            }
            for f in report.findings
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def report_graph(report: Report) -> Graph:
    """The standard SHACL validation report (sh:ValidationReport with sh:result)."""
    g = Graph()
    g.bind("sh", SH)
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    root = BNode("report")
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(report.conforms)))
    for i, f in enumerate(report.findings, 1):
        r = BNode(f"result{i}")
        g.add((root, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.resultSeverity, f.severity))
        g.add((r, SH.focusNode, f.focus))
        g.add((r, SH.resultMessage, Literal(f.message)))
        for p, o in ((SH.resultPath, f.path), (SH.value, f.value), (SH.sourceConstraintComponent, f.component)):
            if o is not None:
                g.add((r, p, o))
        if isinstance(f.shape, URIRef):
            g.add((r, SH.sourceShape, f.shape))
        for doc, line in f.sources:
            g.add((r, RDFS.seeAlso, Literal(f"{doc}:{line}" if line else doc)))
    return g


def to_turtle(report: Report) -> str:
    return report_graph(report).serialize(format="turtle")


OUTPUT_FORMATS = {"text": to_text, "json": lambda r, source="": to_json(r), "turtle": lambda r, source="": to_turtle(r)}
