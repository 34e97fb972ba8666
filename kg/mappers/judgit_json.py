"""JUDGIT! open data: the legacy review sheets 2015–2023 as JSON, one file a sheet
(``judgit-data/{公開年度}/{府省庁}/{事業番号}.json``, the layout of its public repository).

Told by content: a JSON object with 公開年度, 事業番号 and 支出先. Amounts are in 百万円 as
JSON numbers; they are read as decimals (never floats: 6.7 → 6,700,000 yen exactly). Each
record keeps its JSON pointer (``/支出先/3``) and, in the pretty-printed files, the line
where its object starts, so that a finding leads back to the file.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from dataclasses import replace

from ..model import (
    BudgetYear,
    Diagnostic,
    Document,
    Expenditure,
    Indicator,
    IndicatorValue,
    ReviewSheet,
)
from ..normalize import (
    ProjectNumber,
    ValueFormatError,
    clean_person,
    clean_text,
    ministry,
    organisation,
    parse_corporate_number,
    to_yen,
)
from ..read import InputError

NAME = "judgit-json"
DESCRIPTION = "JUDGIT! open data: a legacy review sheet (2015–2023) as JSON"

_KEYS = ('"公開年度"', '"事業名"')


def sniff(text: str) -> bool:
    """A JUDGIT! sheet: a JSON object that opens with its 公開年度 and 事業名 (as every sheet
    of 2015–2023 does), so that a file cut short is still told and its cut reported."""
    head = text.lstrip()[:1500]
    return head[:1] == "{" and all(k in head for k in _KEYS)


def map_document(doc: Document) -> tuple[list[ReviewSheet], list[Diagnostic]]:
    where = str(doc.path)
    try:
        data = json.loads(doc.text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        cut = "; the file ends there: it looks cut short" if not doc.text[exc.pos:].strip() else ""
        raise InputError(where, f"not valid JSON: {exc.msg}{cut}", exc.lineno) from exc
    if not isinstance(data, dict):
        raise InputError(where, "not a JUDGIT! sheet (a JSON object was expected)", 1)
    diagnostics: list[Diagnostic] = []
    lines = doc.lines

    def warn(line: int | None, message: str) -> None:
        diagnostics.append(Diagnostic(where, line, "warning", message))

    data = _sane_numbers(data, "", lines, warn)

    year = data.get("公開年度")
    found = organisation(data.get("府省庁"))
    serial = _serial(data)
    if not isinstance(year, int) or found is None or serial is None:
        what = [w for w, bad in (("公開年度", not isinstance(year, int)), ("府省庁", found is None),
                                 ("事業番号", serial is None)) if bad]
        raise InputError(where, f"sheet without a usable {', '.join(what)}; not mapped", 1)
    m, agency = found
    # the number's own ministry keys the sheet: a sheet numbered by another ministry is filed
    # under 府省庁 (2021-経産-20-0437 under 国土交通省 beside its own 2021-国交-20-0437)
    number = ProjectNumber(year, _numbering_ministry(data) or m, _code(data), serial, _branch(data))
    number = replace(number, written=_published(data, number))
    # 府省庁 naming an agency: it stands where a bureau stands, when the sheet names none
    bureau = clean_text(data.get("担当部局庁")) or (agency.name if agency is not None else None)
    sheet = ReviewSheet(
        number=number, name=clean_text(data.get("事業名")) or "", ministry=m, sheet_year=year,
        bureau=bureau, division=clean_text(data.get("担当課室")), official=clean_person(data.get("作成責任者")),
        start_year=_year(data.get("開始年度")), end_year=_year(data.get("終了年度")),
        account=" / ".join(clean_text(a) or "" for a in data.get("会計区分") or [] if a) or None,
        purpose=clean_text(data.get("事業目的")), overview=clean_text(data.get("事業概要")),
        methods=[t for t in (clean_text(x) for x in data.get("実施方法") or []) if t],
        major_policy=" / ".join(t for t in (clean_text(x) for x in data.get("主要施策") or []) if t) or None,
        line=1,
    )
    sheet.budgets = _budgets(data.get("予算") or [], _element_lines(lines, "予算"), warn)
    sheet.expenditures = _expenditures(data.get("支出先") or [], _element_lines(lines, "支出先"), warn)
    sheet.indicators = (_indicators(data.get("アウトカム") or [], "アウトカム", _element_lines(lines, "アウトカム"))
                        + _indicators(data.get("アウトプット") or [], "アウトプット", _element_lines(lines, "アウトプット")))
    for i, past in enumerate(data.get("関連する過去のレビューシート") or []):
        pn = _past_number(past, m)
        if pn is None:
            warn(_at(_element_lines(lines, "関連する過去のレビューシート"), i),
                 f"関連する過去のレビューシート {json.dumps(past, ensure_ascii=False, default=str)} is not a 事業番号; "
                 "no lineage from it")
        else:
            sheet.past_numbers.append((pn.year, pn))
    return [sheet], diagnostics


# ----------------------------------------------------------------------------- numbers

_SERIAL_RE = re.compile(r"^\d{4}$")
_CODE_RE = re.compile(r"^新?\d{1,2}$")


def _serial(data: dict) -> str | None:
    """The sheet's four-digit serial: 事業番号 itself in the older files (``0003``), its last
    part in the newer (``2023-こども-新23-0002``)."""
    parts = [str(data.get(f"事業番号{i}") or "") for i in range(1, 6)]
    for p in reversed(parts):
        if _SERIAL_RE.match(p):
            return p
    tail = str(data.get("事業番号") or "").split("-")[-1].strip()
    return tail.zfill(4) if tail.isdigit() and len(tail) <= 4 else None


def _published(data: dict, number: ProjectNumber) -> str:
    """The sheet's 事業番号 as the newer files print it whole (``2022-官房-21-0021``), where it
    differs from kg's spelling of the same number (``2022-内閣-21-0021``); else ''. The older
    files give the serial alone (``0003``): kg's spelling is the only whole one."""
    text = str(data.get("事業番号") or "").strip()
    if text == number.display() or not text.startswith(f"{number.year}-") or not text.endswith(number.serial + (
            f"-{number.branch}" if number.branch else "")):
        return ""
    return text


