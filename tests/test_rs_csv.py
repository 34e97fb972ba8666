"""The RS system's CSV files: every kind maps with the fixtures' exact values, quirks
included; an RS sheet of a legacy sheet's year joins its node; a changed header names
the column."""

import zipfile
from decimal import Decimal

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS

from kg.pipeline import build
from kg.iris import KG, KGC, SCHEMA
from kg.mappers import rs_csv
from kg.queries import load_queries, run

from .conftest import RS_FIXTURES

ID = "https://kg.jp-spending.example/id/"
P2 = URIRef(ID + "project/2024-rs-005120")
P3 = URIRef(ID + "project/2024-rs-007731")
LEGACY_0059 = URIRef(ID + "project/2022-soumu-0059")
NEC, MRI, NTTD, NICT = (URIRef(ID + f"corporation/{n}") for n in ("7010601022674", "6010001030403", "9010601021385", "7012405000492"))


def val(g, s, p):
    return g.value(s, p).toPython()


@pytest.fixture(scope="module")
def g(rs_graph):
    return rs_graph


def test_every_file_is_recognised_by_its_header(rs_build):
    kinds = sorted(layout for path, layout in rs_build.layouts.items() if "RS_2024" in path)
    assert kinds == [f"rs-csv {k.code}" for k in rs_csv.KINDS]
    errors = [d for d in rs_build.diagnostics if d.severity == "error"]
    assert errors == []


def test_quirks_are_reported_by_file_and_line(rs_build):
    where = "5-1_RS_2024_支出先_支出情報.zip!5-1_RS_2024_支出先_支出情報.csv"
    found = {(d.path.rsplit("/", 1)[-1], d.line, d.message) for d in rs_build.diagnostics}
    assert (where, 11, "法人番号: 法人番号 '123456789012' is not 13 digits; the recipient is kept without a number") in found
    assert (where, None, "1 row repeats an earlier row exactly; kept once") in found
    assert (where, None, "1 empty row skipped") in found


def test_1_1_organisation(g):
    bureau = g.value(P2, KG.bureau)
    assert str(g.value(bureau, RDFS.label)) == "自治行政局"
    division = g.value(P2, KG.division)
    assert str(g.value(division, RDFS.label)) == "デジタル基盤推進室"
    assert str(g.value(g.value(division, ORG.unitOf), RDFS.label)) == "住民制度課"
    assert str(g.value(P2, KG.responsibleOfficial)) == "住民制度課長山田太郎"  # spaces inside names dropped, as for the legacy sheets
    other = g.value(P2, KG.otherResponsibleUnit)
    assert str(g.value(other, RDFS.label)) == "国民向けサービスグループ"
    assert g.value(other, ORG.unitOf) == URIRef(ID + "ministry/digital")
    assert g.value(P2, KG.ministry) == URIRef(ID + "ministry/soumu")


def test_1_2_overview_methods_and_lineage(g):
    assert str(g.value(P2, KG.purpose)) == "自治体の業務にAIを共同で導入し、住民サービスを向上させる。"  # the first of two rows
    assert str(g.value(P2, KG.projectCategory)) == "一般事業"
    assert val(g, P2, KG.startFiscalYear) == 2020
    assert g.value(P2, KG.endFiscalYear) is None and val(g, P2, KG.endUndecided) is True
    assert set(g.objects(P2, KG.implementationMethod)) == {KGC["implementation-method/direct"], KGC["implementation-method/subsidy"]}
    assert set(g.objects(P3, KG.implementationMethod)) == {KGC["implementation-method/grant"], KGC["implementation-method/share-contribution"]}
    assert str(g.value(P2, KG.overviewURL)) == "https://www.soumu.go.jp/example/ai.html"
    legacy_2021 = URIRef(ID + "project/2021-soumu-0094")
    assert g.value(P2, KG.previousSheet) == legacy_2021
    assert str(g.value(legacy_2021, RDFS.label)) == "自治体AI共同開発推進事業"  # the legacy seed's own node
    assert [str(x) for x in g.objects(P3, KG.remarks)] == ["令和6年度新規"]


