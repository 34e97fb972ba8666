"""The build: files → sniff → mapper → records → triples, with a summary.

``build(paths)`` is what ``kg build`` calls; everything the CLI does is one call here.

Each input file (a text extract, an RS CSV, or a zip of them) is mapped on its own
into an :class:`~kg.emit.Emitted` (N-Triples lines per graph plus the corporation
names it saw); :func:`~kg.emit.merge` then settles what spans files (one node per
法人番号, per 法令ID, per project). Because a file's part depends only on its bytes and
the code, it can be cached (``cache_dir``): rebuilding after one file changed maps
only that file. Files can also be mapped in parallel processes (``workers``).
"""

from __future__ import annotations

import hashlib
import pickle
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.namespace import RDF

from . import mappers, nt
from .nt import FORMATS
from .assets import EXAMPLES_DIR, ONTOLOGY_DIR
from .emit import Emitted, Sink, document, emit, merge, quad_lines, sorted_nquads, union
from .emit.merge import unresolved_law_names
from .emit.register import register as emit_register
from .mappers import nta
from .diagnostics import share_of
from .files import replacing
from .iris import KG, PREFIXES, IRIs
from .model import Block, BlockFlow, BudgetLine, BudgetYear, Contract, Diagnostic, ExpenseItem, Expenditure, Means
from .normalize import RoundedYen
from .read import InputError, expand, read_documents

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass
class FileResult:
    """One input file's contribution: its triples, and what went wrong in it."""

    path: str
    emitted: Emitted
    documents: int = 0
    rows: int = 0
    failed: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    layouts: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    cached: bool = False


@dataclass
class BuildResult:
    #: graph IRI (None = default graph) → N-Triples lines
    graphs: dict[str | None, set[str]]
    documents: int = 0
    rows: int = 0
    failed: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    layouts: dict[str, str] = field(default_factory=dict)
    files: list[FileResult] = field(default_factory=list)
    #: wall-clock seconds of the build's stages ("map": read and map every file, "merge")
    timings: dict[str, float] = field(default_factory=dict)
    #: what the build could not settle but is not wrong in any input (severity "info": laws
    #: cited by name only whose 法令ID no input gives); ``kg build --report`` lists them
    notes: list[Diagnostic] = field(default_factory=list)
    #: the 法人番号 register built in (None when no register file was given)
    register: "RegisterSummary | None" = None
    #: a build streamed into a store holds no lines: its counts, taken as they went by
    streamed_triples: int | None = None
    streamed_counts: dict[str, int] | None = None

    @cached_property
    def lines(self) -> set[str]:
        """Every triple of the build (the union of its graphs) as an N-Triples line."""
        return union(self.graphs)

    @property
    def triples(self) -> int:
        return self.streamed_triples if self.streamed_triples is not None else len(self.lines)

    @property
    def cached_files(self) -> int:
        return sum(1 for f in self.files if f.cached)

    def ntriples(self) -> bytes:
        """Sorted N-Triples: the same inputs give the same bytes."""
        return nt.sorted_bytes(self.lines)

    @cached_property
    def graph(self) -> Graph:
        """The build as an rdflib ``Graph`` (parsed on first use: fine for small builds;
        for a national year use :meth:`store`)."""
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        g.parse(data=self.ntriples().decode("utf-8"), format="nt")
        return g

    def named_graph(self, name: str | None) -> Graph:
        """One document's named graph (``None``: the default graph) as an rdflib ``Graph``."""
        data = nt.sorted_bytes(self.graphs.get(None if name is None else str(name), ()))
        return Graph().parse(data=data.decode("utf-8"), format="nt")

    def store(self) -> ox.Store:
        """A new pyoxigraph store holding the build (bulk-loaded a chunk of lines at a time, in
        sorted order: a store filled in hash order answered queries 2-3x slower, benchmarks/README.md "Scale")."""
        store = ox.Store()
        for data in nt.chunks(sorted(self.lines)):
            store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        return store

    def count(self, cls) -> int:
        if self.streamed_counts is not None:
            return self.streamed_counts.get(str(cls), 0)
        suffix = f" <{RDF.type}> <{cls}> ."
        return sum(1 for line in self.lines if line.endswith(suffix))

    def _placeholders(self) -> str:
        n = self.count(KG.SheetPlaceholder)
        return f" (and {n:,} placeholder{'s' * (n != 1)}: sheets the inputs name but do not hold)" if n else ""

    def summary(self) -> str:
        errors = sum(1 for d in self.diagnostics if d.severity == "error")
        warnings = sum(1 for d in self.diagnostics if d.severity == "warning")
        cached = f", {self.cached_files} files from cache" if self.cached_files else ""
        text = (
            f"{self.documents} documents ({len(self.failed)} failed{cached}), {self.triples} triples, "
            f"{self.count(KG.Project) - self.count(KG.SheetPlaceholder)} sheets"
            f"{self._placeholders()}, {self.count(KG.Corporation)} corporations, "
            f"{self.count(KG.Expenditure)} expenditures; {errors} errors, {warnings} warnings"
        )
        laws = sum(1 for d in self.notes if d.message.startswith(LAW_NOTE))
        rounded = sum(1 for d in self.notes if d.message.endswith(ROUNDED_NOTE))
        if laws:
            text += (f"; {laws:,} laws cited by name only have no 法令ID in any input "
                     "(no e-Gov link; --report lists them)")
        if rounded:
            text += f"; {rounded:,} amounts rounded to whole yen (--report lists them)"
        return text + (f"\n{self.register}" if self.register else "")