def _numbering_ministry(data: dict):
    """The ministry a newer file's 事業番号 names (事業番号2 of year, ministry, code, serial),
    or None (the older files number within 府省庁 and name none)."""
    if not (_SERIAL_RE.match(str(data.get("事業番号4") or "")) and data.get("事業番号2")):
        return None
    return ministry(str(data.get("事業番号2")))


def _branch(data: dict) -> str:
    """The 枝番 of a sheet split in parts (``0003-1``): each part is a sheet of its own."""
    parts = str(data.get("事業番号") or "").split("-")
    if len(parts) >= 2 and _SERIAL_RE.match(parts[-2].strip()) and parts[-1].strip().isdigit() and len(parts[-1].strip()) <= 3:
        return parts[-1].strip()
    return ""


def _code(data: dict) -> str:
    """The start-year code (``新23``, ``22``) where the file gives one: 事業番号3 in the newer
    layout (year, ministry, code, serial), 事業番号1 in the older (code, serial, 枝番)."""
    newer = _SERIAL_RE.match(str(data.get("事業番号4") or ""))
    p = str(data.get("事業番号3" if newer else "事業番号1") or "")
    return p if _CODE_RE.match(p) else ""


def _past_number(past: dict, default_ministry) -> ProjectNumber | None:
    """A sheet 関連する過去のレビューシート names. Its 年度 is a western year, or in a few
    2018–2019 files a bare 平成 year (``22`` = 2010, the first review year)."""
    year = past.get("年度")
    if isinstance(year, int) and 1 <= year <= 31:
        year += 1988
    serial = next((str(past.get(k)) for k in ("事業番号3", "事業番号2", "事業番号1") if past.get(k)
                   and _SERIAL_RE.match(str(past.get(k)))), None)
    found = organisation(past.get("府省庁")) if past.get("府省庁") else None
    m = found[0] if found else default_ministry
    if not isinstance(year, int) or serial is None or m is None:
        return None
    code = next((str(past.get(k)) for k in ("事業番号1", "事業番号2") if past.get(k)
                 and _CODE_RE.match(str(past.get(k)))), "")
    return ProjectNumber(year, m, code, serial)


# a number at or above this (in 百万円, the unit of the sheets' amounts: 10^18 yen) is a broken cell
_ABSURD_MILLIONS = Decimal(10) ** 12


def _sane_numbers(value, pointer: str, lines: list[str], warn):
    """The sheet with every number that is not finite or that no budget reaches (10^12
    百万円 or more) taken out as if the cell were empty, each with a warning at its line and
    JSON Pointer: the rest of its row is kept."""
    if isinstance(value, dict):
        return {k: _sane_numbers(v, f"{pointer}/{k}", lines, warn) for k, v in value.items()}
    if isinstance(value, list):
        return [_sane_numbers(v, f"{pointer}/{i}", lines, warn) for i, v in enumerate(value)]
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
        if not number.is_finite() or abs(number) >= _ABSURD_MILLIONS:
            written = str(value)
            line = next((i for i, text in enumerate(lines, 1) if written in text), None)
            shown = written if len(written) <= 30 else written[:27] + "…"
            warn(line, f"{pointer}: the number {shown} is beyond any amount in a budget; left out, the rest of its row kept")
            return None
    return value


def _year(value) -> int | None:
    return value if isinstance(value, int) and 1900 < value < 2200 else None


def _yen(value) -> Decimal | None:
    """百万円 as a JSON number → exact yen."""
    if value is None or isinstance(value, bool):
        return None
    return to_yen(Decimal(str(value)), "百万円")


