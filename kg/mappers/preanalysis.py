"""事前分析表 (policy pre-analysis tables), as extracted by pdftotext.
Seed 003 has this layout.

What is read: the measure (施策) with its code, name, ministry, bureau and
responsible official, overview, the cabinet plans it cites, its budget, and
each achievement goal (達成目標) with the review-sheet numbers
(行政事業レビュー番号) related to it.
"""

from __future__ import annotations

import re

from ..model import BudgetYear, Document, Goal, Means, PreAnalysis
from ..normalize import (
    ValueFormatError,
    clean_person,
    clean_text,
    fiscal_year,
    measure_code,
    ministry,
    nfkc,
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
