"""``kg push`` of a store folder: a release, and then only what changed.

A store folder (``kg build --store``) holds the whole graph in its default graph and one named
graph per source document (and ``…/id/graph/shared`` for what the build settles across
documents), each with a fingerprint of its content. A server given a release mirrors that:

* the **target** (the default graph, or ``--graph IRI``) holds the whole graph, and is what
  readers query;
* one **part** per document, ``urn:jp-spending-kg:part:DOC:FINGERPRINT``, names the subjects
  the document spoke of when it was pushed, each with the fingerprint of what the document
  said about it (``?s kg:subjectFingerprint "…"``, as the build recorded it in the store:
  ``kg:subjectFingerprints``): the next push learns from it where to look;
* the **manifest** ``…/id/graph/release`` names each document's part, fingerprint and size.

The first push (a server without a manifest) streams the default graph into the target the
fast way, as the store writes it: Oxigraph's bulk loader (``no_transaction``) or parts of
32 MiB elsewhere; readers see the target fill as with the server's own loader. The parts,
about an eighth as many triples, follow. A later push reads the manifest and sends only the
documents whose fingerprint changed. For each, the new part is uploaded; the subjects whose
fingerprint differs between the old part and the new one (or that only one names) are the
subjects whose triples the document changed, and only for them is what the target holds
compared with what the build holds; the difference — triples the build no longer has out,
triples the target lacks in — is written in **one update per document**: a reader sees each
document's old content or its new one, never a part of it, a triple another document still
says is never taken out (the comparison is over the whole target, not the document), and a
transaction holds what changed, not the release. Documents no longer in the build are taken
out the same way; the manifest is written last and old parts dropped after it.

Each update also marks its document in the manifest's graph (``<doc> kg:pendingPart
<part>``), in the same transaction; the manifest written last replaces the marks. A push
cut half-way leaves the old manifest and its marks, and the next push compares every subject
of a marked document, whatever the fingerprints say (a swap the cut push made is then undone
or finished, even if the build went back to the old files).
"""


from __future__ import annotations

import hashlib
import io
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote, urlsplit

import pyoxigraph as ox

from .auth import Credentials, redact, session
from .errors import RemoteError
from .iris import KG, XSD, IRIs
from .queries import internal, select
from .store import default_triples
from .remote import PART_BYTES, TEMP_PREFIX, Retry, _graph_url, _request, _select, count_remote, parts, \
    query_endpoint_for, update_endpoint_for

VOID = "http://rdfs.org/ns/void#"
#: in a part: a subject the document speaks of, with the fingerprint of what it says about it
SUBJECT_PRINT = f"{KG}subjectFingerprint"
#: in the store's build description: a named graph's subjects with their fingerprints (one text)
SUBJECT_PRINTS = f"{KG}subjectFingerprints"
#: in the manifest's graph, until the manifest is written: a document whose swap began
PENDING_PART = f"{KG}pendingPart"

#: the names of the documents' parts on a server
PART_PREFIX = "urn:jp-spending-kg:part:"
#: the manifests of releases pushed into a named graph (the default graph's is …/id/graph/release)
RELEASE_PREFIX = "urn:jp-spending-kg:release:"


@dataclass
class Released:
    """What a push of a store folder did."""

    graphs: int  # documents' graphs in the build
    sent: list[str] = field(default_factory=list)  # sent (their content changed, or the server had no release)
    unchanged: int = 0
    dropped: list[str] = field(default_factory=list)  # documents no longer in the build
    triples: int = 0  # triples sent
    seconds: float = 0.0
    first: bool = False  # the whole graph loaded (the server held no release, or --full)
    compared: int = 0  # a later push: subjects whose triples on the server were compared with the build's


def local_graphs(store: ox.Store) -> dict[str, tuple[str, int]]:
    """The documents' graphs (and the shared one) with their fingerprint and size, as the build recorded them."""
    return {r["g"].value: (r["sha"].value, int(r["triples"].value)) for r in select(store, internal("store-graphs"))}


def remote_manifest(query_url: str, manifest: str, http) -> dict[str, tuple[str, str, int]]:
    """What the server holds per document (written by the last push that finished): graph IRI
    → (its part on the server, fingerprint, triples); empty when it holds no release."""
    text = (f"SELECT ?g ?part ?sha ?triples WHERE {{ GRAPH <{manifest}> {{ ?g <{KG}serverGraph> ?part ; "
            f"<{KG}contentFingerprint> ?sha ; <{VOID}triples> ?triples }} }}")
    rows = _select(query_url, text, http)["results"]["bindings"]
    return {r["g"]["value"]: (r["part"]["value"], r["sha"]["value"], int(r["triples"]["value"])) for r in rows}


