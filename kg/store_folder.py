"""A graph that lives on disk: an Oxigraph store folder written by ``kg build --store DIR``.

Layout of the store:

* the **default graph** holds every triple of the build (what queries read: a store
  asked to take the union of its named graphs answers the canned queries 10-100x slower);
* one **named graph per source document** (named by the document's IRI, as in N-Quads
  output) holds what that document says, and ``<…/id/graph/shared>`` what the build
  settles across documents (merged corporations, code lists, ``kg:sameProjectAs``,
  document descriptions), so that the default graph is exactly their union;
* ``<…/id/graph/build>`` describes the build as data (PROV, VoID): when, by which
  version under which ontology, from which inputs (name, SHA-256, size), how many
  triples, and a fingerprint of each named graph's content (:func:`fingerprint`), which
  :func:`info` reads back and an incremental rebuild compares, with the fingerprint of
  what the graph says about each of its subjects (``kg:subjectFingerprints``,
  :func:`subject_prints`), from which ``kg push`` learns which subjects of a changed
  document changed.

The store is bulk-loaded by Oxigraph from files written beside it first (so that the
build's lines are freed before Oxigraph's loader takes its memory; :class:`QuadWriter`):
the default graph's N-Triples, a large document's graph as N-Triples loaded into that graph,
the small ones as N-Quads, each file at most ``LOAD_PART_BYTES``. It is written beside the
target folder and swapped in: a failed build leaves the old store whole. An incremental
rebuild (``--cache``) starts from a checkpoint of the old store (hard links, no copy),
replaces only the named graphs whose content changed, and updates the default graph by
the difference, so that the result equals a clean build.
"""

from __future__ import annotations

import gc
from decimal import Decimal
import hashlib
import io
import shutil
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .version import __version__
from .assets import ontology_version
from .diagnostics import share_of
from .files import replacing_folder
from .iris import KG, IRIs
from .errors import PathError
from .store import count_default_triples, is_store_folder
from .queries import internal, select

#: the largest file handed to Oxigraph's bulk loader in one call (its memory grows with it)
LOAD_PART_BYTES = 1024 * 2**20
#: a hand-over of a graph's lines this long is loaded as N-Triples into that graph, not as N-Quads
BIG_GRAPH_LINES = 100_000

PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"


class _LineStream(io.RawIOBase):
    """N-Triples/N-Quads lines from an iterator, read as a binary file (so that Oxigraph's
    bulk loader streams them: a year is gigabytes)."""

    def __init__(self, lines: Iterator[str]):
        self._lines, self._buffer = lines, b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while len(self._buffer) < len(target):
            batch = []
            for line in self._lines:
                batch.append(line)
                if len(batch) >= 10_000:
                    break
            if not batch:
                break
            self._buffer += ("\n".join(batch) + "\n").encode("utf-8")
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def graph_names(graphs: dict[str | None, set[str]], iris: IRIs) -> dict[str | None, str]:
    """The store's name of each graph of a build (the default graph's lines go to the shared graph)."""
    return {name: (name if name is not None else str(iris.shared_graph())) for name in graphs}


def line_hash(line: str) -> int:
    return int.from_bytes(hashlib.blake2b(line.encode("utf-8"), digest_size=16).digest(), "big")


def fingerprint(lines: Iterable[str]) -> str:
    """A graph's content as one number: the sum of the BLAKE2b-128 of its N-Triples lines
    (mod 2^128), so that it needs no sorting and can be taken while the lines stream by."""
    return f"{sum(map(line_hash, lines)) % (1 << 128):032x}"


#: a subject's fingerprint is the sum of its lines' hashes mod 2^64 (16 hexadecimal digits)
SUBJECT_MASK = (1 << 64) - 1


def graph_prints(lines: Iterable[str]) -> tuple[str, str]:
    """A graph's :func:`fingerprint` and its :func:`subject_prints`, in one pass over its lines
    (what :class:`QuadWriter` takes on the way, for a graph held in memory)."""
    acc, sums = 0, {}
    for line in lines:
        h = line_hash(line)
        acc += h
        s = line[:line.index(" ")]
        sums[s] = (sums.get(s, 0) + h) & SUBJECT_MASK
    return f"{acc % (1 << 128):032x}", subject_prints(sums)


