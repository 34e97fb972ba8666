"""Issue 30: the engines institutions run. Every canned query, and every query the pages and
exports run, gives the embedded store's rows on a real Oxigraph server and on a real Virtuoso 7
(Debian's virtuoso-opensource, started with docs/using/virtuoso.ini), the data pushed there by
``kg push`` (to Virtuoso with its Digest-protected endpoints), on the bundled examples and on
the real excerpt."""

from pathlib import Path

import pytest

import kg
from kg.cli import main
from kg.queries import INTERNAL_QUERIES_DIR, Page, internal, run
from kg.remote import count_remote, run_remote

from .conftest import param_values

ROOT_DIR = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOURCES = {
    "examples": [ROOT_DIR / "examples" / "seeds"],
    "real excerpt": [FIXTURES / "rs-real" / "2024", FIXTURES / "truth" / "judgit-data",
                     FIXTURES / "nta" / "judgit-data", FIXTURES / "nta" / "register"],
}
KG = "https://kg.jp-spending.example/def/"


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    """Each set of sources built once into N-Triples: {name: (path, opened graph)}."""
    out = {}
    for name, paths in SOURCES.items():
        path = tmp_path_factory.mktemp("engines") / "graph.nt"
        assert main(["build", "-q", "-o", str(path), *map(str, paths)]) == 0
        out[name] = (path, kg.open(path))
    return out


def graph_iri(name: str) -> str:
    return "https://kg.jp-spending.example/test/" + name.replace(" ", "-")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """A real Oxigraph server for this module (tests/conftest.py's is per test)."""
    import subprocess

    from .conftest import free_port, oxigraph_binary, wait_http

    port = free_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(tmp_path_factory.mktemp("ox") / "store"),
                             "--bind", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/query?query=ASK%7B%7D", proc)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def servers(graphs, oxigraph, virtuoso, monkeypatch_module):
    """Both servers holding each graph in a named graph of its own, pushed by kg push:
    {engine: query endpoint}."""
    monkeypatch_module.setenv("KG_PASSWORD", virtuoso.password)
    for name, (path, opened) in graphs.items():
        assert main(["push", str(path), "--endpoint", oxigraph + "/store", "--graph", graph_iri(name), "-q"]) == 0
        assert main(["push", str(path), "--endpoint", virtuoso.crud_auth, "--update", virtuoso.sparql_auth,
                     "--graph", graph_iri(name), "--user", virtuoso.user, "-q"]) == 0
        assert count_remote(oxigraph + "/query", graph_iri(name)) == opened.triples
        assert count_remote(virtuoso.sparql, graph_iri(name)) == opened.triples
    return {"oxigraph": oxigraph + "/query", "virtuoso": virtuoso.sparql}


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
@pytest.mark.parametrize("sources", list(SOURCES))
def test_every_canned_query_answers_the_embedded_stores_rows(servers, graphs, engine, sources):
    _, opened = graphs[sources]
    answered = 0
    for name, query in sorted(kg.api.queries().items()):
        values = param_values(opened, query)
        local = kg.query(opened, name, all=True, **values)
        remote = kg.query(None, name, endpoint=servers[engine], remote_graph=graph_iri(sources), all=True, **values)
        assert remote.columns == local.columns, name
        assert list(remote) == list(local), (engine, name)
        answered += bool(local)
    assert answered == len(kg.api.queries()) - (5 if sources == "examples" else 0)


def internal_values(store) -> dict[str, str]:
    """A value the graph holds for each parameter of the program's own queries."""
    def first(text: str) -> str:
        rows = kg.query(store, sparql=f"PREFIX kg: <{KG}> PREFIX dcterms: <http://purl.org/dc/terms/> {text}")
        return str(next(iter(rows[0].values())))

    project = first("SELECT ?p WHERE { ?e a kg:Expenditure ; kg:project ?p } ORDER BY ?p LIMIT 1")
    return {
        "cls": KG + "Corporation",
        "corporation": first("SELECT ?c (COUNT(*) AS ?n) WHERE { ?e a kg:Expenditure ; kg:recipient ?c . "
                             "?c a kg:Corporation } GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 1"),
        "project": project,
        "identifier": first(f"SELECT ?i WHERE {{ <{project}> dcterms:identifier ?i }}"),
        "tail": "/project/" + project.rsplit("/", 1)[1],
        "law": first("SELECT ?l WHERE { ?b kg:law ?l } ORDER BY ?l LIMIT 1"),
        "ministry": first("SELECT ?m WHERE { ?p kg:ministry ?m } ORDER BY ?m LIMIT 1"),
        "text": "株式会社",
    }


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_every_query_of_the_pages_and_exports_answers_the_same(servers, graphs, engine):
    _, opened = graphs["real excerpt"]
    values = internal_values(opened)
    answered = []
    for path in sorted(INTERNAL_QUERIES_DIR.glob("*.rq")):
        q = internal(path.stem)
        given = {p.name: values[p.name] for p in q.params}
        local = run(opened.store, q, given, Page())
        remote = run_remote(servers[engine], q, given, Page(), graph=graph_iri("real excerpt"))
        assert remote.columns == local.columns, path.stem
        if "ORDER BY" in q.text:
            assert remote.rows == local.rows, path.stem
        else:  # the program orders these rows itself (or needs no order)
            assert sorted(remote.rows, key=repr) == sorted(local.rows, key=repr), path.stem
        if local.rows:
            answered.append(path.stem)
    # the store-* queries read a store folder's named graphs, which a pushed graph does not have
    assert len(answered) >= 20, answered
