"""Issue 30: kg push of a store folder. The first push loads the whole graph and a part per
document; a later push sends only the documents whose content changed, each swapped in one
update, and takes out those no longer in the build: after every push the server's target holds
exactly the store's default graph (checked triple by triple), on the Oxigraph server and on
Virtuoso (its Digest-protected endpoints), and a push cut half-way is finished by the next."""

import hashlib
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from kg.cli import main
from kg.push import PART_PREFIX, SUBJECT_PRINT, remote_manifest
from kg.queries import load_queries, run
from kg.remote import TEMP_PREFIX, run_remote

from .test_remote import FlakyProxy

ROOT = Path(__file__).resolve().parent.parent
RS = Path(__file__).resolve().parent / "fixtures" / "rs"
MANIFEST = "https://kg.jp-spending.example/id/graph/release"


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """Three builds: A (the seeds and the RS fixtures), C (one seed sheet edited: a recipient's
    name), B (one seed sheet gone)."""
    root = tmp_path_factory.mktemp("release")
    out = {}
    for name in "ACB":
        src = root / f"in-{name}"
        shutil.copytree(ROOT / "examples" / "seeds", src / "seeds")
        shutil.copytree(RS, src / "rs", ignore=shutil.ignore_patterns("*.py"))
        sheet = next((src / "seeds").glob("004_*.txt"))
        if name == "C":
            text = sheet.read_text(encoding="utf-8")
            assert "株式会社三菱総合研究所" in text
            sheet.write_text(text.replace("株式会社三菱総合研究所", "株式会社三菱総研", 1), encoding="utf-8")
        if name == "B":
            sheet.unlink()
        assert main(["build", "-q", "--store", str(root / name), str(src / "seeds"), str(src / "rs")]) == 0
        out[name] = root / name
    return out


