"""JUDGIT! open data (legacy review sheets 2015–2023 as JSON): an excerpt in
tests/fixtures/judgit (see its NOTICE) with exact values, and the full 公開年度 2018 when
``../shared/data/judgit`` is there (skipped otherwise)."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from stdnum.jp import cn

import kg
from kg.queries import select

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "judgit"
SHARED = Path(os.environ.get("KG_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
Q = "PREFIX kg: <https://kg.jp-spending.example/def/> PREFIX dcterms: <http://purl.org/dc/terms/> "
ID = "https://kg.jp-spending.example/id/"


def expected(sheets: Iterable[dict]) -> tuple[int, Decimal, set[str]]:
    """From the JSON itself: sheets, 支出額 in yen (each row rounded half up to the yen: the
    JSON's floats carry noise such as 1.0055999999999998 百万円), distinct valid 法人番号."""
    n, yen, numbers = 0, Decimal(0), set()
    for sheet in sheets:
        n += 1
        for row in sheet.get("支出先") or []:
            if row.get("支出先名") and row.get("支出額") is not None:
                yen += (Decimal(str(row["支出額"])) * 1_000_000).to_integral_value(rounding=ROUND_HALF_UP)
            raw = str(row.get("法人番号") or "").strip()
            # a number of a dummy form makes no corporation (5000020000000 passes the check digit)
            if cn.is_valid(raw) and not (len(set(raw[1:])) == 1 or raw[1:].endswith("0000000")):
                numbers.add(raw)
    return n, yen, numbers


def bad_number_cells(year_zip: Path) -> int:
    """From the JSON itself: 支出先 rows whose 法人番号 cell is not one 13-digit number."""
    import re
    import unicodedata

    from kg.normalize import is_missing

    n = 0
    with zipfile.ZipFile(year_zip) as z:
        for name in (m for m in z.namelist() if m.endswith(".json")):
            for row in json.loads(z.read(name)).get("支出先") or []:
                raw = row.get("法人番号")
                if row.get("支出先名") and raw is not None and not is_missing(str(raw)):
                    n += not re.fullmatch(r"\d{13}", re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", str(raw))))
    return n


def built(graph) -> tuple[int, Decimal, set[str]]:
    store = kg.open(graph).store
    from kg.queries import adhoc_query

    sheets = int(select(store, adhoc_query(Q + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?d kg:describes ?p }", "q"))[0]["n"].value)
    yen = Decimal(select(store, adhoc_query(Q + "SELECT (SUM(?a) AS ?y) WHERE { ?e a kg:Expenditure ; kg:amount ?a }", "q"))[0]["y"].value)
    numbers = {r["n"].value for r in select(store, adhoc_query(
        Q + "SELECT DISTINCT ?n WHERE { ?c kg:corporateNumber ?n ; kg:corporateNumberValid true }", "q"))}
    return sheets, yen, numbers


def _fixture_sheets():
    for p in sorted(FIXTURE.rglob("*.json")):
        yield json.loads(p.read_text(encoding="utf-8"))


def test_a_sheet_maps_with_exact_yen_and_its_json_pointer():
    g = kg.build([FIXTURE / "judgit-data" / "2018" / "個人情報保護委員会" / "0001.json"])
    rows = kg.query(g, sparql=Q + """SELECT ?rank ?name ?number ?yen ?line ?ptr WHERE {
        ?e a kg:Expenditure ; kg:rank ?rank ; kg:recipientName ?name ; kg:amount ?yen ; kg:sourceLine ?line ;
           kg:sourcePointer ?ptr ; kg:block/kg:blockLetter "A" . OPTIONAL { ?e kg:recipient/kg:corporateNumber ?number } }
        ORDER BY ?rank LIMIT 2""")
    assert rows == [
        {"rank": 1, "name": "エヌ・ティ・ティ・コミュニケーションズ株式会社", "number": "7010001064648",
         "yen": Decimal("585000000"), "line": rows[0]["line"], "ptr": "/支出先/0"},
        {"rank": 2, "name": "株式会社日立製作所", "number": "7010001008844", "yen": Decimal("182300000"),
         "line": rows[1]["line"], "ptr": "/支出先/1"}]
    assert rows[0]["line"] < rows[1]["line"]  # the line where each object starts in the pretty-printed file


def test_excerpt_gives_exactly_its_sheets_yen_and_numbers():
    g = kg.build([FIXTURE])
    assert not g.failed
    want = expected(_fixture_sheets())
    assert built(g) == want
    assert want[0] == 10 and want[1] == Decimal("7988401000")


def test_a_sheet_numbered_by_another_ministry_is_a_project_of_its_own():
    """Go To トラベル (2021-経産-20-0437) is filed under 国土交通省 beside 国土交通省's own
    2021-国交-20-0437: two sheets, two projects, each with its own rows; both of 国土交通省."""
    g = kg.build([FIXTURE / "judgit-data" / "2021"])
    rows = kg.query(g, sparql=Q + """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?p ?id ?name ?ministry (COUNT(?e) AS ?rows) (SUM(?yen) AS ?total) WHERE {
        ?p a kg:Project ; dcterms:identifier ?id ; rdfs:label ?name ; kg:ministry/rdfs:label ?ministry .
        OPTIONAL { ?e a kg:Expenditure ; kg:project ?p ; kg:amount ?yen } } GROUP BY ?p ?id ?name ?ministry ORDER BY ?id""")
    assert rows == [
        {"p": ID + "project/2021-mlit-0437", "id": "2021-国交-20-0437", "name": "トラック産業将来ビジョン策定等調査",
         "ministry": "国土交通省", "rows": 10, "total": Decimal("531000")},  # 0.531 百万円
        {"p": ID + "project/2021-meti-0437", "id": "2021-経産-20-0437", "name": "Go Toトラベル事業(一次補正分)",
         "ministry": "国土交通省", "rows": 10, "total": Decimal("0")},  # every 支出額 is 0.0 in the file
    ]
    assert kg.validate(g).violations == []  # before: one project with two recipients and amounts per row


def test_budgets_outcomes_and_lineage_of_a_2015_and_2018_sheet():
    g = kg.build([FIXTURE])
    budget = kg.query(g, sparql=Q + """SELECT ?fy ?initial ?total ?executed WHERE {
        <https://kg.jp-spending.example/id/project/2015-ppc-0003> kg:budgetRecord ?b . ?b kg:fiscalYear ?fy ;
        kg:isRequest false . OPTIONAL { ?b kg:initialBudget ?initial } OPTIONAL { ?b kg:budgetTotal ?total }
        OPTIONAL { ?b kg:executedAmount ?executed } } ORDER BY ?fy""")
    assert budget[1] == {"fy": 2013, "initial": Decimal("4912000"), "total": Decimal("4912000"), "executed": Decimal("1744000")}
    outcome = kg.query(g, sparql=Q + """SELECT ?fy ?v WHERE { <https://kg.jp-spending.example/id/project/2015-ppc-0003>
        kg:indicator ?i . ?i kg:indicatorKind "outcome" ; kg:indicatorValue ?x . ?x kg:valueKind "actual" ;
        kg:fiscalYear ?fy ; kg:numericValue ?v } ORDER BY ?fy""")
    assert outcome == [{"fy": 2013, "v": Decimal("3000.0")}, {"fy": 2014, "v": Decimal("9250.0")}]
    past = kg.query(g, sparql=Q + "SELECT ?o WHERE { <https://kg.jp-spending.example/id/project/2018-ppc-0003> kg:pastSheet ?o }")
    assert past == [{"o": "https://kg.jp-spending.example/id/project/2014-ppc-0004"}]


def test_rs_2024_old_number_reaches_the_judgit_2023_sheet():
    g = kg.build([FIXTURE, HERE / "fixtures" / "rs-real" / "2024"])
    sheet = "https://kg.jp-spending.example/id/project/2023-env-0192"
    rows = kg.query(g, sparql=Q + f"""SELECT ?rs ?name WHERE {{ ?rs kg:pastSheet <{sheet}> ; kg:budgetProjectId ?id .
        <{sheet}> dcterms:identifier ?ident ; ^kg:describes ?d . OPTIONAL {{ <{sheet}> <http://www.w3.org/2000/01/rdf-schema#label> ?name }} }}""")
    assert rows == [{"rs": "https://kg.jp-spending.example/id/project/2024-rs-7480", "name": rows[0]["name"]}]
    assert rows[0]["name"]  # the JUDGIT! sheet's own name: the RS sheet's predecessor is a described sheet


def test_findings_show_file_line_and_json_pointer():
    report = kg.validate(kg.build([FIXTURE / "judgit-data" / "2018" / "個人情報保護委員会" / "0001.json"]))
    found = [f for f in report.findings if str(f.shape).endswith("/RecipientWithoutNumberShape")]
    assert [(f.sources, f.pointer) for f in found][:2] == [([("0001.json", 189)], "/支出先/13"), ([("0001.json", 198)], "/支出先/14")]
    assert found[0].message == "The recipient 個人 has no 法人番号: its payments cannot be joined with its other rows."


def test_lineage_by_year_counts_each_stated_method():
    g = kg.build([FIXTURE, HERE / "fixtures" / "rs-real" / "2024"])
    rows = [{k: int(v) for k, v in r.items()} for r in kg.query(g, "lineage-by-year")]
    assert rows == [
        {"sheetYear": 2015, "sheets": 1, "withPastSheet": 0, "listedPastSheet": 0, "formerNumber": 0, "pastSheetInGraph": 0},
        {"sheetYear": 2018, "sheets": 3, "withPastSheet": 2, "listedPastSheet": 2, "formerNumber": 0, "pastSheetInGraph": 0},
        {"sheetYear": 2021, "sheets": 2, "withPastSheet": 0, "listedPastSheet": 0, "formerNumber": 0, "pastSheetInGraph": 0},
        {"sheetYear": 2022, "sheets": 1, "withPastSheet": 0, "listedPastSheet": 0, "formerNumber": 0, "pastSheetInGraph": 0},
        {"sheetYear": 2023, "sheets": 3, "withPastSheet": 0, "listedPastSheet": 0, "formerNumber": 0, "pastSheetInGraph": 0},
        # 8 RS sheets give a 旧事業番号; one of them, 2024-RS-7480, the JUDGIT! 2023 sheet of the excerpt
        {"sheetYear": 2024, "sheets": 40, "withPastSheet": 8, "listedPastSheet": 0, "formerNumber": 8, "pastSheetInGraph": 1},
    ]


YEAR = SHARED / "judgit" / "judgit-data-2018.zip"


@pytest.mark.skipif(not YEAR.is_file(), reason=f"{YEAR} is not here (the full JUDGIT! data is not shipped)")
def test_a_full_year_gives_exactly_its_sheets_yen_and_numbers():
    with zipfile.ZipFile(YEAR) as z:
        want = expected(json.loads(z.read(n)) for n in z.namelist() if n.endswith(".json"))
    g = kg.build([YEAR], workers=2)
    assert not g.failed and not [d for d in g.diagnostics if d.severity == "error"]
    assert built(g) == want and want[0] == 5145
    # every 法人番号 cell that is not one 13-digit number is a NumberCellShape finding
    from kg.validation import RULE_SHAPES, shapes_graph, sparql_rules

    [rule] = [r for r in sparql_rules(shapes_graph(RULE_SHAPES)) if str(r.shape).endswith("/NumberCellShape")]
    assert len(list(kg.open(g).store.query(rule.select))) == bad_number_cells(YEAR) == 365


def test_a_past_sheet_year_written_as_a_heisei_year():
    # judgit-data/2018/内閣府/0001.json lists {"府省庁": "内閣府", "事業番号2": "0001", "年度": 22}: 平成22 = 2010
    from kg.mappers.judgit_json import _past_number

    pn = _past_number({"府省庁": "内閣府", "事業番号1": None, "事業番号2": "0001", "事業番号3": None, "年度": 22}, None)
    assert (pn.year, pn.ministry.name, pn.serial) == (2010, "内閣府", "0001")


def test_a_past_number_without_its_code_names_the_sheet_but_not_its_identifier():
    """An RS 旧事業番号 written without its code (2023文科0333) reaches the sheet 2023-文科-22-0333
    but does not give it a second 事業番号 (before: 4 sheets of 2023 had two identifiers)."""
    from kg.emit.projects import lineage, numbered
    from kg.emit.sink import Sink
    from kg.normalize import ProjectNumber, ministry

    out = Sink()
    mext = ministry("文科")
    sheet = numbered(out, ProjectNumber(2023, mext, "22", "0333"))
    rs = out.iris.rs_project(2024, "1234")
    lineage(out, rs, 2024, [], [ProjectNumber(2023, mext, "", "0333"), ProjectNumber(2022, mext, "21", "0333")])
    ids = sorted(line for line in out.graphs[None] if "/terms/identifier>" in line)
    assert ids == [
        '<https://kg.jp-spending.example/id/project/2022-mext-0333> <http://purl.org/dc/terms/identifier> "2022-文科-21-0333" .',
        f'<{sheet}> <http://purl.org/dc/terms/identifier> "2023-文科-22-0333" .',
    ]
    assert any(line.startswith(f"<{rs}> <https://kg.jp-spending.example/def/formerNumberSheet> <{sheet}>")
               for line in out.graphs[None])


def test_a_number_without_a_start_year_code_has_no_project_code():
    """Sheets before the codes (2015-個情委-0003) have no kg:projectCode, not an empty one
    (27,498 empty ones over ten years before)."""
    g = kg.build([FIXTURE])
    rows = g.store.query("SELECT ?id ?code WHERE { ?p <http://purl.org/dc/terms/identifier> ?id "
                         "OPTIONAL { ?p <https://kg.jp-spending.example/def/projectCode> ?code } } ORDER BY ?id")
    codes = {r["id"].value: r["code"].value if r["code"] else None for r in rows}
    assert codes == {"2015-個情委-0003": None, "2018-内府-0131": None, "2018-個情委-0001": None, "2018-個情委-0003": None,
                     "2021-経産-20-0437": "20", "2021-国交-20-0437": "20", "2022-デジ-21-0001-20": "21",
                     "2023-こども-新23-0002": "新23", "2023-デジ-22-0001-33": "22", "2023-環境-22-0192": "22"}
    # the number as the sheet publishes it (デジ), and as kg spells it beside it (issue 33)
    normalized = {r["id"].value: r["n"].value for r in g.store.query(
        "SELECT ?id ?n WHERE { ?p <http://purl.org/dc/terms/identifier> ?id ; "
        "<https://kg.jp-spending.example/def/normalizedIdentifier> ?n }")}
    assert normalized == {"2022-デジ-21-0001-20": "2022-デジタル-21-0001-20", "2023-デジ-22-0001-33": "2023-デジタル-22-0001-33"}


def test_one_division_spelled_two_ways_has_one_label():
    """デジタル庁's ＶｉｓｉｔＪａｐａｎＷｅｂ担当 (2022) and Visit Japan Web 担当 (2023) are one
    division (its key ignores spaces): one rdfs:label, the other spelling as skos:altLabel."""
    g = kg.build([FIXTURE / "judgit-data" / "2022", FIXTURE / "judgit-data" / "2023" / "デジタル庁"])
    rows = kg.query(g, sparql=Q + """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?label ?alt WHERE { ?d a kg:Division ; rdfs:label ?label . OPTIONAL { ?d skos:altLabel ?alt }
        FILTER(CONTAINS(STR(?d), "VisitJapanWeb")) }""")
    assert rows == [{"label": "VisitJapanWeb担当", "alt": "Visit Japan Web担当"}]
    assert kg.validate(g).violations == []  # before: two names, a violation of japaneseLabel
