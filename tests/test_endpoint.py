"""``kg serve`` over real HTTP: the SPARQL 1.1 Protocol, its limits, and linked-data pages."""

import csv
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg.cli import main
from kg.web.sparql import negotiate
from kg.queries import load_queries, run
from kg.remote import run_remote
from kg.store import store_from_graph

from .conftest import param_values, start_kg_server

NEC = "https://kg.jp-spending.example/id/corporation/7010601022674"
PROJECTS = """PREFIX kg: <https://kg.jp-spending.example/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?name WHERE { ?p a kg:Project ; rdfs:label ?name } ORDER BY ?p"""


def http(url, data=None, headers=None, method=None):
    """(status, headers, body) — HTTP errors included."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def form(query, **extra):
    return urllib.parse.urlencode({"query": query, **extra}).encode()


def test_select_in_every_results_format(kg_server):
    sparql = kg_server + "sparql"
    status, headers, body = http(sparql + "?" + urllib.parse.urlencode({"query": PROJECTS}))
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    assert len(rows) == 4  # the four sheets of the seeds (past sheets they cite have no name)
    names = {r["p"]["value"]: r["name"]["value"] for r in rows}
    assert names["https://kg.jp-spending.example/id/project/2022-soumu-0059"] == "サイバーセキュリティ統合知的・人材育成基盤の構築"
    assert rows[0]["name"]["xml:lang"] == "ja"

    status, headers, body = http(sparql, form(PROJECTS), {"Accept": "application/sparql-results+xml"})
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+xml")
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert len(ET.fromstring(body).findall(f"{ns}results/{ns}result")) == 4

    status, headers, body = http(sparql, form(PROJECTS), {"Accept": "text/csv"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert table[0] == ["p", "name"] and len(table) == 5

    # POST of the query itself, TSV (terms in Turtle syntax)
    status, headers, body = http(sparql, PROJECTS.encode(), {"Content-Type": "application/sparql-query",
                                                             "Accept": "text/tab-separated-values"})
    lines = body.decode("utf-8").splitlines()
    assert status == 200 and lines[0] == "?p\t?name" and len(lines) == 5
    assert "<https://kg.jp-spending.example/id/project/2022-soumu-0059>\t\"サイバーセキュリティ統合知的・人材育成基盤の構築\"@ja" in lines

    # format= wins over Accept; ASK answers a boolean
    status, _, body = http(sparql, form("ASK { ?s a <https://kg.jp-spending.example/def/Corporation> }", format="json"),
                           {"Accept": "text/csv"})
    assert status == 200 and json.loads(body)["boolean"] is True


def test_construct_and_describe_by_content_negotiation(kg_server):
    sparql = kg_server + "sparql"
    q = f"DESCRIBE <{NEC}>"
    sizes = {}
    for media, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
                       ("application/rdf+xml", "xml")):
        status, headers, body = http(sparql, form(q), {"Accept": media})
        assert status == 200 and headers["Content-Type"] == media
        g = Graph().parse(data=body, format=fmt)
        sizes[media] = len(g)
        assert (URIRef(NEC), URIRef("https://kg.jp-spending.example/def/corporateNumber"), None) in g
    assert len(set(sizes.values())) == 1, sizes
    status, headers, body = http(sparql, form("CONSTRUCT { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?n } "
                                              "WHERE { ?p a <https://kg.jp-spending.example/def/Project> ; "
                                              "<http://www.w3.org/2000/01/rdf-schema#label> ?n }"),
                                 {"Accept": "text/turtle;q=0.5, application/n-triples"})
    assert headers["Content-Type"] == "application/n-triples"
    assert len(Graph().parse(data=body, format="nt")) == 4


def test_read_only_errors_and_cors(kg_server):
    sparql = kg_server + "sparql"
    status, headers, body = http(sparql, urllib.parse.urlencode({"update": "DROP ALL"}).encode())
    assert status == 403 and b"read-only" in body
    status, _, body = http(sparql, b"DROP ALL", {"Content-Type": "application/sparql-update"})
    assert status == 403
    status, _, body = http(sparql, form("SELECT WHERE {"))
    assert status == 400 and b"syntax error" in body
    status, _, body = http(sparql)
    assert status == 400 and b"no query" in body
    status, headers, body = http(sparql, headers={"Accept": "text/html"})  # a browser gets a query form
    assert status == 200 and b'<textarea name="query"' in body
    status, _, body = http(sparql, form(PROJECTS), {"Accept": "image/png"})
    assert status == 406
    # the graph is unchanged after the refused update
    _, _, body = http(sparql, form("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 3000
    # CORS: open to browser clients, preflight included
    status, headers, _ = http(sparql, method="OPTIONS", headers={"Origin": "https://example.org",
                                                                 "Access-Control-Request-Method": "POST"})
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "*" and "POST" in headers["Access-Control-Allow-Methods"]
    _, headers, _ = http(sparql, form("ASK {}"))
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_timeout_stops_the_query_and_cap_truncates(seed_nt):
    proc, url = start_kg_server(seed_nt, "--timeout", "1", "--max-results", "7")
    try:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        status, _, body = http(url + "sparql", form(slow))
        assert status == 503 and b"limit of 1 s" in body
        status, headers, body = http(url + "sparql", form("SELECT ?s WHERE { ?s ?p ?o }"))
        assert status == 200 and headers["X-SPARQL-MaxRows"] == "7"
        assert len(json.loads(body)["results"]["bindings"]) == 7
        status, headers, body = http(url + "sparql", form(PROJECTS.replace("ORDER BY ?p", "LIMIT 3")))
        assert headers.get("X-SPARQL-MaxRows") is None and len(json.loads(body)["results"]["bindings"]) == 3
        # the server still answers after stopping a query
        assert http(url + "sparql", form("ASK {}"))[0] == 200
    finally:
        proc.terminate()
        proc.wait(10)


def test_every_canned_query_over_the_endpoint_answers_as_locally(kg_server, seed_build):
    store = store_from_graph(seed_build.graph)
    for name, query in load_queries().items():
        local = run(store, query)
        remote = run_remote(kg_server + "sparql", query)
        assert remote.columns == local.columns, name
        assert remote.rows == local.rows, name


def test_cli_query_endpoint(kg_server, capsys):
    assert main(["query", "firms-in-several-projects", "--endpoint", kg_server + "sparql", "-f", "csv"]) == 0
    out = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out.out)))
    assert {(r["corporateNumber"], r["amountYen"]) for r in rows} == {
        ("7010601022674", "53900000"), ("7010601022674", "45000000"),
        ("6010001030403", "78000000"), ("6010001030403", "15000000")}
    assert f"4 rows from {kg_server}sparql" in out.err
    assert main(["query", "top-recipients", "--endpoint", "http://127.0.0.1:9/sparql"]) == 2
    assert "cannot reach" in capsys.readouterr().err


def test_resource_pages_negotiate_html_and_rdf(kg_server):
    page = kg_server + "id/corporation/7010601022674/"
    status, headers, body = http(page, headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    text = body.decode("utf-8")
    assert "<h1>NECソリューションイノベータ株式会社</h1>" in text
    assert "NECソリューションイノベータ(株)" in text  # the other spelling
    assert "53,900,000" in text and "45,000,000" in text
    assert 'href="../../project/2021-soumu-0094/"' in text
    # the same resource as RDF, by Accept, at the IRI's path (no slash) and under /resource/
    for path in ("id/corporation/7010601022674", "resource/id/corporation/7010601022674"):
        status, headers, body = http(kg_server + path, headers={"Accept": "text/turtle"})
        assert status == 200 and headers["Content-Type"] == "text/turtle" and headers["Vary"] == "Accept"
        g = Graph().parse(data=body, format="turtle")
        assert str(g.value(URIRef(NEC), URIRef("https://kg.jp-spending.example/def/corporateNumber"))) == "7010601022674"
    status, headers, body = http(kg_server + "id/corporation/7010601022674?format=jsonld")
    assert status == 200 and headers["Content-Type"] == "application/ld+json"
    # a browser asking for the IRI itself is sent to the page folder
    req = urllib.request.Request(kg_server + "id/corporation/7010601022674", headers={"Accept": "text/html"})
    with urllib.request.urlopen(req) as r:
        assert r.url.endswith("id/corporation/7010601022674/")
    assert http(kg_server + "id/corporation/0000000000000/")[0] == 404
    home = http(kg_server)[2].decode("utf-8")
    assert 'href="class/kg-Project/"' in home


@pytest.mark.parametrize("accept, offers, chosen", [
    (None, ["a/b", "c/d"], "a/b"),
    ("c/d", ["a/b", "c/d"], "c/d"),
    ("c/*;q=0.9, a/b;q=0.1", ["a/b", "c/d"], "c/d"),
    ("*/*", ["a/b", "c/d"], "a/b"),
    ("x/y", ["a/b"], None),
    ("a/b;q=0", ["a/b", "c/d"], None),
])
def test_negotiate(accept, offers, chosen):
    assert negotiate(accept, offers) == chosen


def test_ministry_page_lists_its_projects(kg_server):
    # what a person follows first: the ministry, its projects with links
    _, _, body = http(kg_server + "id/ministry/soumu/")
    text = body.decode("utf-8")
    assert "<h1>総務省</h1>" in text
    assert "自治体AI共同開発推進事業" in text and 'href="../../project/2021-soumu-0094/"' in text


def test_serves_an_oxigraph_store_folder(tmp_path, seed_nt):
    """GRAPH_OR_STORE: an on-disk Oxigraph store is opened read-only by each request."""
    import pyoxigraph as ox

    folder = tmp_path / "store"
    store = ox.Store(str(folder))
    store.bulk_load(path=str(seed_nt), format=ox.RdfFormat.N_TRIPLES)
    expected = len(store)
    del store
    proc, url = start_kg_server(folder)
    try:
        _, _, body = http(url + "sparql", form("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == expected
        status, _, body = http(url + "id/corporation/7010601022674/")
        assert status == 200 and "NECソリューションイノベータ株式会社" in body.decode("utf-8")
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_errors(tmp_path, seed_nt, capsys, monkeypatch):
    import socket

    monkeypatch.chdir(tmp_path)
    assert main(["serve"]) == 2  # no ./graph.nt
    assert "no graph here" in capsys.readouterr().err
    assert main(["serve", str(tmp_path / "missing.nt")]) == 2
    assert "no such file" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["serve", str(seed_nt), "--port", str(busy.getsockname()[1]), "-q"]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err
    assert main(["serve", str(seed_nt), "--timeout", "0"]) == 2


def test_ontology_terms_dereference(kg_server):
    status, _, body = http(kg_server + "def/Project/", headers={"Accept": "text/html"})
    assert status == 200 and "<h1>予算事業(年度別レビューシート)</h1>" in body.decode("utf-8")
    status, headers, body = http(kg_server + "def/recipient", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=body, format="turtle")
    assert status == 200 and (URIRef("https://kg.jp-spending.example/def/recipient"), RDFS.range,
                              URIRef("https://kg.jp-spending.example/def/Recipient")) in g


def _raw(url: str, request: bytes, wait: float = 5.0) -> bytes:
    """Bytes sent as they are (no client library tidying them), the whole answer back."""
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(url)
    with socket.create_connection((u.hostname, u.port), timeout=wait) as s:
        s.sendall(request)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


def test_hostile_requests_get_4xx_and_never_reach_data(kg_server):
    """Found by trying kg serve as an attacker (issue 19): SERVICE fetched internal URLs,
    bad headers and URLs gave 500, a bad default-graph-uri 503, the Host header went into
    /void.ttl."""
    sparql = kg_server + "sparql"

    def status(query: str | None = None, data: bytes | None = None, headers: dict | None = None, url: str = sparql):
        full = url if query is None else url + "?" + urllib.parse.urlencode({"query": query})
        req = urllib.request.Request(full, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    code, text = status("SELECT * { SERVICE <" + kg_server + "void.ttl> { ?s ?p ?o } }")
    assert code == 403 and "SERVICE" in text
    code, text = status("SELECT * WHERE { " + "(" * 5000 + "1" + ")" * 5000 + " }")
    assert code == 400 and "nests 5001 brackets deep" in text  # the braces count too
    code, _ = status("SELECT (COUNT(*) AS ?n) { ?s ?p \"SERVICE ((((\" }")  # inside a string: fine
    assert code == 200
    code, text = status(data=b"query=" + b"x" * 300_000, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert code == 413
    assert _raw(kg_server, b"POST /sparql HTTP/1.0\r\nContent-Length: abc\r\n\r\n").split(b" ")[1] == b"400"
    assert _raw(kg_server, b"GET /id/%ZZ HTTP/1.0\r\n\r\n").split(b" ")[1] in (b"400", b"404")
    bad_graph = urllib.parse.urlencode({"query": "SELECT * { ?s ?p ?o } LIMIT 1", "default-graph-uri": "not an iri"})
    code, text = status(url=f"{sparql}?{bad_graph}")
    assert code == 400 and "not an IRI" in text
    void = _raw(kg_server, b"GET /void.ttl HTTP/1.0\r\nHost: evil.example\" ; <x> <y\r\n\r\n")
    assert void.split(b" ")[1] == b"200" and b"evil.example" not in void


def test_idle_connections_do_not_starve_queries(kg_server):
    import socket
    import time
    from urllib.parse import urlsplit

    u = urlsplit(kg_server)
    idle = [socket.create_connection((u.hostname, u.port)) for _ in range(40)]
    slow = []
    for _ in range(20):  # announce a body, never send it
        s = socket.create_connection((u.hostname, u.port))
        s.sendall(b"POST /sparql HTTP/1.0\r\nContent-Type: application/sparql-query\r\nContent-Length: 200000\r\n\r\n")
        slow.append(s)
    try:
        start = time.perf_counter()
        q = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        with urllib.request.urlopen(f"{kg_server}sparql?{q}", timeout=30) as r:
            assert r.status == 200
        assert time.perf_counter() - start < 5
    finally:
        for s in idle + slow:
            s.close()


def test_a_query_past_the_memory_limit_is_stopped_and_the_server_goes_on(seed_nt):
    """An ORDER BY over a cross product reached 2.4 GB within its time limit: each worker
    may take --memory-limit for one request; past it the worker dies, the client gets a
    503 and a new worker takes its place."""
    proc, url = start_kg_server(seed_nt, "--timeout", "60", "--memory-limit", "300", "--workers", "2")
    try:
        greedy = "SELECT ?a ?b ?c WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } ORDER BY ?x ?y ?z"
        status, _, body = http(url + "sparql", form(greedy))
        assert status == 503 and b"more memory than the endpoint allows" in body
        for _ in range(3):  # both workers (one of them new) answer
            assert http(url + "sparql", form("ASK { ?s ?p ?o }"))[0] == 200
    finally:
        proc.terminate()
        proc.wait(10)


def test_answers_larger_than_a_pipe_come_whole_every_time(kg_server, seed_build):
    """A worker's answer crosses a pipe; uvloop left it non-blocking and long answers once
    stopped half-way (503 one time in two)."""
    for _ in range(6):
        status, _, body = http(kg_server + "sparql", form("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
        assert status == 200 and len(body) > 500_000
        assert len(json.loads(body)["results"]["bindings"]) == seed_build.triples


def test_search_by_name_number_and_spelling(kg_server):
    def hits(q):
        status, _, body = http(kg_server + "search?" + urllib.parse.urlencode({"q": q}))
        assert status == 200
        text = body.decode("utf-8")
        return re.findall(r'<tr><td><a href="([^"]+)">([^<]+)</a>', text), text

    found, _ = hits("ＮＥＣソリューション")  # full-width, as some sheets write it
    assert found == [("id/corporation/7010601022674/", "NECソリューションイノベータ株式会社")]
    found, page = hits("(株)三菱総合")  # a spelling kept as an altLabel finds its corporation
    assert found == [("id/corporation/6010001030403/", "株式会社三菱総合研究所")] and "(株)三菱総合研究所" in page
    found, _ = hits("7010601022674")
    assert found == [("id/corporation/7010601022674/", "NECソリューションイノベータ株式会社")]
    found, _ = hits("2022-総務-21-0059")
    assert found == [("id/project/2022-soumu-0059/", "サイバーセキュリティ統合知的・人材育成基盤の構築")]
    found, _ = hits("総務省")
    assert found[0] == ("id/ministry/soumu/", "総務省")
    found, page = hits("存在しない名前")
    assert found == [] and "Nothing matches" in page
    # every page carries the search box
    _, _, body = http(kg_server + "id/corporation/7010601022674/", headers={"Accept": "text/html"})
    assert '<form class="search" action="/search"' in body.decode("utf-8")


def test_a_browser_gets_the_answer_as_a_table_under_the_form(kg_server):
    """A browser's Accept (text/html first) gets an HTML table, our IRIs linked to their
    pages; a client asking for results gets them as before."""
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    q = urllib.parse.urlencode({"query": PROJECTS})
    status, headers, body = http(f"{kg_server}sparql?{q}", headers={"Accept": browser_accept})
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<textarea name=\"query\"" in page and "<p>4 rows</p>" in page  # the 4 sheets with a name
    assert '<a href="/id/project/2021-soumu-0094">' in page and "自治体AI共同開発推進事業" in page
    status, headers, body = http(f"{kg_server}sparql?{q}")  # no Accept: the results format
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    status, _, body = http(kg_server + "sparql", form("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", format="html"))
    assert status == 200 and re.search(r'<td class="num">[\d,]+</td>', body.decode("utf-8"))
    status, _, body = http(kg_server + "sparql", form("SELECT * {", format="html"))
    assert status == 400 and 'class="error"' in body.decode("utf-8")


def test_canned_queries_as_pages_with_csv_for_excel(kg_server):
    from kg.web.query_pages import COLUMN_LABELS

    status, _, body = http(kg_server + "queries/")
    assert status == 200 and body.decode("utf-8").count('<a href="/queries/') == len(load_queries())
    status, headers, body = http(kg_server + "queries/top-recipients?" + urllib.parse.urlencode({}))
    page = body.decode("utf-8")
    assert status == 200 and '<table class="sortable">' in page and "<th>法人番号<br><small>corporateNumber</small></th>" in page
    assert '<td class="num" data-n="552500000">552,500,000</td>' in page and "rows 1–37" in page
    # the same answer as CSV for Excel: a BOM, Japanese headings, exact numbers
    status, headers, body = http(kg_server + "queries/top-recipients?format=csv&headers=ja")
    assert headers["Content-Type"].startswith("text/csv") and body.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    # each 法人番号 is followed by the full address of the corporation's page on this server
    assert rows[0][:3] == ["法人番号", "法人番号のページ", "法人名"] and rows[1][-3] == "552500000"
    assert rows[1][:2] == ["7012405000492", kg_server + "id/corporation/7012405000492"]
    assert http(rows[1][1])[0] == 200 and "国立研究開発法人情報通信研究機構" in http(rows[1][1])[2].decode("utf-8")
    assert '<td><a href="/id/corporation/7012405000492">7012405000492</a></td>' in page  # and on the page
    status, _, body = http(kg_server + "queries/firms-in-several-projects?format=csv")
    firms = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert status == 200 and firms, body[:300]
    assert {(r["project"], r["projectPage"]) for r in firms} == {  # 事業番号 lead to their projects too
        ("2021-総務-20-0094", kg_server + "id/project/2021-soumu-0094"),
        ("2022-総務-21-0059", kg_server + "id/project/2022-soumu-0059")}
    assert http(firms[0]["projectPage"])[0] == 200
    status, _, body = http(kg_server + "queries/project-history?format=csv&headers=ja")
    history = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert status == 200 and history[0][:4] == ["シート年度", "シート", "シートのページ", "シート名"], history[0]
    status, _, body = http(kg_server + "queries/top-recipients?format=json")
    assert json.loads(body)["rows"][0]["corporateNumber"] == "7012405000492"
    # parameters from the form; a bad one is a 400 with the query's own message
    status, _, body = http(kg_server + "queries/corporation-profile?corporateNumber=7010601022674")
    assert status == 200 and "NECソリューションイノベータ株式会社" in body.decode("utf-8")
    status, _, body = http(kg_server + "queries/corporation-profile?corporateNumber=123")
    assert status == 400 and "is not 13 digits" in body.decode("utf-8")
    assert http(kg_server + "queries/no-such-query")[0] == 404
    every = {c for q in load_queries().values() for c in q.output_columns}
    assert every - set(COLUMN_LABELS) == set()  # every column has its Japanese heading


def test_public_url_gives_the_links_in_csv_and_void(seed_nt):
    proc, url = start_kg_server(seed_nt, "--public-url", "https://spending.example.org/kg")
    try:
        _, _, body = http(url + "queries/top-recipients?format=csv")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0][:2] == ["corporateNumber", "corporateNumberPage"]
        assert rows[1][1] == "https://spending.example.org/kg/id/corporation/7012405000492"
        assert "<https://spending.example.org/kg/sparql>" in http(url + "void.ttl")[2].decode("utf-8")
    finally:
        proc.terminate()
        proc.wait(10)
    assert main(["serve", str(seed_nt), "--public-url", "ftp://x/"]) == 2


# ----------------------------------------------------------------------------- a store folder served

ROOT_DIR = Path(__file__).resolve().parent.parent
TRUTH = Path(__file__).resolve().parent / "fixtures" / "truth"
NTA = Path(__file__).resolve().parent / "fixtures" / "nta"
RS_REAL = Path(__file__).resolve().parent / "fixtures" / "rs-real" / "2024"
CORPORATIONS = """PREFIX kg: <https://kg.jp-spending.example/def/>
SELECT (COUNT(*) AS ?n) WHERE { ?c a kg:Corporation }"""


@pytest.mark.parametrize("sources", ["examples", "real excerpt"])
def test_the_endpoint_of_a_store_folder_answers_what_kg_query_answers(sources, tmp_path):
    """Issue 33: /sparql on a store folder read the default graph and every document's copy
    together, so a client counted 74 corporations where the graph holds 37. Every canned
    query answers the same rows through the endpoint as kg query on the same store, counts
    over the default graph agree with the VoID description, and the named graphs stay reachable."""
    import kg

    paths = [str(ROOT_DIR / "examples" / "seeds")] if sources == "examples" else [
        str(RS_REAL), str(TRUTH / "judgit-data"), str(NTA / "judgit-data"), str(NTA / "register")]
    store = tmp_path / "store"
    assert main(["build", "-q", "--store", str(store), *paths]) == 0
    corporations = int(kg.query(store, sparql=CORPORATIONS)[0]["n"])
    assert corporations == (37 if sources == "examples" else 382)
    proc, url = start_kg_server(store, "--timeout", "30")
    try:
        sparql = url + "sparql"
        remote = kg.query(None, sparql=CORPORATIONS, endpoint=sparql)
        assert int(remote[0]["n"]) == corporations
        void = Graph().parse(data=http(url + "void.ttl")[2].decode("utf-8"), format="turtle")
        VOID = "http://rdfs.org/ns/void#"
        triples = int(next(void.objects(None, URIRef(VOID + "triples"))))
        counted = int(kg.query(None, sparql="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", endpoint=sparql)[0]["n"])
        assert triples == counted == kg.open(store).triples
        partitions = {str(c): int(n) for part in void.objects(None, URIRef(VOID + "classPartition"))
                      for c in void.objects(part, URIRef(VOID + "class")) for n in void.objects(part, URIRef(VOID + "entities"))}
        assert partitions["https://kg.jp-spending.example/def/Corporation"] == corporations
        # the documents' graphs are named graphs, as SPARQL reaches them
        graphs = kg.query(None, sparql="SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", endpoint=sparql)
        named = {r["g"]: r["n"] for r in graphs}
        assert len(named) == len(list(ox.Store.read_only(str(store)).named_graphs()))
        shared = next(g for g in named if g.endswith("/graph/shared"))
        one = kg.query(None, sparql="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", endpoint=sparql + "?default-graph-uri="
                       + urllib.parse.quote(shared))
        assert int(one[0]["n"]) == named[shared]
        for name, query in sorted(load_queries().items()):
            values = param_values(store, query)
            local = kg.query(store, name, all=True, **values)
            assert list(kg.query(None, name, endpoint=sparql, all=True, **values)) == list(local), name
            assert local or name in EMPTY_ON[sources], name
    finally:
        proc.terminate()
        proc.wait(10)


EMPTY_ON = {"examples": {"contested-numbers", "contested-number-rows", "register-name-differs", "payments-to-closed-corporations", "corporation-register-history"},
            "real excerpt": set()}