def part_name(graph: str, sha: str, target: str | None = None) -> str:
    """The server's graph for a document's part: named by the target (two releases on one
    server keep parts of their own), the document and its fingerprint."""
    return f"{PART_PREFIX}{_tag(target)}:{graph.rstrip('/').rsplit('/', 1)[-1]}:{sha[:16]}"


def manifest_name(target: str | None, base_iri: str | None = None) -> str:
    """The manifest of the release in ``target``: ``…/id/graph/release`` for the default graph."""
    return str(IRIs(base_iri).release_graph()) if target is None else f"{RELEASE_PREFIX}{_tag(target)}"


def _tag(target: str | None) -> str:
    return "default" if target is None else hashlib.sha256(target.encode("utf-8")).hexdigest()[:12]


def push_release(store: ox.Store, store_url: str, update_url: str | None = None, *, graph: str | None = None,
                 base_iri: str | None = None, retry: Retry | None = None,
                 log: Callable[[str], None] = lambda m: print(m, file=sys.stderr), timeout: float = 600.0,
                 part_bytes: int = PART_BYTES, credentials: Credentials | None = None, query_url: str | None = None,
                 full: bool = False) -> Released:
    """Push the store folder ``store`` as a release into ``graph`` (None: the default graph),
    as the module's text says; ``full`` loads everything again as a first push does."""
    retry = retry or Retry()
    start = time.perf_counter()
    http = session(credentials, probe=store_url)
    update_url = update_url or update_endpoint_for(store_url)
    if update_url is None:
        raise RemoteError(f"{redact(store_url)}: a store folder is pushed document by document with SPARQL Update: give "
                          "the update endpoint (--update URL; implied beside an Oxigraph-style …/store)")
    query_url = query_url or query_endpoint_for(store_url) or update_url
    bulk = urlsplit(store_url).path.rstrip("/").endswith("/store")  # Oxigraph: its loader takes ?no_transaction
    manifest = manifest_name(graph, base_iri)
    mine = local_graphs(store)
    if not mine or next(store.quads_for_pattern(None, ox.NamedNode(SUBJECT_PRINTS), None, None), None) is None:
        raise RemoteError("the store folder records no graph fingerprints or no subjects' fingerprints (build it "
                          "again with this version of kg)")
    theirs = {} if full else remote_manifest(query_url, manifest, http)

    def in_target(triples: str) -> str:
        """``triples`` (a pattern or data) in the target graph, as an update writes them."""
        return f"{{ {triples} }}" if graph is None else f"{{ GRAPH <{graph}> {{ {triples} }} }}"

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    nt = {"Content-Type": "application/n-triples"}
    done = Released(graphs=len(mine))
    temps: list[str] = []

    def update(text: str) -> None:
        _request("POST", update_url, ("update=" + quote(text, safe="")).encode(), form, retry, log, timeout, http)

    def upload(name: str | None, data: bytes, atomic: bool = False, add: bool = False) -> None:
        """``data`` into the graph ``name`` (None: the default graph), replacing it (``add``:
        added to it): in one request when ``atomic``, through Oxigraph's loader where it is
        there, else in parts of ``part_bytes``."""
        url = _graph_url(store_url, name) + ("&no_transaction" if bulk and not atomic else "")
        chunks = [memoryview(data)] if bulk or atomic else (parts(data, part_bytes) or [memoryview(b"")])
        for i, chunk in enumerate(chunks):
            _request("PUT" if i == 0 and not add else "POST", url, bytes(chunk), nt, retry, log, timeout, http)

    def note(n: int, total: int, what: str, more: str = "") -> None:
        log(f"{what} {n:,} of {total:,} ({more}{done.triples:,} triples, {time.perf_counter() - start:,.0f} s)")

    marked: dict[str, list[str]] = {}
    try:
        if not theirs:
            done.first = True
            log(f"no release on the server: loading the whole graph and the subjects of each of {len(mine):,} "
                f"documents ({'the server’s bulk loader' if bulk else f'parts of {part_bytes / 2**20:g} MiB'})")
            if bulk:
                upload(graph, b"")
            else:
                update("CLEAR SILENT DEFAULT" if graph is None else f"DROP SILENT GRAPH <{graph}>")
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="kg-push") as pool:
                # the default graph streamed as the store writes it, two parts going up while the next is read
                chunks = _Chunks(max(part_bytes, 1), lambda data: pool.submit(upload, graph, data, False, True))
                try:
                    store.dump(chunks, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
                except Exception:
                    chunks.reraise()
                    raise
                chunks.finish()
                done.triples = default_triples(store)
                log(f"the whole graph read ({done.triples:,} triples, {time.perf_counter() - start:,.0f} s)")
                pending = []
                for g, (sha, _) in sorted(mine.items()):
                    pending.append(pool.submit(upload, part_name(g, sha, graph), _part_text(_local_prints(store, g))))
                    done.sent.append(g)
                    while len(pending) > 2:
                        pending.pop(0).result()
                for f in pending:
                    f.result()
            log(f"the whole graph loaded ({time.perf_counter() - start:,.0f} s)")
        else:
            marked = _pending(query_url, manifest, http, timeout)  # swaps a cut push may have begun
            changed = sorted(g for g in mine if theirs.get(g, (None, None))[1] != mine[g][0] or g in marked)
            gone = sorted(g for g in set(theirs) | set(marked) if g not in mine)
            done.unchanged = len(mine) - len(changed)
            log(f"{len(mine):,} documents' graphs: {len(changed):,} changed, {done.unchanged:,} unchanged"
                + (f", {len(gone):,} no longer in the build" if gone else "")
                + (f" ({len(marked):,} left half-swapped by a push that was cut)" if marked else ""))
            settled: set[str] = set()  # subjects whose triples the target already holds as the build does
            for n, g in enumerate(changed + gone, 1):
                new = part_name(g, mine[g][0], graph) if g in mine else None
                old = theirs[g][0] if g in theirs else None
                ours = {}
                if new is not None:
                    text = _local_prints(store, g)
                    ours = _prints(text)
                    upload(new, _part_text(text))
                held = _part_prints(query_url, old, http, timeout) if old is not None else {}
                if g in marked:  # a swap that a cut push may have made: every subject compared
                    subjects = set(ours) | set(held)
                    for p in marked[g]:
                        subjects.update(_part_prints(query_url, p, http, timeout))
                else:  # only the subjects whose triples in this document changed
                    subjects = {s for s in set(ours) | set(held) if ours.get(s) != held.get(s)}
                # what the target holds about these subjects against what the build holds: the
                # difference is all this document's swap changes (a triple another document still
                # says stays, one it now says comes in)
                subjects -= settled
                settled |= subjects
                done.compared += len(subjects)
                lost, fresh = _difference(store, sorted(subjects),
                                          lambda batch: _target_triples(query_url, graph, batch, http, timeout))
                ops, temp = [], None
                marks = " ".join(f"<{g}> <{PENDING_PART}> <{p}> ." for p in (new, old) if p is not None)
                if (lost or fresh) and marks:
                    ops.append(f"INSERT DATA {{ GRAPH <{manifest}> {{ {marks} }} }}")
                if lost:
                    ops.append("DELETE DATA " + in_target(_nt(lost)))
                if fresh and len(fresh) <= INLINE_TRIPLES:
                    ops.append("INSERT DATA " + in_target(_nt(fresh)))
                elif fresh:  # too many for the update's text: through a temporary graph, in the same request
                    temp = f"{TEMP_PREFIX}{uuid.uuid4()}"
                    temps.append(temp)
                    upload(temp, _nt(fresh, "\n").encode("utf-8"))
                    ops += [f"INSERT {in_target('?s ?p ?o')} WHERE {{ GRAPH <{temp}> {{ ?s ?p ?o }} }}",
                            f"DROP SILENT GRAPH <{temp}>"]
                if ops:
                    update(" ;\n".join(ops))  # one request: the document's old content or its new one
                    if temp is not None:
                        temps.remove(temp)
                if g in mine:
                    done.sent.append(g)
                    done.triples += mine[g][1]
                else:
                    done.dropped.append(g)
                note(n, len(changed) + len(gone), "documents", f"{done.compared:,} subjects compared, ")
        # the manifest last: it says what the server holds only once it does
        text = "".join(f"<{g}> <{KG}serverGraph> <{part_name(g, sha, graph)}> .\n<{g}> <{KG}contentFingerprint> \"{sha}\" .\n"
                       f"<{g}> <{VOID}triples> \"{n}\"^^<{XSD}integer> .\n" for g, (sha, n) in sorted(mine.items()))
        temp = f"{TEMP_PREFIX}{uuid.uuid4()}"
        temps.append(temp)
        upload(temp, text.encode("utf-8"), atomic=True)
        update(f"MOVE GRAPH <{temp}> TO GRAPH <{manifest}>")
        temps.remove(temp)
        live = {part_name(g, sha, graph) for g, (sha, _) in mine.items()}
        stale = sorted(({part for part, _, _ in theirs.values()} | {p for ps in marked.values() for p in ps}) - live)
        for i in range(0, len(stale), 200):  # the parts no longer named by the manifest
            update(" ;\n".join(f"DROP SILENT GRAPH <{p}>" for p in stale[i:i + 200]))
        held = count_remote(query_url, graph, http)
        expected = default_triples(store)
        if held != expected:
            raise RemoteError(f"after the push the target holds {held:,} triples, not the {expected:,} of the build")
    except BaseException:
        for t in list(temps):
            try:
                _request("POST", update_url, ("update=" + quote(f"DROP SILENT GRAPH <{t}>", safe="")).encode(), form,
                         Retry(attempts=2, backoff=retry.backoff, sleep=retry.sleep), log, timeout, http)
            except RemoteError as exc:
                log(f"could not drop the temporary graph <{t}>: {exc} (kg push --cleanup drops it later)")
        raise
    done.seconds = time.perf_counter() - start
    return done


#: a later push writes at most this many new triples into the text of an update; more go
#: through a temporary graph
INLINE_TRIPLES = 20_000
#: the subjects asked about in one query of a later push (and at most about this many triples)
BATCH_SUBJECTS, BATCH_TRIPLES = 2_000, 50_000


class _Chunks(io.RawIOBase):
    """A file the store writes N-Triples into, handing on parts of about ``size`` bytes cut at
    line ends to ``send`` (which returns a future); two parts are in flight at most, and a
    failed one stops the writing."""

    def __init__(self, size: int, send: Callable[[bytes], object]):
        super().__init__()
        self.size, self.send, self.buf, self.pending, self.failure = size, send, bytearray(), [], None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buf += data
        if len(self.buf) >= self.size:
            cut = self.buf.rfind(b"\n") + 1
            if cut:
                self._hand_on(bytes(self.buf[:cut]))
                del self.buf[:cut]
        return len(data)

    def _hand_on(self, data: bytes) -> None:
        self.pending.append(self.send(data))
        while len(self.pending) > 2:
            self._wait(self.pending.pop(0))

    def _wait(self, future) -> None:
        try:
            future.result()
        except BaseException as exc:
            self.failure = exc
            raise

    def finish(self) -> None:
        """Send what is left and wait for every part."""
        if self.buf:
            self._hand_on(bytes(self.buf))
            self.buf.clear()
        while self.pending:
            self._wait(self.pending.pop(0))

    def reraise(self) -> None:
        """The store's writing stopped: raise the upload's own error, if that is why."""
        if self.failure is not None:
            raise self.failure


def _local_prints(store: ox.Store, g: str) -> str:
    """The build's ``kg:subjectFingerprints`` of the graph ``g``: a line ``FINGERPRINT <subject>``
    for each subject it speaks of."""
    for q in store.quads_for_pattern(ox.NamedNode(g), ox.NamedNode(SUBJECT_PRINTS), None, None):
        return q.object.value
    raise RemoteError(f"the store folder records no subjects' fingerprints for <{g}> (build it again with this "
                      "version of kg)")


def _prints(text: str) -> dict[str, str]:
    """Subject IRI → fingerprint, from a ``kg:subjectFingerprints`` text."""
    out = {}
    for line in text.split("\n")[:-1]:
        sha, term = line.split(" ", 1)
        out[term[1:-1] if "\\" not in term else _unescaped(term)] = sha
    return out


def _unescaped(term: str) -> str:
    """An IRI written with N-Triples escapes (``\\uXXXX``), as its value."""
    return next(iter(ox.parse(f"{term} <{SUBJECT_PRINT}> \"\" .", format=ox.RdfFormat.N_TRIPLES))).subject.value


def _part_text(prints: str) -> bytes:
    """A document's part as N-Triples: ``<s> kg:subjectFingerprint "…"`` for each subject
    of its ``kg:subjectFingerprints``."""
    return "".join(f'{term} <{SUBJECT_PRINT}> "{sha}" .\n'
                   for sha, term in (line.split(" ", 1) for line in prints.split("\n")[:-1])).encode("utf-8")


def _part_prints(query_url: str, part: str, http, timeout: float) -> dict[str, str]:
    """The subjects the server's part ``part`` names, with their fingerprints."""
    text = f"SELECT ?s ?h WHERE {{ GRAPH <{part}> {{ ?s <{SUBJECT_PRINT}> ?h }} }}"
    rows = _select(query_url, text, http, timeout)["results"]["bindings"]
    return {r["s"]["value"]: r["h"]["value"] for r in rows}


def _pending(query_url: str, manifest: str, http, timeout: float) -> dict[str, list[str]]:
    """The documents a push that was cut began to swap (marked in the manifest's graph), with
    the parts it named."""
    text = f"SELECT ?g ?p WHERE {{ GRAPH <{manifest}> {{ ?g <{PENDING_PART}> ?p }} }}"
    out: dict[str, list[str]] = {}
    for r in _select(query_url, text, http, timeout)["results"]["bindings"]:
        out.setdefault(r["g"]["value"], []).append(r["p"]["value"])
    return out


def _target_triples(query_url: str, graph: str | None, subjects: list[str], http, timeout: float) -> set[ox.Triple]:
    """The triples of the target (the default graph, or ``graph``) about ``subjects``."""
    import requests

    pattern = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {' '.join(f'<{s}>' for s in subjects)} }} {pattern} }}"
    try:
        resp = http.post(query_url, data={"query": text}, timeout=timeout, headers={"Accept": "application/n-triples"})
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise RemoteError(f"{redact(query_url)}: cannot reach the endpoint: {exc.__class__.__name__}") from None
    if resp.status_code >= 400:
        raise RemoteError(f"{redact(query_url)}: HTTP {resp.status_code} {resp.reason}: {resp.text.strip()[:300]}")
    kind = resp.headers.get("Content-Type", "").split(";")[0].strip()
    fmt = ox.RdfFormat.from_media_type(kind) or ox.RdfFormat.N_TRIPLES
    return {q.triple for q in ox.parse(resp.content, format=fmt)}


