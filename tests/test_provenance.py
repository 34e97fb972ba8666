"""Project lineage across years, and where every fact came from."""

from decimal import Decimal

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from kg.pipeline import build, serialize
from kg.cli import main
from kg.iris import KG
from kg.queries import get_query, run
from kg.store import store_from_graph

from .conftest import seed_file

ID = "https://kg.jp-spending.example/id/"
PRE = """PREFIX kg: <https://kg.jp-spending.example/def/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def lineage(graph, start: str) -> list[str]:
    """Identifiers from ``start`` back along kg:previousSheet, newest first."""
    out, node = [], URIRef(ID + "project/" + start)
    while node is not None:
        out.append(str(graph.value(node, DCTERMS.identifier)))
        node = graph.value(node, KG.previousSheet)
    return out


def test_lineage_of_seed_004_three_sheets_three_years(graph):
    # 令和2年度 総務省 新03 0005 → 2021-総務-20-0063 → 2022-総務-21-0059
    assert lineage(graph, "2022-soumu-0059") == ["2022-総務-21-0059", "2021-総務-20-0063", "2020-総務-新03-0005"]
    years = [int(graph.value(URIRef(ID + "project/" + k), KG.sheetYear)) for k in
             ("2022-soumu-0059", "2021-soumu-0063", "2020-soumu-n03-0005")]
    assert years == [2022, 2021, 2020]


def test_lineage_of_seed_002(graph):
    assert lineage(graph, "2021-soumu-0094") == ["2021-総務-20-0094", "2020-総務-新02-0012", "2019-総務-新32-0014"]


def test_a_later_sheet_merges_into_the_placeholder_of_an_earlier_listing(tmp_path):
    """The 2022 sheet lists 2021-20-0063; a 2021 sheet numbered 0063 lands on that same node."""
    text = seed_file("002").read_text(encoding="utf-8")
    assert "0094" in text
    renumbered = tmp_path / "2021-0063.txt"
    renumbered.write_text(text.replace("0094", "0063"), encoding="utf-8")
    result = build([renumbered, seed_file("004")])
    g = result.graph
    node = URIRef(ID + "project/2021-soumu-0063")
    assert (URIRef(ID + "project/2022-soumu-0059"), KG.previousSheet, node) in g
    assert str(g.value(node, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == "自治体AI共同開発推進事業"
    assert len(set(g.objects(node, PROV.wasDerivedFrom))) == 1


def test_project_history_query(graph):
    store = store_from_graph(graph)
    result = run(store, get_query("project-history"))
    rows = [
        tuple(None if t is None else (Decimal(t.value) if isinstance(t, ox.Literal) and t.datatype.value.endswith(("decimal", "integer")) else t.value) for t in row)
        for row in result.rows
    ]
    assert result.columns == ["sheetYear", "sheet", "sheetName", "source", "documents", "budgetTotalYen", "executedYen", "reportedIn"]
    # one row a sheet; past sheets not in the input have no source document
    assert [(r[0], r[1], r[4], r[5], r[6], r[7]) for r in rows] == [
        (2020, "2020-総務-新03-0005", 0, 0, 0, "2022-総務-21-0059"),
        (2021, "2021-総務-20-0063", 0, 700_000_000, 552_700_000, "2022-総務-21-0059"),
        (2022, "2022-総務-21-0059", 1, 9_218_000_000, None, "2022-総務-21-0059"),
    ]
    assert rows[2][2] == "サイバーセキュリティ統合知的・人材育成基盤の構築"
    assert rows[2][3] == seed_file("004").name
    # the same history, asked from the oldest sheet
    older = run(store, get_query("project-history"), {"project": "2020-総務-新03-0005"})
    assert older.rows == result.rows
    other = run(store, get_query("project-history"), {"project": "2021-総務-20-0094"})
    assert [(r[0].value, r[5].value if r[5] else None) for r in other.rows] == [
        ("2019", "0"), ("2020", "296000000"), ("2021", "0")
    ]


def test_every_expenditure_and_budget_row_has_a_source_document_and_line(graph):
    rows = list(graph.query(PRE + """
        SELECT ?cls (COUNT(DISTINCT ?x) AS ?all) (COUNT(DISTINCT ?ok) AS ?traced) WHERE {
          VALUES ?cls { kg:Expenditure kg:BudgetRecord kg:BudgetLine }
          ?x a ?cls .
          OPTIONAL { ?x kg:sourceLine ?line ; prov:wasDerivedFrom ?d . ?d a kg:SourceDocument ; dcterms:title ?t .
                     BIND(?x AS ?ok) }
        } GROUP BY ?cls ORDER BY ?cls"""))
    counts = {str(r[0]).rsplit("/", 1)[-1]: (int(r[1]), int(r[2])) for r in rows}
    assert counts == {"BudgetLine": (11, 11), "BudgetRecord": (48, 48), "Expenditure": (46, 46)}


def test_source_documents_are_prov_entities_with_name_digest_and_layout(graph):
    docs = sorted(graph.subjects(RDF.type, KG.SourceDocument), key=str)
    assert len(docs) == 5
    for d in docs:
        assert (d, RDF.type, PROV.Entity) in graph
        name = str(graph.value(d, DCTERMS.title))
        sha = str(graph.value(d, KG.sha256))
        assert str(d).endswith(sha[:16]) and len(sha) == 64
        assert str(graph.value(d, KG.layout)) in {"excel-cells", "pdf-text", "pre-analysis"}
        assert name.endswith(".txt")
    # nothing that changes between runs (build time, paths) is in the graph
    assert not any("/tmp/" in str(o) or "/work/" in str(o) for o in graph.objects())


def test_named_graph_per_document(seeds, tmp_path):
    result = build([seeds])
    whole = set(result.graph)
    assert whole == set().union(*(set(result.named_graph(name)) for name in result.graphs))  # the union
    docs = {URIRef(d) for d in result.graphs if d is not None}
    assert docs == set(result.graph.subjects(RDF.type, KG.SourceDocument))
    doc004 = next(d for d in docs if str(result.graph.value(d, DCTERMS.title)) == seed_file("004").name)
    expenditure = URIRef(ID + "project/2022-soumu-0059/expenditure/G-1")
    assert (expenditure, KG.amount, None) in {(s, p, None) for s, p, _ in result.named_graph(doc004)}
    # a corporation is merged across documents: in the default graph; the rows naming it in each document's graph
    corp = URIRef(ID + "corporation/6010001030403")
    assert any(s == corp for s, _, _ in result.named_graph(None))
    in_docs = {d for d in docs if any(o == corp for _, _, o in result.named_graph(d))}
    assert {str(result.graph.value(d, DCTERMS.title))[:3] for d in in_docs} == {"002", "004"}

    nq = serialize(result, "nquads")
    assert nq == serialize(build([seeds]), "nquads")  # byte-identical
    ds = Dataset()
    ds.parse(data=nq.decode("utf-8"), format="nquads")
    assert {g.identifier for g in ds.graphs() if len(g)} >= docs
    trig = serialize(result, "trig")
    ds2 = Dataset()
    ds2.parse(data=trig.decode("utf-8"), format="trig")
    assert len(ds2.graph(doc004)) == len(result.named_graph(doc004))


def test_cli_trig_and_nquads_outputs_and_querying_them(tmp_path, seeds, capsys):
    nq = tmp_path / "g.nq"
    trig = tmp_path / "g.trig"
    assert main(["build", "-q", str(seeds), "-o", str(nq)]) == 0
    assert main(["build", "-q", str(seeds), "-o", str(trig)]) == 0
    lines = nq.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    assert sum(1 for line in lines if line.endswith(f"<{ID}document/{_sha(seed_file('004'))[:16]}> .")) > 500
    capsys.readouterr()
    assert main(["query", "firms-in-several-projects", "-g", str(nq), "-f", "csv", "-q"]) == 0
    assert main(["query", "firms-in-several-projects", "-g", str(trig), "-f", "csv", "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 10 and out[:5] == out[5:]
    assert main(["validate", "-q", str(nq)]) == 0


def _sha(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_project_links_every_sheet_of_a_lineage(graph):
    """kg:sameProjectAs is the closure of kg:pastSheet: 2022-総務-21-0059 lists two past
    sheets, so the three are linked each to each (and each to itself), and no further."""
    ids = {p: str(graph.value(p, DCTERMS.identifier)) for p in graph.subjects(RDF.type, KG.Project)}
    start = next(p for p, i in ids.items() if i == "2022-総務-21-0059")
    lineage = set(graph.objects(start, KG.sameProjectAs))
    assert sorted(ids[p] for p in lineage) == ["2020-総務-新03-0005", "2021-総務-20-0063", "2022-総務-21-0059"]
    for p in lineage:
        assert set(graph.objects(p, KG.sameProjectAs)) == lineage
    # every project sheet reaches at least itself; a sheet with no past stands alone
    assert all((p, KG.sameProjectAs, p) in graph for p in ids)
    alone = next(p for p, i in ids.items() if i == "2022-総務-新22-0011")
    assert set(graph.objects(alone, KG.sameProjectAs)) == {alone}
