"""The real RS 2024 files: an excerpt in tests/fixtures/rs-real (40 projects picked for
their quirks, rows of all 13 files, see its NOTICE), and the full files when
``../shared/data/rs2024`` is there (skipped otherwise)."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import ORG, RDF, RDFS

from kg.pipeline import build
from kg.diagnostics import summarise
from kg.iris import KG, KGC
from kg.validation import validate

HERE = Path(__file__).resolve().parent
REAL = HERE / "fixtures" / "rs-real"
SHARED = Path(os.environ.get("KG_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
ID = "https://kg.jp-spending.example/id/"


def P(rs_id: str) -> URIRef:
    return URIRef(f"{ID}project/2024-rs-{rs_id}")


def unit(slug: str, *names: str) -> URIRef:
    from urllib.parse import quote

    return URIRef(f"{ID}ministry/{slug}/" + "/".join(quote(n, safe="") for n in names))


@pytest.fixture(scope="module")
def real():
    result = build([REAL / "2024"])
    assert result.documents == 13 and not result.failed
    return result


@pytest.fixture(scope="module")
def g(real):
    return real.graph


def test_every_project_has_its_ministry_agencies_are_units(g):
    assert g.value(P("3329"), KG.ministry) == URIRef(ID + "ministry/maff")
    forestry = unit("maff", "林野庁")
    assert g.value(P("3329"), KG.bureau) == forestry
    assert (forestry, RDF.type, KG.Agency) in g and g.value(forestry, ORG.unitOf) == URIRef(ID + "ministry/maff")
    assert g.value(P("3329"), KG.division) == unit("maff", "林野庁", "森林整備部", "研究指導課")
    # 府省庁 '国土交通省　観光庁': the ministry and the agency in one cell
    assert g.value(P("4229"), KG.ministry) == URIRef(ID + "ministry/mlit")
    assert g.value(P("4229"), KG.bureau) == unit("mlit", "観光庁")
    assert g.value(P("3111"), KG.ministry) == URIRef(ID + "ministry/nra")  # 原子力規制委員会: its own 建制順
    assert g.value(P("1987"), KG.bureau) == unit("mhlw", "中央労働委員会")
    described = set(g.objects(None, KG.describes))
    assert len(described) == 40 and all(g.value(p, KG.ministry) is not None for p in described)


def _bases(g, rs_id):
    out = []
    for lb in g.objects(P(rs_id), KG.legalBasis):
        out.append((str(g.value(lb, RDFS.label)), *(str(g.value(lb, p) or "") for p in (KG.article, KG.paragraph, KG.item, KG.subItem))))
    return sorted(out)


def test_legal_bases_one_per_provision_from_any_numerals(g):
    assert ("内閣府設置法第40条の4", "40の4", "", "", "") in _bases(g, "140")
    assert ("特別会計に関する法律施行令第51条第7項第1号イ", "51", "7", "1", "イ") in _bases(g, "159")
    assert [b[0] for b in _bases(g, "317")] == ["個人情報の保護に関する法律第132条第2号", "個人情報の保護に関する法律第132条第4号",
                                               "個人情報の保護に関する法律第169条"]
    # the provision written inside 法令名: 外務省設置法第４条第３項
    assert ("外務省設置法第4条第3項", "4", "3", "", "") in _bases(g, "1133")
    # 第1～3、6、7、12～18、25号 of 海上保安庁法第5条第1項
    items = sorted(int(b[3]) for b in _bases(g, "1303") if b[0].startswith("海上保安庁法第5条第1項"))
    assert items == [1, 2, 3, 6, 7, 12, 13, 14, 15, 16, 17, 18, 25]
    assert [b[0] for b in _bases(g, "20853")][:2] == ["公共工事の品質確保の促進に関する法律第7条", "公共工事の品質確保の促進に関する法律第8条"]
    assert not any("第第" in b[0] or "条条" in b[0] for rs in ("140", "159", "317", "1133", "1303") for b in _bases(g, rs))


def test_law_revision_ids_keep_the_law(g):
    law = URIRef(ID + "law/414AC0000000094")
    bases = [lb for lb in g.objects(P("3678"), KG.legalBasis)]
    assert {g.value(lb, KG.law) for lb in bases} == {law}
    assert {str(g.value(lb, KG.lawRevision)) for lb in bases} == {"414AC0000000094_20250601_504AC0000000068"}
    assert str(g.value(law, RDFS.label)) == "独立行政法人エネルギー・金属鉱物資源機構法"


def test_free_form_old_numbers_give_lineage(g):
    past = {str(o).rsplit("/", 1)[1] for o in g.objects(P("3935"), KG.pastSheet)}  # 新02-0026、経産20-0435、経産21-0412
    assert past == {"2019-meti-n02-0026", "2021-meti-0435", "2022-meti-0412"}
    assert {str(o).rsplit("/", 1)[1] for o in g.objects(P("7480"), KG.pastSheet)} == {"2023-env-0192"}  # 2023環境220192
    assert {str(o).rsplit("/", 1)[1] for o in g.objects(P("4887"), KG.pastSheet)} == {"2023-env-0150"}  # 令和５年度　2023環境22 0150
    assert {str(o).rsplit("/", 1)[1] for o in g.objects(P("5639"), KG.pastSheet)} == {
        "2020-meti-n21-0034", "2022-meti-0414", "2023-meti-0436"}  # 経産新21：0034　経産21：0414　経産22：0436
    assert {str(o).rsplit("/", 1)[1] for o in g.objects(P("6823"), KG.pastSheet)} == {"2023-mhlw-0328"}
    assert list(g.objects(P("4166"), KG.pastSheet)) == []  # 2023国交22017200: reported, not guessed


def test_contract_methods_of_the_real_files_are_all_matched(real, g):
    assert not [d for d in real.diagnostics if "code-lists" in d.message]
    assert (URIRef(str(P("25")) + "/contract/1"), KG.contractMethod,
            KGC["contract-method/discretionary-after-failed-tender"]) in g
    assert (URIRef(str(P("7491")) + "/contract/1"), KG.contractArrangement, KGC["specific-contract-method/fms"]) in g
    assert set(g.objects(URIRef(str(P("2519")) + "/contract/4"), KG.contractArrangement)) == {
        KGC["contract-method/general-competitive-lowest-price"], KGC["contract-method/discretionary-other"]}


def test_diagnostics_name_file_and_line_once_each(real):
    where = "2024/1-2_RS_2024_基本情報_事業概要等.zip!1-2_RS_2024_基本情報_事業概要等.csv"
    found = {(d.path.split("rs-real/", 1)[1], d.line, d.message) for d in real.diagnostics}
    assert (where, 26, "旧事業番号: '2023国交22017200' is not a 事業番号; no lineage from it") in found
    assert (where, 35, "旧事業番号: 'こども-新23-0002' has no year; read as the 2022 sheet") in found
    assert ("2024/1-3_RS_2024_基本情報_政策・施策、法令等.zip!1-3_RS_2024_基本情報_政策・施策、法令等.csv", 123,
            "法令ID: 'IDなし' is not an e-Gov 法令ID; the law is matched by its name") in found
    assert len(real.diagnostics) == 14 and len(summarise(real.diagnostics)) == 14


def _csv_rows(path: Path, name: str):
    with zipfile.ZipFile(next(path.glob(f"{name}*.zip"))) as z:
        text = z.read(z.infolist()[0]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _budget_totals_equal_csv(graph_store, folder: Path) -> int:
    """Each 予算年度's budget total (計) of the graph equals the sum of the 2-1 total rows."""
    want: dict[int, Decimal] = defaultdict(Decimal)
    for row in _csv_rows(folder, "2-1_"):
        if not row["会計区分"] and row["計（歳出予算現額合計）"].strip():
            want[int(row["予算年度"])] += Decimal(row["計（歳出予算現額合計）"].strip())
    q = """PREFIX kg: <https://kg.jp-spending.example/def/>
           SELECT ?fy (SUM(?t) AS ?total) WHERE { ?p kg:budgetRecord ?b . ?b kg:fiscalYear ?fy ; kg:isRequest false ;
           kg:budgetTotal ?t } GROUP BY ?fy"""
    got = {int(s["fy"].value): Decimal(s["total"].value) for s in graph_store.query(q)}
    assert got == dict(want)
    return len(want)