def _difference(store: ox.Store, subjects: list[str], theirs: Callable[[list[str]], set[ox.Triple]]
                ) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """For ``subjects``, in batches: the triples the server holds and the build does not (to
    delete), and those the build holds and the server does not (to insert). The server is
    asked about one batch while the store is read for the next."""
    lost: list[ox.Triple] = []
    fresh: list[ox.Triple] = []
    asked = None  # (the server's answer to come, what the build holds) of the batch before
    batch: list[str] = []
    ours: set[ox.Triple] = set()

    def compare(pending) -> None:
        answer, mine = pending
        held = answer.result()
        lost.extend(sorted(held - mine, key=str))
        fresh.extend(sorted(mine - held, key=str))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-push-ask") as pool:
        for i, s in enumerate(subjects, 1):
            batch.append(s)
            ours.update(q.triple for q in store.quads_for_pattern(ox.NamedNode(s), None, None, ox.DefaultGraph()))
            if len(batch) >= BATCH_SUBJECTS or len(ours) >= BATCH_TRIPLES or i == len(subjects):
                pending = (pool.submit(theirs, batch), ours)
                if asked is not None:
                    compare(asked)
                asked, batch, ours = pending, [], set()
        if asked is not None:
            compare(asked)
    return lost, fresh


def _nt(triples: list[ox.Triple], sep: str = " ") -> str:
    """The triples as N-Triples: on one line for an update's text, ``sep="\\n"`` for an upload."""
    return sep.join(f"{t.subject} {t.predicate} {t.object} ." for t in triples) + (sep if sep == "\n" else "")