@dataclass
class RegisterSummary:
    """What the build took from the 法人番号 register."""

    files: int
    full_files: int
    rows: int
    kept: int
    corporations: int  # register entries built in
    numbers: int  # distinct 法人番号 the rest of the build names
    found: int  # … of which the register holds
    withdrawn: int
    complete: bool

    def __str__(self) -> str:
        scope = ("a complete register (全件 files of every prefecture): numbers it lacks are reported"
                 if self.complete else
                 "not a complete register, so a number missing from it may still exist (not reported)")
        return (f"法人番号 register: {self.files:,} files ({self.full_files:,} 全件, {self.files - self.full_files:,} 差分), "
                f"{self.kept:,} of {self.rows:,} rows kept; {self.corporations:,} corporations, "
                f"{self.found:,} of the {self.numbers:,} 法人番号 on the sheets found, {self.withdrawn:,} withdrawn; {scope}")


def map_register(paths: list[Path], parts: list[Emitted], iris: IRIs, all_corporations: bool = False,
                 steps: Callable[[str], None] | None = None, progress: Callable[[Path], None] | None = None,
                 ) -> tuple[Emitted, RegisterSummary, list[Diagnostic]]:
    """Stream the register files, keeping the rows of the 法人番号 the other files name (every
    row with ``all_corporations``) and, in a second pass, those of their successors; apply
    them in 更新年月日 order and emit (:mod:`kg.emit.register`)."""
    numbers: set[str] = set()
    rows_to_check = []
    for part in parts:
        numbers.update(part.corporations)
        rows_to_check.extend(part.recipient_rows)
    diagnostics: list[Diagnostic] = []
    if not numbers and not all_corporations:
        diagnostics.append(Diagnostic(str(paths[0]), None, "warning",
                                      "no other input names a 法人番号, so no corporation of the register is kept "
                                      "(--all-corporations keeps them all)"))
    reg = nta.Register()

    def read_all(wanted, files, tick=None):
        rows = []
        for path in paths:
            def rows_read(n, path=path):
                if steps:
                    steps(f"法人番号 register: {n:,} rows of {path.name} read …")
            rows.extend(nta.read(path, files, wanted, diagnostics, rows_read))
            if tick:
                tick(path)
        return rows

    rows = read_all(None if all_corporations else nta.wanted_numbers(numbers), reg.files, progress)
    kept = {r.number for r in rows}
    successors = {r.successor for r in rows if r.successor} - kept
    if successors and not all_corporations:  # the successors' own records, for their names
        again: list[nta.RegisterFile] = []
        more = read_all(nta.wanted_numbers(successors), again)
        for f, g in zip(reg.files, again, strict=False):
            f.kept += g.kept
            f.prefectures |= g.prefectures
        rows.extend(more)
    reg.apply(rows)
    out = Sink(iris)
    emit_register(out, reg, rows_to_check, numbers)
    summary = RegisterSummary(
        files=len(reg.files), full_files=sum(f.full for f in reg.files), rows=reg.rows, kept=reg.kept,
        corporations=len(reg.corporations), numbers=len(numbers),
        found=sum(1 for n in numbers if n in reg.corporations), withdrawn=len(reg.withdrawn), complete=reg.complete,
    )
    return out.emitted(), summary, diagnostics


