"""A request that meets one of the server's limits gets a page that says which limit and
what to do (a SPARQL client gets the same as text), and the server's log one line — not
the worker's raw abort messages."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from tests.conftest import start_kg_server


def _get(url: str, accept: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=60) as r:
            return r.status, r.headers["Content-Type"], r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode("utf-8")


def test_a_query_past_the_memory_limit_gets_a_page_and_one_log_line(seed_nt):
    proc, url = start_kg_server(seed_nt, "--timeout", "60", "--memory-limit", "300", "--workers", "1")
    try:
        greedy = "SELECT ?a ?b ?c WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } ORDER BY ?x ?y ?z"
        status, media, body = _get(url + "sparql?" + urllib.parse.urlencode({"query": greedy}), "text/html")
        assert status == 503 and media.startswith("text/html")
        assert "<h1>Memory limit</h1>" in body and "needed more memory than the endpoint allows each request (300 MB)" in body
        assert "kg query NAME -g STORE --all" in body and '<a href="/sparql">/sparql</a>' in body
        status, media, body = _get(url + "sparql?" + urllib.parse.urlencode({"query": greedy}), "application/sparql-results+json")
        assert status == 503 and media.startswith("text/plain")  # a client: the same in words, and what to do
        assert body.startswith("query stopped: it needed more memory") and "kg query NAME -g STORE --all" in body
        assert _get(url + "sparql?query=ASK%7B%7D", "application/sparql-results+json")[0] == 200  # and it goes on
    finally:
        proc.terminate()
        log = proc.communicate(timeout=20)[0]
    lines = [line for line in log.splitlines() if "memory" in line]
    assert len(lines) == 2 and all("GET /sparql?query=SELECT" in line and "(the worker was replaced)" in line
                                   for line in lines), log
    assert "memory allocation" not in log and "Traceback" not in log


def test_a_page_past_the_time_limit_says_so(seed_nt):
    proc, url = start_kg_server(seed_nt, "--timeout", "0.001", "--workers", "1")
    try:
        status, media, body = _get(url + "class/kg-Corporation/", "text/html")
        assert status == 503 and media.startswith("text/html")
        assert "<h1>Time limit</h1>" in body and "limit of 0.001 s" in body and "/class/kg-Corporation/" in body
    finally:
        proc.terminate()
        log = proc.communicate(timeout=20)[0]
    assert "GET /class/kg-Corporation/: query stopped: it ran longer than the endpoint's limit of 0.001 s" in log


def test_a_long_table_shows_its_first_rows_and_says_where_the_rest_are(monkeypatch, seed_build):
    """A ministry of ten years lists thousands of projects, a prefecture thousands of
    payments: a page draws the first rows of a table (1,000; here 1) and says how many more
    there are and how to get them all."""
    import re

    from kg.web import render
    from kg.web.views import Pages

    site = Pages(seed_build.store())
    whole = site.page("https://kg.jp-spending.example/id/ministry/soumu")
    monkeypatch.setattr(render, "MAX_TABLE_ROWS", 1)
    render.environment.cache_clear()  # the templates as a new environment loads them
    try:
        cut = site.page("https://kg.jp-spending.example/id/ministry/soumu")
        corp = site.page("https://kg.jp-spending.example/id/corporation/7010601022674")
    finally:
        monkeypatch.undo()
        render.environment.cache_clear()
    def listed(page):  # the rows of the ministry's table of projects
        section = page.split("<h2>事業 Projects</h2>", 1)[1].split("</section>", 1)[0]
        return re.findall(r"<tr><td><a href=\"../../project/([^\"/]+)/\">", section)

    assert len(listed(whole)) == 7 and listed(cut) == listed(whole)[:1] and "more rows not shown" not in whole
    assert ("<p>6 more rows not shown here (the first 1 of 7); every row: a canned query with --all (kg query), "
            "or the SPARQL endpoint.</p>") in cut
    assert "1 more rows not shown here (the first 1 of 2); every row: kg query corporation-profile -p corporateNumber=7010601022674 --all." in corp