def subject_prints(sums: dict[str, int]) -> str:
    """The ``kg:subjectFingerprints`` of a graph: a line ``FINGERPRINT TERM`` for each subject
    (the sum of its lines' hashes mod 2^64, 16 hexadecimal digits; the subject as N-Triples
    writes it), sorted by the subject."""
    return "".join(f"{v:016x} {s}\n" for s, v in sorted(sums.items()))


def _quads(graphs: dict[str | None, set[str]], names: dict[str | None, str], only: set[str | None] | None = None):
    for key, lines in graphs.items():
        if only is not None and key not in only:
            continue
        suffix = f" <{names[key]}> ."
        for line in lines:
            yield line[:-2] + suffix


def check_target(folder: Path) -> None:
    """Refuse a ``--store`` target that is neither new, an empty folder, nor a store folder
    a build wrote (:class:`~kg.errors.PathError`): a store is written beside its target and
    swapped in, so ``--store ~/Documents`` would otherwise remove that folder."""
    folder = Path(folder)
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return
    if is_store_folder(folder):
        try:
            store = ox.Store.read_only(str(folder))
        except OSError as exc:
            raise PathError(folder, f"an Oxigraph store folder that cannot be opened ({exc}); nothing is replaced") from exc
        if next(iter(store.quads_for_pattern(None, ox.NamedNode(str(KG.softwareVersion)), None, None)), None):
            return
        raise PathError(folder, "an Oxigraph store folder that 'kg build --store' did not write; nothing is "
                                 "replaced: choose a new or empty folder")
    what = "a folder that is not an Oxigraph store" if folder.is_dir() else "a file"
    raise PathError(folder, f"exists and is {what}; nothing is replaced: choose a new or empty folder for --store")


@dataclass
class Written:
    folder: Path
    triples: int  # in the default graph
    graphs: int  # named graphs of documents and the shared one
    replaced: int  # named graphs written (all of them unless incremental)
    #: instances of the classes a build's summary counts (a streamed build, as they went by)
    counts: dict[str, int] | None = None


def write_store(graphs: dict[str | None, set[str]], folder: Path, inputs: list[Path], base_iri: str | None = None,
                incremental: bool = False, progress: Callable[[str], None] | None = None,
                consume: bool = False) -> Written:
    """Write the graphs of a build as an Oxigraph store folder (see the module doc). With
    ``consume``, each graph's lines are freed once loaded (``graphs`` is emptied): the
    build's memory goes while Oxigraph's loader takes its own."""
    say = progress or (lambda message: None)
    iris = IRIs(base_iri)
    names = graph_names(graphs, iris)
    sizes = {names[k]: len(v) for k, v in graphs.items()}
    folder = Path(folder)
    check_target(folder)
    old_prints = read_fingerprints(folder) if incremental and is_store_folder(folder) else None
    with replacing_folder(folder) as work, _closed_on_the_way_out() as opened:
        work.rmdir()  # Oxigraph makes the folder (and a checkpoint needs it absent)
        if old_prints is None:
            say(f"writing {sum(sizes.values()):,} triples for the default graph and {len(graphs):,} named graphs …")

            def write(writer: QuadWriter) -> None:
                for key in sorted(graphs, key=lambda k: (-len(graphs[k]), str(k))):
                    writer.write(names[key], graphs[key])
                    if consume:  # each graph's lines are freed once written
                        graphs[key] = set()
                if consume:
                    graphs.clear()
                    gc.collect()

            opened.store, writer = _written_and_loaded(work, write, say)
            prints, subjects = writer.prints, writer.subject_prints
            replaced = len(sizes)
        else:
            both = {names[k]: graph_prints(v) for k, v in graphs.items()}
            prints = {g: sha for g, (sha, _) in both.items()}
            subjects = {g: text for g, (_, text) in both.items()}
            old = ox.Store.read_only(str(folder))
            old.backup(str(work))  # a checkpoint: hard links, not a copy
            del old
            opened.store = ox.Store(str(work))
            replaced = _update(opened.store, graphs, names, prints, old_prints, say)
        triples = _finish(opened.store, iris, inputs, prints, sizes, say, subjects)
    return Written(folder, triples, len(sizes), replaced)


