"""Review sheets exported from the government's Excel files as text:
tab-separated cells, merged cells leaving empty cells around values, then
markdown-ish tables for the fund flow (費目・使途) and the recipient lists
(支出先上位10者リスト). Seeds 001, 002 and 004 have this layout.

Cells are found by their labels, never by fixed positions, because merged
cells shift columns from one sheet to the next.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..model import (
    Block,
    BudgetLine,
    BudgetYear,
    Check,
    Document,
    Expenditure,
    ExpenseItem,
    Indicator,
    IndicatorValue,
    ReviewSheet,
)
from ..normalize import (
    ValueFormatError,
    clean_person,
    clean_text,
    compact,
    fiscal_year,
    is_missing,
    ministry,
    nfkc,
    parse_corporate_number,
    parse_count,
    parse_percent,
    parse_project_number,
    parse_yen,
)
from .common import Collector, era_of, parse_legal_bases, parse_plans

NAME = "excel-cells"
DESCRIPTION = "review sheet, tab-separated Excel cells (legacy layout, up to FY2023)"


def sniff(text: str) -> bool:
    tabbed = sum(1 for line in text.split("\n")[:200] if line.count("\t") >= 2)
    return "行政事業レビューシート" in text and "事業名\t" in text and tabbed >= 10


class _Sheet:
    """The document as a grid of cells with label look-ups."""

    def __init__(self, doc: Document):
        self.lines = doc.lines
        self.cells = [line.rstrip("\r").split("\t") for line in self.lines]
        self.compact = [[compact(c) for c in row] for row in self.cells]

    def find(self, label: str, start: int = 0, end: int | None = None, exact: bool = False):
        """First (line index, cell index) whose cell starts with (or equals) ``label``."""
        end = len(self.cells) if end is None else end
        for i in range(start, end):
            for j, c in enumerate(self.compact[i]):
                if (c == label) if exact else c.startswith(label):
                    return i, j
        return None

    def after(self, i: int, j: int) -> tuple[int, str] | None:
        """The next non-empty cell to the right on the same line."""
        for k in range(j + 1, len(self.cells[i])):
            if self.cells[i][k].strip():
                return k, self.cells[i][k]
        return None

    def value(self, label: str, exact: bool = False, start: int = 0) -> tuple[int, str | None]:
        pos = self.find(label, start=start, exact=exact)
        if pos is None:
            return -1, None
        nxt = self.after(*pos)
        return pos[0], (None if nxt is None else nxt[1])

    def line_find(self, needle: str, start: int = 0) -> int:
        for i in range(start, len(self.lines)):
            if needle in compact(self.lines[i]):
                return i
        return -1


_BUDGET_LABELS = (
    ("ratio", re.compile(r"^当初予算\+補正予算に対す")),
    ("initial", re.compile(r"^当初予算")),
    ("supplementary", re.compile(r"^補正予算")),
    ("carried_in", re.compile(r"^前年度から繰越")),
    ("carried_out", re.compile(r"^翌年度へ繰越")),
    ("reserve", re.compile(r"^予備費")),
    ("total", re.compile(r"^計($|\()")),
    ("executed", re.compile(r"^執行額")),
    ("rate", re.compile(r"^執行率")),
)


def _budget_label(cell: str) -> str | None:
    for key, rx in _BUDGET_LABELS:
        if rx.match(cell):
            return key
    return None


def _is_year_header(cell: str) -> bool:
    return bool(re.search(r"年度", cell)) and fiscal_year(cell) is not None


def map_document(doc: Document) -> tuple[list[ReviewSheet], list]:
    col = Collector(doc)
    s = _Sheet(doc)

    # --- header: 事業番号, title (sheet year, ministry), 事業名
    pos = s.find("事業番号")
    if pos is None:
        col.error(None, "no 事業番号 found: not a review sheet")
        return [], col.items
    i = pos[0]
    raw_number = nfkc(s.lines[i]).split("事業番号", 1)[1].strip()
    while not raw_number and i + 1 < len(s.lines):
        i += 1
        raw_number = s.lines[i].strip()
    number_line = i + 1
    title_i = s.line_find("行政事業レビューシート")
    title = compact(s.lines[title_i]) if title_i >= 0 else ""
    sheet_year = fiscal_year(title)
    min_m = re.search(r"\(([^()]+?)\)", title)
    mi = ministry(min_m.group(1)) if min_m else None
    try:
        number = parse_project_number(raw_number, default_year=sheet_year)
    except ValueFormatError as exc:
        col.error(number_line, str(exc))
        return [], col.items
    mi = mi or number.ministry
    if number.year is None:
        col.error(number_line, f"事業番号 {raw_number!r} has no year and the title names none")
        return [], col.items
    name_i, name = s.value("事業名")
    if not name:
        col.error(None, "no 事業名 found")
        return [], col.items
    sheet = ReviewSheet(
        number=number,
        name=clean_text(name),
        ministry=mi,
        sheet_year=sheet_year or number.year,
        line=number_line,
    )
    kind = re.search(r"(第\d+次)?補正予算", title)
    if kind:
        sheet.sheet_kind = kind.group(0)

    # --- organisation and dates
    _, bureau = s.value("担当部局")
    sheet.bureau = clean_text(bureau)
    div_pos = s.find("担当課室")
    if div_pos:
        nxt = s.after(*div_pos)
        if nxt:
            sheet.division = clean_text(nxt[1])
            official = s.after(div_pos[0], nxt[0])
            if official:
                sheet.official = clean_person(official[1])
    resp_pos = s.find("作成責任者")
    if resp_pos and not sheet.official:
        nxt = s.after(*resp_pos)
        if nxt:
            sheet.official = clean_person(nxt[1])
    era = era_of(title) or "令和"
    start_i, start = s.value("事業開始年度")
    sheet.start_year = fiscal_year(start) if start else None
    end_i, end = s.value("事業終了")
    if end and "終了予定なし" in compact(end):
        sheet.end_year_undecided = True
    else:
        sheet.end_year = fiscal_year(end) if end else None
    _, account = s.value("会計区分")
    sheet.account = clean_text(account)

    # --- legal basis, plans, policy
    lb_i, lb = s.value("根拠法令")
    if lb and not is_missing(lb) and not compact(lb).startswith("関係する"):
        sheet.legal_basis_text = clean_text(lb)
        sheet.legal_bases = parse_legal_bases(lb)
        if not sheet.legal_bases:
            col.warn(lb_i + 1, f"根拠法令 names no law with an article: {sheet.legal_basis_text!r}")
    pl_i, pl = s.value("関係する計画")
    if pl and not is_missing(pl):
        sheet.plans_text = clean_text(pl)
        sheet.plans = parse_plans(pl)
    for attr, label in (("major_policy", "主要政策・施策"), ("major_expense", "主要経費")):
        value = s.value(label)[1]
        setattr(sheet, attr, None if is_missing(value) else clean_text(value))
    _, policy = s.value("政策", exact=True)
    _, measure = s.value("施策", exact=True)
    sheet.policy = None if is_missing(policy) else clean_text(policy)
    sheet.measure = None if is_missing(measure) else clean_text(measure)
    for label in ("政策体系・評価書URL", "政策評価書URL"):
        _, url = s.value(label)
        if url and url.strip().startswith("http"):
            sheet.policy_url = url.strip()
            break

    # --- purpose, overview, method
    _, purpose = s.value("事業の目的")
    sheet.purpose = clean_text(purpose)
    _, current = s.value("現状・課題")
    sheet.current_issues = clean_text(current)
    ov_pos = None
    for i2, row in enumerate(s.compact):
        for j2, c in enumerate(row):
            if c.startswith("事業概要") and not c.startswith("事業概要URL"):
                ov_pos = (i2, j2)
                break
        if ov_pos:
            break
    if ov_pos:
        nxt = s.after(*ov_pos)
        sheet.overview = clean_text(nxt[1]) if nxt else None
    _, method = s.value("実施方法")
    if method and not is_missing(method):
        sheet.methods = [clean_text(m) for m in re.split(r"[、,]", nfkc(method)) if m.strip()]
    _, rate = s.value("補助率等")
    sheet.subsidy_rate = clean_text(rate)

    _budget(s, sheet, col)
    _budget_breakdown(s, sheet, col)
    _indicators(s, sheet, col, era)
    _checks(s, sheet)
    _expert(s, sheet)
    _past_numbers(s, sheet, col)
    _fund_flow(s, sheet, col)
    _recipients(s, sheet, col)
    return [sheet], col.items


# ---------------------------------------------------------------- budget table


def _budget(s: _Sheet, sheet: ReviewSheet, col: Collector) -> None:
    pos = s.find("予算額・執行額")
    if pos is None:
        col.warn(None, "no 予算額・執行額 table")
        return
    start = pos[0]
    unit = "千円" if "千円" in s.compact[start][pos[1]] else "百万円"
    years: list[tuple[int, bool]] = []
    rows: dict[str, list[tuple[int, list[str]]]] = {}
    queue: list[str] = []
    last: str | None = None
    for i in range(start, min(start + 30, len(s.cells))):
        cells = s.compact[i]
        if not years:
            heads = [c for c in cells if _is_year_header(c)]
            if len(heads) >= 2:
                years = [(fiscal_year(c), "要求" in c) for c in heads]
        label_idx = None
        label = None
        for j, c in enumerate(cells):
            label = _budget_label(c)
            if label:
                label_idx = j
                break
        rest = cells[label_idx + 1 :] if label_idx is not None else cells
        if label:
            queue.append(label)
        while rest and rest[0] == "":
            rest = rest[1:]
        values = list(rest)
        if any(_is_year_header(c) for c in values):
            values = []
        while values and values[-1] == "":
            values.pop()
        has_values = bool(values) and all(
            is_missing(v) or re.fullmatch(r"[▲△\-]?[\d,.]+%?", v) for v in values
        )
        if has_values:
            target = queue.pop(0) if queue else last
            if target:
                rows.setdefault(target, []).append((i + 1, values))
                last = target
        if label == "ratio":
            break
    if not years:
        col.warn(start + 1, "予算額・執行額 table has no fiscal-year header")
        return
    for k, (fy, request) in enumerate(years):
        by = BudgetYear(fiscal_year=fy, request=request, line=start + 1)
        for key, entries in rows.items():
            total: Decimal | None = None
            for line_no, values in entries:
                if k >= len(values):
                    continue
                raw = values[k]
                try:
                    v = parse_percent(raw) if key in ("rate", "ratio") else parse_yen(raw, unit)
                except ValueFormatError as exc:
                    col.error(line_no, f"予算額・執行額: {exc}")
                    continue
                if v is not None:
                    total = v if total is None else total + v
            attr = {
                "rate": "execution_rate",
                "ratio": "execution_rate_initial_supplementary",
            }.get(key, key)
            setattr(by, attr, total)
        sheet.budgets.append(by)


def _budget_breakdown(s: _Sheet, sheet: ReviewSheet, col: Collector) -> None:
    """予算内訳: the budget of the sheet's next year by 歳出予算目, and the request after it."""
    pos = None
    for i, row in enumerate(s.compact):
        if row and re.search(r"年度予算内訳", row[0]) and "予算額" not in row[0]:
            pos = i
            break
    if pos is None:
        return
    unit = "千円" if "千円" in s.compact[pos][0] else "百万円"
    header = s.compact[pos]
    columns = [(j, fiscal_year(c), "要求" in c) for j, c in enumerate(header) if j > 0 and _is_year_header(c)]
    if not columns:
        return
    first_col = columns[0][0]
    for i in range(pos + 1, min(pos + 15, len(s.cells))):
        cells = s.compact[i]
        if any(c.startswith(("活動内容", "成果目標", "活動目標", "定量的")) for c in cells[:2]):
            break
        names = [c for c in cells[:first_col] if c and c not in ("(項)", "(目)")]
        if not names or names[0].startswith("計"):
            continue  # headings, empty rows and the 計 row (the sum of the others)
        item = clean_text(s.cells[i][cells.index(names[0])])
        for j, fy, request in columns:
            raw = cells[j] if j < len(cells) else ""
            try:
                amount = parse_yen(raw, unit)
            except ValueFormatError:
                continue
            if amount is None:
                continue
            sheet.budget_lines.append(BudgetLine(fy, item, amount, request, i + 1))


