"""Every canned query, with its exact answer on the seed graph."""

import csv
import io
import json
import re
from decimal import Decimal

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.queries import (
    Page,
    QueryError,
    get_query,
    load_queries,
    parse_query_file,
    query_text,
    run,
    to_csv,
    to_json,
    to_table,
)
from kg.queries import bindings as bind
from kg.store import store_from_graph

REQUIRED = {
    "firms-in-several-projects",
    "top-recipients",
    "single-bidder-contracts",
    "non-competitive-contracts",
    "projects-by-law",
    "projects-by-plan",
    "budget-by-ministry",
    "corporation-profile",
    "name-variants",
    "fund-flow",
}


@pytest.fixture(scope="module")
def store(graph):
    return store_from_graph(graph)


def answer(store, name, **params):
    """Rows as tuples of plain Python values (Decimal for numbers, None for unbound)."""
    result = run(store, get_query(name), {k: str(v) for k, v in params.items()})
    rows = []
    for row in result.rows:
        out = []
        for t in row:
            if t is None:
                out.append(None)
            elif isinstance(t, ox.Literal) and t.datatype.value.endswith(("#decimal", "#integer")):
                out.append(Decimal(t.value))
            elif isinstance(t, ox.Literal) and t.datatype.value.endswith("#boolean"):
                out.append(t.value == "true")
            else:
                out.append(t.value)
        rows.append(tuple(out))
    return result.columns, rows


def column(columns, rows, name):
    i = columns.index(name)
    return [r[i] for r in rows]


def test_library_has_every_required_query_with_header():
    queries = load_queries()
    assert REQUIRED <= set(queries)
    for q in queries.values():
        assert q.title and q.description, q.name
        assert q.output_columns, q.name
        for p in q.params:
            assert p.default != "" and p.description, (q.name, p.name)


def test_firms_in_several_ai_projects(store):
    cols, rows = answer(store, "firms-in-several-projects")
    assert cols == ["corporateNumber", "corporation", "projects", "sheetYears", "totalYen", "project", "projectName",
                    "ministry", "amountYen"]
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[8]) for r in rows] == [  # two projects (0059's past is 0063, not 0094)
        ("7010601022674", "NECソリューションイノベータ株式会社", 2, 2, 98_900_000, "2021-総務-20-0094", 53_900_000),
        ("7010601022674", "NECソリューションイノベータ株式会社", 2, 2, 98_900_000, "2022-総務-21-0059", 45_000_000),
        ("6010001030403", "株式会社三菱総合研究所", 2, 2, 93_000_000, "2021-総務-20-0094", 78_000_000),
        ("6010001030403", "株式会社三菱総合研究所", 2, 2, 93_000_000, "2022-総務-21-0059", 15_000_000),
    ]
    assert set(column(cols, rows, "projectName")) == {"自治体AI共同開発推進事業", "サイバーセキュリティ統合知的・人材育成基盤の構築"}


def test_topic_keywords_come_from_the_ontology_not_the_query(store):
    # a topic nobody wrote keywords for selects nothing; '*' selects every project
    assert answer(store, "firms-in-several-projects", topic="宇宙")[1] == []
    cols, rows = answer(store, "firms-in-several-projects", topic="*")
    assert {r[0] for r in rows} == {"7010601022674", "6010001030403"}
    # one project is enough when asked: every corporation paid by an AI project
    cols, rows = answer(store, "firms-in-several-projects", minProjects=1)
    assert len({r[0] for r in rows}) == 37  # every corporation of the seeds is paid by 0094 or 0059


def test_the_build_tags_topics_from_the_keywords(seeds, monkeypatch):
    """kg:onTopic is the build's reading of ontology/topics.ttl: another keyword list gives
    other projects (the query itself no longer scans texts)."""
    from kg import assets
    from kg.emit import projects
    from kg.pipeline import build

    ai = "https://kg.jp-spending.example/def/code/topic/ai"
    (concept, keywords), = assets.topic_keywords()
    assert concept == ai and sorted(keywords) == sorted(["AI", "ＡＩ", "人工知能", "基盤モデル", "機械学習", "生成AI", "GPAI",
                                                         "AIPセンター"])

    def tagged(keyword_list):
        pattern = re.compile("|".join(map(assets.keyword_pattern, keyword_list)))
        monkeypatch.setattr(projects, "topic_patterns", lambda: ((ai, pattern),))
        result = build([seeds])
        return result, sorted(str(p) for p, _, _ in result.graph.triples((None, projects.KG.onTopic, None)))

    with_security, on_topic = tagged(keywords + ("サイバーセキュリティ",))
    assert [p.rsplit("/", 1)[-1] for p in on_topic] == [  # every seed sheet is an AI project
        "2021-soumu-0094", "2022-soumu-0059", "2022-soumu-n22-0011", "2023-mext-n24-0017"]
    cols, rows = answer(store_from_graph(with_security.graph), "firms-in-several-projects")
    assert len(rows) == 4  # 0059 was already an AI project: same answer
    without_ai, on_topic = tagged(("人工知能", "生成AI", "機械学習", "基盤モデル"))
    assert [p.rsplit("/", 1)[-1] for p in on_topic] == ["2022-soumu-n22-0011", "2023-mext-n24-0017"]
    cols, rows = answer(store_from_graph(without_ai.graph), "firms-in-several-projects")
    assert rows == []  # without "AI", 0094 is no longer on the topic


