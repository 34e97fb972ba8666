"""The Python API and the command line's habits (issue: installable as a library)."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal

import pytest
from rdflib import Graph

import kg
from kg.cli import main
from kg.queries import QueryError


def test_api_functions_share_one_graph(seed_build, tmp_path):
    g = kg.build(output=tmp_path / "g.nt")
    assert g.triples == seed_build.triples and (tmp_path / "g.nt").read_bytes() == seed_build.ntriples()
    rows = kg.query(g, "top-recipients", limit=2)
    assert rows.columns == ["corporateNumber", "corporation", "projects", "sheetYears", "rows", "firstYear", "lastYear",
                            "totalYen",
                            "outOfScaleRows", "outOfScaleYen"]
    assert [(r["corporateNumber"], r["totalYen"]) for r in rows] == [
        ("7012405000492", 552500000), ("1010001143390", 286000000)]
    assert type(rows[0]["totalYen"]) is int and type(rows[0]["projects"]) is int  # whole yen are int (issue 33)
    assert kg.open(tmp_path / "g.nt").triples == g.triples
    assert kg.validate(tmp_path / "g.nt").conforms


def test_gzipped_graph_files_are_read(seed_nt, tmp_path):
    gz = tmp_path / "graph.nt.gz"
    gz.write_bytes(gzip.compress(seed_nt.read_bytes()))
    assert main(["query", "firms-in-several-projects", "-g", str(gz), "-f", "csv", "-q"]) == 0
    assert kg.open(gz).triples == kg.open(seed_nt).triples


def test_adhoc_sparql_text_file_and_stdin(seed_nt, tmp_path, capsys, monkeypatch):
    text = "SELECT ?n WHERE { ?c <https://kg.jp-spending.example/def/corporateNumber> ?n } ORDER BY ?n LIMIT 2"
    assert main(["query", "--sparql", text, "-g", str(seed_nt), "-f", "csv", "-q"]) == 0
    first = capsys.readouterr().out
    assert first.splitlines() == ["n", "1010001067912", "1010001141097"]
    plain = tmp_path / "mine.rq"
    plain.write_text(text.replace("?n WHERE", "* WHERE"), encoding="utf-8")  # no header, SELECT *
    assert main(["query", str(plain), "-g", str(seed_nt), "-f", "csv", "-q"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "c,n", "https://kg.jp-spending.example/id/corporation/1010001067912,1010001067912",
        "https://kg.jp-spending.example/id/corporation/1010001141097,1010001141097"]
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["query", "-", "-g", str(seed_nt), "-f", "csv", "-q"]) == 0
    assert capsys.readouterr().out == first


def test_parameter_values_are_checked_against_the_graph(seed_build, seed_nt, capsys):
    g = kg.open(seed_nt)
    with pytest.raises(QueryError, match=r"no topic 'AJ' in the graph \(topics: AI"):
        kg.query(g, "firms-in-several-projects", topic="AJ")
    with pytest.raises(QueryError, match="法人番号 '601000103040' is not 13 digits"):
        kg.query(g, "corporation-profile", corporateNumber="601000103040")
    with pytest.raises(QueryError, match="no project '2022-総務-21-9999' in the graph"):
        kg.query(g, "fund-flow", project="2022-総務-21-9999")
    # a project as its page's URL names it is understood
    by_page = kg.query(g, "fund-flow", project="2022-soumu-0059")
    assert by_page == kg.query(g, "fund-flow", project="2022-総務-21-0059") and len(by_page) > 10
    assert main(["query", "firms-in-several-projects", "-g", str(seed_nt), "-p", "topic=AJ", "-q"]) == 2
    assert "no topic 'AJ'" in capsys.readouterr().err


def test_unknown_output_suffix_is_refused_rdf_is_rdf_xml(tmp_path, capsys):
    assert main(["build", "-q", "-o", str(tmp_path / "g.xyz")]) == 2
    assert "no output format for the suffix '.xyz'" in capsys.readouterr().err
    assert main(["build", "-q", "-o", str(tmp_path / "g.rdf")]) == 0
    back = Graph().parse(tmp_path / "g.rdf", format="xml")
    assert len(back) == kg.build().triples


def test_kg_alone_prints_help_and_every_help_has_an_example(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "usage: kg" in out and "examples:" in out
    for command in ("build", "validate", "queries", "query", "serve", "push", "publish", "export"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "examples:\n  kg " + command in capsys.readouterr().out


def test_version_of_package_and_ontology_in_the_cli_and_the_graph(capsys, seed_build):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"kg {kg.__version__} (ontology 1.6)"
    lines = [line for line in seed_build.lines if line.startswith("<https://kg.jp-spending.example/id/dataset>")]
    assert sorted(lines)[1:] == [
        '<https://kg.jp-spending.example/id/dataset> <https://kg.jp-spending.example/def/ontologyVersion> "1.6" .',
        f'<https://kg.jp-spending.example/id/dataset> <https://kg.jp-spending.example/def/softwareVersion> "{kg.__version__}" .']


def test_rows_make_a_table_without_pandas(seed_nt):
    rows = kg.query(seed_nt, "top-recipients", limit=3)
    assert json.loads(json.dumps(rows, default=str))[0].keys() == dict.fromkeys(rows.columns).keys()


def test_yen_are_ints_and_rates_stay_exact(seed_nt):
    """Issue 33: yen reached Python as Decimal, so a DataFrame of rows had no numeric column.
    A column of whole decimals (every amount) is int; a column with a fraction stays Decimal."""
    rows = kg.query(seed_nt, sparql="PREFIX kg: <https://kg.jp-spending.example/def/> SELECT ?x ?rate ?yen WHERE { "
                    "?x kg:awardRatePercent ?rate ; kg:amount ?yen } ORDER BY ?x")
    assert len(rows) == 20 and all(type(r["yen"]) is int for r in rows)
    assert rows[0]["yen"] == 286_000_000 and sum(r["yen"] for r in rows) == 806_900_000  # 286 百万円 (002_…txt:170)
    rates = [r["rate"] for r in rows]
    assert all(isinstance(v, Decimal) for v in rates) and Decimal("94.6") in rates and Decimal("93") in rates


def test_parameters_named_like_options_are_passed_in_params(seed_nt):
    """A parameter spelt like an option of kg.query goes in params=; it never becomes the option."""
    with pytest.raises(QueryError, match="no parameter 'limit'"):
        kg.query(seed_nt, "top-recipients", params={"limit": "5"})
    with pytest.raises(QueryError, match="no parameter 'sparql'"):
        kg.query(seed_nt, "top-recipients", params={"sparql": "x"})
    assert kg.query(seed_nt, "top-recipients", params={"kind": "*"}, limit=1)
