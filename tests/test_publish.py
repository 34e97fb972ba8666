"""``kg publish``: a static linked-data site that any web server can host."""

import gzip
import json
import hashlib
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.cli import main
from kg.web.publish import static_path

from .conftest import free_port, wait_http

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
BASE = "https://kg.jp-spending.example/id/"


@pytest.fixture(scope="module")
def site(tmp_path_factory, seed_nt):
    folder = tmp_path_factory.mktemp("pub") / "site"
    assert main(["publish", str(folder), "-g", str(seed_nt), "-q"]) == 0
    return folder


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_layout_and_corporation_page(site):
    page = site / "id/corporation/7010601022674/index.html"
    text = page.read_text(encoding="utf-8")
    assert '<html lang="ja">' in text and '<meta charset="utf-8">' in text
    assert "<h1>NECソリューションイノベータ株式会社</h1>" in text
    assert "NECソリューションイノベータ(株)" in text and "53,900,000" in text
    data = Graph().parse(site / "id/corporation/7010601022674/index.ttl", format="turtle")
    nec = URIRef(BASE + "corporation/7010601022674")
    assert str(data.value(nec, URIRef("https://kg.jp-spending.example/def/corporateNumber"))) == "7010601022674"
    # the project page: ministry, laws, budget per year, recipients
    project = (site / "id/project/2021-soumu-0094/index.html").read_text(encoding="utf-8")
    for expected in ("総務省", "自治体AI共同開発推進事業", "予算・執行", "支出先", "NECソリューションイノベータ株式会社"):
        assert expected in project, expected
    assert (site / "class/kg-Project/index.html").is_file() and (site / "class/kg-Corporation/index.html").is_file()
    assert 'href="class/kg-Corporation/"' in (site / "index.html").read_text(encoding="utf-8")


def test_every_link_between_pages_resolves_to_a_file(site):
    pages = sorted(site.rglob("index.html"))
    assert len(pages) > 500
    checked = 0
    for page in pages:
        here = "file://" + str(page.parent) + "/"
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            if href.startswith(("http://", "https://", "urn:", "#")):  # "#…": a picture's own marks
                continue
            target = Path(unquote(urljoin(here, href)[len("file://"):]))
            if href.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(site)}: {href}"
            checked += 1
    assert checked > 2000


def test_void_dcat_and_dump(site, seed_build):
    void = Graph().parse(site / "void.ttl", format="turtle")
    ds = URIRef(BASE)
    assert (ds, RDF.type, VOID.Dataset) in void and (ds, RDF.type, DCAT.Dataset) in void
    assert void.value(ds, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert URIRef("https://rssystem.go.jp/") in set(void.objects(ds, DCTERMS.source))
    assert len(set(void.objects(ds, DCTERMS.source))) == 1 + 5  # the site and the five seed documents
    assert void.value(ds, VOID.triples) == Literal(seed_build.triples)
    dump = void.value(ds, VOID.dataDump)
    assert str(dump).endswith("dump/graph.nt.gz")
    data = gzip.decompress((site / "dump/graph.nt.gz").read_bytes())
    assert data == seed_build.ntriples()  # byte-identical to `kg build`


def test_publish_is_deterministic_and_replaces_only_a_site(tmp_path, seed_nt, site):
    again = tmp_path / "again"
    assert main(["publish", str(again), "-g", str(seed_nt), "-q"]) == 0
    assert _digest(again) == _digest(site)
    assert main(["publish", str(again), "-g", str(seed_nt), "-q"]) == 0  # over a site written before
    assert _digest(again) == _digest(site)
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"\xff\xd8")
    assert main(["publish", str(other), "-g", str(seed_nt), "-q"]) == 2
    assert sorted(p.name for p in other.iterdir()) == ["cat.jpg"]


