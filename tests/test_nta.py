"""The 国税庁 法人番号 register: reading 全件/差分 files, applying their records, the
corporation nodes, the findings against the sheets, the e-Gov links, the canned queries.

Fixtures: ``tests/fixtures/nta`` (real 差分 rows in both encodings and four real JUDGIT!
2023 sheets; NOTICE, extract.py). Where a test needs a 全件 file or a row the real files
do not have (a correction, a malformed row, a contradicting 法人種別), it writes one in
the register's layout and says so.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, XSD as _XSD

from stdnum.jp import cn

from kg.iris import KG, KGC, ROV, SCHEMA
from kg.mappers import nta
from kg.pipeline import build
from kg.queries import get_query, run
from kg.validation import validate

XSD_DATE = _XSD.date  # (no rdflib namespace object at module level: pytest's collection warns on it)
del _XSD

HERE = Path(__file__).resolve().parent
NTA = HERE / "fixtures" / "nta"
REGISTER = NTA / "register"
RS = HERE / "fixtures" / "rs"
RS_REAL = HERE / "fixtures" / "rs-real"
ID = "https://kg.jp-spending.example/id/"
SHARED = Path(os.environ.get("KG_SHARED_DATA", HERE.parent.parent / "shared" / "data"))


#: the rows of diff_20210714.csv (UTF-8) and diff_20240920.csv (CP932)
ROWS = [
    ("1010401096288", "01", "日本エムアイ株式会社", 1),
    ("1010401096288", "11", "ＮＳＩ－ＭＩジャパン株式会社", 2),
    ("1010401096288", "12", "ＮＳＩ－ＭＩジャパン株式会社", 3),
    ("1010401096288", "12", "ＮＳＩ－ＭＩジャパン株式会社", 4),
    ("6010001114024", "71", "株式会社パソナグループ", 1),  # the successor's 吸収合併
    ("9010001131900", "21", "株式会社パソナテック", 2),  # the closure of the corporation it took over
]


def corp(number: str) -> URIRef:
    return URIRef(f"{ID}corporation/{number}")


@pytest.fixture(scope="module")
def fixture_build():
    return build([NTA])


@pytest.fixture(scope="module")
def all_build():
    return build([NTA], all_corporations=True)


@pytest.fixture(scope="module")
def all_graph(all_build):
    return all_build.graph


def answer(result, name: str, **params) -> list[dict]:
    """A canned query's rows as dicts of plain values ("" for unbound)."""
    out = run(result.store(), get_query(name), params)
    return [{c: ("" if t is None else t.value) for c, t in zip(out.columns, row, strict=False)} for row in out.rows]


def findings(result, shape: str):
    report = validate(store=result.store())
    return sorted(((str(f.focus).removeprefix(ID), f.message) for f in report.findings if str(f.shape).endswith("/" + shape)))


# ------------------------------------------------------------------ reading the files


def test_register_files_are_told_by_content_in_both_encodings(tmp_path):
    utf8, cp932 = REGISTER / "diff_20210714.csv", REGISTER / "diff_20240920.csv"
    assert nta.is_register_file(utf8) and nta.is_register_file(cp932)
    renamed = tmp_path / "anything.txt"  # never by name
    renamed.write_bytes(cp932.read_bytes())
    assert nta.is_register_file(renamed)
    assert not nta.is_register_file(next((RS / "2024").glob("5-1_*.zip")))
    files, diagnostics = [], []
    rows = list(nta.read(utf8, files, None, diagnostics)) + list(nta.read(cp932, files, None, diagnostics))
    assert [(f.encoding, f.rows) for f in files] == [("utf-8", 4), ("cp932", 2)]
    assert diagnostics == []
    assert [(r.number, r.process, r.name, r.line) for r in rows] == ROWS


def test_only_the_corporations_the_sheets_name_are_kept_unless_all_are_asked(fixture_build, all_build):
    r = fixture_build.register
    assert (r.files, r.full_files, r.rows, r.kept, r.corporations, r.withdrawn, r.complete) == (170, 0, 447, 439, 72, 0, False)
    assert (r.numbers, r.found) == (126, 70)  # 2 of the 72 are successors the sheets do not name
    a = all_build.register
    assert (a.kept, a.corporations, a.withdrawn) == (447, 74, 1)
    assert "not a complete register, so a number missing from it may still exist" in fixture_build.summary()
    assert corp("1010401096288") not in {s for s, _, _ in fixture_build.graph.triples((None, KG.registerRecord, None))}