def test_top_recipients(store):
    cols, rows = answer(store, "top-recipients")
    assert cols == ["corporateNumber", "corporation", "projects", "sheetYears", "rows", "firstYear", "lastYear", "totalYen",
                    "outOfScaleRows", "outOfScaleYen"]
    assert len(rows) == 37
    assert rows[:6] == [
        ("7012405000492", "国立研究開発法人情報通信研究機構", 1, 1, 1, 2022, 2022, 552_500_000, 0, 0),
        ("1010001143390", "株式会社エヌ・ティ・ティ・データ経営研究所", 1, 1, 1, 2021, 2021, 286_000_000, 0, 0),
        ("7010001008844", "株式会社日立製作所", 1, 1, 1, 2022, 2022, 108_900_000, 0, 0),
        ("7010601022674", "NECソリューションイノベータ株式会社", 2, 2, 2, 2021, 2022, 98_900_000, 0, 0),
        ("5011501015290", "デジタルテクノロジー株式会社", 1, 1, 2, 2022, 2022, 97_700_000, 0, 0),
        ("6010001030403", "株式会社三菱総合研究所", 2, 2, 2, 2021, 2022, 93_000_000, 0, 0),
    ]
    totals = column(cols, rows, "totalYen")
    assert totals == sorted(totals, reverse=True)
    assert sum(totals) == 1_698_100_000  # all 46 rows: 609.9M (0094) + 1,088.2M (0059)
    assert rows[-1] == ("5012801000156", "井上事務機事務用品株式会社", 1, 1, 1, 2022, 2022, 100_000, 0, 0)


def test_single_bidder_contracts(store):
    cols, rows = answer(store, "single-bidder-contracts")
    assert len(rows) == 18
    assert set(column(cols, rows, "project")) == {"2022-総務-21-0059"}
    assert rows[0][cols.index("recipient")] == "株式会社日立製作所"
    assert rows[0][cols.index("contractMethod")] == "随意契約(公募)"
    assert rows[0][cols.index("amountYen")] == 108_900_000
    assert rows[0][cols.index("awardRatePercent")] == 100
    assert set(column(cols, rows, "contractMethod")) == {"随意契約(公募)", "一般競争契約(最低価格)", "一般競争契約(総合評価)"}
    assert sum(column(cols, rows, "amountYen")) == 424_600_000
    kuruwitt = [r for r in rows if r[cols.index("corporateNumber")] == "3012401014616"]
    assert [(r[cols.index("block")], r[cols.index("awardRatePercent")], r[cols.index("amountYen")]) for r in kuruwitt] == [
        ("H", 97, 13_500_000)
    ]
    cols, rows = answer(store, "single-bidder-contracts", bidders=2)
    assert [(r[0], r[3], r[5], r[7], r[8]) for r in rows] == [
        ("2021-総務-20-0094", "A", "1010001143390", Decimal("99.7"), 286_000_000),
        ("2022-総務-21-0059", "E", "5011501015290", Decimal("94.6"), 96_300_000),
    ]


def test_non_competitive_contracts(store):
    cols, rows = answer(store, "non-competitive-contracts")
    assert len(rows) == 15
    assert set(column(cols, rows, "contractMethod")) == {"随意契約(少額)", "随意契約(その他)"}
    assert rows[0][cols.index("recipient")] == "Amazon Web Services, Inc."
    assert rows[0][cols.index("amountYen")] == 4_800_000
    assert sum(column(cols, rows, "amountYen")) == 14_800_000
    assert not any(column(cols, rows, "highAwardRate"))