# ---------------------------------------------------------------- indicators

_KIND_ROWS = {"成果実績": "actual", "目標値": "target", "達成度": "achievement", "活動実績": "actual", "当初見込み": "planned"}


def _indicators(s: _Sheet, sheet: ReviewSheet, col: Collector, era: str) -> None:
    """活動指標 (outputs) and 成果指標 (outcomes) with their yearly values."""
    i = 0
    n = len(s.cells)
    while i < n:
        row = s.compact[i]
        kind = None
        if any(c in ("成果指標", "定量的な成果指標") for c in row):
            kind = "outcome"
        elif any(c == "活動指標" for c in row):
            kind = "activity"
        if kind is None:
            i += 1
            continue
        header = row
        year_cols = [(j, c) for j, c in enumerate(header) if "年度" in c]
        unit_col = header.index("単位") if "単位" in header else None
        indicator: Indicator | None = None
        k = i + 1
        while k < min(i + 6, n):
            cells = s.cells[k]
            cc = s.compact[k]
            row_kind = next((c for c in cc if c in _KIND_ROWS), None)
            if row_kind is None:
                break
            ki = cc.index(row_kind)
            if indicator is None:
                texts = [c for c in cells[:ki] if c.strip()]
                name = clean_text(texts[-1]) if texts else None
                goal = clean_text(texts[-2]) if len(texts) >= 2 else None
                if not name:
                    break
                indicator = Indicator(kind=kind, name=name, goal=goal, line=k + 1)
                sheet.indicators.append(indicator)
            values = cells[ki + 1 :]
            offset = 0
            if unit_col is not None and values and not re.search(r"\d", values[0] or "") and not is_missing(values[0]) and values[0].strip() != "%":
                indicator.unit = indicator.unit or clean_text(values[0])
                offset = 1
            elif values and values[0].strip() in ("%",):
                offset = 1
            elif values and values[0] == "":
                offset = 1
            vals = values[offset:]
            for idx, (_j, head) in enumerate(year_cols):
                if idx >= len(vals):
                    break
                raw = vals[idx]
                try:
                    num = None if is_missing(raw) else parse_percent(raw)
                except ValueFormatError:
                    num = None
                if num is None and (is_missing(raw) or not raw.strip()):
                    continue
                fy = fiscal_year(head, default_era=era)
                indicator.values.append(
                    IndicatorValue(_KIND_ROWS[row_kind], fy, head, num, None if num is not None else clean_text(raw))
                )
            k += 1
        i = max(k, i + 1)