def test_a_renamed_then_closed_corporation_keeps_its_history_with_file_and_line(all_build, all_graph):
    g, c = all_graph, corp("1010401096288")
    assert g.value(c, ROV.legalName) == Literal("クロステクノロジ株式会社", lang="ja")
    assert g.value(c, KG.closedOn) == Literal("2024-06-28", datatype=XSD_DATE)
    assert g.value(c, KG.closureReason) == KGC["closure-reason/01"]
    assert g.value(c, KG.assignmentDate) == Literal("2015-10-05", datatype=XSD_DATE)
    assert g.value(c, ROV.orgType) == KGC["corporation-kind/kabushiki-kaisha"]
    rows = answer(all_build, "corporation-register-history", corporateNumber="1010401096288")
    got = [(r["changeDate"], r["process"], r["name"], r["formerName"], r["source"]) for r in rows]
    assert got == [
        ("2015-10-05", "01 新規", "日本エムアイ株式会社", "", "diff_20210714.csv:1"),
        ("2016-06-22", "11 商号又は名称の変更", "ＮＳＩ－ＭＩジャパン株式会社", "日本エムアイ株式会社", "diff_20210714.csv:2"),
        ("2016-06-27", "12 国内所在地の変更", "ＮＳＩ－ＭＩジャパン株式会社", "", "diff_20210714.csv:3"),
        ("2021-07-07", "12 国内所在地の変更", "ＮＳＩ－ＭＩジャパン株式会社", "", "diff_20210714.csv:4"),
        ("2022-09-08", "11 商号又は名称の変更", "クロステクノロジ株式会社", "ＮＳＩ－ＭＩジャパン株式会社", "diff_20220913.csv:1"),
        ("2024-06-28", "21 登記記録の閉鎖等", "クロステクノロジ株式会社", "", "diff_20240711.csv:1"),
    ]
    # the current record is the closure (published in CP932); its address is the corporation's
    current = g.value(c, KG.currentRegisterRecord)
    assert current == URIRef(f"{c}/register/2024-06-28-21")
    a = g.value(c, SCHEMA.address)
    assert (str(g.value(a, SCHEMA.addressRegion)), str(g.value(a, SCHEMA.addressLocality)), str(g.value(a, KG.prefectureCode)),
            str(g.value(a, KG.cityCode)), str(g.value(a, SCHEMA.postalCode))) == ("千葉県", "千葉市緑区", "12", "12105", "2670067")


def test_a_merged_corporation_names_its_successor(fixture_build):
    g, c = fixture_build.graph, corp("9010001131900")
    assert g.value(c, KG.successor) == corp("6010001114024")
    assert g.value(corp("6010001114024"), ROV.legalName) == Literal("株式会社パソナグループ", lang="ja")
    assert g.value(c, KG.closureReason) == KGC["closure-reason/11"]
    assert g.value(c, KG.closedOn) == Literal("2024-09-06", datatype=XSD_DATE)
    merged = findings(fixture_build, "MergedRecipientShape")
    assert sorted({m.split(" (")[0] for _, m in merged}) == ["株式会社ザイマックスアルファ", "株式会社パソナテック"]
    assert [f for f in merged if "パソナ" in f[1]][:1] == [(
        "project/2023-moj-0005/expenditure/G-15",
        "株式会社パソナテック (法人番号 9010001131900) was taken over by 株式会社パソナグループ (法人番号 6010001114024); "
        "registration closed 2024-09-06 (register: diff_20240920.csv line 2).",
    )]


def test_a_withdrawn_number(all_graph):
    assert all_graph.value(corp("7700150005498"), KG.withdrawnOn) == Literal("2023-08-21", datatype=XSD_DATE)


def test_every_corporation_links_to_the_register_page_and_gbizinfo(fixture_build):
    g = fixture_build.graph
    assert set(g.objects(corp("9010001140884"), RDFS.seeAlso)) == {
        URIRef("https://www.houjin-bangou.nta.go.jp/henkorireki-johoto.html?selHouzinNo=9010001140884"),
        URIRef("http://hojin-info.go.jp/data/9010001140884"),
    }


# ------------------------------------------------------------------ findings