def test_a_static_web_server_dereferences_the_iris(site):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, text=True)
    try:
        root = f"http://127.0.0.1:{port}/"
        wait_http(root, proc)
        # a plan's IRI has Japanese in it, percent-encoded; the server decodes it to the folder name
        plan = next(p for p in (site / "id/plan").iterdir())
        iri_path = "id/plan/" + urllib.request.quote(plan.name)
        with urllib.request.urlopen(root + iri_path) as r:  # redirected to the folder, then index.html
            assert r.status == 200 and f"<h1>{plan.name}".split("<h1>")[1][:5] in r.read().decode("utf-8")
        with urllib.request.urlopen(root + "id/corporation/7010601022674/index.ttl") as r:
            assert b"7010601022674" in r.read()
    finally:
        proc.terminate()
        proc.wait(10)


def test_static_path_decodes_and_shortens():
    assert static_path("id/plan/%E8%A8%88%E7%94%BB") == "id/plan/計画"
    assert static_path("id/x/a%2Fb") == "id/x/a%2Fb"  # a decoded '/' would change the folder
    long = "%E3%81%82" * 100  # 300 bytes once decoded
    short = static_path("id/plan/" + long).split("/")[-1]
    assert short.startswith("~") and len(short) == 41


def test_only_some_classes(tmp_path, seed_nt):
    folder = tmp_path / "some"
    assert main(["publish", str(folder), "-g", str(seed_nt), "-q", "--only", "kg:Project,kg:Corporation", "--only", "kg:Ministry"]) == 0
    pages = sorted(str(p.parent.relative_to(folder)) for p in folder.glob("id/**/index.html"))
    kinds = {p.split("/")[1] for p in pages}
    assert kinds == {"project", "corporation", "ministry"}
    assert len(pages) == 23 + 37 + 2
    assert sorted(p.name for p in (folder / "class").iterdir()) == ["kg-Corporation", "kg-Ministry", "kg-Project"]
    # links go only to pages that exist; the rest is plain text
    for page in folder.rglob("index.html"):
        here = "file://" + str(page.parent) + "/"
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            if href.startswith(("http://", "https://", "urn:", "#")):  # "#…": a picture's own marks
                continue
            target = Path(unquote(urljoin(here, href)[len("file://"):]))
            assert (target / "index.html" if href.endswith("/") else target).is_file(), f"{page}: {href}"
    project = (folder / "id/project/2021-soumu-0094/index.html").read_text(encoding="utf-8")
    assert 'href="../../corporation/7010601022674/"' in project and 'href="../../ministry/soumu/"' in project
    assert '<span title="https://kg.jp-spending.example/id/project/2021-soumu-0094/budget/2020">' in project
    void = Graph().parse(folder / "void.ttl", format="turtle")
    assert len(set(void.objects(URIRef(BASE), VOID.classPartition))) == 30  # the whole graph described (kg:SheetPlaceholder too)
    assert main(["publish", str(tmp_path / "bad"), "-g", str(seed_nt), "-q", "--only", "Project"]) == 2


def test_ontology_terms_have_pages(site):
    page = (site / "def/Project/index.html").read_text(encoding="utf-8")
    assert "<h1>予算事業(年度別レビューシート)</h1>" in page
    assert 'href="../../class/kg-Project/">23 ' in page  # its instances
    data = Graph().parse(site / "def/Project/index.ttl", format="turtle")
    assert (URIRef("https://kg.jp-spending.example/def/Project"), RDF.type,
            URIRef("http://www.w3.org/2002/07/owl#Class")) in data
    # property names on every page link to the property's page
    corp = (site / "id/corporation/7010601022674/index.html").read_text(encoding="utf-8")
    assert '<a href="../../../def/corporateNumber/" title="https://kg.jp-spending.example/def/corporateNumber">法人番号</a>' in corp