# ---------------------------------------------------------------- checks, opinion, lineage

_MARKS = {"○", "〇", "×", "△", "-", "‐", "―", "有", "無"}


def _checks(s: _Sheet, sheet: ReviewSheet) -> None:
    start = s.line_find("事業所管部局による点検・改善")
    if start < 0:
        return
    end = s.line_find("点検・改善結果", start + 1)
    end = len(s.cells) if end < 0 else end
    category = None
    for i in range(start + 1, end):
        cells = [c for c in s.cells[i]]
        texts = [(j, c.strip()) for j, c in enumerate(cells) if c.strip()]
        q = next(((j, c) for j, c in texts if re.search(r"か。", c)), None)
        if q is None:
            continue
        before = [c for j, c in texts if j < q[0]]
        if before:
            category = clean_text(before[0])
        after = [c for j, c in texts if j > q[0]]
        evaluation = after[0] if after and compact(after[0]) in _MARKS else None
        explanation = after[1] if evaluation is not None and len(after) > 1 else None
        sheet.checks.append(
            Check(category, clean_text(q[1]), compact(evaluation) if evaluation else None, clean_text(explanation), i + 1)
        )


def _expert(s: _Sheet, sheet: ReviewSheet) -> None:
    start = s.line_find("外部有識者の所見")
    if start < 0:
        return
    rest = [c.strip() for c in s.cells[start] if c.strip()][1:]
    texts = rest[:]
    for i in range(start + 1, min(start + 12, len(s.lines))):
        line = s.lines[i].strip()
        if "推進チームの所見" in compact(line):
            break
        if line and not is_missing(line):
            texts.append(line.lstrip("- ").strip())
    sheet.expert_opinion = clean_text("\n".join(texts)) if texts else None