def test_money_paid_after_the_closure(fixture_build):
    got = findings(fixture_build, "PaidAfterClosureShape")
    assert [focus for focus, _ in got] == [
        "project/2023-env-0203/expenditure/C-17", "project/2023-env-0203/expenditure/C-18",
        "project/2023-env-0203/expenditure/C-19", "project/2023-env-0203/expenditure/C-20",
        "project/2023-mod-0202/expenditure/D-6",
    ]
    assert got[-1][1] == ("Paid for a fiscal year after the register closed リエゾン・オフィス有限会社 (法人番号 4030002019866) "
                          "on 2021-10-14: 清算の結了等 (register: diff_20211021.csv line 1).")
    rows = answer(fixture_build, "payments-to-closed-corporations")
    after = [(r["corporateNumber"], int(r["amountYen"])) for r in rows if r["paidAfterClosure"] == "true"]
    assert after == [("4030002019866", 100_000), ("9010001140884", 4_000_000), ("9010001140884", 300_000),
                     ("9010001140884", 200_000), ("9010001140884", 100_000)]


def test_a_name_that_differs_from_the_register_at_the_time(fixture_build):
    # 醬 and 醤 are variant forms of one kanji (ja-itaiji): the same organisation written otherwise, a note
    assert findings(fixture_build, "RegisterNameShape") == []
    assert findings(fixture_build, "RegisterNameVariantShape") == [(
        "project/2023-meti-0219/expenditure/H-7",
        "The recipient is written 福岡県醬油醸造協同組合; the 法人番号 register names 5290005006629 "
        "福岡県醤油醸造協同組合 at that time: the same organisation written otherwise (same: legal form, widths, "
        "a branch or office, a JV, or its name at another time) (register: diff_20240618.csv line 1).",
    )]
    rows = answer(fixture_build, "register-name-differs")
    assert [(r["nameOnSheet"], r["registerName"], r["sheetSource"], r["registerSource"]) for r in rows] == [
        ("福岡県醬油醸造協同組合", "福岡県醤油醸造協同組合", "2023-経産-22-0219.json:631", "diff_20240618.csv:1")]


def test_a_name_is_compared_only_where_the_files_reach_back(tmp_path):
    # tests/fixtures/rs pays 株式会社エヌ・ティ・ティ・データ (9010601021385) in FY2023; the real
    # files hold only its rename to 株式会社ＮＴＴデータグループ of 2023-07-03, not its name before
    result = build([RS, REGISTER / "diff_20230713.csv"])
    g = result.graph
    row = URIRef(f"{ID}project/2024-rs-005120/expenditure/B-1")
    assert g.value(row, KG.registerRecordAtDate) == URIRef(f"{corp('9010601021385')}/register/2023-07-03-11")
    assert g.value(row, KG.nameDiffersFromRegister) is None


def _register_row(number, name, *, process="01", correction="0", updated="2026-03-31", changed="2015-10-05", kind="301",
                  pref=("東京都", "13", "101"), latest="1", seq=1) -> list[str]:
    """A row in the register's 30-column layout (written by a test, not real data)."""
    return [str(seq), number, process, correction, updated, changed, name, "", kind, pref[0], "千代田区", "霞が関１丁目",
            "", pref[1], pref[2], "1000013", "", "", "", "", "", "", "2015-10-05", latest, "", "", "", "", "", "0"]


