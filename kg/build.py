"""The build: files → sniff → mapper → records → triples, with a summary.

``build(paths)`` is what ``kg build`` calls; everything the CLI does is one call here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Dataset, Graph
from rdflib.namespace import RDF

from . import mappers
from .emit import Emitter, sorted_nquads, sorted_ntriples
from .iris import KG, IRIs
from .model import Diagnostic, PreAnalysis, ReviewSheet
from .read import InputError, expand, read_document

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples" / "seeds"

#: output format name → (rdflib format, file suffixes)
FORMATS = {
    "nt": ("nt", (".nt",)),
    "turtle": ("turtle", (".ttl",)),
    "json-ld": ("json-ld", (".jsonld", ".json")),
    "nquads": ("nquads", (".nq",)),
    "trig": ("trig", (".trig",)),
}
#: formats that keep one named graph per source document
DATASET_FORMATS = ("nquads", "trig")


@dataclass
class BuildResult:
    graph: Graph
    #: with named graphs: graph IRI (None = default graph) → triples
    named: dict | None = None
    documents: int = 0
    failed: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    layouts: dict[str, str] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return len(self.graph)

    def count(self, cls) -> int:
        return len(set(self.graph.subjects(RDF.type, cls)))

    def summary(self) -> str:
        errors = sum(1 for d in self.diagnostics if d.severity == "error")
        warnings = sum(1 for d in self.diagnostics if d.severity == "warning")
        return (
            f"{self.documents} documents ({len(self.failed)} failed), {self.triples} triples, "
            f"{self.count(KG.Project)} projects, {self.count(KG.Corporation)} corporations, "
            f"{self.count(KG.Expenditure)} expenditures; {errors} errors, {warnings} warnings"
        )


def build(
    paths: list[Path] | None = None,
    base_iri: str | None = None,
    named_graphs: bool = False,
    progress: Callable[[Path], None] | None = None,
) -> BuildResult:
    """Map every input into one graph. Unusable files are reported and skipped;
    the others still build. ``paths`` defaults to the bundled example seeds."""
    files = expand(paths or [EXAMPLES_DIR])
    emitter = Emitter(IRIs(base_iri), named_graphs=named_graphs)
    result = BuildResult(graph=emitter.g, named=emitter.named)
    for path in files:
        if progress:
            progress(path)
        try:
            doc = read_document(path)
        except InputError as exc:
            result.failed.append(str(path))
            result.diagnostics.append(Diagnostic(exc.path, exc.line, "error", exc.message))
            continue
        mapper = mappers.detect(doc.text)
        if mapper is None:
            result.failed.append(str(path))
            names = ", ".join(m.NAME for m in mappers.MAPPERS)
            result.diagnostics.append(
                Diagnostic(str(path), None, "error", f"no known layout recognised (tried {names})")
            )
            continue
        doc.layout = mapper.NAME
        result.layouts[str(path)] = mapper.NAME
        try:
            records, diags = mapper.map_document(doc)
        except Exception as exc:  # a mapper bug must not lose the other files
            result.failed.append(str(path))
            result.diagnostics.append(Diagnostic(str(path), None, "error", f"{mapper.NAME} mapper failed: {exc!r}"))
            continue
        result.diagnostics.extend(diags)
        if not records:
            result.failed.append(str(path))
            continue
        result.documents += 1
        for record in records:
            if isinstance(record, ReviewSheet):
                emitter.review_sheet(record, doc)
            elif isinstance(record, PreAnalysis):
                emitter.pre_analysis(record, doc)
    emitter.finish()
    for path, line, what in emitter.unknown_codes:
        result.diagnostics.append(Diagnostic(path, line, "warning", f"{what} is not in ontology/code-lists.ttl"))
    return result


def format_for(output: Path | None, fmt: str | None) -> str:
    """The output format: named, or guessed from the file suffix (default N-Triples)."""
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        return fmt
    if output is not None:
        for name, (_, suffixes) in FORMATS.items():
            if output.suffix.lower() in suffixes:
                return name
    return "nt"


def serialize(result: BuildResult, fmt: str) -> bytes:
    """Bytes of the built graph; N-Triples and N-Quads are sorted so that the same input
    gives the same bytes. N-Quads and TriG need a build with ``named_graphs=True``."""
    if fmt == "nt":
        return sorted_ntriples(result.graph)
    if fmt in DATASET_FORMATS:
        if result.named is None:
            raise ValueError(f"{fmt} needs a build with named graphs")
        if fmt == "nquads":
            return sorted_nquads(result.named)
        ds = Dataset()
        for prefix, ns in result.graph.namespaces():
            ds.bind(prefix, ns)
        for name, triples in sorted(result.named.items(), key=lambda kv: str(kv[0] or "")):
            target = ds.default_graph if name is None else ds.graph(name)
            for triple in sorted(triples):
                target.add(triple)
        return ds.serialize(format="trig", encoding="utf-8")
    return result.graph.serialize(format=FORMATS[fmt][0], encoding="utf-8")