def test_1_3_laws_by_law_id_join_the_legacy_laws(g):
    law = URIRef(ID + "law/411AC0000000091")
    assert str(g.value(law, KG.lawId)) == "411AC0000000091"
    assert str(g.value(law, KG.lawNumber)) == "平成十一年法律第九十一号"
    basis = next(b for b in g.objects(P2, KG.legalBasis) if g.value(b, KG.law) == law)
    assert (str(g.value(basis, KG.article)), str(g.value(basis, KG.paragraph)), str(g.value(basis, KG.item))) == ("4", "1", "79")
    assert str(g.value(basis, RDFS.label)) == "総務省設置法第4条第1項第79号"
    # the legacy sheets cite 総務省設置法 by name only: they now point at the same node
    by_name = URIRef(ID + "law/%E7%B7%8F%E5%8B%99%E7%9C%81%E8%A8%AD%E7%BD%AE%E6%B3%95")
    assert (None, KG.law, by_name) not in g
    citing = {p for p, _, b in g.triples((None, KG.legalBasis, None)) if g.value(b, KG.law) == law}
    assert {URIRef(ID + "project/2022-soumu-0059"), P2} <= citing
    policy, measure = g.value(P2, KG.policy), g.value(P2, KG.measure)
    assert (str(g.value(policy, RDFS.label)), str(g.value(policy, KG.code))) == ("地方行財政", "II")  # Ⅱ.地方行財政
    assert (str(g.value(measure, RDFS.label)), str(g.value(measure, KG.code))) == ("地方行政の情報化推進", "4")
    plan = g.value(P2, KG.citesPlan)
    assert str(g.value(plan, SCHEMA.url)) == "https://www.digital.go.jp/example/plan"


def test_1_4_and_1_5_subsidies_and_related_projects(g):
    s = g.value(P2, KG.subsidy)
    assert (str(g.value(s, KG.subsidyTarget)), str(g.value(s, KG.subsidyRate)), str(g.value(s, KG.subsidyCap))) == (
        "市町村", "1/2", "10,000千円")  # full-width digits normalised
    r = g.value(P2, KG.projectRelation)
    assert g.value(r, KG.relatedProject) == P3 and str(g.value(r, KG.relationType)) == "その他関連元"


def test_2_1_budget_per_year_and_account(g):
    b23 = URIRef(str(P2) + "/budget/2023")
    assert val(g, b23, KG.initialBudget) == Decimal("120000000")
    assert val(g, b23, KG.supplementaryBudget) == Decimal("30000000")  # written 30000000.0
    assert val(g, b23, KG.executedAmount) == Decimal("142500000")  # written with a trailing space
    assert val(g, b23, KG.executionRatePercent) == Decimal("95")  # 0.95 in the CSV
    assert val(g, b23, KG.carriedOverIn) == Decimal("0")  # a written 0 stays 0 …
    b24 = URIRef(str(P2) + "/budget/2024")
    assert g.value(b24, KG.supplementaryBudget) is None  # … an empty cell is absent
    assert val(g, b24, KG.nextYearRequest) == Decimal("160000000")
    assert str(g.value(b24, KG.changeReason)) == "対象自治体の拡大"
    [acct] = list(g.objects(P2, KG.accountBudget))
    assert str(g.value(acct, KG.account)) == "一般会計 / 一般会計"
    assert (val(g, acct, KG.fiscalYear), val(g, acct, KG.supplementaryBudget), val(g, acct, KG.budgetTotal)) == (
        2023, Decimal("30000000"), Decimal("150000000"))


