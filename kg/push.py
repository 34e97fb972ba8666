"""``kg push`` of a store folder: a release, and then only what changed.

A store folder (``kg build --store``) holds the whole graph in its default graph and one named
graph per source document (and ``…/id/graph/shared`` for what the build settles across
documents), each with a fingerprint of its content. A server given a release mirrors that:

* the **target** (the default graph, or ``--graph IRI``) holds the whole graph, and is what
  readers query;
* one **part** per document, ``urn:jp-spending-kg:part:DOC:FINGERPRINT``, holds what that
  document said when it was pushed: the next push learns from it what to take out;
* the **manifest** ``…/id/graph/release`` names each document's part, fingerprint and size.

The first push (a server without a manifest) loads the target and the parts the fast way:
Oxigraph's bulk loader (``no_transaction``) or parts of 32 MiB elsewhere; readers see the
target fill as with the server's own loader. A later push reads the manifest and sends only
the documents whose fingerprint changed. For each, the new part is uploaded; the triples of
the old part that the new one lacks and that the new build does not hold at all are deleted
from the target, and those of the new part the old one lacked are inserted, in **one update
per document**: a reader sees each document's old content or its new one, never a part of
it, and a transaction holds what changed, not the release. The graphs of documents no longer
in the build are taken out the same way; the manifest is written last and old parts dropped
after it. A push cut half-way leaves the old manifest, and the next push, doing the same
steps again, gives the same result (each step can be repeated).
"""

from __future__ import annotations

import hashlib
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
from .store import count_default_triples
from .remote import PART_BYTES, TEMP_PREFIX, Retry, _graph_url, _request, _select, count_remote, parts, \
    query_endpoint_for, update_endpoint_for

VOID = "http://rdfs.org/ns/void#"

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
    if not mine:
        raise RemoteError("the store folder records no graph fingerprints (build it again with this version of kg)")
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

    def note(n: int, total: int, what: str) -> None:
        log(f"{what} {n:,} of {total:,} ({done.triples:,} triples, {time.perf_counter() - start:,.0f} s)")

    try:
        if not theirs:
            log(f"no release on the server: loading the whole graph and a part for each of {len(mine):,} documents "
                f"({'the server’s bulk loader' if bulk else f'parts of {part_bytes / 2**20:g} MiB'})")
            # each document is read once and goes up twice, into its part and into the target (a graph
            # is a set: what several documents say is added once), two uploads at a time while the next
            # document is read; the target is emptied first
            if bulk:
                upload(graph, b"")
            else:
                update("CLEAR SILENT DEFAULT" if graph is None else f"DROP SILENT GRAPH <{graph}>")
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="kg-push") as pool:
                pending: list = []
                for n, (g, (sha, triples)) in enumerate(sorted(mine.items(), key=lambda kv: -kv[1][1]), 1):
                    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g))
                    while len(pending) > 2:  # two documents in memory at most
                        pending.pop(0).result()
                    pending.append(pool.submit(upload, part_name(g, sha, graph), data))
                    pending.append(pool.submit(upload, graph, data, False, True))
                    del data
                    done.sent.append(g)
                    done.triples += triples
                    if triples >= 100_000 or n == len(mine) or n % 500 == 0:
                        note(n, len(mine), "documents read")
                for f in pending:
                    f.result()
            log(f"the whole graph loaded ({time.perf_counter() - start:,.0f} s)")
        else:
            changed = sorted(g for g in mine if theirs.get(g, (None, None))[1] != mine[g][0])
            gone = sorted(g for g in theirs if g not in mine)
            done.unchanged = len(mine) - len(changed)
            log(f"{len(mine):,} documents' graphs: {len(changed):,} changed, {done.unchanged:,} unchanged"
                + (f", {len(gone):,} no longer in the build" if gone else ""))
            for n, g in enumerate(changed + gone, 1):
                new = part_name(g, mine[g][0], graph) if g in mine else None
                if new is not None:
                    upload(new, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)))
                old = theirs[g][0] if g in theirs else None
                ops = []
                if old is not None:  # what the old part said and neither the new part nor the new build says
                    lost = [t for t in _minus(query_url, old, new, http, timeout)
                            if ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) not in store]
                    if lost:
                        ops.append("DELETE DATA " + in_target(" ".join(f"{t.subject} {t.predicate} {t.object} ." for t in lost)))
                if new is not None:
                    fresh = f" FILTER NOT EXISTS {{ GRAPH <{old}> {{ ?s ?p ?o }} }}" if old else ""
                    ops.append(f"INSERT {in_target('?s ?p ?o')} WHERE {{ GRAPH <{new}> {{ ?s ?p ?o }}{fresh} }}")
                if ops:
                    update(" ;\n".join(ops))  # one request: the document's old content or its new one
                if g in mine:
                    done.sent.append(g)
                    done.triples += mine[g][1]
                else:
                    done.dropped.append(g)
                note(n, len(changed) + len(gone), "documents")
        # the manifest last: it says what the server holds only once it does
        text = "".join(f"<{g}> <{KG}serverGraph> <{part_name(g, sha, graph)}> .\n<{g}> <{KG}contentFingerprint> \"{sha}\" .\n"
                       f"<{g}> <{VOID}triples> \"{n}\"^^<{XSD}integer> .\n" for g, (sha, n) in sorted(mine.items()))
        temp = f"{TEMP_PREFIX}{uuid.uuid4()}"
        temps.append(temp)
        upload(temp, text.encode("utf-8"), atomic=True)
        update(f"MOVE GRAPH <{temp}> TO GRAPH <{manifest}>")
        temps.remove(temp)
        live = {part_name(g, sha, graph) for g, (sha, _) in mine.items()}
        stale = sorted({part for part, _, _ in theirs.values()} - live)
        for i in range(0, len(stale), 200):  # the parts no longer named by the manifest
            update(" ;\n".join(f"DROP SILENT GRAPH <{p}>" for p in stale[i:i + 200]))
        held = count_remote(query_url, graph, http)
        expected = count_default_triples(store)
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


def _minus(query_url: str, old: str, new: str | None, http, timeout: float) -> list[ox.Triple]:
    """The triples of the server's graph ``old`` that ``new`` lacks (all of them when None)."""
    import requests

    where = f"GRAPH <{old}> {{ ?s ?p ?o }}" + (f" FILTER NOT EXISTS {{ GRAPH <{new}> {{ ?s ?p ?o }} }}" if new else "")
    try:
        resp = http.get(query_url, params={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"}, timeout=timeout,
                        headers={"Accept": "application/n-triples"})
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise RemoteError(f"{redact(query_url)}: cannot reach the endpoint: {exc.__class__.__name__}") from None
    if resp.status_code >= 400:
        raise RemoteError(f"{redact(query_url)}: HTTP {resp.status_code} {resp.reason}: {resp.text.strip()[:300]}")
    kind = resp.headers.get("Content-Type", "").split(";")[0].strip()
    fmt = ox.RdfFormat.from_media_type(kind) or ox.RdfFormat.N_TRIPLES
    return [q.triple for q in ox.parse(resp.content, format=fmt)]


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
    live = {part for part, _, _ in remote_manifest(query_url, manifest_name(graph, base_iri), http).values()}
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