def local_triples(folder: Path) -> set[str]:
    store = ox.Store.read_only(str(folder))
    return {str(q.triple) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def server_triples(query_url: str, graph: str | None = None) -> set[str]:
    params = {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"}
    if graph:
        params["default-graph-uri"] = graph
    resp = requests.get(query_url, params=params, headers={"Accept": "application/n-triples"}, timeout=120)
    resp.raise_for_status()
    return {str(q.triple) for q in ox.parse(resp.content, format=ox.RdfFormat.N_TRIPLES)}


def named_graphs(query_url: str) -> set[str]:
    resp = requests.get(query_url, params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": "application/sparql-results+json"}, timeout=60)
    return {b["g"]["value"] for b in resp.json()["results"]["bindings"]}


def compared(err: str) -> int:
    return int(re.search(r"; ([\d,]+) subjects compared\)", err)[1].replace(",", ""))


def changed_subjects(before: Path, after: Path) -> set[str]:
    """The subjects about which some document's graph (or the shared one) says other triples
    in ``after`` than in ``before``."""
    def by_subject(folder: Path) -> dict[tuple[str, str], set[str]]:
        out: dict[tuple[str, str], set[str]] = {}
        for q in ox.Store.read_only(str(folder)).quads_for_pattern(None, None, None, None):
            if not isinstance(q.graph_name, ox.DefaultGraph) and not q.graph_name.value.endswith("/graph/build") \
                    and not q.graph_name.value.endswith("/graph/index"):
                out.setdefault((q.graph_name.value, q.subject.value), set()).add(str(q.triple))
        return out
    a, b = by_subject(before), by_subject(after)
    return {s for key in set(a) | set(b) if a.get(key) != b.get(key) for s in [key[1]]}


def pushed(err: str) -> tuple[int, int]:
    m = re.search(r"pushed ([\d,]+) of ([\d,]+) documents", err)
    return int(m[1].replace(",", "")), int(m[2].replace(",", ""))


def test_a_release_then_only_what_changed_on_the_oxigraph_server(oxigraph_server, stores, capsys):
    store, query = oxigraph_server + "/store", oxigraph_server + "/query"
    assert main(["push", str(stores["A"]), "--endpoint", store]) == 0
    err = capsys.readouterr().err
    assert "no release on the server" in err and pushed(err) == (25, 25)
    assert server_triples(query) == local_triples(stores["A"])
    local = ox.Store.read_only(str(stores["A"]))
    for name, q in load_queries().items():  # the target answers as the store does
        assert run_remote(query, q).rows == run(local, q).rows, name
    parts = {g for g in named_graphs(query) if g.startswith(PART_PREFIX)}
    manifest = remote_manifest(query, MANIFEST, requests.Session())
    assert len(manifest) == 25 and {p for p, _, _ in manifest.values()} == parts
    # nothing changed: nothing sent
    assert main(["push", str(stores["A"]), "--endpoint", store]) == 0
    err = capsys.readouterr().err
    assert "0 changed, 25 unchanged" in err and pushed(err) == (0, 25)
    # one sheet edited: that document (a new one: its bytes changed) and the shared graph go up,
    # the old document comes out; the target is the new build, triple for triple
    assert main(["push", str(stores["C"]), "--endpoint", store]) == 0
    err = capsys.readouterr().err
    assert "2 changed, 23 unchanged, 1 no longer in the build" in err and pushed(err) == (2, 25)
    assert server_triples(query) == local_triples(stores["C"])
    # only the subjects whose triples a document changed were compared: every subject of the
    # new and of the old document (their IRIs differ), and of the shared graph only those
    # whose triples there differ (computed here from the two stores' graphs)
    assert compared(err) == len(changed_subjects(stores["A"], stores["C"])) < 200
    assert any("株式会社三菱総研" in t for t in server_triples(query))
    # one sheet gone
    assert main(["push", str(stores["B"]), "--endpoint", store]) == 0
    err = capsys.readouterr().err
    assert "1 no longer in the build" in err and "taken out" in err
    assert server_triples(query) == local_triples(stores["B"])
    graphs = named_graphs(query)
    assert not any(g.startswith(TEMP_PREFIX) for g in graphs)  # no temporary graph left
    live = {p for p, _, _ in remote_manifest(query, MANIFEST, requests.Session()).values()}
    assert {g for g in graphs if g.startswith(PART_PREFIX)} == live  # old parts dropped
    # back to A: every document the server lacks comes back
    assert main(["push", str(stores["A"]), "--endpoint", store, "-q"]) == 0
    assert server_triples(query) == local_triples(stores["A"])


def test_a_push_cut_half_way_is_finished_by_the_next(oxigraph_server, stores, capsys):
    store, query = oxigraph_server + "/store", oxigraph_server + "/query"
    assert main(["push", str(stores["A"]), "--endpoint", store, "-q"]) == 0
    updates = {"n": 0}

    def fail(method, path, body):  # the second document's swap never gets through
        if method == "POST" and path.startswith("/update") and b"INSERT" in body:
            updates["n"] += 1
            return 503 if updates["n"] >= 2 else None
        return None

    proxy = FlakyProxy(oxigraph_server, fail)
    try:
        assert main(["push", str(stores["C"]), "--endpoint", proxy.url + "/store", "--retries", "2", "--backoff", "0"]) == 1
    finally:
        proxy.close()
    err = capsys.readouterr().err
    assert "HTTP 503" in err and "the next push does again what this one did not finish" in err
    # the manifest is still A's; the target holds A with the first document swapped
    manifest = remote_manifest(query, MANIFEST, requests.Session())
    assert {g: sha for g, (_, sha, _) in manifest.items()} == {
        r["g"].value: r["sha"].value for r in ox.Store.read_only(str(stores["A"])).query(
            "SELECT ?g ?sha WHERE { GRAPH <https://kg.jp-spending.example/id/graph/build> "
            "{ ?g <https://kg.jp-spending.example/def/contentFingerprint> ?sha } }")}
    assert server_triples(query) != local_triples(stores["C"])
    assert server_triples(query) != local_triples(stores["A"])
    # the user goes back to A's files: the manifest says the server holds A, but the cut push
    # marked the document it swapped, and the next push compares every subject of it
    assert main(["push", str(stores["A"]), "--endpoint", store]) == 0
    err = capsys.readouterr().err
    assert "(1 left half-swapped by a push that was cut)" in err
    assert server_triples(query) == local_triples(stores["A"])
    # cut again, then C's push finishes it
    updates["n"] = 0
    proxy = FlakyProxy(oxigraph_server, fail)
    try:
        assert main(["push", str(stores["C"]), "--endpoint", proxy.url + "/store", "--retries", "2", "--backoff", "0",
                     "-q"]) == 1
    finally:
        proxy.close()
    capsys.readouterr()
    assert main(["push", str(stores["C"]), "--endpoint", store]) == 0
    assert "2 changed" in capsys.readouterr().err
    assert server_triples(query) == local_triples(stores["C"])
    assert not any(g.startswith(TEMP_PREFIX) for g in named_graphs(query))
    # a part the cut push uploaded and no manifest names is dropped by --cleanup, the live ones kept
    live = {p for p, _, _ in remote_manifest(query, MANIFEST, requests.Session()).values()}
    stray = PART_PREFIX + "default:leftover:0123456789abcdef"
    requests.put(f"{store}?graph={stray}", data=b"<urn:a> <urn:b> <urn:c> .\n",
                 headers={"Content-Type": "application/n-triples"}, timeout=30).raise_for_status()
    assert main(["push", "--cleanup", "--endpoint", store]) == 0
    assert "1 temporary graphs and parts dropped" in capsys.readouterr().err
    assert {g for g in named_graphs(query) if g.startswith(PART_PREFIX)} == live


def test_a_release_on_virtuoso(virtuoso, stores, capsys, monkeypatch):
    """Virtuoso's updates go to a named graph: --graph names the target, which readers query."""
    monkeypatch.setenv("KG_PASSWORD", virtuoso.password)
    target = "https://kg.jp-spending.example/test/release"
    push = ["--endpoint", virtuoso.crud_auth, "--update", virtuoso.sparql_auth, "--graph", target, "--user", virtuoso.user]
    assert main(["push", str(stores["A"]), *push]) == 0
    assert pushed(capsys.readouterr().err) == (25, 25)
    assert server_triples(virtuoso.sparql, target) == local_triples(stores["A"])
    local = ox.Store.read_only(str(stores["A"]))
    for name, q in load_queries().items():
        assert run_remote(virtuoso.sparql, q, graph=target).rows == run(local, q).rows, name
    assert main(["push", str(stores["C"]), *push]) == 0
    assert pushed(capsys.readouterr().err) == (2, 25)
    assert server_triples(virtuoso.sparql, target) == local_triples(stores["C"])
    assert main(["push", str(stores["C"]), *push]) == 0
    assert pushed(capsys.readouterr().err) == (0, 25)
    # a swap too large for an update's text goes through a temporary graph, in small batches
    monkeypatch.setattr("kg.push.INLINE_TRIPLES", 0)
    monkeypatch.setattr("kg.push.BATCH_SUBJECTS", 7)
    assert main(["push", str(stores["B"]), *push]) == 0
    assert server_triples(virtuoso.sparql, target) == local_triples(stores["B"])
    assert not any(g.startswith(TEMP_PREFIX) for g in named_graphs(virtuoso.sparql))


def test_parts_name_the_documents_subjects_and_large_swaps_go_through_a_temporary_graph(
        oxigraph_server, stores, monkeypatch):
    store, query = oxigraph_server + "/store", oxigraph_server + "/query"
    assert main(["push", str(stores["A"]), "--endpoint", store, "--full", "-q"]) == 0
    local = ox.Store.read_only(str(stores["A"]))
    manifest = remote_manifest(query, MANIFEST, requests.Session())
    for doc, (part, _, _) in manifest.items():
        # each part: the subjects its document speaks of, no more, each with the sum of the
        # BLAKE2b-128 of the document's N-Triples lines about it, mod 2^64
        mine: dict[str, int] = {}
        for q in local.quads_for_pattern(None, None, None, ox.NamedNode(doc)):
            line = f"{q.subject} {q.predicate} {q.object} ."
            digest = int.from_bytes(hashlib.blake2b(line.encode("utf-8"), digest_size=16).digest(), "big")
            mine[q.subject.value] = (mine.get(q.subject.value, 0) + digest) % 2**64
        resp = requests.get(query, params={"query": f"SELECT ?s ?h WHERE {{ GRAPH <{part}> {{ ?s <{SUBJECT_PRINT}> ?h }} }}"},
                            headers={"Accept": "application/sparql-results+json"}, timeout=60)
        held = {b["s"]["value"]: b["h"]["value"] for b in resp.json()["results"]["bindings"]}
        assert held == {s: f"{v:016x}" for s, v in mine.items()}, doc
    monkeypatch.setattr("kg.push.INLINE_TRIPLES", 0)
    monkeypatch.setattr("kg.push.BATCH_SUBJECTS", 7)
    for name in "CBA":
        assert main(["push", str(stores[name]), "--endpoint", store, "-q"]) == 0
        assert server_triples(query) == local_triples(stores[name]), name
    assert not any(g.startswith(TEMP_PREFIX) for g in named_graphs(query))