def _split_register(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """The inputs mapped a file at a time, and the 法人番号 register files (told by content)."""
    register = [p for p in files if p.is_file() and nta.is_register_file(p)]
    chosen = set(register)
    return [p for p in files if p not in chosen], register


def _register_stage(register_files: list[Path], parts: list[Emitted], iris: IRIs, all_corporations: bool,
                    steps: Callable[[str], None] | None, progress: Callable[[Path], None] | None,
                    ) -> tuple[RegisterSummary | None, list[Diagnostic]]:
    """:func:`map_register` when register files were given; its part is appended to ``parts``."""
    if not register_files:
        return None, []
    if steps:
        steps(f"法人番号 register: reading {len(register_files):,} files …")
    part, register, diagnostics = map_register(register_files, parts, iris, all_corporations, steps, progress)
    parts.append(part)
    return register, diagnostics


def map_file(path: Path, base_iri: str | None = None) -> FileResult:
    """Read, sniff, map and emit one input file. Unusable documents are reported, never raised."""
    start = time.perf_counter()
    out = Sink(IRIs(base_iri))
    result = FileResult(str(path), out.emitted())
    try:
        docs = read_documents(path)
    except InputError as exc:
        docs = [exc]
    for doc in docs:
        if isinstance(doc, InputError):
            result.failed.append(doc.path)
            result.diagnostics.append(Diagnostic(doc.path, doc.line, "error", doc.message))
            continue
        mapper = mappers.detect(doc.text)
        if mapper is None:
            result.failed.append(str(doc.path))
            names = ", ".join(m.NAME for m in mappers.MAPPERS)
            result.diagnostics.append(
                Diagnostic(str(doc.path), None, "error", f"no known layout recognised (tried {names})")
            )
            continue
        doc.layout = mapper.NAME
        result.layouts[str(doc.path)] = mapper.NAME
        for line, message in doc.read_warnings:
            result.diagnostics.append(Diagnostic(str(doc.path), line, "warning", message))
        try:
            records, diags = mapper.map_document(doc)
        except InputError as exc:
            result.failed.append(str(doc.path))
            result.diagnostics.append(Diagnostic(exc.path, exc.line, "error", exc.message))
            continue
        except Exception as exc:  # a mapper bug must not lose the other files
            result.failed.append(str(doc.path))
            result.diagnostics.append(Diagnostic(str(doc.path), None, "error", f"{mapper.NAME} mapper failed: {exc!r}"))
            continue
        result.diagnostics.extend(diags)
        result.diagnostics.extend(rounded_amounts(records, str(doc.path)))
        result.layouts[str(doc.path)] = doc.layout
        if not records:
            result.failed.append(str(doc.path))
            continue
        result.documents += 1
        result.rows += len(records)
        document(out, doc)
        for record in records:
            try:
                emit(out, record, doc)
            except Exception as exc:  # an emitter bug loses this record only, and says which
                line = getattr(record, "line", None)
                result.diagnostics.append(Diagnostic(str(doc.path), line, "error", f"record not emitted: {exc!r}"))
    result.emitted = out.emitted()
    result.seconds = time.perf_counter() - start
    return result


#: the records that hold money (what :func:`rounded_amounts` looks into)
_MONEY_RECORDS = frozenset({BudgetYear, BudgetLine, Expenditure, Contract, ExpenseItem, Block, BlockFlow, Means})
LAW_NOTE = "law cited by name only, and no input gives its 法令ID: "
ROUNDED_NOTE = " (the value as written is kept beside it)"


def rounded_amounts(records, path: str) -> list[Diagnostic]:
    """An ``info`` diagnostic for every amount rounded to whole yen (a
    :class:`~kg.normalize.RoundedYen` in a record's money: budgets, budget lines, 支出先
    rows, contracts, blocks and their 費目・使途, 達成手段), at the line and JSON Pointer
    of the record that holds it: the build counts them, ``--report`` lists them."""
    out: list[Diagnostic] = []

    def walk(obj, line, pointer) -> None:
        d = obj.__dict__
        line = d.get("line") or line
        pointer = d.get("pointer") or pointer
        for name, value in d.items():
            kind = type(value)
            if kind is RoundedYen:
                where = f"{pointer} " if pointer else ""
                out.append(Diagnostic(path, line, "info",
                                      f"{where}{name} {value.written} {value.unit} is not a whole number of yen; "
                                      f"rounded to {value:,} yen{ROUNDED_NOTE}"))
            elif kind is list or kind is tuple:
                for item in value:
                    if type(item) in _MONEY_RECORDS:
                        walk(item, line, pointer)
                    elif type(item) is tuple:  # (block letter, 費目・使途)
                        for part in item:
                            if type(part) in _MONEY_RECORDS:
                                walk(part, line, pointer)
            elif kind in _MONEY_RECORDS:
                walk(value, line, pointer)

    for record in records:
        walk(record, None, None)
    return out


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the code and vocabularies a file's mapping depends on (the cache key's other half)."""
    h = hashlib.sha256()
    for f in sorted(PACKAGE_DIR.rglob("*.py")) + sorted(ONTOLOGY_DIR.glob("*.ttl")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _cache_file(cache_dir: Path, path: Path, base_iri: str | None) -> Path:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    h.update(code_fingerprint().encode())
    h.update(IRIs(base_iri).base.encode())
    return cache_dir / f"{h.hexdigest()[:32]}.pickle"


def _load_cached(cache_file: Path, path: Path) -> FileResult | None:
    try:
        with cache_file.open("rb") as f:
            result = pickle.load(f)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
        return None
    result.path, result.cached = str(path), True
    return result


def _store_cached(cache_file: Path, result: FileResult) -> None:
    """Keep a file's result (written beside and swapped in: a crash never leaves half a cache entry)."""
    try:
        with replacing(cache_file) as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        pass