def test_2_2_budget_lines(g):
    lines = {str(g.value(b, RDFS.label)): b for b in g.objects(P2, KG.budgetLine)}
    b = lines["地方公共団体情報化推進費補助金"]
    assert (val(g, b, KG.amount), val(g, b, KG.nextYearRequest)) == (Decimal("30000000"), Decimal("40000000"))
    assert str(g.value(b, KG.budgetClassification)) == "総務省 / 総務本省 / 地方行政制度整備費"
    assert str(g.value(b, KG.budgetType)) == "当初予算"


def test_3_1_and_3_2_indicators_and_effect_path(g):
    act = URIRef(str(P2) + "/indicator/%E3%82%A2%E3%82%AF%E3%83%86%E3%82%A3%E3%83%93%E3%83%86%E3%82%A3-1")
    out = URIRef(str(P2) + "/indicator/%E3%82%A2%E3%82%A6%E3%83%88%E3%82%AB%E3%83%A0-1")
    assert str(g.value(act, RDFS.label)) == "参加自治体数" and str(g.value(act, KG.unit)) == "団体"
    values = {(str(g.value(v, KG.valueKind)), val(g, v, KG.fiscalYear), val(g, v, KG.numericValue)) for v in g.objects(act, KG.indicatorValue)}
    assert values == {("actual", 2022, Decimal(12)), ("actual", 2023, Decimal(25)), ("target", 2023, Decimal(20)), ("target", 2024, Decimal(40))}
    assert {(val(g, v, KG.fiscalYear), val(g, v, KG.numericValue)) for v in g.objects(out, KG.indicatorValue)} == {
        (2023, Decimal("1500.5")), (2025, Decimal(3000))}
    assert g.value(act, KG.leadsTo) == out
    assert str(g.value(out, KG.pathNote)) == "参加自治体が増えるほど削減時間が増える"


def test_4_1_evaluation(g):
    checks = {(str(g.value(c, KG.checkCategory)), str(g.value(c, RDFS.label))): c for c in g.objects(P2, KG.check)}
    c = checks[("事業所管部局による点検・改善", "点検結果")]
    assert str(g.value(c, KG.explanation)) == "事業は概ね適切に実施されており、参加自治体は目標を上回った。"
    assert str(g.value(checks[("None", "反映額(一般会計)")], KG.evaluation)) == "-5000000"


def test_5_1_blocks_recipients_and_contracts(g):
    a = URIRef(str(P2) + "/block/A")
    assert (str(g.value(a, RDFS.label)), str(g.value(a, KG.role)), val(g, a, KG.amount)) == ("民間企業", "システムの共同開発", Decimal("98900000"))
    e1 = URIRef(str(P2) + "/expenditure/A-1")
    assert g.value(e1, KG.recipient) == NEC  # 法人番号 with a trailing space
    assert val(g, e1, KG.amount) == Decimal("53900000")  # 53900000.0
    assert g.value(e1, KG.recipientKind) == KGC["corporation-kind/kabushiki-kaisha"]  # 法人種別 301
    [c] = list(g.objects(e1, KG.contract))
    assert (val(g, c, KG.bidderCount), val(g, c, KG.awardRatePercent)) == (1, Decimal("99.8"))
    assert g.value(c, KG.contractMethod) == KGC["contract-method/general-competitive-lowest-price"]
    # a recipient with a total row and a second contract row: one expenditure, two contracts
    e2 = URIRef(str(P2) + "/expenditure/A-2")
    assert g.value(e2, KG.recipient) == MRI and val(g, e2, KG.amount) == Decimal("45000000")
    assert sorted(val(g, c, KG.amount) for c in g.objects(e2, KG.contract)) == [Decimal("15000000"), Decimal("30000000")]
    # block B: the duplicate row kept once; the bundled その他 has no 法人番号; the 12-digit number is kept as text
    b_rows = sorted((val(g, e, KG.rank), e) for e in g.subjects(KG.block, URIRef(str(P2) + "/block/B")) if (e, RDF.type, KG.Expenditure) in g)
    assert [r for r, _ in b_rows] == [1, 2, 3]
    other = b_rows[1][1]
    assert str(g.value(g.value(other, KG.recipient), RDFS.label)) == "その他" and val(g, other, KG.isOtherRecipients) is True
    assert val(g, other, KG.amount) == Decimal("2500000")
    bad = g.value(b_rows[2][1], KG.recipient)
    assert str(g.value(bad, KG.corporateNumberText)) == "123456789012"
    assert val(g, b_rows[2][1], KG.amount) == Decimal("0")