def cleanup_parts(store_url: str, update_url: str | None = None, *, graph: str | None = None, base_iri: str | None = None,
                  credentials: Credentials | None = None, log: Callable[[str], None] = lambda m: None,
                  retry: Retry | None = None, timeout: float = 600.0, query_url: str | None = None) -> list[str]:
    """Drop the parts of the release in ``graph`` that its manifest does not name (left by
    pushes that failed before writing theirs): their names."""
    retry = retry or Retry()
    http = session(credentials, probe=store_url)
    update_url = update_url or update_endpoint_for(store_url)
    query_url = query_url or query_endpoint_for(store_url) or update_url
    if update_url is None:
        return []
    manifest = manifest_name(graph, base_iri)
    live = {part for part, _, _ in remote_manifest(query_url, manifest, http).values()}
    live.update(p for parts_ in _pending(query_url, manifest, http, timeout).values() for p in parts_)
    mine = f"{PART_PREFIX}{_tag(graph)}:"  # this release's parts, not another target's
    rows = _select(query_url, f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{mine}")) }}',
                   http, timeout)["results"]["bindings"]
    stale = sorted({r["g"]["value"] for r in rows} - live)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for g in stale:
        _request("POST", update_url, ("update=" + quote(f"DROP SILENT GRAPH <{g}>", safe="")).encode(), form, retry, log,
                 timeout, http)
        log(f"dropped the part <{g}>, which the manifest does not name")
    return stale