@dataclass(frozen=True)
class LoadFile:
    """A file for Oxigraph's bulk loader: N-Triples into the default graph or into one named
    graph (``graph``), or N-Quads of several named graphs."""

    path: Path
    quads: bool = False
    graph: str | None = None


class QuadWriter:
    """Writes the files a new store is bulk-loaded from, as a build hands over its lines
    (graph by graph, file by file), taking each named graph's fingerprint and size on the way.

    Every line goes to the default graph's N-Triples, and to its named graph: the lines of
    a large hand-over (``BIG_GRAPH_LINES`` or more) as N-Triples of their own, loaded into
    that graph (``to_graph``), the others as N-Quads. Each kind of file is cut at
    ``LOAD_PART_BYTES``. Oxigraph reads each file itself (no copy in Python): measured on the
    synthetic year, the build loads in 50 s and peaks at 2.07 GiB, where one N-Quads file
    loaded whole took 49 s and peaked at 2.87 GiB, and in parts of 256 MiB handed over as
    bytes 68 s and 2.23 GiB (benchmarks/README.md "On disk")."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._sums: dict[str, int] = {}
        self._subjects: dict[str, dict[str, int]] = {}  # graph → subject → the sum of its lines' hashes
        self.sizes: dict[str, int] = {}
        self.files: list[LoadFile] = []
        self._open: dict[str, tuple[LoadFile, BinaryIO]] = {}  # "default", "quads": the file being filled

    def _file(self, kind: str, graph: str | None = None) -> BinaryIO:
        if kind in self._open and self._open[kind][1].tell() < LOAD_PART_BYTES:
            return self._open[kind][1]
        self._close(kind)
        suffix = ".nq" if kind == "quads" else ".nt"
        f = LoadFile(self.folder / f"{len(self.files)}-{kind}{suffix}", quads=kind == "quads", graph=graph)
        self.files.append(f)
        handle = f.path.open("wb")
        if kind in ("default", "quads"):
            self._open[kind] = (f, handle)
        return handle

    def _close(self, kind: str) -> None:
        if kind in self._open:
            self._open.pop(kind)[1].close()

    def write(self, graph: str, lines: Iterable[str]) -> None:
        own = hasattr(lines, "__len__") and len(lines) >= BIG_GRAPH_LINES
        named = self._file("graph", graph) if own else None
        suffix = f" <{graph}> ."
        acc = n = 0
        batch: list[str] = []
        quads: list[str] = []
        subjects = self._subjects.setdefault(graph, {})

        def flush() -> None:
            if batch:
                data = ("\n".join(batch) + "\n").encode("utf-8")
                self._file("default").write(data)
                if named is not None:
                    named.write(data)
                batch.clear()
            if quads:
                self._file("quads").write(("\n".join(quads) + "\n").encode("utf-8"))
                quads.clear()

        try:
            for line in lines:
                h = line_hash(line)
                acc += h
                s = line[:line.index(" ")]
                subjects[s] = (subjects.get(s, 0) + h) & SUBJECT_MASK
                n += 1
                batch.append(line)
                if named is None:
                    quads.append(line[:-2] + suffix)
                if len(batch) >= 20_000:
                    flush()
            flush()
        finally:
            if named is not None:
                named.close()
        self._sums[graph] = (self._sums.get(graph, 0) + acc) % (1 << 128)
        self.sizes[graph] = self.sizes.get(graph, 0) + n

    def close(self) -> None:
        for kind in list(self._open):
            self._close(kind)

    @property
    def prints(self) -> dict[str, str]:
        return {g: f"{v:032x}" for g, v in self._sums.items()}

    @property
    def subject_prints(self) -> dict[str, str]:
        """Each graph's :func:`subject_prints`."""
        return {g: subject_prints(v) for g, v in self._subjects.items()}


