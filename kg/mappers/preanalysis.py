"""事前分析表 (policy pre-analysis tables), as extracted by pdftotext.
Seed 003 has this layout.

What is read: the measure (施策) with its code, name, ministry, bureau and
responsible official, overview, the cabinet plans it cites, its budget; each
achievement goal (達成目標) with its statement and rationale, the review-sheet
numbers (行政事業レビュー番号) related to it and its measurement indicators
(測定指標: baseline, actual and target values per fiscal year); and each means
(達成手段) with its start year and budget figures.

pdftotext scrambles the table: cells keep their text but not their place. The
anchors used are the ones that survive: the 達成目標N headings (tables follow
them), the ①②③ numbers of indicator names (the k-th table of a goal is its
indicator k), the "(平成28年度)" start-year line of each means (its name is the
paragraph above, its figures the lines below).
"""

from __future__ import annotations

import re

from ..model import BudgetYear, Document, Goal, Indicator, IndicatorValue, Means, PreAnalysis
from ..normalize import (
    ValueFormatError,
    clean_person,
    clean_text,
    fiscal_year,
    is_missing,
    measure_code,
    ministry,
    nfkc,
    parse_number,
    parse_yen,
)
from .common import Collector

NAME = "pre-analysis"
DESCRIPTION = "事前分析表 (policy pre-analysis table), pdftotext output"

_CODE_RE = re.compile(r"^\(\s*([^\s()]{1,3}R\d+\s*-\s*\d+\s*-\s*\d+)\s*\)$")
_GOAL_RE = re.compile(r"^達成目標\s*(\d+)")
# "①～③ 0225" (NFKC turns ① into 1): the related indicators, then the review number
_REVIEW_RE = re.compile(r"^(?:\d{1,2}(?:[~-]\d{1,2})?\s+)?(\d{4})$")
_OFFICIAL_RE = re.compile(r"^(?P<bureau>\S+?(?:局|庁|部))(?P<post>\S*)\s+(?P<name>\S+\s+\S+)$")

#: the first character of a 施策 code names the ministry
_CODE_MINISTRY = {"文": "文部科学省", "総": "総務省", "経": "経済産業省", "厚": "厚生労働省", "農": "農林水産省",
                  "国": "国土交通省", "環": "環境省", "防": "防衛省", "外": "外務省", "財": "財務省", "法": "法務省"}


def sniff(text: str) -> bool:
    return "事前分析表" in text and "達成目標" in text


def map_document(doc: Document) -> tuple[list[PreAnalysis], list]:
    col = Collector(doc)
    lines = [nfkc(line).strip() for line in doc.lines]
    code_i = next((i for i, line in enumerate(lines) if _CODE_RE.match(line.replace("－", "-"))), -1)
    if code_i < 0:
        col.error(None, "no 施策 code such as (文R2-9-1) found")
        return [], col.items
    code = measure_code(lines[code_i])
    mi = ministry(_CODE_MINISTRY.get(code[0], ""))
    title_i = next((i for i, line in enumerate(lines) if "事前分析表" in line), -1)
    year = fiscal_year(lines[title_i]) if title_i >= 0 else None
    if mi is None or year is None:
        col.error(code_i + 1, f"cannot tell the ministry or year of 施策 {code}")
        return [], col.items
    name_i = next(i for i in range(code_i + 1, len(lines)) if lines[i])
    pa = PreAnalysis(code=code, name=clean_text(lines[name_i]), ministry=mi, year=year, line=code_i + 1)
    # the line after the name lists the cabinet plans (施策に関係する内閣の重要施策)
    plan_i = next((i for i in range(name_i + 1, len(lines)) if lines[i]), None)
    if plan_i is not None and not _OFFICIAL_RE.match(lines[plan_i]):
        pa.plans_text = clean_text(lines[plan_i])
    for line in lines[name_i + 1 : name_i + 8]:
        m = _OFFICIAL_RE.match(line)
        if m:
            pa.bureau = clean_text(m.group("bureau"))
            pa.official = clean_person(f"{m.group('post')} {m.group('name')}".strip())
            break
    if title_i >= 0:
        k = title_i + 1
        while k < len(lines) and not lines[k]:
            k += 1
        parts = []
        while k < len(lines) and lines[k]:
            parts.append(lines[k])
            k += 1
        pa.overview = clean_text("".join(parts)) or None
    _budget(lines, pa, col)
    pa.means = _means(lines, pa, col)
    goal: Goal | None = None
    for i, line in enumerate(lines):
        gm = _GOAL_RE.match(line)
        if gm:
            goal = Goal(int(gm.group(1)), line=i + 1)
            pa.goals.append(goal)
            continue
        rm = _REVIEW_RE.match(line)
        if rm and goal is not None and _after_review_header(lines, i):
            if rm.group(1) not in goal.review_numbers:
                goal.review_numbers.append(rm.group(1))
    _indicators(doc.lines, lines, pa, col)
    _goal_texts(lines, pa, col)
    return [pa], col.items


