"""Review sheets extracted from PDF with pdftotext: the cells' reading order is
lost, labels and values are scattered, full-width digits, 百万円.
Seed 000 has this layout.

Each field is found by a pattern that ties a value to its own label on the same
line or the lines right after it; fields whose value cannot be tied to its
label (indicator tables, 点検 explanations) are not guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..model import Block, BudgetYear, Document, ReviewSheet
from ..normalize import (
    ValueFormatError,
    clean_person,
    clean_text,
    compact,
    fiscal_year,
    is_missing,
    ministry,
    nfkc,
    parse_percent,
    parse_project_number,
    parse_yen,
)
from .common import Collector, parse_legal_bases, parse_plans

NAME = "pdf-text"
DESCRIPTION = "review sheet, pdftotext output (labels and values scrambled)"

_NUMBER_RE = re.compile(r"^\s*((?:19|20)\d{2})\s+(\S+?)\s+(新?\d{1,2})\s+(\d{3,4})\s*$")
_OFFICIAL_RE = re.compile(
    r"^(?P<div>\S+?(?:課|室|官|部|所|センター)\S*)\s+(?P<person>\S*(?:室長|課長|参事官|企画官|局長|審議官|統括官|所長|部長|補佐)\s*\S.*)$"
)
_TITLE_WORDS = ("室長", "課長", "参事官", "企画官", "局長", "審議官", "統括官", "所長", "部長")


def sniff(text: str) -> bool:
    tabbed = sum(1 for line in text.split("\n")[:200] if line.count("\t") >= 2)
    return "レビューシート" in text and "事業名" in text and tabbed < 10


class _Lines:
    def __init__(self, doc: Document):
        self.raw = doc.lines
        self.n = [nfkc(line).strip() for line in self.raw]

    def index(self, pattern: str, start: int = 0) -> int:
        rx = re.compile(pattern)
        for i in range(start, len(self.n)):
            if rx.search(self.n[i]):
                return i
        return -1

    def paragraph(self, start: int, min_len: int = 25) -> tuple[int, str | None]:
        """The first run of long lines after ``start`` (a value after its wrapped label)."""
        i = start + 1
        while i < len(self.n) and len(self.n[i]) < min_len:
            if i - start > 6:
                return -1, None
            i += 1
        first = i
        parts = []
        while i < len(self.n) and self.n[i]:
            parts.append(self.n[i])
            i += 1
        return first, ("".join(parts) if parts else None)


def map_document(doc: Document) -> tuple[list[ReviewSheet], list]:
    col = Collector(doc)
    ls = _Lines(doc)

    # 事業番号: a line holding only "2022 総務 新22 0011"
    number = None
    number_line = None
    for i, line in enumerate(ls.n):
        m = _NUMBER_RE.match(line)
        if m and ministry(m.group(2)):
            number = parse_project_number(line)
            number_line = i + 1
            break
    if number is None:
        col.error(None, "no 事業番号 line (year ministry code serial) found")
        return [], col.items
    ti = ls.index(r"行政事業レビューシート")
    title = compact(ls.n[ti]) if ti >= 0 else ""
    sheet_year = fiscal_year(title) or number.year
    tm = re.search(r"レビューシート\(?([^()\s]+?)\)?$", title)
    mi = (ministry(tm.group(1)) if tm else None) or number.ministry

    ni = ls.index(r"^事業名\s")
    m = re.match(r"^事業名\s+(.+?)\s+担当部局庁?\s+(.+?)\s+作成責任者", ls.n[ni]) if ni >= 0 else None
    if not m:
        col.error(None, "no 事業名 line found")
        return [], col.items
    sheet = ReviewSheet(
        number=number,
        name=clean_text(m.group(1)),
        ministry=mi,
        sheet_year=sheet_year,
        bureau=clean_text(m.group(2)),
        line=number_line,
    )
    km = re.search(r"(第\d+次)?補正予算", title)
    if km:
        sheet.sheet_kind = km.group(0)

    si = ls.index(r"^事業開始年度")
    if si >= 0:
        sheet.start_year = fiscal_year(ls.n[si])
    ei = ls.index(r"^事業終了")
    if ei >= 0:
        for k in range(ei, min(ei + 4, len(ls.n))):
            text = ls.n[k].split("事業終了", 1)[-1]
            if "終了予定なし" in text:
                sheet.end_year_undecided = True
                break
            fy = fiscal_year(text) if re.search(r"(令和|平成)", text) else None
            if fy:
                sheet.end_year = fy
                break
    for line in ls.n:
        om = _OFFICIAL_RE.match(line)
        if om and not line.startswith(("事業", "担当")):
            sheet.division = clean_text(om.group("div"))
            sheet.official = clean_person(om.group("person"))
            break
    ai = ls.index(r"^会計区分\s")
    if ai >= 0:
        sheet.account = clean_text(ls.n[ai].split(None, 1)[1])

    li = ls.index(r"^根拠法令")
    if li >= 0:
        for k in range(li, min(li + 6, len(ls.n))):
            if re.search(r"法.*第\d+条", ls.n[k]):
                sheet.legal_basis_text = clean_text(ls.n[k])
                sheet.legal_bases = parse_legal_bases(ls.n[k])
                break
    pi = ls.index(r"計画、通知等")
    if pi >= 0:
        parts = []
        k = pi + 1
        while k < len(ls.n) and not ls.n[k]:
            k += 1
        while k < len(ls.n) and ls.n[k]:
            parts.append(ls.n[k])
            k += 1
        if parts:
            sheet.plans_text = clean_text("".join(parts))
            sheet.plans = parse_plans("".join(parts))
    mpi = ls.index(r"^主要政策・施策\s")
    if mpi >= 0:
        mm = re.match(r"^主要政策・施策\s+(.+?)\s+主要経費\s+(.+)$", ls.n[mpi])
        if mm:
            sheet.major_policy = None if is_missing(mm.group(1)) else clean_text(mm.group(1))
            sheet.major_expense = None if is_missing(mm.group(2)) else clean_text(mm.group(2))
    for attr, label in (("policy", "政策"), ("measure", "施策")):
        k = ls.index(rf"^{label}\s+\S")
        if k >= 0:
            value = ls.n[k].split(None, 1)[1]
            setattr(sheet, attr, None if is_missing(value) else clean_text(value))
    _, sheet.purpose = ls.paragraph(ls.index(r"^事業の目的"))
    _, sheet.overview = ls.paragraph(ls.index(r"^事業概要"))
    sheet.purpose = clean_text(sheet.purpose)
    sheet.overview = clean_text(sheet.overview)
    mi2 = ls.index(r"^実施方法\s")
    if mi2 >= 0:
        sheet.methods = [clean_text(x) for x in re.split(r"[、,]", ls.n[mi2].split(None, 1)[1]) if x.strip()]

    _budget(ls, sheet, col)
    _fund_flow(ls, sheet, col)
    return [sheet], col.items


_ROWS = (
    ("initial", r"^当初予算\s"),
    ("carried_in", r"^前年度から繰越し?\s"),
    ("carried_out", r"^翌年度へ繰越し?\s"),
    ("reserve", r"^予備費等?\s"),
    ("total", r"^計\s"),
    ("executed", r"^執行額\s"),
    ("execution_rate", r"^執行率\S*\s"),
)


def _budget(ls: _Lines, sheet: ReviewSheet, col: Collector) -> None:
    years: list[int] = []
    for line in ls.n:
        tokens = line.split()
        if len(tokens) >= 3 and all(re.fullmatch(r"(令和|平成)(元|\d{1,2})年度", t) for t in tokens):
            years = [fiscal_year(t) for t in tokens]
            break
    if not years:
        col.warn(None, "予算額・執行額: no fiscal-year header line")
        return
    budgets = {fy: BudgetYear(fiscal_year=fy) for fy in years}
    for attr, pattern in _ROWS:
        rx = re.compile(pattern)
        best = None
        for i, line in enumerate(ls.n):
            if not rx.match(line):
                continue
            values = line.split()[1:]
            if len(values) >= 2 and (best is None or len(values) > len(best[1])):
                best = (i, values)
        if best is None:
            continue
        i, values = best
        for fy, raw in zip(years, values, strict=False):
            try:
                v = parse_percent(raw) if attr == "execution_rate" else parse_yen(raw, "百万円")
            except ValueFormatError as exc:
                col.error(i + 1, f"予算額・執行額: {exc}")
                continue
            setattr(budgets[fy], attr, v)
            budgets[fy].line = budgets[fy].line or i + 1
    # 補正予算: its values lose their row in the PDF text; what the total leaves over is it
    supp = ls.index(r"^補正予算\s+\S+\s+\S+")
    for by in budgets.values():
        if supp >= 0 or by.total is None:
            continue
        others = sum((v for v in (by.initial, by.carried_in, by.carried_out, by.reserve) if v is not None), Decimal(0))
        rest = by.total - others
        if rest > 0:
            by.supplementary = rest
            by.supplementary_derived = True
    sheet.budgets = [budgets[fy] for fy in years]


_FLOW_BLOCK_RE = re.compile(r"(?m)^([A-Z])\.((?:[^\n]|\n(?!\n))+?)\s*\n*\s*([\d,.]+)\s*(百万円|千円|円)")
_FLOW_ROLE_RE = re.compile(r"(委託|請負|補助|交付|貸付|出資|負担)【(.+?)】")


def _fund_flow(ls: _Lines, sheet: ReviewSheet, col: Collector) -> None:
    start = ls.index(r"^資金の流れ")
    if start < 0:
        return
    text = "\n".join(ls.n[start:])
    for m in _FLOW_BLOCK_RE.finditer(text):
        line = start + text[: m.start()].count("\n") + 1
        try:
            amount = parse_yen(m.group(3), m.group(4))
        except ValueFormatError as exc:
            col.error(line, f"資金の流れ: {exc}")
            amount = None
        name = clean_text(m.group(2).replace("\n", ""))
        sheet.blocks.append(Block(m.group(1), name=name, largest_recipient=name, amount=amount, line=line))
    roles = list(_FLOW_ROLE_RE.finditer(text))
    if len(roles) == len(sheet.blocks):
        for block, rm in zip(sheet.blocks, roles, strict=False):
            block.role = rm.group(1)
            block.contract_method = compact(rm.group(2))
    elif roles:
        col.warn(start + 1, f"資金の流れ: {len(roles)} contract notes for {len(sheet.blocks)} blocks; not assigned")