def _load(work: Path, files: list[LoadFile], say: Callable[[str], None]) -> ox.Store:
    """A new store in ``work`` bulk-loaded from the files of a :class:`QuadWriter`."""
    sizes = [f.path.stat().st_size for f in files]
    total = sum(sizes)
    say(f"loading {total / 2**20:,.0f} MiB of N-Triples and N-Quads ({len(files):,} files) into the store …")
    share = share_of(say)
    store = ox.Store(str(work))
    done = 0
    for f, size in zip(files, sizes, strict=False):
        if f.quads:
            store.bulk_load(path=str(f.path), format=ox.RdfFormat.N_QUADS, lenient=True)
        else:
            store.bulk_load(path=str(f.path), format=ox.RdfFormat.N_TRIPLES, lenient=True,
                            to_graph=ox.NamedNode(f.graph) if f.graph else ox.DefaultGraph())
        f.path.unlink()  # the disk it took is free for the store
        done += size
        share(done // 2**20, total // 2**20, "MiB")
    return store


def _written_and_loaded(work: Path, write: Callable[[QuadWriter], None], say: Callable[[str], None]):
    """The store in ``work`` from what ``write`` hands a :class:`QuadWriter` (its files are
    written in a folder beside the store and removed, whatever happens)."""
    files = work.with_name(work.name + ".load")
    files.mkdir()
    try:
        writer = QuadWriter(files)
        try:
            write(writer)
        finally:
            writer.close()
        return _load(work, writer.files, say), writer
    finally:
        shutil.rmtree(files, ignore_errors=True)


def write_store_streamed(folder: Path, write: Callable[[QuadWriter], None], inputs: list[Path],
                         base_iri: str | None = None, progress: Callable[[str], None] | None = None) -> Written:
    """A clean store folder from lines that ``write`` hands to a :class:`QuadWriter` (see
    :func:`kg.pipeline.build_into_store`: no build's lines are ever held in memory)."""
    say = progress or (lambda message: None)
    iris = IRIs(base_iri)
    folder = Path(folder)
    check_target(folder)
    with replacing_folder(folder) as work, _closed_on_the_way_out() as opened:
        work.rmdir()  # Oxigraph makes the folder
        opened.store, writer = _written_and_loaded(work, write, say)
        triples = _finish(opened.store, iris, inputs, writer.prints, writer.sizes, say, writer.subject_prints)
    return Written(folder, triples, len(writer.sizes), len(writer.sizes))


def _finish(store: ox.Store, iris: IRIs, inputs: list[Path], prints: dict[str, str], sizes: dict[str, int],
            say: Callable[[str], None], subjects: dict[str, str]) -> int:
    """Describe the build in the store, optimize it; the default graph's triples."""
    triples = count_default_triples(store)
    _describe(store, iris, inputs, prints, sizes, triples, subjects)
    _write_indexes(store, iris, say)
    say("optimizing the store …")
    store.optimize()
    store.flush()
    return triples


#: a class with more instances than this gets its index order written (kg:indexPosition);
#: a smaller one is sorted when its index is asked for (a few milliseconds)
INDEXED_FROM = 500


def _write_indexes(store: ox.Store, iris: IRIs, say: Callable[[str], None]) -> None:
    """The class indexes, done once here instead of on every request (``/class/kg-Expenditure/``
    sorted 700,000 rows per page on ten years and met the 30 s limit): the instance count of
    every class in ``<…/graph/index>``, and for each class with more than
    :data:`INDEXED_FROM` instances the position of each in the index order in
    ``<…/graph/index/{class}>``. Replaced whole by every build, incremental ones too."""
    from .queries import internal, select
    from .web.site import class_slug

    for g in [g for g in store.named_graphs() if g.value.startswith(str(iris.index_graph()))]:
        store.remove_graph(g)
    counts = [(r["c"], int(r["n"].value)) for r in select(store, internal("page-classes")) if isinstance(r["c"], ox.NamedNode)]
    big = [c for c, n in counts if n > INDEXED_FROM]
    positions = sum(n for c, n in counts if n > INDEXED_FROM)
    if positions > 100_000:  # a step of more than a moment
        say(f"writing the class indexes ({len(counts):,} classes; {positions:,} positions in the {len(big):,} "
            "largest) …")
    integer = ox.NamedNode(XSD + "integer")
    count, position = ox.NamedNode(str(KG.instanceCount)), ox.NamedNode(str(KG.indexPosition))
    counts_graph = ox.NamedNode(str(iris.index_graph()))
    store.extend([ox.Quad(c, count, ox.Literal(str(n), datatype=integer), counts_graph) for c, n in counts])
    for cls, members in index_orders(store, big).items():
        graph = ox.NamedNode(str(iris.index_graph(class_slug(cls.value))))
        store.bulk_extend(ox.Quad(ox.NamedNode(m), position, ox.Literal(str(i), datatype=integer), graph)
                          for i, m in enumerate(members, 1))
    graph, key = ox.NamedNode(str(iris.index_graph("search"))), ox.NamedNode(str(KG.searchKey))
    store.bulk_extend(ox.Quad(ox.NamedNode(s), key, ox.Literal(k), graph) for s, k in sorted(search_keys(store)))


def search_keys(store: ox.Store) -> set[tuple[str, str]]:
    """(node, key) for every name of every node search finds: each name as
    :func:`kg.web.search.key_of` compares it."""
    from .web.search import KINDS, NAME_PREDICATES, key_of

    default = ox.DefaultGraph()
    found = {q.subject.value for kind in KINDS for q in store.quads_for_pattern(None, _RDF_TYPE, ox.NamedNode(kind), default)}
    keys = set()
    for predicate in NAME_PREDICATES:
        for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, default):
            if q.subject.value in found and isinstance(q.object, ox.Literal):
                key = key_of(q.object.value)
                if key:
                    keys.add((q.subject.value, key))
    return keys