def _past_numbers(s: _Sheet, sheet: ReviewSheet, col: Collector) -> None:
    start = s.line_find("関連する過去のレビューシートの事業番号")
    if start < 0:
        return
    for i in range(start + 1, min(start + 20, len(s.lines))):
        cells = [c.strip() for c in s.cells[i] if c.strip()]
        if not cells:
            continue
        if cells[0].startswith("※"):
            break
        fy = fiscal_year(cells[0])
        if fy is None or len(cells) < 2:
            continue
        raw = " ".join(cells[1:])
        try:
            sheet.past_numbers.append((fy, parse_project_number(raw, default_year=fy)))
        except ValueFormatError as exc:
            col.warn(i + 1, f"関連する過去のレビューシート: {exc}")


# ---------------------------------------------------------------- fund flow: 費目・使途

_BLOCK_HEAD_RE = re.compile(r"^([A-Z])\.(.*)$")


def _is_amount(text: str) -> bool:
    if is_missing(text):
        return True
    try:
        parse_yen(text)
        return True
    except ValueFormatError:
        return False


def _fund_flow(s: _Sheet, sheet: ReviewSheet, col: Collector) -> None:
    blocks: dict[str, Block] = {}
    heads: list[tuple[int, str]] = []  # (column, letter) of the current header line
    unit = "百万円"
    for i, row in enumerate(s.compact):
        found = [(j, _BLOCK_HEAD_RE.match(c)) for j, c in enumerate(row)]
        found = [(j, m) for j, m in found if m]
        if found and _next_is_items_header(s, i):
            heads = []
            for j, m in found:
                letter, name = m.group(1), m.group(2)
                b = blocks.setdefault(letter, Block(letter, line=i + 1))
                if name:
                    b.name = b.largest_recipient = clean_text(s.cells[i][j].strip()[2:])
                heads.append((j, letter))
            continue
        if not heads:
            continue
        nonempty = [c for c in row if c]
        ends_section = len(nonempty) == 1 and re.fullmatch(r"[A-Z]\.?", nonempty[0])
        if ends_section or "支出先" in row or any(
            c.startswith(("支出先上位10者リスト", "費目・使途欄について", "費目・用途欄について")) for c in row
        ):
            heads = []
            continue
        if "費目" in row or any(c.startswith(("費目・使途", "費目・用途")) for c in row):
            if any("千円" in c for c in row):
                unit = "千円"
            continue
        tokens = [(j, s.cells[i][j].strip()) for j, c in enumerate(row) if c]
        k = 0
        while k < len(tokens):
            j, first = tokens[k]
            letter = min(heads, key=lambda h: (abs(h[0] - j), h[0]))[1]
            block = blocks[letter]
            if compact(first) == "計":
                if k + 1 < len(tokens) and _is_amount(tokens[k + 1][1]) and compact(tokens[k + 1][1]) != "計":
                    block.items_total = _yen(tokens[k + 1][1], unit, col, i)
                    k += 2
                else:
                    k += 1
                continue
            if k + 1 < len(tokens) and _is_amount(tokens[k + 1][1]):
                use, amount, k = None, tokens[k + 1][1], k + 2
            elif k + 2 < len(tokens) and _is_amount(tokens[k + 2][1]):
                use, amount, k = tokens[k + 1][1], tokens[k + 2][1], k + 3
            else:
                k += 1
                continue
            if is_missing(first):
                continue
            block.items.append(ExpenseItem(clean_text(first), clean_text(use), _yen(amount, unit, col, i), i + 1))
    for letter in sorted(blocks):
        b = blocks[letter]
        if b.name or b.items:
            sheet.blocks.append(b)