def test_republish_keeps_files_it_did_not_write_and_the_site_is_world_readable(tmp_path, seed_nt):
    site = tmp_path / "site"
    assert main(["publish", str(site), "-g", str(seed_nt), "-q"]) == 0
    (site / "CNAME").write_text("kg.example.org\n")
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (site / "id" / "notes.txt").write_text("ours, not kg's\n")
    assert main(["publish", str(site), "-g", str(seed_nt), "-q"]) == 0
    assert (site / "CNAME").read_text() == "kg.example.org\n"
    assert (site / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (site / "id" / "notes.txt").read_text() == "ours, not kg's\n"
    assert site.stat().st_mode & 0o755 == 0o755
    assert (site / "id").stat().st_mode & 0o755 == 0o755
    # a file of theirs where the site writes a page: refused, the old site untouched
    before = _digest(site)
    (site / "index.html").unlink()
    marker = json.loads((site / ".kg-publish.json").read_text(encoding="utf-8"))
    marker["files"].remove("index.html")
    (site / ".kg-publish.json").write_text(json.dumps(marker), encoding="utf-8")
    (site / "index.html").write_text("my own home page")
    assert main(["publish", str(site), "-g", str(seed_nt), "-q"]) == 2
    assert (site / "index.html").read_text() == "my own home page"
    assert set(_digest(site)) == set(before)


def test_a_folder_with_a_void_ttl_is_not_taken_for_a_site(tmp_path, seed_nt):
    other = tmp_path / "dataset"
    other.mkdir()
    (other / "void.ttl").write_text("# someone else's\n")
    assert main(["publish", str(other), "-g", str(seed_nt), "-q"]) == 2
    assert (other / "void.ttl").read_text() == "# someone else's\n"


def test_dot_segments_never_leave_the_site(tmp_path):
    """A unit cell of '．．' (NFKC: '..') once gave IRIs with '..' segments, and publish wrote
    index.html into the folders above the site."""
    from kg.iris import IRIs
    from kg.web.publish import publish
    from kg.store import store_from_graph

    iris = IRIs()
    assert iris.law("..") == URIRef(BASE + "law/%2E%2E") and iris.law("．．") == URIRef(BASE + "law/%2E%2E")
    g = Graph()
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    for bad in ("law/..", "law/../..", "unit/./x", "unit//y", "law/%2E%2E"):
        g.add((URIRef(BASE + bad), label, Literal("x")))
    root = tmp_path / "a" / "b"
    root.mkdir(parents=True)
    publish(store_from_graph(g), root / "site", BASE)
    outside = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()
                     and (root / "site") not in p.parents)
    assert outside == []
    assert (root / "site" / "id" / "law" / "%2E%2E" / "index.html").is_file()  # the encoded one has its page


def test_the_static_search_index(site):
    index = json.loads((site / "search" / "index.json").read_text(encoding="utf-8"))
    by_path = {e[0]: e for e in index}
    nec = by_path["id/corporation/7010601022674/"]
    assert nec[1] == "NECソリューションイノベータ株式会社" and nec[2] == "法人"
    assert "7010601022674" in nec[3] and "necソリューションイノベータ(株)" in nec[3]  # numbers and every spelling, normalised
    assert by_path["id/project/2022-soumu-0059/"][3].count("2022-総務-21-0059") == 1
    assert all((site / unquote(e[0]) / "index.html").is_file() for e in index)  # every hit has its page
    assert len(index) == 70
    page = (site / "search" / "index.html").read_text(encoding="utf-8")
    assert 'fetch("index.json")' in page and '<form class="search"' in page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<form class="search" action="search/"' in home