_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_NAMES = [ox.NamedNode(p) for p in ("http://www.w3.org/2004/02/skos/core#prefLabel",
                                    "http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/identifier")]


def index_orders(store: ox.Store, classes: list[ox.NamedNode]) -> dict[ox.NamedNode, list[str]]:
    """The instances of each class in index order, the order of
    ``queries/internal/page-class-members.rq`` (largest ``kg:receivedTotal`` or
    ``kg:expenditureTotal`` first, none counting 0; then the name: the least skos:prefLabel,
    else rdfs:label, else dcterms:identifier, else the IRI; then the IRI), made by one pass
    over each predicate instead of that query's grouping (minutes on ten years for 2.4 M
    instances; tests/test_class_index.py checks that the pages are the same)."""
    default = ox.DefaultGraph()
    members = {cls: [q.subject.value for q in store.quads_for_pattern(None, _RDF_TYPE, cls, default)
                     if isinstance(q.subject, ox.NamedNode)] for cls in classes}
    wanted = {m for ms in members.values() for m in ms}
    names: dict[str, tuple[int, str]] = {}
    for rank, predicate in enumerate(_NAMES):
        for q in store.quads_for_pattern(None, predicate, None, default):
            s = q.subject.value
            if s in wanted and isinstance(q.object, ox.Literal):
                known = names.get(s)
                if known is None or (rank, q.object.value) < known:
                    names[s] = (rank, q.object.value)
    amounts: dict[str, Decimal] = {}
    for predicate in (KG.receivedTotal, KG.expenditureTotal):
        for q in store.quads_for_pattern(None, ox.NamedNode(str(predicate)), None, default):
            s = q.subject.value
            if s in wanted:
                value = Decimal(q.object.value)
                amounts[s] = max(value, amounts.get(s, value))
    zero = Decimal(0)

    def key(m: str):
        return (-amounts.get(m, zero), names[m][1] if m in names else m, m)

    return {cls: sorted(ms, key=key) for cls, ms in members.items()}


class _Opened:
    store: ox.Store | None = None


@contextmanager
def _closed_on_the_way_out() -> Iterator[_Opened]:
    """The store being written, closed when the block ends, before its folder is swapped in
    or (after an error) removed: pyoxigraph closes a store when the last reference goes, and
    a traceback keeps the frames that refer to it, whose RocksDB could write into the folder
    while it is being removed."""
    opened = _Opened()
    try:
        yield opened
    except BaseException as exc:
        traceback.clear_frames(exc.__traceback__)
        raise
    finally:
        opened.store = None
        gc.collect()