def build(
    paths: list[Path] | None = None,
    base_iri: str | None = None,
    progress: Callable[[Path], None] | None = None,
    cache_dir: Path | None = None,
    workers: int = 1,
    steps: Callable[[str], None] | None = None,
    all_corporations: bool = False,
) -> BuildResult:
    """Map every input into one graph. Unusable files are reported and skipped; the others
    still build. ``paths`` defaults to the bundled example seeds. With ``cache_dir``, files
    whose bytes (and the code) did not change since the last build are not mapped again;
    ``workers`` > 1 maps the other files in that many processes. 法人番号 register files
    (told by content) are streamed after the others (:func:`map_register`); by default only
    the corporations the other files name are kept, every one with ``all_corporations``."""
    start = time.perf_counter()
    unreadable: list[InputError] = []
    files, register_files = _split_register(expand(paths or [EXAMPLES_DIR], unreadable))
    results: dict[Path, FileResult] = {}
    todo: list[tuple[Path, Path | None]] = []
    for path in files:
        cache_file = None
        if cache_dir is not None and path.is_file():
            cache_file = _cache_file(cache_dir, path, base_iri)
            cached = _load_cached(cache_file, path) if cache_file.exists() else None
            if cached is not None:
                results[path] = cached
                if progress:
                    progress(path)
                continue
        todo.append((path, cache_file))
    if workers > 1 and len(todo) > 1:
        cache_of = dict(todo)
        for path, result in _in_processes([path for path, _ in todo], workers, map_file, lambda path: (path, base_iri),
                                          progress, steps):
            results[path] = result
            if cache_of[path] is not None:
                _store_cached(cache_of[path], result)
    else:
        for path, cache_file in todo:
            if progress:
                progress(path)
            results[path] = map_file(path, base_iri)
            if cache_file is not None:
                _store_cached(cache_file, results[path])
    ordered = [results[p] for p in files]
    parts = [r.emitted for r in ordered]
    register, register_diagnostics = _register_stage(register_files, parts, IRIs(base_iri), all_corporations,
                                                     steps, progress)
    mapped = time.perf_counter()
    mapped_triples = sum(p.triples for p in parts)
    if steps and mapped_triples > 500_000:  # a step of more than a couple of seconds
        steps(f"merging {len(files)} files ({mapped_triples:,} triples) …")
    out = BuildResult(graphs=merge(parts, IRIs(base_iri)), files=ordered, register=register)
    out.timings = {"map": mapped - start, "merge": time.perf_counter() - mapped}
    _gather(out, ordered, parts, register, register_diagnostics, register_files, unreadable)
    for r in ordered:
        r.emitted.graphs = {}  # merged into out.graphs (and cached): one copy of a year's lines, not two
    return out