def test_budget_totals_per_year_equal_the_csv(real):
    assert _budget_totals_equal_csv(real.store(), REAL / "2024") == 4


def test_validation_reports_only_what_the_rows_say(real):
    report = validate(real.graph)
    violations = sorted((f.focus.rsplit("/", 1)[-1], str(f.path or f.shape).rsplit("/", 1)[-1]) for f in report.violations)
    assert violations == [("2023", "budgetTotal"), ("2023", "executionRatePercent"),
                          ("9013301049995", "CorporateNumberCheckDigitShape")]
    warnings = {(str(f.focus).split("/project/", 1)[1], f.message) for f in report.warnings}
    assert ("2024-rs-11/budget/2022",
            "The executed amount of FY2022, 15,821,000,000 yen, is above its budget total of 0 yen.") in warnings
    assert len(warnings) == 9


# ----------------------------------------------------------------------------- the full files

FULL = SHARED / "rs2024"
needs_full = pytest.mark.skipif(not FULL.is_dir(), reason=f"{FULL} is not here (the full real files are not shipped)")


@pytest.fixture(scope="module")
def full():
    return build([FULL], workers=2)


@needs_full
def test_full_year_maps_without_loss(full):
    assert full.documents == 13 and not full.failed
    assert not [d for d in full.diagnostics if d.severity == "error"]
    assert len(summarise(full.diagnostics)) < 100  # stderr stays readable
    store = full.store()
    assert _budget_totals_equal_csv(store, FULL) >= 4
    q = """PREFIX kg: <https://kg.jp-spending.example/def/>
           SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?d kg:describes ?p FILTER NOT EXISTS { ?p kg:ministry ?m } }"""
    assert int(next(iter(store.query(q)))["n"].value) == 0
    ids = {row["予算事業ID"] for row in _csv_rows(FULL, "1-2_")}
    q = "PREFIX kg: <https://kg.jp-spending.example/def/> SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?d kg:describes ?p }"
    assert int(next(iter(store.query(q)))["n"].value) == len(ids) == 5664


@needs_full
def test_full_year_validation_finds_only_data_problems(full):
    report = validate(store=full.store(), workers=2)
    kinds = sorted(str(f.path or f.shape).rsplit("/", 1)[-1] for f in report.violations)
    assert kinds == ["CorporateNumberCheckDigitShape"] * 4 + ["budgetTotal", "executionRatePercent"]
    warnings = sorted(str(f.shape).rsplit("/", 1)[-1] for f in report.warnings)
    # executed above budget; rows whose 法人番号 another organisation's rows hold (no register given);
    # 13 multi-year contracts and 3 費目・使途 rows many times their sheet's budget (2024-RS-2646's サポステ)
    assert warnings == (["ContestedNumberShape"] * 87 + ["ExecutionWithinBudgetShape"] * 468 + ["OutOfScaleShape"] * 16)
