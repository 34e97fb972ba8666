"""A real Oxigraph server (the PyPI ``oxigraph`` package, started here): ``kg push`` through
the Graph Store Protocol, then every canned query through SPARQLWrapper, as locally."""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg.cli import main
from kg.queries import Page, load_queries, run
from kg.remote import RemoteError, Retry, count_remote, parts, push, run_remote, update_endpoint_for
from kg.store import store_from_graph

NAMED = "https://kg.jp-spending.example/graph/seeds"


def graphs(server: str) -> list[str]:
    q = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"})
    req = urllib.request.Request(f"{server}/query?{q}", headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req) as r:
        return [b["g"]["value"] for b in json.load(r)["results"]["bindings"]]


def test_push_then_every_canned_query_answers_as_locally(oxigraph_server, seed_nt, seed_build, capsys):
    assert main(["push", str(seed_nt), "--endpoint", oxigraph_server + "/store"]) == 0
    err = capsys.readouterr().err
    local_store = store_from_graph(seed_build.graph)
    assert f"pushed {len(local_store):,} triples to the default graph" in err and "one update (MOVE)" in err
    assert count_remote(oxigraph_server + "/query") == len(local_store)
    assert graphs(oxigraph_server) == []  # the temporary graph is gone
    for name, query in load_queries().items():
        local = run(local_store, query)
        remote = run_remote(oxigraph_server + "/query", query)
        assert remote.columns == local.columns, name
        assert remote.rows == local.rows, name
    # pages are written into the text, so an endpoint pages the same way
    q = load_queries()["single-bidder-contracts"]
    for page in (Page(limit=4, offset=6), Page(everything=True, offset=15)):
        assert run_remote(oxigraph_server + "/query", q, page=page).rows == run(local_store, q, page=page).rows
    # the CLI over the same server
    assert main(["query", "firms-in-several-projects", "--endpoint", oxigraph_server + "/query", "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert sorted((r["corporateNumber"], r["amountYen"]) for r in rows) == [
        ("6010001030403", 15_000_000), ("6010001030403", 78_000_000),
        ("7010601022674", 45_000_000), ("7010601022674", 53_900_000)]


def test_push_replaces_a_named_graph(oxigraph_server, seed_nt, rs_build, tmp_path, capsys):
    assert main(["push", str(seed_nt), "--endpoint", oxigraph_server + "/store", "--graph", NAMED, "-q"]) == 0
    first = count_remote(oxigraph_server + "/query", NAMED)
    bigger = tmp_path / "rs.nt"
    bigger.write_bytes(rs_build.ntriples())
    assert main(["push", str(bigger), "--endpoint", oxigraph_server + "/store", "--graph", NAMED]) == 0
    second = count_remote(oxigraph_server + "/query", NAMED)
    assert second == rs_build.triples and second != first  # replaced, not added to
    assert graphs(oxigraph_server) == [NAMED]
    assert count_remote(oxigraph_server + "/query") == 0  # the default graph untouched
    # a canned query finds the data in the named graph it was pushed into (and nothing without it)
    capsys.readouterr()
    assert main(["query", "top-recipients", "--endpoint", oxigraph_server + "/query", "--graph", NAMED,
                 "-f", "csv", "--limit", "2", "-q"]) == 0
    named = capsys.readouterr().out.splitlines()
    assert named[0].startswith("corporateNumber,") and named[1].startswith("7012405000492,") and len(named) == 3
    assert main(["query", "top-recipients", "--endpoint", oxigraph_server + "/query", "-f", "csv", "-q"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == []


def relay(upstream: str, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, bytes, str]:
    """The request ``handler`` received, sent on to ``upstream``: its status, body and type."""
    req = urllib.request.Request(upstream + handler.path, data=body or None, method=handler.command,
                                 headers={k: v for k, v in handler.headers.items() if k.lower() in ("content-type", "accept")})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("Content-Type", "")


def answer(handler: BaseHTTPRequestHandler, status: int, data: bytes, ctype: str = "") -> None:
    handler.send_response(status)
    if ctype:
        handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class FlakyProxy:
    """An HTTP front for a server that fails chosen requests: ``fail(method, path, body)``
    returns a status to answer instead of forwarding, or None."""

    def __init__(self, upstream: str, fail):
        self.upstream, self.fail, self.seen = upstream, fail, []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.seen.append((self.command, self.path, body[:200]))
                status = proxy.fail(self.command, self.path, body)
                lost = isinstance(status, tuple)  # ("lost", code): forwarded, then the answer is lost
                if lost:
                    status = status[1]
                if status and not lost:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status, data, ctype = relay(proxy.upstream, self, body)
                if lost:  # the upstream did the work; the client hears a gateway timeout
                    status, data, ctype = proxy.fail(self.command, self.path, body)[1], b"", ""
                answer(self, status, data, ctype)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_transient_errors_are_retried_with_backoff(oxigraph_server, seed_build):
    failures = {"left": 2}

    def fail(method, path, body):
        if method == "PUT" and failures["left"]:
            failures["left"] -= 1
            return 503
        return None

    proxy = FlakyProxy(oxigraph_server, fail)
    waits, log = [], []
    try:
        data = seed_build.ntriples()
        pushed = push(data, seed_build.triples, proxy.url + "/store", NAMED, retry=Retry(5, 0.5, waits.append),
                      log=log.append)
    finally:
        proxy.close()
    assert pushed.atomic and waits == [0.5, 1.0]  # exponential backoff
    assert len(log) == 2 and "HTTP 503" in log[0]
    assert count_remote(oxigraph_server + "/query", NAMED) == seed_build.triples


def test_a_failed_push_leaves_the_old_graph_and_no_partial_one(oxigraph_server, seed_build, rs_build):
    push(seed_build.ntriples(), seed_build.triples, oxigraph_server + "/store", NAMED, log=lambda m: None)
    before = count_remote(oxigraph_server + "/query", NAMED)

    def fail(method, path, body):  # the upload goes through, the replacing MOVE never does
        return 500 if method == "POST" and b"MOVE" in urllib.parse.unquote_to_bytes(body) else None

    proxy = FlakyProxy(oxigraph_server, fail)
    try:
        with pytest.raises(RemoteError, match="gave up after 3 tries"):
            push(rs_build.ntriples(), rs_build.triples, proxy.url + "/store", NAMED,
                 retry=Retry(3, 0, lambda s: None), log=lambda m: None)
    finally:
        proxy.close()
    assert any(m == "PUT" for m, _, _ in proxy.seen)  # the data was uploaded to a temporary graph
    assert count_remote(oxigraph_server + "/query", NAMED) == before  # the old graph, whole
    assert graphs(oxigraph_server) == [NAMED]  # and the temporary graph dropped


def test_a_lost_answer_to_the_swap_never_empties_the_target(oxigraph_server, seed_build, rs_build):
    """The proxy forwards the MOVE, then answers 504: the server moved the graph, the client
    does not know. The push looks before retrying (a second MOVE from a graph that is gone
    would have emptied the target with MOVE SILENT) and verifies what the server holds."""
    push(seed_build.ntriples(), seed_build.triples, oxigraph_server + "/store", NAMED, log=lambda m: None)

    def lose(method, path, body):
        return ("lost", 504) if method == "POST" and b"MOVE" in urllib.parse.unquote_to_bytes(body) else None

    proxy = FlakyProxy(oxigraph_server, lose)
    log = []
    try:
        pushed = push(rs_build.ntriples(), rs_build.triples, proxy.url + "/store", NAMED,
                      retry=Retry(3, 0, lambda s: None), log=log.append)
    finally:
        proxy.close()
    assert pushed.triples == rs_build.triples == count_remote(oxigraph_server + "/query", NAMED)
    assert any("applied although its answer was lost" in m for m in log)
    assert graphs(oxigraph_server) == [NAMED]  # no temporary graph left


def test_an_update_endpoint_down_leaves_no_temporary_graph(oxigraph_server, seed_build):
    def down(method, path, body):  # every update answers 503: the upload is in, the swap never happens
        return 503 if method == "POST" else None

    proxy = FlakyProxy(oxigraph_server, down)
    try:
        with pytest.raises(RemoteError, match="swap gave up after 2 tries"):
            push(seed_build.ntriples(), seed_build.triples, proxy.url + "/store", NAMED,
                 retry=Retry(2, 0, lambda s: None), log=lambda m: None)
    finally:
        proxy.close()
    # the DROP went through the proxy too and failed: the client says so; the upload is left
    # for the server's owner to see, named in the log, never moved over the target
    assert count_remote(oxigraph_server + "/query", NAMED) == 0
    left = graphs(oxigraph_server)
    assert len(left) == 1 and left[0].startswith("urn:jp-spending-kg:push:")
    # kg push --cleanup, once the server answers again, drops what failed pushes left
    assert main(["push", "--cleanup", "--endpoint", oxigraph_server + "/store", "-q"]) == 0
    assert graphs(oxigraph_server) == []


def test_push_errors_are_clear(seed_nt, capsys):
    assert main(["push", str(seed_nt), "--endpoint", "http://127.0.0.1:9/store", "--retries", "2", "--backoff", "0"]) == 1
    err = capsys.readouterr().err
    assert "gave up after 2 tries" in err and "was not changed" in err
    assert update_endpoint_for("http://h:7878/store") == "http://h:7878/update"
    assert update_endpoint_for("http://h:3030/ds/data") is None


def test_a_large_graph_goes_up_in_parts_and_a_lost_part_is_sent_once_more(oxigraph_server, rs_build):
    """A national year is pushed in parts: each part retried on its own, what the server
    accepted never sent again (the second part's answer is lost after the server took it)."""
    data = rs_build.ntriples()
    answered = {"n": 0}

    def lose_second_part(method, path, body):
        if method == "POST" and "/store" in path:
            answered["n"] += 1
            if answered["n"] == 1:
                return ("lost", 504)
        return None

    proxy = FlakyProxy(oxigraph_server, lose_second_part)
    log = []
    try:
        pushed = push(data, rs_build.triples, proxy.url + "/store", NAMED, retry=Retry(3, 0, lambda s: None),
                      log=log.append, part_bytes=200_000)
    finally:
        proxy.close()
    uploads = [(m, p) for m, p, _ in proxy.seen if "/store" in p]
    n_parts = len(parts(data, 200_000))
    assert n_parts == 5  # 884,898 bytes of N-Triples
    assert uploads[0][0] == "PUT" and len(uploads) == n_parts + 1  # every part once, the lost one twice
    assert sum(1 for m in log if m.startswith("uploaded part")) == n_parts
    assert any(m.startswith("replacing the target with the uploaded graph in one MOVE") for m in log)
    assert pushed.triples == rs_build.triples == count_remote(oxigraph_server + "/query", NAMED)
    assert graphs(oxigraph_server) == [NAMED]