def _gather(out: BuildResult, ordered: list[FileResult], parts: list[Emitted], register: RegisterSummary | None,
            register_diagnostics: list[Diagnostic], register_files: list[Path], unreadable: list[InputError]) -> None:
    """The files' and the register's counts and diagnostics into the build's result, the
    folders that could not be read as errors, and the laws no input gives an ID for into
    its notes."""
    for problem in unreadable:
        out.failed.append(problem.path)
        out.diagnostics.append(Diagnostic(problem.path, None, "error", problem.message))
    if register is not None:
        out.documents += register.files
        out.rows += register.kept
        out.diagnostics.extend(register_diagnostics)
        for path in register_files:
            out.layouts[str(path)] = nta.NAME
    for name, count in sorted(unresolved_law_names(parts).items()):
        out.notes.append(Diagnostic(
            "", None, "info",
            f"{LAW_NOTE}{name!r} ({count} file{'s' if count > 1 else ''}); "
            "no e-Gov link"))
    for r in ordered:
        out.documents += r.documents
        out.rows += r.rows
        out.failed.extend(r.failed)
        out.diagnostics.extend(d for d in r.diagnostics if d.severity != "info")
        out.notes.extend(d for d in r.diagnostics if d.severity == "info")
        out.layouts.update(r.layouts)
        for path, line, what in r.emitted.unknown_codes:
            out.diagnostics.append(Diagnostic(path, line, "warning", f"{what} is not in ontology/code-lists.ttl"))


def write(result: BuildResult, fmt: str, out: BinaryIO) -> None:
    """Write the built graph to ``out``; N-Triples and N-Quads are streamed sorted (a national
    year is a gigabyte), the other formats go through :func:`serialize`."""
    if fmt == "nt":
        nt.write_sorted(result.lines, out)
    elif fmt == "nquads":
        nt.write_sorted(quad_lines(result.graphs), out)
    else:
        out.write(serialize(result, fmt))


def serialize(result: BuildResult, fmt: str) -> bytes:
    """Bytes of the built graph; N-Triples and N-Quads are sorted so that the same input
    gives the same bytes. N-Quads and TriG keep one named graph per source document."""
    if fmt == "nt":
        return result.ntriples()
    if fmt == "nquads":
        return sorted_nquads(result.graphs)
    if fmt == "trig":
        ds = Dataset()
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns)
        data = sorted_nquads(result.graphs).decode("utf-8")
        ds.parse(data=data, format="nquads")
        return ds.serialize(format="trig", encoding="utf-8")
    return result.graph.serialize(format=FORMATS[fmt][0], encoding="utf-8")


# ----------------------------------------------------------------------------- streamed into a store

#: the classes a build's summary counts
SUMMARY_CLASSES = (KG.Project, KG.SheetPlaceholder, KG.Corporation, KG.Expenditure)


def map_file_to_part(path: Path, base_iri: str | None, part: Path) -> FileResult:
    """:func:`map_file`, its lines written to ``part`` (a graph's lines after a ``#G <name>``
    line; ``#G`` alone: the default graph) instead of returned: what crosses back to the
    building process is what spans files, not the lines."""
    result = map_file(path, base_iri)
    with part.open("w", encoding="utf-8") as f:
        for name, lines in result.emitted.graphs.items():
            f.write(f"#G <{name}>\n" if name is not None else "#G\n")
            f.writelines(line + "\n" for line in lines)
    result.emitted.graphs = {}
    return result