def _next_is_items_header(s: _Sheet, i: int) -> bool:
    for k in range(i + 1, min(i + 4, len(s.compact))):
        if "費目" in s.compact[k]:
            return True
        if any(s.compact[k]):
            return False
    return False


def _yen(text: str, unit: str, col: Collector, i: int) -> Decimal | None:
    try:
        return parse_yen(text, unit)
    except ValueFormatError as exc:
        col.error(i + 1, str(exc))
        return None


# ---------------------------------------------------------------- 支出先上位10者リスト

_COLUMNS = (
    ("recipient", "支出先"),
    ("number", "法人番号"),
    ("summary", "業務概要"),
    ("amount", "支出額"),
    ("method", "契約方式"),
    ("bidders", "入札者数"),
    ("rate", "落札率"),
    ("reason", "一者応札"),
)


def _recipients(s: _Sheet, sheet: ReviewSheet, col: Collector) -> None:
    start = s.line_find("支出先上位10者リスト")
    if start < 0:
        return
    letter: str | None = None
    columns: dict[str, int] = {}
    unit = "百万円"
    for i in range(start + 1, len(s.cells)):
        row = s.compact[i]
        nonempty = [c for c in row if c]
        if len(nonempty) == 1 and re.fullmatch(r"[A-Z]\.?", nonempty[0]):
            letter = nonempty[0][0]
            columns = {}
            continue
        if "支出先" in row and "法人番号" in row:
            columns = {}
            for key, label in _COLUMNS:
                for j, c in enumerate(row):
                    if c.startswith(label):
                        columns[key] = j
                        if key == "amount" and "千円" in c:
                            unit = "千円"
                        elif key == "amount":
                            unit = "百万円"
                        break
            continue
        if not columns or letter is None or not nonempty:
            continue
        if all(set(c) <= set("-|:") for c in nonempty):
            continue  # markdown separator
        if not re.fullmatch(r"\d{1,3}", row[0] if row else ""):
            continue
        cells = s.cells[i]

        def cell(key: str, columns=columns, cells=cells) -> str | None:
            j = columns.get(key)
            return cells[j].strip() if j is not None and j < len(cells) else None

        line = i + 1
        if len(cells) <= max(columns.values()):
            col.warn(line, f"支出先 row has {len(cells)} cells where the table has {max(columns.values()) + 1} (truncated?)")
        recipient = clean_text(cell("recipient"))
        if not recipient:
            col.error(line, "支出先 row without a recipient name; row skipped")
            continue
        raw_number = cell("number")
        try:
            cn = parse_corporate_number(raw_number)
        except ValueFormatError as exc:
            col.error(line, f"{recipient}: {exc}; kept without a corporation link")
            cn = None
        if cn is not None and not cn.valid:
            col.error(line, f"{recipient}: 法人番号 {cn.digits} fails the check digit; kept and flagged")
        try:
            amount = parse_yen(cell("amount"), unit)
        except ValueFormatError as exc:
            col.error(line, f"{recipient}: 支出額 {exc}")
            amount = None
        try:
            bidders = parse_count(cell("bidders"))
        except ValueFormatError as exc:
            col.error(line, f"{recipient}: 入札者数 {exc}")
            bidders = None
        try:
            rate = parse_percent(cell("rate"))
        except ValueFormatError as exc:
            col.error(line, f"{recipient}: 落札率 {exc}")
            rate = None
        method = cell("method")
        reason = cell("reason")
        sheet.expenditures.append(
            Expenditure(
                block=letter,
                rank=int(row[0]),
                recipient=recipient,
                corporate_number=cn,
                summary=clean_text(cell("summary")),
                amount=amount,
                contract_method=None if is_missing(method) else compact(method),
                bidders=bidders,
                award_rate=rate,
                reason=None if is_missing(reason) else clean_text(reason),
                line=line,
                corporate_number_text=None if is_missing(raw_number) or cn else compact(raw_number),
            )
        )
