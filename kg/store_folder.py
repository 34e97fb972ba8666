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
  :func:`info` reads back and an incremental rebuild compares.

The store is bulk-loaded by Oxigraph from N-Quads written to a file beside it first (so
that the build's lines are freed before Oxigraph's loader takes its memory), in parts of
``LOAD_PART_BYTES``; it is written beside the target folder and swapped in: a failed
build leaves the old store whole. An incremental rebuild (``--cache``) starts from a checkpoint of the old
store (hard links, no copy), replaces only the named graphs whose content changed, and
updates the default graph by the difference, so that the result equals a clean build.
"""

from __future__ import annotations

import gc
import hashlib
import io
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import nt
from .version import __version__
from .assets import ontology_version
from .diagnostics import share_of
from .files import replacing_folder
from .iris import KG, IRIs
from .read import InputError
from .store import count_default_triples, is_store_folder
from .queries import internal, select

#: bytes of N-Quads handed to Oxigraph's bulk loader at a time (measured on the synthetic
#: year: one call over 2.3 GiB peaked at 2.82 GB, parts of 256 MiB at 2.5 GB, 10 s slower)
LOAD_PART_BYTES = 256 * 2**20

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


def _quads(graphs: dict[str | None, set[str]], names: dict[str | None, str], only: set[str | None] | None = None):
    for key, lines in graphs.items():
        if only is not None and key not in only:
            continue
        suffix = f" <{names[key]}> ."
        for line in lines:
            yield line[:-2] + suffix


def check_target(folder: Path) -> None:
    """Refuse a ``--store`` target that is neither new, an empty folder, nor a store folder
    a build wrote (:class:`~kg.read.InputError`): a store is written beside its target and
    swapped in, so ``--store ~/Documents`` would otherwise remove that folder."""
    folder = Path(folder)
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return
    if is_store_folder(folder):
        try:
            store = ox.Store.read_only(str(folder))
        except OSError as exc:
            raise InputError(folder, f"an Oxigraph store folder that cannot be opened ({exc}); nothing is replaced") from exc
        if next(iter(store.quads_for_pattern(None, ox.NamedNode(str(KG.softwareVersion)), None, None)), None):
            return
        raise InputError(folder, "an Oxigraph store folder that 'kg build --store' did not write; nothing is "
                                 "replaced: choose a new or empty folder")
    what = "a folder that is not an Oxigraph store" if folder.is_dir() else "a file"
    raise InputError(folder, f"exists and is {what}; nothing is replaced: choose a new or empty folder for --store")


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
    with replacing_folder(folder) as work:
        work.rmdir()  # Oxigraph makes the folder (and a checkpoint needs it absent)
        if old_prints is None:
            prints: dict[str, str] = {}
            total = sum(sizes.values())
            # the quads go to a file beside the store first, so that the build's memory is freed
            # before Oxigraph's loader takes its own (streaming them halved neither)
            quads = work.with_name(work.name + ".nq")
            try:
                say(f"writing {total:,} triples for the default graph and {len(graphs):,} named graphs …")
                with quads.open("wb") as f:
                    for data in nt.chunks(_both(graphs, names, prints, consume)):
                        f.write(data)
                if consume:
                    graphs.clear()
                    gc.collect()
                store = _load(work, quads, say)
            finally:
                quads.unlink(missing_ok=True)
            replaced = len(sizes)
        else:
            prints = {names[k]: fingerprint(v) for k, v in graphs.items()}
            old = ox.Store.read_only(str(folder))
            old.backup(str(work))  # a checkpoint: hard links, not a copy
            del old
            store = ox.Store(str(work))
            replaced = _update(store, graphs, names, prints, old_prints, say)
        triples = count_default_triples(store)
        _describe(store, iris, inputs, prints, sizes, triples)
        say("optimizing the store …")
        store.optimize()
        store.flush()
        del store
    return Written(folder, triples, len(sizes), replaced)


def _load(work: Path, quads: Path, say: Callable[[str], None]) -> ox.Store:
    """A new store in ``work`` bulk-loaded from an N-Quads file, in parts of LOAD_PART_BYTES
    (Oxigraph's loader takes less memory for each)."""
    size = quads.stat().st_size
    say(f"loading {size / 2**20:,.0f} MiB of N-Quads into the store …")
    share = share_of(say)
    store = ox.Store(str(work))
    with quads.open("rb") as f:
        while part := f.readlines(LOAD_PART_BYTES):
            store.bulk_load(b"".join(part), format=ox.RdfFormat.N_QUADS, lenient=True)
            del part
            share(f.tell() // 2**20, size // 2**20, "MiB")
    return store


class QuadWriter:
    """Writes lines into the default graph and their document's named graph at once, as a
    streamed build hands them over (graph by graph, file by file), taking each named graph's
    fingerprint and size on the way."""

    def __init__(self, out) -> None:
        self.out = out
        self._sums: dict[str, int] = {}
        self.sizes: dict[str, int] = {}

    def write(self, graph: str, lines: Iterable[str]) -> None:
        suffix = f" <{graph}> ."
        acc = n = 0
        batch: list[str] = []
        for line in lines:
            acc += line_hash(line)
            n += 1
            batch.append(line)
            batch.append(line[:-2] + suffix)
            if len(batch) >= 20_000:
                self.out.write(("\n".join(batch) + "\n").encode("utf-8"))
                batch = []
        if batch:
            self.out.write(("\n".join(batch) + "\n").encode("utf-8"))
        self._sums[graph] = (self._sums.get(graph, 0) + acc) % (1 << 128)
        self.sizes[graph] = self.sizes.get(graph, 0) + n

    @property
    def prints(self) -> dict[str, str]:
        return {g: f"{v:032x}" for g, v in self._sums.items()}


def write_store_streamed(folder: Path, write: Callable[[QuadWriter], None], inputs: list[Path],
                         base_iri: str | None = None, progress: Callable[[str], None] | None = None) -> Written:
    """A clean store folder from lines that ``write`` hands to a :class:`QuadWriter` (see
    :func:`kg.pipeline.build_into_store`: no build's lines are ever held in memory)."""
    say = progress or (lambda message: None)
    iris = IRIs(base_iri)
    folder = Path(folder)
    check_target(folder)
    with replacing_folder(folder) as work:
        work.rmdir()  # Oxigraph makes the folder
        quads = work.with_name(work.name + ".nq")
        try:
            with quads.open("wb") as f:
                writer = QuadWriter(f)
                write(writer)
            store = _load(work, quads, say)
        finally:
            quads.unlink(missing_ok=True)
        triples = count_default_triples(store)
        _describe(store, iris, inputs, writer.prints, writer.sizes, triples)
        say("optimizing the store …")
        store.optimize()
        store.flush()
        del store
    return Written(folder, triples, len(writer.sizes), len(writer.sizes))


def _both(graphs: dict[str | None, set[str]], names: dict[str | None, str], prints: dict[str, str], consume: bool):
    """Every line twice: into the default graph (the store keeps a triple once) and into its
    document's named graph; each graph's fingerprint taken on the way, its lines freed after
    with ``consume``."""
    for key in sorted(graphs, key=lambda k: (-len(graphs[k]), str(k))):
        name = names[key]
        suffix = f" <{name}> ."
        acc = 0
        lines = graphs[key]
        if consume:  # each line is freed as soon as it is handed over
            while lines:
                line = lines.pop()
                acc += line_hash(line)
                yield line
                yield line[:-2] + suffix
            graphs[key] = set()
        else:
            for line in lines:
                acc += line_hash(line)
                yield line
                yield line[:-2] + suffix
        prints[name] = f"{acc % (1 << 128):032x}"


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
              triples: int) -> None:
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
        quads += [(n(name), n(str(KG.contentFingerprint)), lit(sha)), (n(name), n(VOID + "triples"), lit(sizes[name], "integer"))]
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
    return {"folder": str(folder), **head, "graphs": len(_fingerprints(store)), "quads": len(store), "inputs": inputs}