def test_5_2_block_flow_is_edges(g):
    a, b = URIRef(str(P2) + "/block/A"), URIRef(str(P2) + "/block/B")
    assert g.value(P2, KG.fundsBlock) == a
    assert g.value(a, KG.paysBlock) == b
    assert str(g.value(b, KG.flowNote)) == "再委託"
    assert (str(g.value(P2, KG.indirectCostItem)), val(g, P2, KG.indirectCostAmount)) == ("旅費", Decimal("500000"))


def test_5_3_5_4_and_6_1(g):
    a = URIRef(str(P2) + "/block/A")
    items = {str(g.value(i, KG.expenseCategory)): i for i in g.objects(a, KG.expenseItem)}
    assert val(g, items["人件費"], KG.amount) == Decimal("40000000") and g.value(items["外注費"], KG.recipient) == NEC
    c, foreign = sorted(g.objects(P2, KG.multiYearContract))
    assert (val(g, c, KG.amount), val(g, c, KG.isMultiYear), g.value(c, KG.recipient)) == (Decimal("210000000"), True, NEC)
    assert (val(g, c, KG.awardRatePercent), val(g, c, KG.bidderCount)) == (Decimal("95"), 2)
    # no 法人番号: a recipient node of its own, named as written, so that queries still reach it
    rec = g.value(foreign, KG.recipient)
    assert rec == URIRef(f"{foreign}/recipient") and (rec, RDF.type, KG.Recipient) in g
    assert str(g.value(rec, RDFS.label)) == "Example Cloud Services Pte. Ltd."
    assert (val(g, foreign, KG.amount), val(g, foreign, KG.bidderCount), val(g, foreign, KG.awardRatePercent)) == (
        Decimal("36000000"), 1, Decimal("99.8"))
    assert "令和5年度補正予算を含む。" in {str(r) for r in g.objects(P2, KG.remarks)}


def test_rs_sheet_of_a_legacy_year_joins_the_legacy_node(g):
    assert (URIRef(ID + "project/2022-rs-003001"), None, None) not in g
    assert str(g.value(LEGACY_0059, KG.budgetProjectId)) == "003001"
    assert [str(i) for i in g.objects(LEGACY_0059, DCTERMS.identifier)] == ["2022-総務-21-0059"]
    e = URIRef(str(LEGACY_0059) + "/expenditure/A-1")
    assert g.value(e, KG.recipient) == NICT and [val(g, e, KG.amount)] == [Decimal("552500000")]
    assert len(set(g.objects(e, KG.sourceLine))) == 2  # the text extract's line and the CSV's
    # the RS corporation rows land on the seeds' corporation nodes
    assert str(g.value(NEC, KG.corporateNumber)) == "7010601022674"
    assert len(list(g.subjects(RDF.type, KG.Corporation))) == 37