def _write(path: Path, rows: list[list[str]], encoding="utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_a_kind_on_the_sheet_contradicting_the_register(tmp_path):
    # tests/fixtures/rs writes 法人種別 301 (株式会社) for 国立研究開発法人情報通信研究機構; a
    # register row (written here) says 399 その他の設立登記法人
    diff = _write(tmp_path / "diff_20260331.csv", [_register_row("7012405000492", "国立研究開発法人情報通信研究機構", kind="399")])
    result = build([RS, diff])
    assert findings(result, "RegisterKindShape") == [(
        "project/2024-rs-007731/expenditure/A-1",
        "法人種別 301 on the sheet, but the 法人番号 register has 7012405000492 as 399 その他の設立登記法人 "
        "(register: diff_20260331.csv line 1).",
    )]


def test_a_correction_replaces_the_record_it_corrects(tmp_path):
    first = _write(tmp_path / "diff_20250101.csv", [_register_row("9010001140884", "株式会社ザイマツクスアルファ", updated="2025-01-01")])
    fixed = _write(tmp_path / "diff_20250102.csv", [_register_row("9010001140884", "株式会社ザイマックスアルファ", updated="2025-01-02",
                                                                   correction="1")], encoding="cp932")
    files, diagnostics = [], []
    rows = [r for p in (fixed, first) for r in nta.read(p, files, None, diagnostics)]  # applied by date, not by order given
    reg = nta.Register(files)
    reg.apply(rows)
    [record] = reg.corporations["9010001140884"].history
    assert (record.name, record.correction, files[record.source].path) == ("株式会社ザイマックスアルファ", True, str(fixed))


def test_a_malformed_row_is_reported_and_the_others_kept(tmp_path):
    good = _register_row("9010001140884", "株式会社ザイマックスアルファ")
    bad_number = _register_row("90100011408", "短い番号", seq=2)
    bad_date = _register_row("4030002019866", "リエゾン・オフィス有限会社", updated="2026/03/31", seq=3)
    path = _write(tmp_path / "diff_20260331.csv", [good, bad_number, bad_date, good[:12]])
    # and a row whose bytes are not UTF-8 (the file's encoding, told from its first rows)
    path.write_bytes(path.read_bytes() + b'5,9010001131900,01,0,2026-03-31,2015-10-05,"\x82\xa0\xff"' + b"," * 23 + b"\n")
    files, diagnostics = [], []
    rows = list(nta.read(path, files, None, diagnostics))
    assert [r.number for r in rows] == ["9010001140884"]
    assert [(d.line, d.message.split(";")[0]) for d in diagnostics] == [
        (2, "法人番号 '90100011408' is not 13 digits"),
        (3, "更新年月日 '2026/03/31' is not a YYYY-MM-DD date"),
        (4, "12 columns, a register row has 30"),
        (5, "row is not utf-8 text (invalid start byte)"),
    ]
    assert all(d.path == str(path) for d in diagnostics)


# ------------------------------------------------------------------ 全件: a complete register


def _full_register(tmp_path: Path, numbers: dict[str, str], leave_out: str | None = None, prefectures=range(1, 48)) -> Path:
    """A 全件 file (written here, in the register's layout): the given corporations, and
    one made-up corporation per prefecture, published on many days as a 全件 file is."""
    rows = []
    for i, (number, name) in enumerate(sorted(numbers.items()), 1):
        if number != leave_out:
            rows.append(_register_row(number, name, updated=f"2025-{1 + i % 12:02d}-01", seq=i))
    for p in prefectures:
        body = f"9{p:02d}000000001"[:12]
        number = str(cn.calc_check_digit(body)) + body
        rows.append(_register_row(number, f"株式会社県{p:02d}", pref=("某県", f"{p:02d}", "201"), updated=f"2024-{1 + p % 12:02d}-15",
                                  seq=len(rows) + 1))
    path = tmp_path / "00_zenkoku_all_20260331.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        z.writestr("00_zenkoku_all_20260331.csv", buf.getvalue().encode("cp932"))
        z.writestr("00_zenkoku_all_20260331.asc", b"signature")
    return path


def test_a_complete_register_reports_a_number_it_lacks(tmp_path, fixture_build):
    sheet = NTA / "judgit-data" / "2023" / "防衛省" / "2023-防衛-22-0202.json"
    on_sheet = {n: "名称" for n in build([sheet]).files[0].emitted.corporations}
    missing = sorted(n for n in on_sheet if cn.is_valid(n))[0]
    full = _full_register(tmp_path, on_sheet, leave_out=missing)
    result = build([sheet, full])
    assert result.register.complete and result.register.full_files == 1
    assert missing == "2140001099470"  # paid by one row of the sheet
    assert [m for _, m in findings(result, "AbsentFromRegisterShape")] == [
        "法人番号 2140001099470 is not in the 法人番号 register (全件 files of every prefecture were built in): "
        "the number is mistyped, or not a corporation's."]
    # a 全件 file of some prefectures only is not complete: nothing is said of a missing number
    part = _full_register(tmp_path, on_sheet, leave_out=missing, prefectures=range(1, 10))
    partial = build([sheet, part])
    assert not partial.register.complete and findings(partial, "AbsentFromRegisterShape") == []


# ------------------------------------------------------------------ laws on e-Gov


def test_laws_link_to_egov_and_articles_to_their_anchor():
    result = build([RS_REAL])
    g = result.graph
    law = URIRef(f"{ID}law/321AC0000000025")
    assert URIRef("https://laws.e-gov.go.jp/law/321AC0000000025") in set(g.objects(law, RDFS.seeAlso))
    anchors = {(str(s), str(o)) for s, o in g.subject_objects(RDFS.seeAlso) if "#Mp-At_" in str(o)}
    assert len(anchors) == 83
    # 第40条の4 (2024-RS-140) has the anchor Mp-At_40_4
    assert (f"{ID}project/2024-rs-140/legal-basis/1", "https://laws.e-gov.go.jp/law/411AC0000000089#Mp-At_40_4") in anchors
    # a name-only citation whose ID no file gives is listed by the build
    assert any("no input gives its 法令ID: '航空法'" in n.message for n in result.notes)


# ------------------------------------------------------------------ the real files


@pytest.mark.skipif(not (SHARED / "nta").is_dir() or not (SHARED / "rs2024").is_dir(), reason="../shared/data is not here")
def test_real_rs_2024_against_the_real_register_extract():
    result = build([SHARED / "rs2024", SHARED / "nta" / "nta-diff-extract-payees.zip"], workers=2)
    r = result.register
    assert (r.files, r.full_files, r.rows, r.complete) == (1240, 0, 35_661, False)
    assert (r.numbers, r.found, r.corporations) == (5_698, 2_261, 2_275)
    after = sorted(line.split()[0].removeprefix(f"<{ID}").removesuffix(">") for line in result.lines if "paidAfterClosure" in line)
    # 株式会社ロイヤルパークホテル (merged 2022-04-01), 東通インテグレート株式会社 (merged 2022-02-17) and
    # 特定非営利活動法人認定こども園幼稚舎えるむ (liquidated 2022-07-27), paid for FY2023
    assert after == ["project/2024-rs-1074/block/J/item/1", "project/2024-rs-4572/block/A/item/1", "project/2024-rs-5374/contract/10"]
    assert sum(1 for line in result.lines if "nameDiffersFromRegister" in line) == 80


@pytest.mark.parametrize("chunk", [1, 7, 1 << 22])
def test_a_quoted_cell_may_hold_a_line_break(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(nta, "_CHUNK", chunk)
    row = _register_row("9010001140884", "株式会社ザイマックスアルファ")
    row[21] = "合併により解散\n(承継先: 株式会社ザイマックスグループ)"  # 変更事由の詳細, free text
    path = _write(tmp_path / "diff_20260331.csv", [row, _register_row("4030002019866", "リエゾン・オフィス有限会社", seq=2)])
    files, diagnostics = [], []
    rows = list(nta.read(path, files, None, diagnostics))
    assert [(r.number, r.line, r.change_cause) for r in rows] == [
        ("9010001140884", 1, "合併により解散\n(承継先: 株式会社ザイマックスグループ)"), ("4030002019866", 3, "")]
    assert diagnostics == [] and files[0].rows == 2


def test_a_file_cut_inside_a_quoted_cell_keeps_the_rows_before(tmp_path):
    path = _write(tmp_path / "diff_20260331.csv", [_register_row("9010001140884", "株式会社ザイマックスアルファ")])
    path.write_bytes(path.read_bytes() + b'2,4030002019866,01,0,2026-03-31,2015-10-05,"\xe3\x83\xaa\xe3\x82\xa8')  # cut
    files, diagnostics = [], []
    assert [r.number for r in nta.read(path, files, None, diagnostics)] == ["9010001140884"]
    assert [(d.line, d.message) for d in diagnostics] == [
        (2, "a quoted cell is not closed before the end of the file (truncated?); row skipped")]


def test_the_corporation_page_shows_what_the_register_says(fixture_build):
    from kg.web.views import Pages as Site

    page = Site(fixture_build.store()).page(str(corp("9010001131900")))
    assert ("<dt>登記記録の閉鎖</dt><dd>2024-09-06 合併による解散等 → 承継先 "
            '<a href="../6010001114024/">株式会社パソナグループ</a></dd>') in page
    assert "<dt>法人番号公表情報</dt><dd>diff_20240920.csv:2</dd>" in page
    assert 'href="https://www.houjin-bangou.nta.go.jp/henkorireki-johoto.html?selHouzinNo=9010001131900"' in page