def test_non_competitive_contracts_flag_high_award_rates(graph):
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from kg.iris import KG

    g = graph.__class__()
    for t in graph:
        g.add(t)
    e = URIRef("https://kg.jp-spending.example/id/project/2022-soumu-0059/expenditure/J-1")
    g.add((e, KG.awardRatePercent, Literal("99.5", datatype=XSD.decimal)))
    store = store_from_graph(g)
    cols, rows = answer(store, "non-competitive-contracts")
    assert rows[0][cols.index("highAwardRate")] is True  # flagged rows come first
    assert rows[0][cols.index("recipient")] == "デジタルテクノロジー株式会社"
    assert sum(column(cols, rows, "highAwardRate")) == 1
    cols, rows = answer(store, "non-competitive-contracts", threshold="99.6")
    assert sum(column(cols, rows, "highAwardRate")) == 0


def test_projects_by_law(store):
    cols, rows = answer(store, "projects-by-law")
    assert [(r[0], r[3]) for r in rows] == [
        ("2021-総務-20-0094", "第4条第1項第70号"),
        ("2022-総務-21-0059", "第4条第1項第59号"),
        ("2022-総務-新22-0011", "第4条第1項第70号"),
    ]
    cols, rows = answer(store, "projects-by-law", law="サイバーセキュリティ基本法")
    assert [(r[0], r[3]) for r in rows] == [
        ("2022-総務-21-0059", "第13条"),
        ("2022-総務-21-0059", "第14条"),
        ("2022-総務-21-0059", "第21条"),
        ("2022-総務-21-0059", "第22条"),
    ]
    # full-width input is normalised like the data
    assert answer(store, "projects-by-law", law="総務省設置法")[1] == answer(store, "projects-by-law", law="総務省設置法 ")[1]


def test_projects_by_plan(store):
    cols, rows = answer(store, "projects-by-plan")
    assert len(rows) == 15
    assert [(r[0], r[3], r[4]) for r in rows[:4]] == [
        ("デジタル社会の実現に向けた重点計画", 2, "2022-総務-21-0059"),
        ("デジタル社会の実現に向けた重点計画", 2, "2022-総務-新22-0011"),
        ("統合イノベーション戦略2022", 2, "2022-総務-21-0059"),
        ("統合イノベーション戦略2022", 2, "2022-総務-新22-0011"),
    ]
    assert rows[0][1] == "2022-06-07" and rows[0][2] == "閣議"
    assert len(answer(store, "projects-by-plan", minProjects=2)[1]) == 4


def test_budget_by_ministry(store):
    cols, rows = answer(store, "budget-by-ministry")
    assert cols == ["ministry", "fiscalYear", "projects", "budgetTotalYen", "executedYen", "executionRatePercent"]
    assert rows == [
        ("文部科学省", 2023, 1, 4_242_000_000, None, None),
        ("総務省", 2020, 1, 296_000_000, 286_000_000, Decimal("96.6")),
        ("総務省", 2021, 1, 700_000_000, 552_700_000, 79),
        ("総務省", 2022, 2, 10_218_000_000, None, None),
    ]


