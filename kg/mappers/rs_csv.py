"""The RS system's CSV downloads (行政事業レビュー見える化サイト): 15 files a sheet year.

Every file is one table keyed by (事業年度, 予算事業ID); the kind of file is told by
its header (never by its name). Each file yields, per project, a partial
:class:`ReviewSheet` carrying what that file says; the emitter joins the parts on the
project's IRI. Every column a kind relies on is checked up front: a renamed or missing
column stops the file with a message naming the file, the kind and the column.

Quirks handled (see docs/inputs/rs-csv.md "The real 2024 files"): BOM, CRLF, full/half-width brackets and dashes
in headers, trailing spaces in numbers, ``50617000.0``, ``TRUE``/``FALSE``, empty
cells versus ``0``, rows that are entirely empty, exact duplicate rows, and the
bundled ``その他`` recipient with no 法人番号.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..model import (
    Block,
    BlockFlow,
    BudgetLine,
    BudgetYear,
    Check,
    Contract,
    Diagnostic,
    Document,
    ExpenseItem,
    Expenditure,
    Indicator,
    IndicatorLink,
    IndicatorValue,
    LegalBasis,
    Plan,
    RelatedProject,
    ReviewSheet,
    Subsidy,
)
from ..citations import Provision, parse_provisions, split_law_name
from ..normalize import (
    ValueFormatError,
    MINISTRY_ORDER,
    Agency,
    Ministry,
    clean_text,
    ministry,
    organisation,
    nfkc,
    parse_corporate_number,
    parse_count,
    parse_number,
    parse_old_numbers,
)
from ..read import InputError

NAME = "rs-csv"
DESCRIPTION = "RS system CSV (行政事業レビュー見える化サイト), 15 files a year, zipped or not"

#: the leading columns every RS file has (1-1 spells two of them differently)
KEY_COLUMNS = ("事業年度", "予算事業ID")


@lru_cache(maxsize=4096)
def norm(header: str) -> str:
    """A header as compared: NFKC (brackets, slashes), no spaces, every dash the same."""
    t = nfkc(header).replace("\ufeff", "")
    t = re.sub(r"\s+", "", t)
    return re.sub(r"[ー－‐―−–-]", "-", t)


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    columns: tuple[str, ...]  # the columns this mapper reads (beyond the keys)


COMMON = ("事業名", "府省庁", "局・庁", "部", "課", "室", "班", "係")
KINDS: tuple[Kind, ...] = (
    Kind("1-1", "基本情報_組織情報", (*COMMON, "建制順", "所管府省庁", "府省庁（その他担当組織）", "局・庁（その他担当組織）",
         "部（その他担当組織）", "課（その他担当組織）", "室（その他担当組織）", "班（その他担当組織）", "係（その他担当組織）", "作成責任者")),
    Kind("1-2", "基本情報_事業概要等", (*COMMON, "事業の目的", "現状・課題", "事業の概要", "事業概要URL", "事業区分", "事業開始年度",
         "開始年度不明", "事業終了（予定）年度", "終了予定なし", "主要経費", "備考", "実施方法ー直接実施", "実施方法ー補助",
         "実施方法ー負担", "実施方法ー交付", "実施方法ー分担金・拠出金", "実施方法ーその他", "旧事業番号")),
    Kind("1-3", "基本情報_政策・施策、法令等", (*COMMON, "番号（政策・施策）", "政策所管府省庁_P", "政策", "施策", "政策・施策URL",
         "番号（根拠法令）", "法令名", "法令番号", "法令ID", "条", "項", "号・号の細分", "番号（関係する計画・通知等）",
         "計画通知名", "計画通知等URL")),
    Kind("1-4", "基本情報_補助率等", (*COMMON, "番号（補助率等）", "補助対象", "補助率", "補助上限等", "補助率URL")),
    Kind("1-5", "基本情報_関連事業", (*COMMON, "番号（関連事業）", "関連事業の事業ID", "関連事業の事業名", "関連性")),
    Kind("2-1", "予算・執行_サマリ", (*COMMON, "予算年度", "当初予算（合計）", "補正予算（合計）", "前年度からの繰越し（合計）",
         "予備費等（合計）", "計（歳出予算現額合計）", "執行額（合計）", "執行率", "翌年度への繰越し(合計）", "翌年度要求額（合計）",
         "主な増減理由", "その他特記事項", "会計区分", "会計", "勘定", "当初予算", "第1次補正予算", "第2次補正予算",
         "第3次補正予算", "第4次補正予算", "第5次補正予算", "前年度から繰越し", "予備費等1", "予備費等2", "予備費等3",
         "予備費等4", "歳出予算現額", "執行額", "翌年度要求額", "要望額", "備考")),
    Kind("2-2", "予算・執行_予算種別・歳出予算項目", (*COMMON, "予算年度", "会計区分", "会計", "勘定", "予算種別", "所管", "組織・勘定",
         "項", "目", "歳出予算項目の補足情報", "予算額（歳出予算項目ごと）", "翌年度要求額（歳出予算項目ごと）", "備考（歳出予算項目ごと）")),
    Kind("3-1", "効果発現経路_目標・実績", (*COMMON, "アクティビティ・アウトプット・アウトカムの番号",
         "種別（アクティビティ・アウトプット・アウトカム）", "アクティビティ／活動目標／成果目標", "活動指標／成果指標", "単位",
         "改善の上向き／下向き", "成果実績及び目標値の根拠として用いた統計・データ名（出典）", "目標年度／目標値／実績値／達成率")),
    Kind("3-2", "効果発現経路_目標のつながり", (*COMMON, "派生元ーアクティビティ・アウトプット・アウトカムの番号",
         "派生元ー種別（アクティビティ・アウトプット・アウトカム）", "派生先ーアクティビティ・アウトプット・アウトカムの番号",
         "派生先ー種別（アクティビティ・アウトプット・アウトカム）", "後続アウトカムへのつながり")),
    Kind("4-1", "点検・評価", (*COMMON, "事業所管部局による点検・改善ー点検結果", "事業所管部局による点検・改善ー改善の方向性",
         "外部有識者による点検ー所見", "行政事業レビュー推進チームの所見", "所見を踏まえた改善点／概算要求における反映状況")),
    Kind("5-1", "支出先_支出情報", (*COMMON, "支出先ブロック番号", "支出先ブロック名", "支出先の数", "事業を行う上での役割",
         "ブロックの合計支出額", "支出先名", "法人番号", "所在地", "法人種別", "その他支出先", "支出先の合計支出額", "契約概要",
         "金額", "契約方式等", "具体的な契約方式等", "入札者数", "落札率",
         "一者応札・一者応募又は競争性のない随意契約となった理由及び改善策（支出額10億円以上）", "その他の契約")),
    Kind("5-2", "支出先_支出ブロックのつながり", (*COMMON, "支出元の支出先ブロック", "担当組織からの支出", "支出先の支出先ブロック",
         "資金の流れの補足情報", "国自らが支出する間接経費の項目", "国自らが支出する間接経費の金額")),
    Kind("5-3", "支出先_費目・使途", (*COMMON, "支出先ブロック番号", "支出先名", "法人番号", "契約概要", "費目", "使途", "金額")),
    Kind("5-4", "支出先_国庫債務負担行為等による契約", (*COMMON, "支出先ブロック（国庫債務負担行為等による契約）",
         "契約先名（国庫債務負担行為等による契約）", "契約先の法人番号（国庫債務負担行為等による契約）",
         "契約先の所在地（国庫債務負担行為等による契約）", "契約先の法人種別（国庫債務負担行為等による契約）",
         "契約概要（契約名）（国庫債務負担行為等による契約）", "契約額（国庫債務負担行為等による契約）",
         "契約方式等（国庫債務負担行為等による契約）", "具体的な契約方式等（国庫債務負担行為等による契約）",
         "入札者数（応募者数）（国庫債務負担行為等による契約）", "落札率（％）（国庫債務負担行為等による契約）")),
    Kind("6-1", "その他備考", (*COMMON, "備考")),
)
#: optional columns read when present
OPTIONAL = ("整理表表示順", "政策所管府省庁", "所管府省庁", "府省庁の建制順", "建制順")

# 4-1 columns kept as checks: every evaluation column found in the header is read
_EVALUATION_PREFIXES = ("事業所管部局による点検", "外部有識者による点検", "公開プロセス", "行政事業レビュー推進チーム",
                        "所見を踏まえた", "反映額", "過去に受けた指摘事項", "その他の指摘事項")


def sniff(text: str) -> bool:
    header = text.split("\n", 1)[0]
    cells = {norm(c.strip('"')) for c in header.split(",")}
    return all(k in cells for k in KEY_COLUMNS)


def detect_kind(header: list[str], where: str) -> tuple[Kind, dict[str, int]]:
    """The kind of RS file this header belongs to, and each wanted column's index.
    :class:`InputError` names the missing column (and the header cell it may have become)."""
    index = {}
    for i, h in enumerate(header):
        index.setdefault(norm(h), i)
    missing_keys = [k for k in KEY_COLUMNS if k not in index]
    if missing_keys:
        raise InputError(where, f"not an RS CSV: no column {', '.join(missing_keys)}", 1)
    best, best_score = None, 0.0
    for kind in KINDS:
        own = [c for c in kind.columns if c not in COMMON]
        score = sum(1 for c in own if norm(c) in index) / len(own)
        if score > best_score:
            best, best_score = kind, score
    if best is None or best_score < 0.5:
        raise InputError(where, "RS CSV header of no known kind (" + ", ".join(f"{k.code} {k.title}" for k in KINDS) + ")", 1)
    missing = [c for c in best.columns if norm(c) not in index]
    if missing:
        present = [h for h in header if norm(h) not in {norm(c) for c in best.columns} and norm(h) not in KEY_COLUMNS]
        hints = []
        for c in missing:
            close = difflib.get_close_matches(norm(c), [norm(h) for h in present], n=1, cutoff=0.6)
            hints.append(f"{c!r}" + (f" (renamed to {next(h for h in present if norm(h) == close[0])!r}?)" if close else ""))
        raise InputError(
            where,
            f"RS {best.code} {best.title}: the layout changed, missing column {', '.join(hints)}; "
            "nothing of this file was mapped",
            1,
        )
    columns = {norm(c): index[norm(c)] for c in (*KEY_COLUMNS, *best.columns)}
    for c in OPTIONAL:
        if norm(c) in index:
            columns[norm(c)] = index[norm(c)]
    if best.code == "3-1":  # yearly value columns: headers like 2023
        for h, i in index.items():
            if re.fullmatch(r"(?:19|20)\d\d(?:年度)?", h):
                columns[h] = i
    if best.code == "4-1":
        for h, i in index.items():
            if h.startswith(tuple(norm(p) for p in _EVALUATION_PREFIXES)):
                columns[h] = i
    return best, columns


class _Row:
    """One CSV row with cells by (normalised) column name, and its diagnostics."""

    __slots__ = ("cells", "columns", "line", "where", "diagnostics")

    def __init__(self, cells, columns, line, where, diagnostics):
        self.cells, self.columns, self.line, self.where, self.diagnostics = cells, columns, line, where, diagnostics

    def text(self, column: str) -> str | None:
        i = self.columns[norm(column)]
        return clean_text(self.cells[i]) if i < len(self.cells) else None

    def _warn(self, column: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.where, self.line, "warning", f"{column}: {message}"))

    def number(self, column: str) -> Decimal | None:
        raw = self.text(column)
        try:
            return parse_number(raw)
        except ValueFormatError as exc:  # not a number, or one no budget reaches: the reason is the parser's
            self._warn(column, f"{exc}; left out")
            return None

    def count(self, column: str) -> int | None:
        raw = self.text(column)
        try:
            return parse_count(raw)
        except ValueFormatError:
            self._warn(column, f"not a count {raw!r}; left out")
            return None

    def flag(self, column: str) -> bool | None:
        raw = self.text(column)
        if raw is None:
            return None
        t = nfkc(raw).strip().upper()
        if t in ("TRUE", "1", "○", "◯", "有", "あり", "Y", "YES"):
            return True
        if t in ("FALSE", "0", "-", "無", "なし", "N", "NO", "×"):
            return False
        self._warn(column, f"not TRUE/FALSE {raw!r}; left out")
        return None

    def year(self, column: str) -> int | None:
        raw = self.text(column)
        if raw is None:
            return None
        m = re.fullmatch(r"((?:19|20)\d\d)(?:\.0)?(?:年度?)?", nfkc(raw).strip())
        if not m:
            self._warn(column, f"not a fiscal year {raw!r}; left out")
            return None
        return int(m.group(1))

    def corporate_number(self, column: str):
        """(parsed 法人番号 or None, the text as written when it is not 13 digits)."""
        raw = self.text(column)
        try:
            return parse_corporate_number(raw), None
        except ValueFormatError:
            self._warn(column, f"法人番号 {raw!r} is not 13 digits; the recipient is kept without a number")
            return None, raw


def _rows(doc: Document, columns: dict[str, int], width: int, diagnostics: list[Diagnostic]):
    """Data rows with their first physical line; malformed, empty and duplicate rows reported."""
    where = str(doc.path)
    reader = csv.reader(io.StringIO(doc.text, newline=""))
    try:
        next(reader)
    except (StopIteration, csv.Error):
        return
    seen: set[tuple[str, ...]] = set()
    duplicates = 0
    empty = 0
    last = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            diagnostics.append(Diagnostic(where, last + 1, "error", f"malformed CSV row ({exc}); row skipped"))
            last = reader.line_num
            continue
        line, last = last + 1, reader.line_num
        if not any(c.strip() for c in cells):
            empty += 1
            continue
        if len(cells) != width:
            diagnostics.append(Diagnostic(
                where, line, "error",
                f"row has {len(cells)} cells, the header {width} (truncated file or a stray separator?); row skipped",
            ))
            continue
        key = tuple(cells)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        yield _Row(cells, columns, line, where, diagnostics)
    if duplicates:
        diagnostics.append(Diagnostic(where, None, "warning", f"{duplicates} rows repeat an earlier row exactly; each kept once" if duplicates > 1
                                      else "1 row repeats an earlier row exactly; kept once"))
    if empty:
        diagnostics.append(Diagnostic(where, None, "warning", f"{empty} empty rows skipped" if empty > 1 else "1 empty row skipped"))


def map_document(doc: Document) -> tuple[list[ReviewSheet], list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    where = str(doc.path)
    try:
        header = next(csv.reader(io.StringIO(doc.text.split("\n", 1)[0])))
    except (StopIteration, csv.Error) as exc:
        raise InputError(where, f"unreadable CSV header ({exc})", 1) from exc
    kind, columns = detect_kind(header, where)
    doc.layout = f"{NAME} {kind.code}"
    sheets: OrderedDict[tuple[int, str], ReviewSheet] = OrderedDict()
    state: dict = {}
    fill = _FILLERS[kind.code]
    for row in _rows(doc, columns, len(header), diagnostics):
        year = row.year("事業年度")
        pid = row.text("予算事業ID")
        if year is None or not pid:
            diagnostics.append(Diagnostic(where, row.line, "error", "row without 事業年度 or 予算事業ID; row skipped"))
            continue
        pid = nfkc(pid).strip()
        if pid.endswith(".0") and pid[:-2].isdigit():
            pid = pid[:-2]
        sheet = sheets.get((year, pid))
        if sheet is None:
            text = row.text("府省庁")
            m, agency = _organisation(row, text)
            sheet = ReviewSheet(number=None, name=row.text("事業名") or "", ministry=m, sheet_year=year, rs_id=pid,
                                ministry_text=text, line=row.line)
            state[(year, pid)] = {"agency": agency}
            sheets[(year, pid)] = sheet
        fill(row, sheet, state.setdefault((year, pid), {}))
    return list(sheets.values()), diagnostics


def _organisation(row: _Row, text: str | None) -> tuple[Ministry | None, Agency | None]:
    """The ministry (and agency) of a project: from 府省庁 (a ministry, or an agency or
    commission of one, ``ontology/organisations.csv``), else from 政策所管府省庁 (所管府省庁
    in 1-1), else from 府省庁の建制順. What 府省庁 does not name is reported."""
    found = organisation(text)
    if found is not None:
        return found
    for column in ("政策所管府省庁", "所管府省庁"):
        if norm(column) in row.columns:
            m = ministry(row.text(column))
            if m is not None:
                if text:
                    row._warn("府省庁", f"{text!r} is no ministry or agency of ontology/organisations.csv; "
                              f"linked to its 政策所管府省庁 {m.name}")
                return m, None
    for column in ("府省庁の建制順", "建制順"):
        if norm(column) in row.columns:
            order = row.count(column)
            if order in MINISTRY_ORDER:
                row._warn("府省庁", f"{text!r} is no ministry or agency of ontology/organisations.csv; "
                          f"linked by its 建制順 {order} to {MINISTRY_ORDER[order].name}")
                return MINISTRY_ORDER[order], None
    row._warn("府省庁", f"{text!r} is no ministry or agency of ontology/organisations.csv; the project has no ministry link")
    return None, None


# --------------------------------------------------------------------------- per kind

def _units(row: _Row, suffix: str = "", agency: Agency | None = None) -> tuple[str, ...]:
    """局・庁, 部, 課, 室, 班, 係 (empty ones dropped), under the agency when 府省庁 names one."""
    names = [n for n in (row.text(f"{c}{suffix}") for c in ("局・庁", "部", "課", "室", "班", "係")) if n]
    if agency is not None and (not names or names[0] != agency.name):
        names.insert(0, agency.name)
    return tuple(names)


def _fill_1_1(row, sheet, state):
    units = _units(row, agency=state.get("agency"))
    if not sheet.units:
        sheet.units = units
    official = row.text("作成責任者")
    if official and not sheet.official:
        sheet.official = official
    text = row.text("府省庁（その他担当組織）")
    found = organisation(text)
    if found is not None:  # the ministry by its name, and the agency as the first unit
        text = found[0].name
    other = ((text or ""),) + _units(row, "（その他担当組織）", found[1] if found else None)
    if any(other[1:]) and other not in sheet.other_units:
        sheet.other_units.append(other)


_METHODS = (("実施方法ー直接実施", "直接実施"), ("実施方法ー補助", "補助"), ("実施方法ー負担", "負担"),
            ("実施方法ー交付", "交付"), ("実施方法ー分担金・拠出金", "分担金・拠出金"), ("実施方法ーその他", "その他"))


def _fill_1_2(row, sheet, state):
    if state.get("seen"):
        return  # 1-2 repeats a project's row for each その他担当組織: the first row is the sheet's
    state["seen"] = True
    sheet.units = sheet.units or _units(row, agency=state.get("agency"))
    sheet.purpose = row.text("事業の目的")
    sheet.current_issues = row.text("現状・課題")
    sheet.overview = row.text("事業の概要")
    sheet.overview_url = row.text("事業概要URL")
    sheet.category = row.text("事業区分")
    sheet.start_year = row.year("事業開始年度")
    sheet.start_year_unknown = bool(row.flag("開始年度不明"))
    sheet.end_year = row.year("事業終了（予定）年度")
    sheet.end_year_undecided = bool(row.flag("終了予定なし"))
    sheet.major_expense = row.text("主要経費")
    remark = row.text("備考")
    if remark:
        sheet.remarks.append(remark)
    sheet.methods = [name for column, name in _METHODS if row.flag(column)]
    old = row.text("旧事業番号")
    if old:
        numbers, messages = parse_old_numbers(old, sheet.ministry, sheet.sheet_year)
        sheet.old_numbers.extend(numbers)
        for message in messages:
            row._warn("旧事業番号", message)


def _fill_1_3(row, sheet, state):
    policy, measure = row.text("政策"), row.text("施策")
    if policy and not sheet.policy:
        sheet.policy, sheet.measure, sheet.policy_url = policy, measure, row.text("政策・施策URL")
    name = row.text("法令名")
    if name:
        sheet.legal_bases.extend(_legal_bases(row, name))
    plan = row.text("計画通知名")
    if plan:
        sheet.plans.append(Plan(name=plan, url=row.text("計画通知等URL"), line=row.line))


_LAW_ID_RE = re.compile(r"\d{3}[0-9A-Z]{12}")
_LAW_REVISION_RE = re.compile(r"(\d{3}[0-9A-Z]{12})_\d{8}_[0-9A-Z]{15}")
_LAW_NUMBER_RE = re.compile(r"(?:明治|大正|昭和|平成|令和)\S*?年\S*?第\S+?号")


def _legal_bases(row: _Row, name: str) -> list[LegalBasis]:
    """One legal basis per provision the row cites (条, 項, 号・号の細分, or written into the
    法令名 itself); the 法令ID read as an e-Gov ID, a revision id, or reported."""
    law, inline = split_law_name(name)
    if inline and not parse_provisions([(inline, "条")])[1]:  # 第…条 is part of the name (…条約第六条に基づく…協定)
        law, inline = nfkc(name).strip().lstrip("・"), None
    cells = [(inline, "条"), (row.text("条"), "条"), (row.text("項"), "項"), (row.text("号・号の細分"), "号")]
    written = " ".join(t for t, _ in cells if t) or None
    provisions, complete = parse_provisions(cells)
    if not complete:
        row._warn("条・項・号", f"{written!r} is not read in full; kept as written (kg:provisionText)")
    law_id = revision = None
    law_number = row.text("法令番号")
    raw_id = row.text("法令ID")
    if raw_id:
        t = nfkc(raw_id).strip()
        if _LAW_ID_RE.fullmatch(t):
            law_id = t
        elif m := _LAW_REVISION_RE.fullmatch(t):
            law_id, revision = m.group(1), t
        else:
            if _LAW_NUMBER_RE.fullmatch(t) and not law_number:
                law_number = t
            row._warn("法令ID", f"{raw_id!r} is not an e-Gov 法令ID; the law is matched by its name")
    return [LegalBasis(law=law, article=p.article, paragraph=p.paragraph, item=p.item, sub_item=p.sub_item,
                       text=written, law_id=law_id, law_number=law_number, line=row.line, law_revision=revision)
            for p in provisions or [Provision()]]


def _fill_1_4(row, sheet, state):
    number = row.count("番号（補助率等）") or len(sheet.subsidies) + 1
    sheet.subsidies.append(Subsidy(number, row.text("補助対象"), row.text("補助率"), row.text("補助上限等"), row.text("補助率URL"), row.line))


def _fill_1_5(row, sheet, state):
    number = row.count("番号（関連事業）") or len(sheet.related) + 1
    rid = row.text("関連事業の事業ID")
    sheet.related.append(RelatedProject(number, nfkc(rid).strip() if rid else None, row.text("関連事業の事業名"), row.text("関連性"), row.line))


def _fill_2_1(row, sheet, state):
    fy = row.year("予算年度")
    if fy is None:
        row.diagnostics.append(Diagnostic(row.where, row.line, "error", "予算年度 missing; row skipped"))
        return
    category = row.text("会計区分")
    if not category:  # the year's total row
        rate = row.number("執行率")
        sheet.budgets.append(BudgetYear(
            fiscal_year=fy,
            initial=row.number("当初予算（合計）"),
            supplementary=row.number("補正予算（合計）"),
            carried_in=row.number("前年度からの繰越し（合計）"),
            reserve=row.number("予備費等（合計）"),
            total=row.number("計（歳出予算現額合計）"),
            executed=row.number("執行額（合計）"),
            execution_rate=None if rate is None else _percent(rate),
            carried_out=row.number("翌年度への繰越し(合計）"),
            next_year_request=row.number("翌年度要求額（合計）"),
            reason=row.text("主な増減理由"),
            note=row.text("その他特記事項"),
            line=row.line,
        ))
        return
    supplementary = _sum(row.number(f"第{i}次補正予算") for i in range(1, 6))
    reserve = _sum(row.number(f"予備費等{i}") for i in range(1, 5))
    account = tuple(a for a in (category, row.text("会計"), row.text("勘定")) if a)
    sheet.account_budgets.append(BudgetYear(
        fiscal_year=fy,
        initial=row.number("当初予算"),
        supplementary=supplementary,
        carried_in=row.number("前年度から繰越し"),
        reserve=reserve,
        total=row.number("歳出予算現額"),
        executed=row.number("執行額"),
        next_year_request=row.number("翌年度要求額"),
        requested=row.number("要望額"),
        note=row.text("備考"),
        account=account,
        line=row.line,
    ))


def _percent(rate: Decimal) -> Decimal:
    """執行率 and 落札率 come as a ratio (0.33608) in the CSV; the graph keeps percent like the
    sheets. A value above 1.5 is taken as already in percent (99.5)."""
    return rate * 100 if rate <= Decimal("1.5") else rate


def _sum(values) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _fill_2_2(row, sheet, state):
    fy = row.year("予算年度")
    if fy is None:
        row.diagnostics.append(Diagnostic(row.where, row.line, "error", "予算年度 missing; row skipped"))
        return
    item = row.text("目") or row.text("項") or "(目なし)"
    sheet.budget_lines.append(BudgetLine(
        fiscal_year=fy,
        item=item,
        amount=row.number("予算額（歳出予算項目ごと）"),
        line=row.line,
        budget_type=row.text("予算種別"),
        account=tuple(a for a in (row.text("会計区分"), row.text("会計"), row.text("勘定")) if a),
        classification=tuple(a for a in (row.text("所管"), row.text("組織・勘定"), row.text("項")) if a),
        next_year_request=row.number("翌年度要求額（歳出予算項目ごと）"),
        note=row.text("歳出予算項目の補足情報") or row.text("備考（歳出予算項目ごと）"),
    ))


_INDICATOR_KINDS = {"アクティビティ": "activity", "アウトプット": "output", "アウトカム": "outcome"}


def _indicator_key(kind: str | None, number: str | None) -> str | None:
    if not number:
        return None
    return f"{nfkc(kind or '').strip() or 'x'}-{nfkc(number).strip()}"


def _fill_3_1(row, sheet, state):
    kind_text = row.text("種別（アクティビティ・アウトプット・アウトカム）")
    key = _indicator_key(kind_text, row.text("アクティビティ・アウトプット・アウトカムの番号"))
    if key is None:
        return
    indicators = state.setdefault("indicators", {})
    ind = indicators.get(key)
    if ind is None:
        kind = next((v for k, v in _INDICATOR_KINDS.items() if kind_text and kind_text.startswith(k)), "kpi")
        ind = Indicator(kind=kind, name=row.text("活動指標／成果指標") or row.text("アクティビティ／活動目標／成果目標") or key,
                        unit=row.text("単位"), goal=row.text("アクティビティ／活動目標／成果目標"), line=row.line, key=key,
                        basis=row.text("成果実績及び目標値の根拠として用いた統計・データ名（出典）"),
                        direction=row.text("改善の上向き／下向き"))
        indicators[key] = ind
        sheet.indicators.append(ind)
    label = row.text("目標年度／目標値／実績値／達成率") or ""
    value_kind = ("target-year" if "目標年度" in label else "target" if "目標" in label else "actual" if "実績" in label
                  else "achievement" if "達成" in label else "value")
    for column, index in row.columns.items():
        m = re.fullmatch(r"((?:19|20)\d\d)(?:年度)?", column)
        if not m or index >= len(row.cells):
            continue
        raw = clean_text(row.cells[index])
        if raw is None:
            continue
        try:
            value, text = parse_number(raw), None
        except ValueFormatError:
            value, text = None, raw
        ind.values.append(IndicatorValue(value_kind, int(m.group(1)), label, value, text))


def _fill_3_2(row, sheet, state):
    source = _indicator_key(row.text("派生元ー種別（アクティビティ・アウトプット・アウトカム）"),
                            row.text("派生元ーアクティビティ・アウトプット・アウトカムの番号"))
    target = _indicator_key(row.text("派生先ー種別（アクティビティ・アウトプット・アウトカム）"),
                            row.text("派生先ーアクティビティ・アウトプット・アウトカムの番号"))
    if source and target:
        sheet.indicator_links.append(IndicatorLink(source, target, row.text("後続アウトカムへのつながり"), row.line))


def _fill_4_1(row, sheet, state):
    for column, index in row.columns.items():
        if not column.startswith(tuple(norm(p) for p in _EVALUATION_PREFIXES)) or index >= len(row.cells):
            continue
        value = clean_text(row.cells[index])
        if not value:
            continue
        category, _, item = column.partition("-")
        entry = (category, item or category, value)
        if entry in state.setdefault("checks", set()):
            continue
        state["checks"].add(entry)
        sheet.checks.append(Check(category if item else None, item or category, value if len(value) <= 20 else None,
                                  value if len(value) > 20 else None, row.line))


def _fill_5_1(row, sheet, state):
    letter = row.text("支出先ブロック番号") or state.get("block")
    name = row.text("支出先名")
    if letter is None:
        row.diagnostics.append(Diagnostic(row.where, row.line, "error", "支出先 row before any 支出先ブロック番号; row skipped"))
        return
    blocks = state.setdefault("blocks", {})
    if letter not in blocks:
        blocks[letter] = Block(letter=letter, line=row.line)
        sheet.blocks.append(blocks[letter])
        state["rank"] = 0
    block = blocks[letter]
    if letter != state.get("block"):
        state["block"], state["recipient"] = letter, None
        state["rank"] = sum(1 for e in sheet.expenditures if e.block == letter)
    if not name:  # a block row
        block.name = block.name or row.text("支出先ブロック名")
        block.role = block.role or row.text("事業を行う上での役割")
        total = row.number("ブロックの合計支出額")
        block.amount = total if total is not None else block.amount
        return
    total = row.number("支出先の合計支出額")
    number, number_text = row.corporate_number("法人番号")
    current: Expenditure | None = state.get("recipient")
    same = current is not None and current.recipient == name and current.corporate_number == number
    if total is not None or not same:
        state["rank"] += 1
        current = Expenditure(
            block=letter, rank=state["rank"], recipient=name, corporate_number=number, summary=None,
            amount=total, contract_method=None, bidders=None, award_rate=None, reason=None, line=row.line,
            corporate_number_text=number_text, location=row.text("所在地"), kind_code=row.text("法人種別"),
            is_other=row.flag("その他支出先"),
        )
        state["recipient"] = current
        sheet.expenditures.append(current)
    summary, amount, method = row.text("契約概要"), row.number("金額"), row.text("契約方式等")
    if summary or amount is not None or method:
        current.contracts.append(Contract(
            summary=summary, amount=amount, contract_method=method, specific_method=row.text("具体的な契約方式等"),
            bidders=row.count("入札者数"), award_rate=_rate(row, "落札率"),
            reason=row.text("一者応札・一者応募又は競争性のない随意契約となった理由及び改善策（支出額10億円以上）"),
            other=row.text("その他の契約"), line=row.line,
        ))


def _rate(row: _Row, column: str) -> Decimal | None:
    raw = row.text(column)
    if raw is None:
        return None
    t = nfkc(raw).strip().rstrip("%").strip()
    try:
        value = parse_number(t)
    except ValueFormatError:
        row._warn(column, f"not a rate {raw!r}; left out")
        return None
    return None if value is None else _percent(value)


def _fill_5_2(row, sheet, state):
    target = row.text("支出先の支出先ブロック")
    if not target:
        return
    source = row.text("支出元の支出先ブロック")
    from_org = row.text("担当組織からの支出")
    if source is None and not from_org:
        row._warn("支出元の支出先ブロック", "neither a paying block nor 担当組織からの支出; taken as paid by the organisation")
    sheet.flows.append(BlockFlow(
        target=target, source=source, note=row.text("資金の流れの補足情報"),
        indirect_cost=row.text("国自らが支出する間接経費の項目"),
        indirect_amount=row.number("国自らが支出する間接経費の金額"), line=row.line,
    ))


def _fill_5_3(row, sheet, state):
    letter = row.text("支出先ブロック番号")
    category = row.text("費目")
    if not letter or not category:
        return
    number, _ = row.corporate_number("法人番号")
    sheet.expense_items.append((letter, ExpenseItem(
        category=category, use=row.text("使途"), amount=row.number("金額"), line=row.line,
        recipient=row.text("支出先名"), corporate_number=number, contract=row.text("契約概要"),
    )))


def _fill_5_4(row, sheet, state):
    c = "（国庫債務負担行為等による契約）"
    name = row.text(f"契約先名{c}")
    summary = row.text(f"契約概要（契約名）{c}")
    if not name and not summary:
        return
    number, number_text = row.corporate_number(f"契約先の法人番号{c}")
    sheet.contracts.append(Contract(
        summary=summary, amount=row.number(f"契約額{c}"), contract_method=row.text(f"契約方式等{c}"),
        specific_method=row.text(f"具体的な契約方式等{c}"), bidders=row.count(f"入札者数（応募者数）{c}"),
        award_rate=_rate(row, f"落札率（％）{c}"), line=row.line, multi_year=True, block=row.text(f"支出先ブロック{c}"),
        recipient=name, corporate_number=number, corporate_number_text=number_text,
        location=row.text(f"契約先の所在地{c}"), kind_code=row.text(f"契約先の法人種別{c}"),
    ))


def _fill_6_1(row, sheet, state):
    remark = row.text("備考")
    if remark:
        sheet.remarks.append(remark)


_FILLERS = {
    "1-1": _fill_1_1, "1-2": _fill_1_2, "1-3": _fill_1_3, "1-4": _fill_1_4, "1-5": _fill_1_5,
    "2-1": _fill_2_1, "2-2": _fill_2_2, "3-1": _fill_3_1, "3-2": _fill_3_2, "4-1": _fill_4_1,
    "5-1": _fill_5_1, "5-2": _fill_5_2, "5-3": _fill_5_3, "5-4": _fill_5_4, "6-1": _fill_6_1,
}
