"""kg export gephi: networkx-built GEXF 1.3 and GraphML of the seed graph, read back and schema-checked.

The schema (tests/fixtures/gexf-1.3.xsd) is our own, written from the GEXF 1.3
specification: the official gexf.xsd could not be brought into this repository."""

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
import xmlschema

from kg.cli import main
from kg.gephi import counts, network, write

ID = "https://kg.jp-spending.example/id/"
NEC = ID + "corporation/7010601022674"
MRI = ID + "corporation/6010001030403"
P2021 = ID + "project/2021-soumu-0094"
P2022 = ID + "project/2022-soumu-0059"
XSD = Path(__file__).parent / "fixtures" / "gexf-1.3.xsd"
NS = {"g": "http://gexf.net/1.3"}
XSI = "http://www.w3.org/2001/XMLSchema-instance"
READER = Path(__file__).parent / "gexf_reader"  # graphology-gexf, as Gephi Lite reads GEXF


@pytest.fixture(scope="module")
def store(seed_build):
    return seed_build.store()


def written(g, tmp_path, name="g.gexf"):
    path = tmp_path / name
    write(g, path)
    return path


def test_projects_view_gexf_13_reads_back_directed_with_yen_log_weights_and_fiscal_years(store, tmp_path):
    g = network(store)
    assert counts(g) == {"corporation": 37, "project": 2} and g.number_of_edges() == 39
    path = written(g, tmp_path)
    xmlschema.XMLSchema(XSD).validate(path)  # raises on any schema error
    back = nx.read_gexf(path)
    assert back.is_directed() and back.number_of_nodes() == 39 and back.number_of_edges() == 39
    assert back.nodes[NEC] == {
        "label": "NECソリューションイノベータ株式会社", "kind": "corporation", "corporateNumber": "7010601022674",
        "ministry": "総務省", "totalYen": 98_900_000, "recipientClass": "corporation",
        "spells": [("2020-04-01", "2022-03-31")],  # paid in the fiscal years 2020 and 2021: one run
    }
    e = back.edges[P2021, NEC]  # the money's way: project → recipient
    assert (e["yen"], e["weight"], e["rows"], e["relation"], e["fiscalYear"], e["start"], e["end"]) == (
        53_900_000, 7.731589, 1, "pays", 2020, "2020-04-01", "2021-03-31")
    assert not back.has_edge(NEC, P2021)
    assert back.edges[P2022, NEC]["yen"] == 45_000_000
    assert {(d["label"], d["identifier"], d["ministry"], d["totalYen"], d["sheetYear"]) for n, d in back.nodes(data=True)
            if d["kind"] == "project"} == {
        ("自治体AI共同開発推進事業", "2021-総務-20-0094", "総務省", 609_900_000, 2021),
        ("サイバーセキュリティ統合知的・人材育成基盤の構築", "2022-総務-21-0059", "総務省", 1_088_200_000, 2022),
    }
    root = ET.parse(path).getroot()
    assert (root.get("version"), root.get(f"{{{XSI}}}schemaLocation")) == ("1.3", "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd")
    graph = root.find("g:graph", NS)
    assert (graph.get("defaultedgetype"), graph.get("mode"), graph.get("timeformat")) == ("directed", "dynamic", "date")
    edges = graph.findall("g:edges/g:edge", NS)
    assert {e.get("kind") for e in edges} == {"pays"}
    weights = sorted(float(e.get("weight")) for e in edges)
    assert (weights[0], weights[-1]) == (5.000004, 8.742332)  # log10(1 + yen): 100,000 to 552,500,000 yen
    ids = {a.get("id") for a in root.iter(f"{{{NS['g']}}}attribute")}
    values = list(root.iter(f"{{{NS['g']}}}attvalue"))
    assert values and all(v.get("for") in ids for v in values)  # every value names a declared attribute


def test_gexf_is_the_same_bytes_on_every_run(store, tmp_path):
    a = written(network(store, view="full"), tmp_path, "a.gexf").read_bytes()
    b = written(network(store, view="full"), tmp_path, "b.gexf").read_bytes()
    assert a == b and b"lastmodifieddate" not in a


def test_schema_check_fails_on_an_edge_type_gephi_does_not_know(store, tmp_path):
    path = written(network(store), tmp_path)
    text = path.read_text(encoding="utf-8")
    broken = tmp_path / "broken.gexf"
    broken.write_text(text.replace('weight="7.731589"', 'weight="7.731589" type="pays"', 1), encoding="utf-8")
    with pytest.raises(xmlschema.XMLSchemaValidationError, match="pays"):
        xmlschema.XMLSchema(XSD).validate(broken)
    broken.write_text(text.replace('start="2020-04-01"', 'start="2020.0"', 1), encoding="utf-8")
    with pytest.raises(xmlschema.XMLSchemaValidationError, match="2020.0"):
        xmlschema.XMLSchema(XSD).validate(broken)
    broken.write_text(text.replace('version="1.3"', 'version="1.2"', 1), encoding="utf-8")
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        xmlschema.XMLSchema(XSD).validate(broken)