def test_canned_queries_answer_over_both(rs_build):
    store = rs_build.store()
    q = load_queries()["firms-in-several-projects"]
    rows = {}
    for r in run(store, q).records():
        rows.setdefault(r["corporateNumber"].value, []).append((r["project"].value, int(r["amountYen"].value)))
    # NEC and 三菱総研 now each have three AI projects: the two legacy sheets and the RS sheet
    assert sorted(rows["7010601022674"]) == [("2021-総務-20-0094", 53900000), ("2022-総務-21-0059", 45000000),
                                             ("2024-RS-005120", 53900000)]
    assert sorted(rows["6010001030403"])[-1] == ("2024-RS-005120", 45000000)
    single = run(store, load_queries()["single-bidder-contracts"]).records()
    found = {(r["recipient"].value, r["project"].value, int(r["amountYen"].value), r["corporateNumber"]) for r in single}
    assert ("NECソリューションイノベータ株式会社", "2024-RS-005120", 53900000, ox.Literal("7010601022674")) in found
    # a multi-year contract whose contractor has no 法人番号 is listed too
    assert ("Example Cloud Services Pte. Ltd.", "2024-RS-005120", 36000000, None) in found


def _rewrite_zip(src, dst, old, new):
    with zipfile.ZipFile(src) as z:
        [info] = z.infolist()
        data = z.read(info).decode("utf-8-sig")
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr(info.filename, ("\ufeff" + data.replace(old, new, 1)).encode("utf-8"))


def test_changed_header_fails_naming_the_column(tmp_path):
    src = RS_FIXTURES / "2024" / "5-1_RS_2024_支出先_支出情報.zip"
    bad = tmp_path / "5-1.zip"
    _rewrite_zip(src, bad, ",法人番号,", ",法人番号（13桁）,")
    result = build([bad])
    [d] = [d for d in result.diagnostics if d.severity == "error"]
    assert d.path.endswith("5-1.zip!5-1_RS_2024_支出先_支出情報.csv") and d.line == 1
    assert d.message.startswith("RS 5-1 支出先_支出情報: the layout changed, missing column '法人番号' (renamed to '法人番号（13桁）'?)")
    assert result.documents == 0 and result.triples > 0  # nothing of the file, only the code lists


def test_truncated_zip_and_rows_keep_what_is_valid(tmp_path):
    src = RS_FIXTURES / "2024" / "6-1_RS_2024_その他備考.zip"
    cut = tmp_path / "6-1.zip"
    cut.write_bytes(src.read_bytes()[:-40])
    result = build([cut])
    assert result.documents == 0 and "not a readable zip file" in result.diagnostics[0].message
    short = tmp_path / "5-1.zip"
    _rewrite_zip(RS_FIXTURES / "2024" / "5-1_RS_2024_支出先_支出情報.zip", short, ",東京都千代田区,301,FALSE,45000000,", ",東京都千代田区,")
    result = build([short])
    [d] = [d for d in result.diagnostics if d.severity == "error"]
    assert d.line == 4 and "row has 29 cells, the header 32" in d.message
    assert result.count(KG.Expenditure) == 6  # every other row still maps: the next 三菱総研 row stands alone
    e2 = URIRef(str(P2) + "/expenditure/A-2")
    assert f"<{e2}> <{KG.amount}>" not in "".join(result.lines)


def test_rebuild_after_one_changed_file_maps_only_that_file(tmp_path):
    import shutil

    year = tmp_path / "2024"
    shutil.copytree(RS_FIXTURES / "2024", year)
    cache = tmp_path / "cache"
    first = build([year], cache_dir=cache)
    assert first.cached_files == 0
    _rewrite_zip(RS_FIXTURES / "2024" / "6-1_RS_2024_その他備考.zip", year / "6-1_RS_2024_その他備考.zip",
                 "令和5年度補正予算を含む。", "令和5年度補正予算を含まない。")
    second = build([year], cache_dir=cache)
    assert [f.path.rsplit("/", 1)[-1] for f in second.files if not f.cached] == ["6-1_RS_2024_その他備考.zip"]
    assert second.cached_files == 14
    assert '"令和5年度補正予算を含まない。"@ja' in second.ntriples().decode()
    assert second.ntriples() == build([year]).ntriples()  # the cache changes nothing in the output
    parallel = build([year], workers=2)
    assert parallel.ntriples() == second.ntriples()