def _update(store: ox.Store, graphs, names, prints: dict[str, str], old_prints: dict[str, str],
            say: Callable[[str], None]) -> int:
    """Replace the named graphs whose content changed, drop those gone, and move the default
    graph by the difference. Returns how many named graphs were written."""
    changed = {k for k in graphs if old_prints.get(names[k]) != prints[names[k]]}
    gone = [ox.NamedNode(g) for g in old_prints if g not in prints]
    touched = [ox.NamedNode(names[k]) for k in changed if names[k] in old_prints] + gone
    say(f"replacing {len(changed):,} of {len(graphs):,} named graphs ({len(gone)} gone) …")
    candidates = set()  # triples that may leave the default graph: those of the graphs replaced
    for g in touched:
        for q in store.quads_for_pattern(None, None, None, g):
            candidates.add(ox.Triple(q.subject, q.predicate, q.object))
        store.remove_graph(g)
    if changed:
        store.bulk_load(_LineStream(_quads(graphs, names, changed)), format=ox.RdfFormat.N_QUADS, lenient=True)
        lines = (line for k in changed for line in graphs[k])
        store.bulk_load(_LineStream(lines), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    default = ox.DefaultGraph()
    for t in candidates:
        if not any(q.graph_name != default for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None)):
            store.remove(ox.Quad(t.subject, t.predicate, t.object, default))
    return len(changed)


def _describe(store: ox.Store, iris: IRIs, inputs: list[Path], prints: dict[str, str], sizes: dict[str, int],
              triples: int, subjects: dict[str, str]) -> None:
    """The build as data, in its own named graph (replaced whole)."""
    g = ox.NamedNode(str(iris.build_graph()))
    if store.contains_named_graph(g):
        store.remove_graph(g)
    build, dataset = ox.NamedNode(str(iris.build_graph()) + "/activity"), ox.NamedNode(str(iris.dataset()))

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def lit(value, datatype: str | None = None) -> ox.Literal:
        return ox.Literal(str(value), datatype=n(XSD + datatype) if datatype else None)

    quads = [
        (dataset, n(VOID + "triples"), lit(triples, "integer")),
        (dataset, n(PROV + "wasGeneratedBy"), build),
        (build, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(PROV + "Activity")),
        (build, n(PROV + "endedAtTime"), lit(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "dateTime")),
        (build, n(str(KG.softwareVersion)), lit(__version__)),
        (build, n(str(KG.ontologyVersion)), lit(ontology_version())),
    ]
    for i, path in enumerate(inputs, 1):
        node = n(f"{build.value}/input/{i}")
        quads += [(build, n(PROV + "used"), node), (node, n(DCT + "title"), lit(str(path))),
                  (node, n(str(KG.sha256)), lit(_sha256(path))),
                  (node, n(str(KG.byteSize)), lit(path.stat().st_size, "integer"))]
    for name, sha in prints.items():
        quads += [(n(name), n(str(KG.contentFingerprint)), lit(sha)), (n(name), n(VOID + "triples"), lit(sizes[name], "integer")),
                  (n(name), n(str(KG.subjectFingerprints)), lit(subjects[name]))]
    store.extend([ox.Quad(s, p, o, g) for s, p, o in quads])


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_fingerprints(folder: Path) -> dict[str, str]:
    """Named graph IRI → the fingerprint of its content, as the store's build description records them."""
    return _fingerprints(ox.Store.read_only(str(folder)))


def _fingerprints(store: ox.Store) -> dict[str, str]:
    return {r["g"].value: r["sha"].value for r in select(store, internal("store-graphs"))}


def info(folder: Path) -> dict:
    """What a store folder holds, as its build recorded it: date, versions, inputs, counts."""
    store = ox.Store.read_only(str(folder))
    head = next(({k: v.value for k, v in r.items()} for r in select(store, internal("store-build"))), {})
    inputs = [{k: v.value for k, v in r.items()} for r in select(store, internal("store-inputs"))]
    counts = next(({k: int(v.value) for k, v in r.items()} for r in select(store, internal("store-counts"))), {})
    # the sheets the inputs describe; placeholders (sheets they name but do not hold) apart
    counts = {"sheets": counts.get("projects", 0) - counts.get("placeholders", 0),
              "placeholders": counts.get("placeholders", 0), "corporations": counts.get("corporations", 0),
              "expenditures": counts.get("expenditures", 0)}
    return {"folder": str(folder), **head, "graphs": len(_fingerprints(store)), "quads": len(store), **counts,
            "inputs": inputs}