def _after_review_header(lines: list[str], i: int) -> bool:
    """True when line i is in the list under a 行政事業レビュー番号 heading."""
    for k in range(i - 1, max(i - 40, -1), -1):
        if lines[k].startswith("行政事業レビュー") or lines[k] == "番号":
            return True
        if lines[k] and not _REVIEW_RE.match(lines[k]):
            return False
    return False


def _budget(lines: list[str], pa: PreAnalysis, col: Collector) -> None:
    """施策の予算額・執行額 (千円): last year's budget (executed) and this year's initial budget."""
    for i, line in enumerate(lines):
        m = re.match(r"^\((千円|百万円)\)\s+([\d,]+)$", line)
        if not m or "施策の予算額" not in lines[i - 1]:
            continue
        unit = m.group(1)
        rest = [x for x in lines[i + 1 : i + 5] if x]
        try:
            prev = BudgetYear(fiscal_year=pa.year - 1, total=parse_yen(m.group(2), unit), line=i + 1)
            if rest and re.fullmatch(r"\([\d,]+\)", rest[0]):
                prev.executed = parse_yen(rest[0].strip("()"), unit)
                rest = rest[1:]
            pa.budgets.append(prev)
            if rest and re.fullmatch(r"[\d,]+", rest[0]):
                pa.budgets.append(BudgetYear(fiscal_year=pa.year, initial=parse_yen(rest[0], unit), line=i + 1))
        except ValueFormatError as exc:
            col.error(i + 1, f"施策の予算額: {exc}")
        return


# ----------------------------------------------------------------------------- 達成手段

#: "(平成28年度)" on a line of its own: the start year of a means, the anchor of its block
_START_RE = re.compile(r"^\((?:平成|令和|昭和)\S+年度\)$")
#: a budget figure: "3,055.1", "100,723.4の内数", "53,549 超高速…", "3,200 ―"
_FIGURE_RE = re.compile(r"^([\d,]+(?:\.\d+)?)(の内数)?(?:\s.*)?$")
_EXECUTED_RE = re.compile(r"^\(([\d,]+(?:\.\d+)?)\)$")
_NONE_RE = re.compile(r"^[―ー-]$")
_HEADERS = ("備考", "【百万円】", "【千円】", "当初予算額", "予算額", "(執行額)", "(開始年度)", "達成手段", "番号")
#: the last line of a means name that is complete (the paragraph above is not part of it)
_NAME_END_RE = re.compile(r"(経費|事業|補助金|プログラム|費|金|業|\)|-)$")


def _is_stop(line: str) -> bool:
    return (
        not line
        or line in _HEADERS
        or line.endswith(("【百万円】", "【千円】", "当初予算額"))
        or bool(_FIGURE_RE.match(line) or _EXECUTED_RE.match(line) or _NONE_RE.match(line))
        or bool(_REVIEW_RE.match(line))
        or line.endswith("。")
        or line.startswith(("【", "測定指標", "達成目標", "昨年度事前分析表"))
    )


def _means_name(lines: list[str], start: int) -> tuple[str, int]:
    """The name above a start-year line: its paragraph, continued upwards across blank
    lines while the line above a blank does not end a name (pdftotext splits names)."""
    k = start - 1
    while k >= 0 and not lines[k]:  # the name may stand one blank line above
        k -= 1
    parts: list[str] = []
    first = k
    while k >= 0:
        line = lines[k]
        if not line:
            above = k - 1
            while above >= 0 and not lines[above]:
                above -= 1
            if above < 0:
                break
            prev = lines[above]
            if "。" in prev and not prev.endswith("。"):  # "…する。国立研究開発法人…": the name starts after 。
                parts.insert(0, prev.rsplit("。", 1)[1])
                first = above
                break
            top = above
            while top > 0 and lines[top - 1]:
                top -= 1
            # stop at a complete name, a header or figure, or a 測定指標 name (①… → "1…" after NFKC)
            if _is_stop(prev) or _NAME_END_RE.search(prev) or re.match(r"^\d\D", lines[top]):
                break
            k = above
            continue
        if _is_stop(line):
            break
        parts.insert(0, line)
        first = k
        k -= 1
    name = re.sub(r"\s*[-―ー]$", "", "".join(parts))  # a 備考 dash glued to the last line
    return clean_text(name) or "", first