def test_corporations_view_joins_firms_paid_by_the_same_projects(store, tmp_path):
    g = network(store, view="corporations")
    assert counts(g) == {"corporation": 37} and g.number_of_edges() == 432
    path = written(g, tmp_path)
    xmlschema.XMLSchema(XSD).validate(path)
    back = nx.read_gexf(path)
    assert not back.is_directed()
    e = back.edges[NEC, MRI]
    assert (e["projects"], e["weight"], e["relation"], e["spells"]) == (2, 2.0, "co-funded", [("2020-04-01", "2022-03-31")])
    assert sorted((d for _, d in back.degree), reverse=True)[:2] == [36, 36]  # NEC and MRI: with everyone
    small = network(store, view="corporations", max_clique=20)  # the 2022 sheet pays 28 firms: left out
    assert small.number_of_edges() == 55 and small.graph["projectsLeftOut"] == 1


def test_full_view_as_graphml_and_year_filter(store, tmp_path):
    g = network(store, view="full")
    assert counts(g) == {"corporation": 37, "law": 4, "measure": 3, "ministry": 2, "project": 23}
    assert g.number_of_edges() == 72
    xmlschema.XMLSchema(XSD).validate(written(g, tmp_path, "full.gexf"))
    soumu = ID + "ministry/soumu"
    assert {d["label"]: (g.in_degree(n), g.out_degree(n)) for n, d in g.nodes(data=True) if d["kind"] == "ministry"} == {
        "総務省": (0, 7), "文部科学省": (0, 16)}  # ministry → its projects: all 23
    assert g.edges[soumu, P2021]["relation"] == "funds"
    back = nx.read_graphml(written(g, tmp_path, "full.graphml"))
    assert back.is_directed() and back.number_of_nodes() == 69 and back.number_of_edges() == 72
    assert (back.nodes[soumu]["label"], back.nodes[soumu]["kind"]) == ("総務省", "ministry")
    assert back.nodes[NEC]["spells"] == "2020-04-01/2022-03-31"
    laws = {d["label"]: back.degree(n) for n, d in back.nodes(data=True) if d["kind"] == "law"}
    assert laws == {"総務省設置法": 3, "官民データ活用推進基本法": 1, "サイバーセキュリティ基本法": 1, "国立研究開発法人情報通信研究機構法": 1}
    assert counts(network(store, year=2021)) == {"corporation": 11, "project": 1}
    assert counts(network(store, year=2022)) == {"corporation": 28, "project": 1}


def test_cli_export(tmp_path, capsys, seed_build):
    graph = tmp_path / "graph.nt"
    graph.write_bytes(seed_build.ntriples())
    out = tmp_path / "seed.gexf"
    assert main(["export", "gephi", "-g", str(graph), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "projects view: 39 nodes (37 corporations, 2 projects), 39 edges" in err
    assert "reading the recipients and payments of 23 projects …" in err and f"writing {out} …" in err  # each step
    assert main(["export", "gephi", "-g", str(graph), "-o", str(out), "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert nx.read_gexf(out).number_of_nodes() == 39
    assert main(["export", "gephi", "-g", str(graph), "-o", str(tmp_path / "seed.txt")]) == 2
    assert "must end in .gexf or .graphml" in capsys.readouterr().err
    assert main(["export", "gephi", "-g", str(graph), "-o", str(out), "--year", "1999"]) == 2
    assert "nothing to export" in capsys.readouterr().err


def graphology(path: Path, *wanted: str) -> dict:
    """``path`` read by graphology-gexf (tests/gexf_reader/read.js): type, counts, and the
    attributes of the ``wanted`` nodes and edges ("source|target")."""
    node = shutil.which("node")
    if node is None or not (READER / "node_modules" / "graphology-gexf").is_dir():
        if os.environ.get("CI"):
            pytest.fail("node and tests/gexf_reader/node_modules are needed (.ci/run installs them)")
        pytest.skip("needs node and: npm ci --prefix tests/gexf_reader")
    done = subprocess.run([node, str(READER / "read.js"), str(path), *wanted], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_gephi_lites_reader_opens_every_view(store, tmp_path):
    """Gephi Lite (and sigma.js) read GEXF with graphology-gexf: every view opens with its
    direction, counts and typed attributes."""
    for view, expected in (("projects", ("directed", 39, 39)), ("corporations", ("undirected", 37, 432)),
                           ("full", ("directed", 69, 72))):
        got = graphology(written(network(store, view=view), tmp_path, f"{view}.gexf"), NEC, f"{P2021}|{NEC}", f"{NEC}|{MRI}")
        assert (got["type"], got["order"], got["size"]) == expected, view
        assert got["nodes"][NEC] == {"label": "NECソリューションイノベータ株式会社", "kind": "corporation",
                                     "corporateNumber": "7010601022674", "ministry": "総務省", "totalYen": 98_900_000,
                                     "recipientClass": "corporation"}
        if view == "corporations":
            assert got["edges"][f"{NEC}|{MRI}"] == {"weight": 2, "kind": "co-funded", "relation": "co-funded", "projects": 2}
        else:
            assert got["edges"][f"{P2021}|{NEC}"] == {"weight": 7.731589, "kind": "pays", "relation": "pays", "yen": 53_900_000,
                                                      "rows": 1, "sheetYear": 2021, "fiscalYear": 2020,
                                                      "outOfScaleRows": 0}
