"""The core shapes (``shapes/core.ttl``) evaluated as SPARQL on the store: one query per constraint.

pyshacl checks every focus node in Python: on a national year (5 million triples,
about a million focus nodes, ~10 property shapes each) that is hours of CPU, even cut
into parts on 2 cores (measured: benchmarks/README.md "Scale"). The shapes use a small set of SHACL
Core components, each of which has a direct SPARQL meaning over *all* focus nodes at
once, and Oxigraph answers such a query over a year in about a second. So each
constraint of each shape becomes one SELECT whose solutions are exactly the focus
nodes (and value nodes) pyshacl would report, with the shape's severity and message.

Checks of one property shape that read the same values are asked in one query (a
:class:`Batch`): its sh:minCount and sh:maxCount as one count per focus node, its value
tests (datatype, pattern, ranges, sh:in, sh:or …) as one scan of the values with a flag
per test; sh:class stays a query of its own (a MINUS join). Each result still names its
own constraint. On a synthetic year 387 constraints become 278 queries taking 31 s on one
thread instead of 45 s. (Batching all the paths of a node shape, 135 queries, took as
long: the time goes into the values, not into finding the focus nodes.)

Supported: ``sh:targetClass`` (with the ontology's ``rdfs:subClassOf``), ``sh:targetObjectsOf``, property shapes
with an IRI ``sh:path``, and ``sh:minCount``, ``sh:maxCount``, ``sh:datatype`` (type and
lexical form), ``sh:class``, ``sh:pattern`` (+ ``sh:flags``), ``sh:minLength``,
``sh:minInclusive``, ``sh:maxInclusive``, ``sh:in``, ``sh:or`` (of such constraints, or of
property shapes with ``sh:minCount 1`` on a node shape). A shape using anything else is
refused with :class:`UnsupportedShape` naming it, so that a new kind of constraint cannot
be silently skipped; ``kg validate --engine pyshacl`` evaluates any shape. The tests run
every break case through both engines and require the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node
from .errors import UnsupportedShape  # raised here; every error class lives in kg/errors.py

XSD_CASTS = {XSD.integer, XSD.decimal, XSD.boolean, XSD.date, XSD.gYearMonth, XSD.gYear, XSD.dateTime, XSD.double, XSD.float}
#: parameters of a shape that are not constraints
_NOT_CONSTRAINTS = {RDF.type, SH.path, SH.message, SH.severity, SH.name, SH.description, SH.targetClass, SH.targetObjectsOf,
                    SH.property,
                    SH.flags, RDFS.comment, RDFS.label, SH.order, SH.group}
_COMPONENTS = {SH.minCount: "MinCount", SH.maxCount: "MaxCount", SH.datatype: "Datatype", SH["class"]: "Class",
               SH.pattern: "Pattern", SH.minLength: "MinLength", SH.minInclusive: "MinInclusive",
               SH.maxInclusive: "MaxInclusive", SH["in"]: "In", SH["or"]: "Or"}


@dataclass(frozen=True)
class Check:
    """One constraint as one query: its solutions are ?this (and ?value) of each result."""

    shape: Node  # the shape that declares the constraint (sh:sourceShape)
    path: URIRef | None
    component: URIRef
    severity: URIRef
    message: str
    query: str
    has_value: bool
    count: tuple[int, str] | None = None  # (n, "<" or ">"): a count check's bound, in a batch
    test: str | None = None  # a value check's test (true when the value conforms), in a batch


@dataclass(frozen=True)
class Batch:
    """Checks answered by one query: a single check, the count checks of one property
    shape (the query gives ``?n_`` per focus node) or its value checks (the query gives a
    flag ``?f0_``, ``?f1_`` … per check, true where the value fails it)."""

    query: str
    checks: tuple[Check, ...]
    kind: str  # "single", "count" or "values"

    def results(self, sol) -> list[tuple[Check, ox.Term, ox.Term | None]]:
        this = sol["this"]
        if self.kind == "single":
            check = self.checks[0]
            return [(check, this, sol["value"] if check.has_value else None)]
        if self.kind == "count":
            n = int(sol["n_"].value)
            return [(c, this, None) for c in self.checks if (n < c.count[0] if c.count[1] == "<" else n > c.count[0])]
        value = sol["value"]
        return [(c, this, value) for i, c in enumerate(self.checks) if sol[f"f{i}_"] == _TRUE]


_TRUE = ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))


def _n3(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShape(f"blank node {term} as a constraint value")


def _subclasses(onto: Graph, cls: URIRef) -> list[URIRef]:
    """``cls`` and every class below it (the closure pyshacl computes from the ontology)."""
    seen, todo = {cls}, [cls]
    while todo:
        c = todo.pop()
        for sub in onto.subjects(RDFS.subClassOf, c):
            if isinstance(sub, URIRef) and sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted(seen)


def _type_in(var: str, classes: list[URIRef]) -> str:
    # one EXISTS per class: Oxigraph evaluates EXISTS { … VALUES … } a thousand times slower
    return "(" + " || ".join(f"EXISTS {{ {var} a {_n3(c)} }}" for c in classes) + ")"


def _values(var: str, terms: list[URIRef]) -> str:
    return f"VALUES {var} {{ {' '.join(_n3(t) for t in terms)} }}"


class Compiler:
    def __init__(self, shapes: Graph, onto: Graph):
        self.shapes, self.onto = shapes, onto

    def value_test(self, shape: Node, p: URIRef, o: Node, var: str = "?v") -> str:
        """A SPARQL expression, true when ``var`` conforms to constraint ``p o`` (never an error)."""
        g = self.shapes
        if p == SH.datatype:
            if o == RDF.langString:
                return f"(isLiteral({var}) && lang({var}) != \"\")"
            test = f"isLiteral({var}) && datatype({var}) = {_n3(o)} && lang({var}) = \"\""
            if o in XSD_CASTS:  # an ill-formed lexical form fails, as in pyshacl
                test += f" && sameTerm({_n3(o)}(str({var})), {_n3(o)}(str({var})))"
            return f"COALESCE({test}, false)"
        if p == SH["class"]:
            return _type_in(var, _subclasses(self.onto, o))
        if p == SH.pattern:
            flags = g.value(shape, SH.flags)
            args = f", {Literal(str(flags)).n3()}" if flags else ""
            return f"COALESCE(!isBlank({var}) && REGEX(str({var}), {Literal(str(o)).n3()}{args}), false)"
        if p == SH.minLength:
            return f"COALESCE(!isBlank({var}) && STRLEN(str({var})) >= {int(o)}, false)"
        if p == SH.minInclusive:
            return f"COALESCE({var} >= {_n3(o)}, false)"
        if p == SH.maxInclusive:
            return f"COALESCE({var} <= {_n3(o)}, false)"
        if p == SH["in"]:
            members = list(Collection(g, o))
            return "(" + " || ".join(f"sameTerm({var}, {_n3(m)})" for m in members) + ")" if members else "false"
        if p == SH["or"]:
            return "(" + " || ".join(self.shape_test(m, var) for m in Collection(g, o)) + ")"
        raise UnsupportedShape(f"{shape}: constraint {p} is not translated to SPARQL")

    def shape_test(self, shape: Node, var: str) -> str:
        """True when ``var`` conforms to the (anonymous) ``shape`` of an sh:or."""
        g = self.shapes
        path = g.value(shape, SH.path)
        parts = []
        if path is not None:  # a property shape in an sh:or: only "has at least one value" is supported
            constraints = {p: o for p, o in g.predicate_objects(shape) if p not in _NOT_CONSTRAINTS}
            if constraints != {SH.minCount: Literal(1)}:
                raise UnsupportedShape(f"{shape}: in sh:or only a property shape with sh:minCount 1 is translated")
            return f"EXISTS {{ {var} {_n3(path)} [] }}"
        for p, o in sorted(g.predicate_objects(shape)):
            if p in _NOT_CONSTRAINTS:
                continue
            parts.append(self.value_test(shape, p, o, var))
        return "(" + " && ".join(parts or ["true"]) + ")"

    def batches(self, node_shape: Node) -> Iterator[Batch]:
        g = self.shapes
        targets = sorted(t for t in g.objects(node_shape, SH.targetClass))
        objects_of = sorted(g.objects(node_shape, SH.targetObjectsOf))
        if targets and objects_of:
            raise UnsupportedShape(f"{node_shape}: both sh:targetClass and sh:targetObjectsOf")
        if objects_of:
            focus = f"?s_ ?p_ ?this . {_values('?p_', objects_of)}"
        elif targets:
            classes = sorted({c for t in targets for c in _subclasses(self.onto, t)})
            focus = f"?this a ?c_ . {_values('?c_', classes)}"
        else:
            return
        for check in self._constraints(node_shape, None, focus):
            yield Batch(check.query, (check,), "single")
        for prop in sorted(g.objects(node_shape, SH.property), key=str):
            path = g.value(prop, SH.path)
            if not isinstance(path, URIRef):
                raise UnsupportedShape(f"{prop}: sh:path {path} is not a single predicate")
            yield from _batches(list(self._constraints(prop, path, focus)), focus, path)

    def _constraints(self, shape: Node, path: URIRef | None, focus: str) -> Iterator[Check]:
        g = self.shapes
        severity = g.value(shape, SH.severity) or SH.Violation
        message = str(g.value(shape, SH.message) or "")
        for p, o in sorted(g.predicate_objects(shape)):
            if p in _NOT_CONSTRAINTS:
                continue
            if p not in _COMPONENTS:
                raise UnsupportedShape(f"{shape}: constraint {p} is not translated to SPARQL")
            component = SH[f"{_COMPONENTS[p]}ConstraintComponent"]
            if path is None:  # on the node shape: the value node is the focus node
                test = self.value_test(shape, p, o, "?this")
                query = f"SELECT DISTINCT ?this (?this AS ?value) WHERE {{ {focus} FILTER(!({test})) }}"
                yield Check(shape, None, component, severity, message or f"{component} on the focus node", query, True)
                continue
            if p == SH.minCount:
                query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {_n3(path)} ?v }} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(o)})")
                yield Check(shape, path, component, severity, message, query, False, count=(int(o), "<"))
            elif p == SH.maxCount:
                query = (f"SELECT ?this WHERE {{ {focus} ?this {_n3(path)} ?v }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(o)})")
                yield Check(shape, path, component, severity, message, query, False, count=(int(o), ">"))
            elif p == SH["class"]:  # as MINUS: a join, not a test per value
                query = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {_n3(path)} ?v . "
                         f"MINUS {{ ?v a ?t_ . {_values('?t_', _subclasses(self.onto, o))} }} BIND(?v AS ?value) }}")
                yield Check(shape, path, component, severity, message, query, True)
            else:
                test = self.value_test(shape, p, o)
                query = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {_n3(path)} ?v . FILTER(!({test})) BIND(?v AS ?value) }}"
                yield Check(shape, path, component, severity, message, query, True, test=test)


def _batches(checks: list[Check], focus: str, path: URIRef) -> Iterator[Batch]:
    """The checks of one property shape as queries: its counts in one, its value tests in one,
    any other check alone; a kind with one check keeps that check's own query."""
    for c in checks:
        if c.count is None and c.test is None:
            yield Batch(c.query, (c,), "single")
    counts = [c for c in checks if c.count is not None]
    if len(counts) == 1:
        yield Batch(counts[0].query, (counts[0],), "single")
    elif counts:
        # OPTIONAL: a focus node without any value counts 0 (a sh:minCount result)
        having = " || ".join(f"COUNT(DISTINCT ?v) {op} {n}" for n, op in (c.count for c in counts))
        query = (f"SELECT ?this (COUNT(DISTINCT ?v) AS ?n_) WHERE {{ {focus} OPTIONAL {{ ?this {_n3(path)} ?v }} }} "
                 f"GROUP BY ?this HAVING ({having})")
        yield Batch(query, tuple(counts), "count")
    values = [c for c in checks if c.test is not None]
    if len(values) == 1:
        yield Batch(values[0].query, (values[0],), "single")
    elif values:
        flags = " ".join(f"BIND(!({c.test}) AS ?f{i}_)" for i, c in enumerate(values))
        fails = " || ".join(f"?f{i}_" for i in range(len(values)))
        names = " ".join(f"?f{i}_" for i in range(len(values)))
        query = (f"SELECT DISTINCT ?this ?value {names} WHERE {{ {focus} ?this {_n3(path)} ?v . {flags} "
                 f"FILTER({fails}) BIND(?v AS ?value) }}")
        yield Batch(query, tuple(values), "values")


@lru_cache(maxsize=4)
def compile_batches(shapes: Graph, onto: Graph) -> tuple[Batch, ...]:
    """Every constraint of every node shape with a target, in as few queries as it reads."""
    compiler = Compiler(shapes, onto)
    out: list[Batch] = []
    for node_shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        out.extend(compiler.batches(node_shape))
    return tuple(out)


def run_checks(
    store: ox.Store, batches: tuple[Batch, ...], workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[Check, ox.Term, ox.Term | None]]:
    """(check, focus node, value node) for every result; queries in ``workers`` threads
    (pyoxigraph evaluates a query without holding the GIL)."""

    def one(batch: Batch):
        return [r for sol in store.query(batch.query) for r in batch.results(sol)]

    out = []
    pool = ThreadPoolExecutor(max_workers=max(1, workers))  # the main thread waits, so Ctrl-C reaches it at once
    try:
        for i, results in enumerate(pool.map(one, batches), 1):
            out.extend(results)
            if progress:
                progress(i, len(batches))
    except BaseException:  # the queries not started are dropped; one still running is not waited for
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return out