def _means(lines: list[str], pa: PreAnalysis, col: Collector) -> list[Means]:
    """達成手段: name, (start year), last year's budget (executed) and this year's initial budget."""
    out = []
    for i, line in enumerate(lines):
        if not _START_RE.match(line):
            continue
        name, first = _means_name(lines, i)
        if not name:
            col.warn(i + 1, f"達成手段 start year {line} has no name above it; skipped")
            continue
        unit = "百万円"
        for k in range(i, -1, -1):
            if lines[k].endswith(("【百万円】", "【千円】")):
                unit = "千円" if lines[k].endswith("【千円】") else "百万円"
                break
        means = Means(name=name, start_year=fiscal_year(line), line=first + 1)
        figures = [(k, x) for k, x in enumerate(lines[i + 1 : i + 8], i + 1) if x][:3]
        try:
            prev = cur = None
            if figures and (m := _FIGURE_RE.match(figures[0][1])):
                prev = BudgetYear(fiscal_year=pa.year - 1, total=parse_yen(m.group(1), unit), line=figures[0][0] + 1)
                means.part_of_larger = bool(m.group(2))
                rest = figures[1:]
                if rest and (e := _EXECUTED_RE.match(rest[0][1])):
                    prev.executed = parse_yen(e.group(1), unit)
                    rest = rest[1:]
                if rest and (c := _FIGURE_RE.match(rest[0][1])):
                    cur = BudgetYear(fiscal_year=pa.year, initial=parse_yen(c.group(1), unit), line=rest[0][0] + 1)
                elif not (rest and _NONE_RE.match(rest[0][1])):
                    col.warn(i + 1, f"達成手段 {name}: no FY{pa.year} budget next to it (the PDF text moved it); left out")
            means.budgets = [b for b in (prev, cur) if b is not None]
        except ValueFormatError as exc:
            col.error(i + 1, f"達成手段 {name}: {exc}")
        out.append(means)
    return out


# ----------------------------------------------------------------------------- 測定指標

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_RAW_REVIEW_RE = re.compile(rf"^[{_CIRCLED}](?:[～~\-][{_CIRCLED}])?\s+\d{{4}}$")
_SKIP_PARAGRAPH = ("実績", "実績値", "目標", "備考", "関連する", "指標")


def _paragraph(lines: list[str], i: int) -> int:
    """Index of the blank line (or end) closing the paragraph that starts at i."""
    while i < len(lines) and lines[i]:
        i += 1
    return i


def _value(token: str) -> tuple:
    """(Decimal or None, text or None) of a table cell or target."""
    if is_missing(token):
        return None, None
    try:
        return parse_number(token), None
    except ValueFormatError:
        return None, clean_text(token)


def _year_or_label(token: str) -> tuple[int | None, str]:
    return (None if is_missing(token) else fiscal_year(token)), token