# ----------------------------------------------------------------------------- where a record is

def _element_lines(lines: list[str], key: str) -> list[int]:
    """The 1-based line where each element object of the top-level array ``key`` starts (in
    the pretty-printed files; all on line 1 otherwise)."""
    opener = f'"{key}": ['
    start = next((i for i, line in enumerate(lines) if line.strip().startswith(opener)), None)
    if start is None:
        return []
    indent = len(lines[start]) - len(lines[start].lstrip())
    out = []
    for i in range(start + 1, len(lines)):
        line = lines[i]
        depth = len(line) - len(line.lstrip())
        stripped = line.strip()
        if depth <= indent and stripped.startswith("]"):
            break
        if depth == indent + 2 and stripped.startswith("{"):
            out.append(i + 1)
    return out


def _at(lines: list[int], i: int) -> int | None:
    return lines[i] if i < len(lines) else None


# ----------------------------------------------------------------------------- parts

def _budgets(rows: list, lines: list[int], warn) -> list[BudgetYear]:
    out = []
    for i, row in enumerate(rows):
        fy = row.get("年度") if isinstance(row, dict) else None
        if not isinstance(fy, int):
            warn(_at(lines, i), f"予算 /予算/{i}: no 年度; left out")
            continue
        if "要求額" in row and row.get("予算計") is None and row.get("当初予算") is None:
            out.append(BudgetYear(fiscal_year=fy, request=True, total=_yen(row.get("要求額")), line=_at(lines, i),
                                  pointer=f"/予算/{i}"))
            continue
        out.append(BudgetYear(
            fiscal_year=fy, initial=_yen(row.get("当初予算")), supplementary=_yen(row.get("補正予算")),
            carried_in=_yen(row.get("前年度から繰越し")), carried_out=_yen(row.get("翌年度へ繰越し")),
            reserve=_yen(row.get("予備費等")), total=_yen(row.get("予算計")), executed=_yen(row.get("執行額")),
            line=_at(lines, i), pointer=f"/予算/{i}",
        ))
    return out


def _expenditures(rows: list, lines: list[int], warn) -> list[Expenditure]:
    out = []
    ranks: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        line = _at(lines, i)
        block = clean_text(str(row.get("グループ") or "")) or "-"
        name = clean_text(row.get("支出先名"))
        if not name:
            warn(line, f"支出先 /支出先/{i} without a name; left out")
            continue
        rank = row.get("番号") if isinstance(row.get("番号"), int) else ranks.get(block, 0) + 1
        while any(e.block == block and e.rank == rank for e in out):  # the same rank twice: keep both rows
            rank += 1
        ranks[block] = rank
        raw = row.get("法人番号")
        number, text = None, None
        if raw not in (None, ""):
            try:
                number = parse_corporate_number(str(raw))
            except ValueFormatError:
                text = str(raw)
                warn(line, f"法人番号 {text!r} of {name} is not one 13-digit number; the recipient is kept without one")
        out.append(Expenditure(
            block=block, rank=rank, recipient=name, corporate_number=number, summary=clean_text(row.get("業務概要")),
            amount=_yen(row.get("支出額")), contract_method=None, bidders=None, award_rate=None, reason=None,
            line=line, corporate_number_text=text, pointer=f"/支出先/{i}",
        ))
    return out


def _indicators(rows: list, key: str, lines: list[int]) -> list[Indicator]:
    out = []
    outcome = key == "アウトカム"
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        name = clean_text(row.get("成果指標" if outcome else "活動指標")) or clean_text(row.get("成果目標")) or f"{key} {i + 1}"
        ind = Indicator(kind="outcome" if outcome else "activity", name=name, unit=clean_text(row.get("単位")),
                        goal=clean_text(row.get("成果目標")) if outcome else None, line=_at(lines, i),
                        key=f"{key}-{i + 1}", pointer=f"/{key}/{i}")
        series = row.get("成果実績" if outcome else "活動実績") or []
        for v in series if isinstance(series, list) else []:
            fy = v.get("年度") if isinstance(v, dict) else None
            if not isinstance(fy, int):
                continue
            actual = v.get("成果実績" if outcome else "活動実績")
            planned = v.get("目標値" if outcome else "当初見込み")
            if actual is not None:
                ind.values.append(IndicatorValue("actual", fy, "成果実績" if outcome else "活動実績", _number(actual)))
            if planned is not None:
                ind.values.append(IndicatorValue("target" if outcome else "planned", fy,
                                                 "目標値" if outcome else "当初見込み", _number(planned)))
        if outcome and row.get("目標値") is not None:
            ind.values.append(IndicatorValue("target", _year(row.get("目標最終年度")), "目標最終年度",
                                             _number(row.get("目標値"))))
        out.append(ind)
    return out


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None