def read_part(part: Path) -> Iterator[tuple[str | None, list[str]]]:
    """The graphs :func:`map_file_to_part` wrote, one at a time."""
    name, lines = None, None
    with part.open(encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("#G"):
                if lines is not None:
                    yield name, lines
                name, lines = (line[4:-1] if len(line) > 2 else None), []
            else:
                lines.append(line)
    if lines is not None:
        yield name, lines


def _in_processes(files: list[Path], workers: int, fn: Callable, args: Callable[[Path], tuple],
                  progress: Callable[[Path], None] | None, steps: Callable[[str], None] | None):
    """(path, ``fn(*args(path))``) for each file, mapped in ``workers`` processes, the largest
    files first (the longest job must not start last), each told to ``progress`` as it is
    done: a bar that moves while the work is done, not in a burst at the end."""
    if steps:
        steps(f"mapping {len(files):,} files in {workers} processes …")
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_signals)
    try:
        by_size = sorted(files, key=lambda p: -p.stat().st_size if p.is_file() else 0)
        futures = {pool.submit(fn, *args(path)): path for path in by_size}
        for future in as_completed(futures):
            result = future.result()
            if progress:
                progress(futures[future])
            yield futures[future], result
    except BaseException:  # Ctrl-C, SIGTERM, an error: the workers are stopped, not waited for
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _worker_signals() -> None:
    """In a mapping process: Ctrl-C (sent to the whole terminal's process group) and SIGTERM
    are the parent's to handle; it stops the workers itself."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def build_into_store(paths: list[Path] | None, folder: Path, store: Callable, base_iri: str | None = None,
                     progress: Callable[[Path], None] | None = None, workers: int = 1,
                     steps: Callable[[str], None] | None = None, all_corporations: bool = False):
    """A build written straight into an Oxigraph store folder, never holding its lines: each
    file is mapped (in ``workers`` processes) into a part file on disk; the parts then stream
    through the merge's rewriting (:class:`~kg.emit.merge.MergePlan`) into the N-Quads that
    Oxigraph loads, and what spans files is settled from what each file handed back (its
    corporations, law names, aliases) and from a :class:`~kg.emit.merge.LineScan` of the
    lines as they pass. ``store(write)`` makes the store: it calls ``write(writer)`` with a
    writer taking (graph, lines) and returns what it wrote (``kg.api`` passes
    :func:`~kg.store_folder.write_store_streamed`, so that this module knows no store). The
    store equals the one :func:`build` then :func:`~kg.store_folder.write_store` give
    (tested). Returns (BuildResult without lines, what ``store`` returned, or None when
    nothing was built: the old store is then left as it was)."""
    import tempfile

    start = time.perf_counter()
    chosen = paths or [EXAMPLES_DIR]
    unreadable: list[InputError] = []
    files, register_files = _split_register(expand(chosen, unreadable))
    iris = IRIs(base_iri)
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kg-parts-", dir=folder.parent) as tmp:
        part_of = {path: Path(tmp) / f"{i}.part" for i, path in enumerate(files)}
        results: dict[Path, FileResult] = {}
        if workers > 1 and len(files) > 1:
            results.update(_in_processes(files, workers, map_file_to_part,
                                         lambda path: (path, base_iri, part_of[path]), progress, steps))
        else:
            for path in files:
                if progress:
                    progress(path)
                results[path] = map_file_to_part(path, base_iri, part_of[path])
        ordered = [results[p] for p in files]
        parts = [r.emitted for r in ordered]
        register, register_diagnostics = _register_stage(register_files, parts, iris, all_corporations, steps, progress)
        mapped = time.perf_counter()
        if not sum(r.documents for r in ordered) and not register_files:
            written = None  # a build of nothing leaves the old store as it was
        else:
            written = _stream_into_store(files, part_of, ordered, parts, store, iris, steps)
    out = BuildResult(graphs={}, files=ordered, register=register,
                      streamed_triples=written.triples if written else 0,
                      streamed_counts=written.counts if written else {})
    out.timings = {"map": mapped - start, "merge and load": time.perf_counter() - mapped}
    _gather(out, ordered, parts, register, register_diagnostics, register_files, unreadable)
    return out, written


def _stream_into_store(files, part_of, ordered, parts, store, iris, steps):
    """The second half of :func:`build_into_store`: the parts through the merge into the store."""
    from .emit.merge import LineScan, plan, shared_lines

    merge_plan = plan(parts)
    scan = LineScan()
    typed = {str(c): f" <{RDF.type}> <{c}> ." for c in SUMMARY_CLASSES}
    subjects: dict[str, set[str]] = {c: set() for c in typed}
    shared = str(iris.shared_graph())

    def write(writer) -> None:
        def put(name: str | None, lines, made: bool = False) -> None:
            lines = merge_plan.rewrite(lines, made)
            scan.update(lines)
            for cls, suffix in typed.items():
                subjects[cls].update(line[: line.index(" ")] for line in lines if line.endswith(suffix))
            writer.write(name if name is not None else shared, lines)

        if steps:
            steps(f"merging {len(files):,} files into the files the store is loaded from …")
        share = share_of(steps)
        for i, path in enumerate(files, 1):
            for name, lines in read_part(part_of[path]):
                put(name, lines)
            share(i, len(files), "files")
        for part in parts[len(ordered):]:  # the register's, made here
            for name, lines in part.graphs.items():
                put(name, lines)
        put(None, shared_lines(parts, merge_plan, iris), made=True)
        derived = scan.lines()
        placeholder = typed[str(KG.SheetPlaceholder)]
        subjects[str(KG.SheetPlaceholder)].update(line[: line.index(" ")] for line in derived if line.endswith(placeholder))
        writer.write(shared, derived)
        scan.release()

    written = store(write)
    written.counts = {c: len(v) for c, v in subjects.items()}
    return written