def _indicators(raw: list[str], lines: list[str], pa: PreAnalysis, col: Collector) -> None:
    """測定指標: tables (基準値 / actual years / 目標 year, then 年度ごとの目標値) in the order of
    their goal, and names (①…) with their final target; the k-th table of a goal is its k-th indicator."""
    goals = {g.number: g for g in pa.goals}
    tables: dict[int, list[tuple]] = {}
    goal_no = 0
    i = 0
    while i < len(lines):
        gm = _GOAL_RE.match(lines[i])
        if gm:
            goal_no = int(gm.group(1))
        if lines[i].replace(" ", "") == "基準値目標値" and goal_no in goals:
            rows = [k for k in range(i + 1, min(i + 14, len(lines))) if lines[k]]
            header = lines[rows[0]].split() if rows else []
            values = lines[rows[1]].split() if len(rows) > 1 else []
            yearly: list[str] = []
            if len(rows) > 3 and lines[rows[2]] == "年度ごとの" and lines[rows[3]] == "目標値" and len(rows) > 4:
                yearly = lines[rows[4]].split()
            if len(header) < 3 or len(values) != len(header) - 1:
                col.warn(i + 1, f"測定指標 table of 達成目標{goal_no}: {len(header)} columns, {len(values)} values; skipped")
            else:
                tables.setdefault(goal_no, []).append((header, values, yearly))
            i = rows[1] + 1 if len(rows) > 1 else i + 1
            continue
        i += 1
    # names: paragraphs of the raw text starting with ①, ②, … in goal order
    order = [g.number for g in pa.goals]
    stripped = [x.strip() for x in raw]
    idx = 0
    i = 0
    while i < len(stripped):
        line = stripped[i]
        if line and line[0] in _CIRCLED and not _RAW_REVIEW_RE.match(line) and (i == 0 or not stripped[i - 1]):
            end = _paragraph(stripped, i)
            number = _CIRCLED.index(line[0]) + 1
            goal = goals[order[min(idx, len(order) - 1)]]
            if any(ind.number == number for ind in goal.indicators) and idx + 1 < len(order):
                idx += 1
                goal = goals[order[idx]]
            name = clean_text("".join(stripped[i:end])[1:])
            ind = Indicator(kind="measurement", name=name, line=i + 1, number=number)
            target_value, target_text = _target(lines, end)
            table = (tables.get(goal.number) or [])
            if number - 1 < len(table):
                header, values, yearly = table[number - 1]
                base_year, base_label = _year_or_label(header[0])
                v, txt = _value(values[0])
                ind.values.append(IndicatorValue("baseline", base_year, f"基準値 {base_label}", v, txt))
                for k, head in enumerate(header[1:-1]):
                    fy, label = _year_or_label(head)
                    v, txt = _value(values[k + 1])
                    ind.values.append(IndicatorValue("actual", fy, label, v, txt))
                    if k < len(yearly):
                        v, txt = _value(yearly[k])
                        ind.values.append(IndicatorValue("target", fy, f"年度ごとの目標値 {label}", v, txt))
                fy, label = _year_or_label(header[-1])
                ind.values.append(IndicatorValue("target", fy, f"目標値 {label}", target_value, target_text))
            elif target_value is not None or target_text:
                ind.values.append(IndicatorValue("target", None, "目標値", target_value, target_text))
            goal.indicators.append(ind)
            i = end
            continue
        i += 1


def _target(lines: list[str], start: int) -> tuple:
    """The final target written after an indicator's name: a number, or a short text such as 過去最高値同程度."""
    i = start
    while i < len(lines):
        while i < len(lines) and not lines[i]:
            i += 1
        if i >= len(lines):
            break
        end = _paragraph(lines, i)
        para = lines[i:end]
        first = para[0]
        if (
            any(_START_RE.match(x) for x in para)
            or first[0] in "123456789" and not _FIGURE_RE.match(first)
            or first.startswith(("達成目標", "達成手段"))
            or any("予算額" in x for x in para)
        ):
            break
        if first.startswith(("【", "(")) or first in _SKIP_PARAGRAPH or any("測定指標" in x for x in para):
            i = end
            continue
        if re.fullmatch(r"[\d,]+(?:\.\d+)?", first):
            return parse_number(first), None
        if len(para) <= 2 and not any("。" in x for x in para):
            return None, clean_text("".join(para))
        break
    return None, None


# ----------------------------------------------------------------------------- 目標 and 考え方・根拠


def _paragraphs(lines: list[str]) -> list[str]:
    """Each paragraph (lines between blank lines) joined into one string."""
    out, i = [], 0
    while i < len(lines):
        if lines[i]:
            end = _paragraph(lines, i)
            out.append("".join(lines[i:end]))
            i = end
        else:
            i += 1
    return out


def _goal_texts(lines: list[str], pa: PreAnalysis, col: Collector) -> None:
    """Each goal's rationale (目標設定の考え方・根拠) and, where it stands right before it, the
    goal itself. pdftotext keeps them as whole paragraphs but not next to their goal's heading,
    so rationales (prose ending in …ため。 or …設定。) are given to the goals in order, and only
    when there is exactly one per goal."""
    paras = _paragraphs(lines)
    found = [
        k for k, text in enumerate(paras)
        if len(text) >= 40 and text.endswith(("ため。", "設定。")) and "【" not in text and not text[0].isdigit()
        and not text.startswith(("(", "・"))
    ]
    if len(found) != len(pa.goals):
        col.warn(None, f"{len(found)} goal rationales found for {len(pa.goals)} goals; rationales left out")
        return
    for goal, k in zip(pa.goals, found, strict=True):
        goal.rationale = clean_text(paras[k])
        if k > 0:
            text = paras[k - 1]
            if len(text) >= 30 and "【" not in text and not any(h in text for h in ("予算額", "測定指標", "年度ごとの")):
                goal.text = clean_text(text)