def test_budget_by_ministry_counts_a_year_once_across_linked_sheets(graph):
    """When a newer sheet of the same project reports a year, the older sheet's figure is not added."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, XSD

    from kg.iris import KG

    g = graph.__class__()
    for t in graph:
        g.add(t)
    older = URIRef("https://kg.jp-spending.example/id/project/2021-soumu-0063")  # past sheet of 0059
    b = URIRef(str(older) + "/budget/2021")
    g.add((older, KG.budgetRecord, b))
    g.add((b, RDF.type, KG.BudgetRecord))
    g.add((b, KG.fiscalYear, Literal("2021", datatype=XSD.integer)))
    g.add((b, KG.isRequest, Literal("false", datatype=XSD.boolean)))
    g.add((b, KG.budgetTotal, Literal("650000000", datatype=XSD.decimal)))
    b20 = URIRef(str(older) + "/budget/2020")
    g.add((older, KG.budgetRecord, b20))
    g.add((b20, KG.fiscalYear, Literal("2020", datatype=XSD.integer)))
    g.add((b20, KG.isRequest, Literal("false", datatype=XSD.boolean)))
    g.add((b20, KG.budgetTotal, Literal("5000000", datatype=XSD.decimal)))
    cols, rows = answer(store_from_graph(g), "budget-by-ministry")
    by_year = {r[1]: r for r in rows if r[0] == "総務省"}
    assert by_year[2021][3] == 700_000_000  # the 2022 sheet's figure, not 650,000,000 more
    # FY2020: the 2022 sheet reports 0 for it, so its own (older) figure is not used either
    assert by_year[2020][3] == 296_000_000


def test_corporation_profile(store):
    cols, rows = answer(store, "corporation-profile")
    assert [(r[cols.index("project")], r[cols.index("block")], r[cols.index("contractMethod")], r[cols.index("amountYen")]) for r in rows] == [
        ("2021-総務-20-0094", "C", "随意契約(公募)", 78_000_000),
        ("2022-総務-21-0059", "G", "一般競争契約(最低価格)", 15_000_000),
    ]
    assert set(column(cols, rows, "corporation")) == {"株式会社三菱総合研究所"}
    assert set(column(cols, rows, "otherNames")) == {"(株)三菱総合研究所"}
    assert set(column(cols, rows, "totalYen")) == {93_000_000}
    assert rows[1][cols.index("bidders")] == 1 and rows[1][cols.index("awardRatePercent")] == Decimal("99.8")
    assert all(s.startswith(("002_", "004_")) and ":" in s for s in column(cols, rows, "source"))
    cols, rows = answer(store, "corporation-profile", corporateNumber="9010401132779")
    assert column(cols, rows, "nameAsWritten") == ["株式会社グラファール"]
    assert column(cols, rows, "otherNames") == ["株式会社グラファー"]
    assert answer(store, "corporation-profile", corporateNumber="1234567890123")[1] == []


def test_name_variants(store):
    cols, rows = answer(store, "name-variants")
    assert len({r[0] for r in rows}) == 10
    graphar = [r for r in rows if r[0] == "9010401132779"]
    assert [(r[1], r[3], r[4], r[5]) for r in graphar] == [
        ("株式会社グラファール", "株式会社グラファール", True, 1),
        ("株式会社グラファール", "株式会社グラファー", False, 1),
    ]
    mri = [r for r in rows if r[0] == "6010001030403"]
    assert [(r[3], r[5], r[6]) for r in mri] == [("株式会社三菱総合研究所", 3, 2), ("(株)三菱総合研究所", 1, 1)]


def test_fund_flow(store):
    cols, rows = answer(store, "fund-flow")
    assert len(rows) == 35
    assert rows[0][cols.index("block")] == "A"
    assert rows[0][cols.index("recipient")] == "国立研究開発法人情報通信研究機構"
    assert rows[0][cols.index("amountYen")] == 552_500_000
    b = [r for r in rows if r[cols.index("block")] == "B"]
    assert [r[cols.index("rank")] for r in b] == [1, 2, 5, 3, 4, 6, 7]  # by amount, then rank
    assert sum(r[cols.index("amountYen")] for r in rows) == 1_088_200_000
    cols, rows = answer(store, "fund-flow", project="2021-総務-20-0094")
    assert [(r[cols.index("block")], r[cols.index("amountYen")]) for r in rows][:3] == [
        ("A", 286_000_000), ("B", 80_000_000), ("C", 78_000_000)
    ]
    assert len(rows) == 11


def test_unknown_parameter_and_bad_value_are_errors(store):
    with pytest.raises(QueryError, match="no parameter 'x'"):
        run(store, get_query("top-recipients"), {"x": "1"})
    with pytest.raises(QueryError, match="minProjects: 'two' is not an integer"):
        run(store, get_query("firms-in-several-projects"), {"minProjects": "two"})
    with pytest.raises(QueryError, match="no canned query 'firms'.*did you mean firms-in-several-projects"):
        get_query("firms")


def test_parameters_are_bound_as_terms_not_spliced(store):
    """A value with SPARQL syntax in it is only ever a string that matches nothing."""
    evil = '総務省設置法" ) } UNION { ?p ?x ?y } #'
    assert answer(store, "projects-by-law", law=evil)[1] == []
    assert answer(store, "projects-by-law", law=evil.split('"')[0])[1] != []  # the same law, bound cleanly, matches


def test_output_formats(store):
    result = run(store, get_query("firms-in-several-projects"))
    table = to_table(result)
    assert "98,900,000" in table and "NECソリューションイノベータ株式会社" in table
    rows = list(csv.DictReader(io.StringIO(to_csv(result))))
    assert rows[0]["amountYen"] == "53900000" and rows[0]["corporation"] == "NECソリューションイノベータ株式会社"
    doc = json.loads(to_json(result))
    assert doc["parameters"] == {"topic": "AI", "minProjects": 2, "kind": "corporation", "outOfScale": "exclude"}
    assert doc["rows"][0]["totalYen"] == 98_900_000 and isinstance(doc["rows"][0]["projects"], int)


def test_cli_query_and_queries(tmp_path, capsys, seeds):
    graph = tmp_path / "g.nt"
    assert main(["build", "-q", str(seeds), "-o", str(graph)]) == 0
    capsys.readouterr()
    assert main(["queries"]) == 0
    out = capsys.readouterr().out
    for name in REQUIRED:
        assert name in out
    assert "--param topic=… (string, default 'AI')" in out
    assert main(["query", "top-recipients", "-g", str(graph), "-f", "csv", "--limit", "2", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1:] == [
        "7012405000492,国立研究開発法人情報通信研究機構,1,1,1,2022,2022,552500000,0,0",
        "1010001143390,株式会社エヌ・ティ・ティ・データ経営研究所,1,1,1,2021,2021,286000000,0,0",
    ]
    # sources instead of a graph file: built on the fly, same answer
    assert main(["query", "corporation-profile", "-g", str(seeds), "-p", "corporateNumber=7010601022674", "-f", "json", "-q"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["amountYen"] for r in doc["rows"]] == [53_900_000, 45_000_000]
    assert main(["query", "top-recipients", "-g", str(tmp_path / "missing.nt")]) == 2
    assert "missing.nt: no such file or folder" in capsys.readouterr().err
    bad = tmp_path / "bad.nt"
    bad.write_text("<a> <b> .\n")
    assert main(["query", "top-recipients", "-g", str(bad)]) == 2
    assert "bad.nt: not a valid .nt graph" in capsys.readouterr().err


# ----------------------------------------------------------------------------- pages


def test_parameters_reach_the_sub_select_that_ranks_a_page():
    q = get_query("single-bidder-contracts")
    text = query_text(q, bind(q, {"bidders": "2"}))
    two = '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert text.count(f"VALUES (?bidders) {{ ({two}) }}") == 2  # outer group and the ranking sub-select
    inner = text.index("SELECT ?x ?bidders ?amountYen WHERE {")
    assert text.index("VALUES (?bidders)", inner) < text.index("LIMIT 1000", inner)
    # a sub-select that does not project a parameter is left alone
    q = get_query("firms-in-several-projects")
    assert query_text(q, bind(q, {})).count("VALUES (?topic ?minProjects ?kind ?outOfScale)") == 1


def test_pages_of_a_listing(store):
    q = get_query("single-bidder-contracts")
    assert q.page_size == 1000
    every = run(store, q, page=Page(everything=True))
    assert len(every.rows) == 18 and not every.may_continue
    assert run(store, q).rows == every.rows  # 18 rows fit in the default page
    amount = every.columns.index("amountYen")
    pages = [run(store, q, page=Page(limit=5, offset=k)) for k in range(0, 20, 5)]
    assert [len(p.rows) for p in pages] == [5, 5, 5, 3]
    assert [p.may_continue for p in pages] == [True, True, True, False]
    def key(row):
        return tuple(str(t) for t in row)

    assert sorted((r for p in pages for r in p.rows), key=key) == sorted(every.rows, key=key)  # each row once
    # ranked before the page is cut: each page's amounts are at most the previous page's
    for before, after in zip(pages, pages[1:], strict=False):
        assert min(int(r[amount].value) for r in before.rows) >= max(int(r[amount].value) for r in after.rows)
    assert [int(r[amount].value) for r in pages[0].rows] == [108_900_000, 45_000_000, 42_900_000, 34_200_000, 29_700_000]
    # --all with an offset: everything after the first 15
    assert len(run(store, q, page=Page(everything=True, offset=15)).rows) == 3


def test_a_limit_on_a_query_without_pages_is_appended(store):
    q = get_query("budget-by-ministry")
    assert q.page_size is None
    every = run(store, q).rows
    assert len(every) == 4
    assert run(store, q, page=Page(limit=2, offset=1)).rows == every[1:3]
    assert query_text(q, bind(q, {}), Page(limit=2, offset=1)).rstrip().endswith("LIMIT 2 OFFSET 1")
    # a ranking with pages: the same rows, a page at a time
    q = get_query("top-recipients")
    every = run(store, q).rows
    assert len(every) == 37
    assert run(store, q, page=Page(limit=2, offset=1)).rows == every[1:3]


@pytest.mark.parametrize("page", [dict(limit=0), dict(offset=-1), dict(limit=5, everything=True)])
def test_a_page_that_cannot_be(page):
    with pytest.raises(QueryError):
        Page(**page)


@pytest.mark.parametrize("clause", ["LIMIT 10 OFFSET 5", "LIMIT 10 } LIMIT 20"])
def test_a_canned_query_has_one_limit_and_no_offset(tmp_path, clause):
    path = tmp_path / "q.rq"
    path.write_text(f"# title: t\n# description: d\nSELECT ?s WHERE {{ {{ SELECT ?s WHERE {{ ?s ?p ?o }} {clause} }}\n",
                    encoding="utf-8")
    with pytest.raises(QueryError, match="at most one LIMIT"):
        parse_query_file(path)


def test_cli_pages(capsys, seed_nt):
    graph = seed_nt
    assert main(["queries"]) == 0
    out = capsys.readouterr().out
    assert out.count("pages of 1,000 rows: --limit N, --offset N, --all") == 11  # the contract listings, top-recipients, corporation-profile, name-variants (1,000 corporations), the two register listings, contested-numbers and its rows, money-passed-on, projects-by-plan
    assert main(["query", "single-bidder-contracts", "-g", str(graph), "-f", "csv", "--limit", "2", "--offset", "1"]) == 0
    captured = capsys.readouterr()
    assert [r["amountYen"] for r in csv.DictReader(io.StringIO(captured.out))] == ["45000000", "42900000"]
    assert "2 rows from" in captured.err and "(a page: --offset 3 for the next, --all for every row)" in captured.err
    assert main(["query", "single-bidder-contracts", "-g", str(graph), "-f", "csv", "--all"]) == 0
    captured = capsys.readouterr()
    assert len(list(csv.DictReader(io.StringIO(captured.out)))) == 18 and "a page" not in captured.err
    assert main(["query", "single-bidder-contracts", "-g", str(graph), "--all", "--limit", "3"]) == 2
    assert "either a limit or all rows" in capsys.readouterr().err


def test_comments_are_told_from_iris_and_strings():
    from kg.queries import without_comments

    text = 'PREFIX x: <http://a#>  # one\nSELECT ?a WHERE { ?a <http://b#c> "x # y" . # two\n} LIMIT 3 # move'
    assert without_comments(text) == 'PREFIX x: <http://a#>\nSELECT ?a WHERE { ?a <http://b#c> "x # y" .\n} LIMIT 3'


def test_every_canned_query_goes_out_as_a_select():
    """SPARQLWrapper picks the request kind from the first keyword of the text; a comment
    saying "move" once made it send non-competitive-contracts as an update."""
    from SPARQLWrapper import SPARQLWrapper

    from kg.queries import without_comments

    for name, q in load_queries().items():
        client = SPARQLWrapper("http://127.0.0.1:9/sparql")
        client.setQuery(without_comments(query_text(q, bind(q, {}))))
        assert client.queryType == "SELECT", name


def test_money_paid_has_one_definition_everywhere(rs_build):
    """NEC (7010601022674) is paid 53,900,000 (2021 sheet) and 45,000,000 (2022 sheet) in the
    seeds and 53,900,000 in the RS fixtures' 5-1; the fixtures also give it a 210,000,000 yen
    multi-year contract (5-4) and break its 5-1 payment into 費目・使途 (5-3: 40,000,000 +
    13,900,000). Every query, page and export counts the payments only: 152,800,000 yen."""
    from kg import gephi
    from kg.web.views import Pages as Site

    store = rs_build.store()
    paid = 53_900_000 + 45_000_000 + 53_900_000
    top = run(store, get_query("top-recipients")).records()
    assert next(int(r["totalYen"].value) for r in top if r["corporateNumber"].value == "7010601022674") == paid
    profile = run(store, get_query("corporation-profile"), {"corporateNumber": "7010601022674"}).records()
    assert {int(r["totalYen"].value) for r in profile} == {paid}
    assert sum(int(r["amountYen"].value) for r in profile) == paid and len(profile) == 3
    page = Site(store).page("https://kg.jp-spending.example/id/corporation/7010601022674")
    assert "<dt>支出額計</dt><dd>152,800,000 円 (3 rows, 3 projects)</dd>" in page
    assert "210,000,000" in page and "13,900,000" in page  # shown beside, in their own tables
    g = gephi.network(store, "projects")
    assert g.nodes["https://kg.jp-spending.example/id/corporation/7010601022674"]["totalYen"] == paid