def test_class_indexes_page_and_rank_by_amount(tmp_path, seed_nt, monkeypatch):
    """Class indexes come in pages (500 instances; 10 here), corporations and projects
    largest first; every page link resolves, in the published site and when served."""
    from kg.web.app import Context, Request, respond
    from kg.web.sparql import Limits
    from kg.web.site import Site
    from kg.web.publish import publish
    from kg.store import load_graph_files

    monkeypatch.setattr(Site, "INDEX_PAGE", 10)
    store = load_graph_files([seed_nt])
    site = tmp_path / "site"
    publish(store, site, BASE)
    corp = site / "class" / "kg-Corporation"
    assert sorted(p.name for p in corp.iterdir()) == ["2", "3", "4", "index.html"]  # 37 corporations
    first = (corp / "index.html").read_text(encoding="utf-8")
    assert "1–10 of 37" in first and '<a href="2/" rel="next">' in first
    names = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a></td><td class="num">([\d,]+)</td>', first)
    assert names[:2] == [("国立研究開発法人情報通信研究機構", "552,500,000"),
                         ("株式会社エヌ・ティ・ティ・データ経営研究所", "286,000,000")]
    last = (corp / "4" / "index.html").read_text(encoding="utf-8")
    assert "31–37 of 37" in last and '<a href="../3/" rel="prev">' in last and '<a href="../">1</a>' in last
    for href in re.findall(r'href="([^"#?]+)"', last):
        if not href.startswith("http"):
            target = (corp / "4" / unquote(href)).resolve()
            assert (target / "index.html").is_file() or target.is_file(), href
    projects = (site / "class" / "kg-Project" / "index.html").read_text(encoding="utf-8")
    top = re.search(r'<tr><td><a href="[^"]+">([^<]+)</a></td><td class="num">([\d,]+)</td>', projects).groups()
    assert top == ("サイバーセキュリティ統合知的・人材育成基盤の構築", "1,088,200,000")  # the sum of its 支出先 rows (fund-flow)
    ctx = Context(Limits(), BASE, "t", "http://127.0.0.1/", index_page=10)
    served = respond(Request("GET", "/class/kg-Corporation/", "page=2", {"accept": "text/html"}), store, ctx)
    body = served.body.decode("utf-8")
    assert served.status == 200 and "11–20 of 37" in body and '<a href="?page=3" rel="next">' in body
    assert respond(Request("GET", "/class/kg-Corporation/", "page=x", {}), store, ctx).status == 400


def test_pages_that_differ_only_in_case(tmp_path, monkeypatch):
    """kg:Project and kg:project, blocks A and a of one sheet (real sheets go on after Z in
    lower case): two folders on Linux, and a note; a warning where the file system keeps
    one of each (macOS, Windows)."""
    import kg.web.publish as static_site
    from kg.store import store_from_graph

    g = Graph()
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    for letter in ("A", "a", "B"):
        g.add((URIRef(BASE + f"project/2021-meti-0437/block/{letter}"), label, Literal(f"block {letter}", lang="ja")))
    store = store_from_graph(g)
    done = static_site.publish(store, tmp_path / "site", BASE)
    clashes = static_site.case_clashes([static_site.static_path(p) for p in (
        "/id/project/2021-meti-0437/block/A", "/id/project/2021-meti-0437/block/a", "/id/project/2021-meti-0437/block/B")])
    assert clashes == [("/id/project/2021-meti-0437/block/A", "/id/project/2021-meti-0437/block/a")]
    assert done.case_clashes == 24  # that pair, and 23 pairs of ontology terms (kg:Project and kg:project …)
    assert "24 pages differ from another only in case" in done.summary() and "warning" not in done.summary()
    for letter in ("A", "a"):
        page = tmp_path / "site" / "id" / "project" / "2021-meti-0437" / "block" / letter / "index.html"
        assert f"block {letter}" in page.read_text(encoding="utf-8")
    assert (tmp_path / "site" / "def" / "Project" / "index.html").is_file() and (tmp_path / "site" / "def" / "project" / "index.html").is_file()
    assert static_site.case_insensitive(tmp_path) is False  # this file system tells them apart
    monkeypatch.setattr(static_site, "case_insensitive", lambda folder: True)  # as on macOS
    assert "warning: 24 pages share a folder" in static_site.publish(store, tmp_path / "site", BASE).summary()


def test_the_dump_is_sorted_in_runs_spilled_to_disk_and_gives_the_same_bytes(seed_nt):
    import io

    from kg import nt as ntmod

    lines = [ln for ln in seed_nt.read_text(encoding="utf-8").splitlines() if ln]
    shuffled = lines[::-1] + lines[:50]  # out of order, with duplicates
    whole, spilled = io.BytesIO(), io.BytesIO()
    assert ntmod.write_sorted(shuffled, whole) == ntmod.write_sorted_spilling(shuffled, spilled, run=7) == len(set(lines))
    assert spilled.getvalue() == whole.getvalue() and any(ord(c) > 127 for c in whole.getvalue().decode("utf-8"))
    empty = io.BytesIO()
    assert ntmod.write_sorted_spilling([], empty) == 0 and empty.getvalue() == b""
