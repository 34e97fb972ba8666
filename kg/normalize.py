"""Normalisation of the values found in Japanese government spending documents.

Pure functions, no RDF: text (NFKC, spaces inside Japanese words), era years,
amounts with their unit (百万円/千円/円 → exact yen as ``Decimal``), percentages,
法人番号 (corporate numbers, check digit via python-stdnum) and 事業番号
(project numbers in every spelling seen in the documents).

A value that is absent (``-``, ``‐``, ``―``, empty) is ``None``, never zero.
A value that is present but unreadable raises :class:`ValueFormatError`, so the
caller can report it with file and line.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import neologdn
from stdnum.jp import cn as _stdnum_cn

from .assets import ORGANISATIONS_FILE
from .errors import ValueFormatError  # raised here; every error class lives in kg/errors.py


# --------------------------------------------------------------------------- text

#: Cell contents that mean "no value" (not zero).
MISSING_MARKERS = frozenset({"", "-", "‐", "‑", "‒", "–", "—", "―", "−", "－", "ー", "ｰ", "…", "/", "／"})


def nfkc(text: str) -> str:
    """Unicode NFKC (full-width digits and brackets to ASCII, half-width kana to full)."""
    return unicodedata.normalize("NFKC", text)


def is_missing(text: str | None) -> bool:
    """True when a cell holds no value (empty or one of the dash markers)."""
    if text is None:
        return True
    return text.strip().replace(" ", "").replace("\u3000", "") in MISSING_MARKERS


def clean_text(text: str | None) -> str | None:
    """NFKC, then neologdn: removes spaces inside Japanese words
    (``NECソリューションイ ノベータ株式会社`` → ``NECソリューションイノベータ株式会社``)
    and collapses the rest. Tildes are kept. Returns None for a missing value."""
    if not text:
        return None
    return _clean_text(text)


@lru_cache(maxsize=1 << 16)
def _clean_text(text: str) -> str | None:
    # cached: a national year repeats its ministry, project and firm names in every row
    stripped = text.strip()
    if stripped.isascii() and stripped.isprintable() and " " not in stripped:  # amounts, codes, URLs: as neologdn leaves them
        return stripped or None
    t = nfkc(text).replace("\t", " ").replace("\n", " ").replace("\r", " ")
    t = neologdn.normalize(t, tilde="ignore").strip()
    return t or None


def clean_person(text: str | None) -> str | None:
    """NFKC and single spaces, keeping the space between title, family and given name."""
    if text is None:
        return None
    t = re.sub(r"\s+", " ", nfkc(text)).strip()
    return t or None


def compact(text: str) -> str:
    """NFKC with every whitespace removed: used to compare labels."""
    return re.sub(r"\s+", "", nfkc(text))


# --------------------------------------------------------------------------- years

_ERA_BASE = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988, "S": 1925}
_ERA_RE = re.compile(r"(令和|平成|昭和|(?<![A-Za-z])[RHS](?=\d|元))\s*(元|\d{1,2})\s*(?:年度?)?")
_WESTERN_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度?")


def era_year(era: str, number: str) -> int:
    """``("令和", "元")`` → 2019. The number may be ``元`` (first year)."""
    n = 1 if number == "元" else int(number)
    return _ERA_BASE[era] + n


def fiscal_year(text: str | None, default_era: str | None = None) -> int | None:
    """The Gregorian fiscal year named in ``text``.

    Accepts 令和元年度, 令和4年度, 令和４年度, R2, R1年度, H28, 平成30年度, 2022年度.
    A bare ``3年度`` is read in ``default_era`` when given (KPI headers write
    ``3年度 活動見込`` under a 令和 sheet). Returns None when no year is named.
    """
    if text is None:
        return None
    t = nfkc(text)
    m = _ERA_RE.search(t)
    if m:
        return era_year(m.group(1), m.group(2))
    m = _WESTERN_RE.search(t)
    if m:
        return int(m.group(1))
    if default_era:
        m = re.search(r"(?<!\d)(元|\d{1,2})\s*年度", t)
        if m:
            return era_year(default_era, m.group(1))
    return None


DATE_RE = re.compile(
    r"(令和|平成|昭和)\s*(元|\d{1,2})\s*年度?\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?"
    r"|((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?"
)


@dataclass(frozen=True)
class PartialDate:
    """A date that may lack its day (``令和3年3月閣議決定``)."""

    year: int
    month: int
    day: int | None = None

    def isoformat(self) -> str:
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return _dt.date(self.year, self.month, self.day).isoformat()


def japanese_date(text: str) -> PartialDate | None:
    """``令和元年12月20日`` → 2019-12-20; ``令和3年3月`` → 2021-03; None if absent."""
    m = DATE_RE.search(nfkc(text))
    if not m:
        return None
    if m.group(1):
        year = era_year(m.group(1), m.group(2))
        month, day = int(m.group(3)), m.group(4)
    else:
        year, month, day = int(m.group(5)), int(m.group(6)), m.group(7)
    try:
        d = PartialDate(year, month, int(day) if day else None)
        d.isoformat()  # validates the calendar date
    except ValueError as exc:
        raise ValueFormatError(f"not a calendar date: {text!r}") from exc
    return d


# --------------------------------------------------------------------------- amounts

#: Yen per unit.
UNITS = {"円": Decimal(1), "千円": Decimal(1_000), "百万円": Decimal(1_000_000), "億円": Decimal(100_000_000)}
_NEGATIVE = ("▲", "△", "-", "−")
_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?$")
#: no amount, count or rate of a review sheet comes near this (the national budget is about
#: 1.1 × 10^14 yen): a number at or above it is a broken cell, dropped with a warning
#: rather than carried into sums (and Decimal's 28 digits) where it would take its record down
ABSURD = Decimal(10) ** 18


def parse_number(text: str | None) -> Decimal | None:
    """``1,000`` / ``１，０００`` / ``▲ 8,518`` / ``50617000.0`` → Decimal; missing → None."""
    if is_missing(text):
        return None
    t = nfkc(text).strip().replace(",", "").replace(" ", "")
    sign = 1
    if t[:1] in _NEGATIVE:
        sign, t = -1, t[1:]
    if not _NUMBER_RE.match(t):
        raise ValueFormatError(f"not a number: {text!r}")
    if len(t.split(".")[0].lstrip("0")) > 18 or len(t) > 40:
        raise ValueFormatError(f"a number of {len(t.split('.')[0])} digits, beyond any amount in a budget: {_brief(text)}")
    try:
        value = Decimal(t)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise ValueFormatError(f"not a number: {text!r}") from exc
    return value if sign > 0 else -value


def _brief(text: str) -> str:
    return repr(text) if len(text) <= 30 else repr(text[:27] + "…")


class RoundedYen(Decimal):
    """Whole yen rounded from a value written with more digits than its unit holds (a
    JUDGIT! float ``1.0055999999999998`` 百万円, ``0.0015`` 千円): ``written`` is the
    value as written and ``unit`` its unit. The graph keeps both beside the yen
    (:meth:`kg.emit.sink.Sink.amount`) and the build counts each rounding."""

    __slots__ = ("written", "unit")


def to_yen(value: Decimal | None, unit: str) -> Decimal | None:
    """Convert an amount in ``unit`` (百万円, 千円, 円, 億円) to whole yen: a value that is
    not a whole number of yen (float noise, a fraction of a yen) is rounded half up to the
    yen and returned as a :class:`RoundedYen` that remembers what was written."""
    if value is None:
        return None
    try:
        factor = UNITS[nfkc(unit).strip()]
    except KeyError as exc:
        raise ValueFormatError(f"unknown unit {unit!r}") from exc
    if not value.is_finite() or abs(value) * factor >= ABSURD:
        raise ValueFormatError(f"{value} {unit} is beyond any amount in a budget (10^18 yen or more)")
    yen = value * factor
    whole = yen.to_integral_value(rounding=ROUND_HALF_UP)
    if whole == yen:
        return canonical_decimal(yen)
    rounded = RoundedYen(whole.quantize(Decimal(1)))
    rounded.written, rounded.unit = value, nfkc(unit).strip()
    return rounded


def parse_yen(text: str | None, unit: str = "百万円") -> Decimal | None:
    """Read an amount written in ``unit`` and return exact yen (1.9 百万円 → 1900000)."""
    t = None if text is None else nfkc(text).strip()
    if t:
        # a unit written in the cell wins over the column's unit: "996百万円", "0.3百万円"
        m = re.match(r"^(.*?)(百万円|千円|億円|円)$", t)
        if m:
            t, unit = m.group(1), m.group(2)
    return to_yen(parse_number(t), unit)


def canonical_decimal(value: Decimal) -> Decimal:
    """Strip trailing zeros of the fraction; integral values get no exponent."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def parse_percent(text: str | None) -> Decimal | None:
    """``99.7%`` / ``97%`` / ``100％`` → Decimal percentage points; missing → None."""
    if is_missing(text):
        return None
    t = nfkc(text).strip().rstrip("%").strip()
    if is_missing(t):
        return None
    value = parse_number(t)
    return None if value is None else canonical_decimal(value)


def parse_count(text: str | None) -> int | None:
    """A whole count (入札者数): ``2`` → 2; missing → None."""
    value = parse_number(text)
    if value is None:
        return None
    if value != value.to_integral_value() or value < 0:
        raise ValueFormatError(f"not a count: {text!r}")
    return int(value)


# --------------------------------------------------------------------------- 法人番号


@dataclass(frozen=True)
class CorporateNumber:
    """A 13-digit 法人番号 as written, and whether its check digit is right."""

    digits: str
    valid: bool


def parse_corporate_number(text: str | None) -> CorporateNumber | None:
    """Read a 法人番号. Missing → None; not 13 digits → ValueFormatError;
    13 digits with a wrong check digit → ``valid=False`` (kept, never fixed)."""
    if is_missing(text):
        return None
    digits = re.sub(r"[\s\-]", "", nfkc(text))
    if not re.fullmatch(r"\d{13}", digits):
        raise ValueFormatError(f"法人番号 must be 13 digits: {text!r}")
    return CorporateNumber(digits, _stdnum_cn.is_valid(digits))


# --------------------------------------------------------------------------- ministries


@dataclass(frozen=True)
class Ministry:
    name: str  # 総務省
    abbreviations: tuple[str, ...]  # 総務
    slug: str  # soumu (used in IRIs)


@dataclass(frozen=True)
class Agency:
    """An external organ (外局: 庁 or 委員会) of a ministry: 林野庁 of 農林水産省."""

    name: str
    kind: str  # 外局 | 委員会
    ministry: Ministry
    abbreviations: tuple[str, ...]


def _read_organisations() -> tuple[tuple[Ministry, ...], tuple[Agency, ...], dict[int, Ministry]]:
    """``ontology/organisations.csv``: the ministries (府省: their name, IRI slug and the
    abbreviations of 事業番号, the first of them the official one), their agencies and
    commissions, and the order of the ministries (府省庁の建制順) in the RS files."""
    import csv

    ministries: list[Ministry] = []
    agencies: list[Agency] = []
    order: dict[int, Ministry] = {}
    with ORGANISATIONS_FILE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_name: dict[str, Ministry] = {}
    for row in rows:
        if row["parent"]:
            continue
        m = Ministry(row["name"], tuple(a for a in row["abbreviations"].split("|") if a), row["slug"])
        ministries.append(m)
        by_name[m.name] = m
        if row["order"]:
            order[int(row["order"])] = m
    for row in rows:
        if row["parent"]:
            agencies.append(Agency(row["name"], row["kind"], by_name[row["parent"]],
                                   (row["name"], *(a for a in row["abbreviations"].split("|") if a))))
    return tuple(ministries), tuple(agencies), order


MINISTRIES, AGENCIES, MINISTRY_ORDER = _read_organisations()
_MINISTRY_BY_TOKEN = {a: m for m in MINISTRIES for a in m.abbreviations}


def ministry(text: str | None) -> Ministry | None:
    """The ministry named by a full name or its 事業番号 abbreviation (``文科`` → 文部科学省)."""
    if not text:
        return None
    t = compact(text).strip("()（）")
    return _MINISTRY_BY_TOKEN.get(t)


_AGENCY_BY_TOKEN = {a: ag for ag in AGENCIES for a in ag.abbreviations}


def agency_of(m: Ministry, name: str) -> Agency | None:
    """The agency or commission of ``m`` called ``name``, if it is one."""
    ag = _AGENCY_BY_TOKEN.get(compact(name))
    return ag if ag is not None and ag.ministry == m else None


def organisation(text: str | None) -> tuple[Ministry, Agency | None] | None:
    """The ministry (and agency) that a 府省庁 cell names: a ministry, an agency or commission
    of one (``林野庁`` → 農林水産省, 林野庁), or both (``国土交通省　観光庁``); None when neither."""
    if not text:
        return None
    t = compact(text).strip("()（）")
    m = _MINISTRY_BY_TOKEN.get(t)
    if m is not None:
        return m, None
    ag = _AGENCY_BY_TOKEN.get(t)
    if ag is not None:
        return ag.ministry, ag
    for name, m in ((m.name, m) for m in MINISTRIES):
        if t.startswith(name):
            ag = _AGENCY_BY_TOKEN.get(t[len(name):])
            if ag is not None and ag.ministry == m:
                return m, ag
    return None


# --------------------------------------------------------------------------- 事業番号


@dataclass(frozen=True)
class ProjectNumber:
    """A review-sheet 事業番号: sheet year, ministry, start-year code and serial.

    ``2022 総務 新22 0011`` → year 2022, 総務省, code ``新22`` (new project), serial ``0011``.
    The natural key of a project in one sheet year is (year, ministry, serial).
    """

    year: int | None
    ministry: Ministry
    code: str
    serial: str
    branch: str = ""  # 枝番 of a sheet split in parts (JUDGIT! 0003-1 … 0003-16): each part is a sheet
    #: the number as the source prints it where that differs from :meth:`display` (JUDGIT!'s
    #: ``2022-官房-21-0021``, which kg spells ``2022-内閣-21-0021``); not part of the key
    written: str = field(default="", compare=False, hash=False)

    @property
    def is_new(self) -> bool:
        return self.code.startswith("新")

    def published(self) -> str:
        """The 事業番号 as published (the sheet's own spelling), else :meth:`display`."""
        return self.written or self.display()

    def display(self) -> str:
        year = "" if self.year is None else f"{self.year}-"
        code = f"{self.code}-" if self.code else ""
        branch = f"-{self.branch}" if self.branch else ""
        return f"{year}{_short(self.ministry)}-{code}{self.serial}{branch}"


def _short(m: Ministry) -> str:
    # the abbreviation used in 事業番号: the second spelling when there is one (総務, 文科)
    return m.abbreviations[1] if len(m.abbreviations) > 1 else m.abbreviations[0]


_PN_RE = re.compile(
    r"^(?:(?P<year>(?:19|20)\d{2})\s*[-‐ ]?\s*)?(?P<ministry>[^\s\-‐0-9]+?)\s*[-‐ ]\s*"
    r"(?P<code>新?\s*\d{1,2})\s*[-‐ ]\s*(?P<serial>\d{3,4})(?:\s*[-‐ ]\s*(?P<extra>\d{1,3}))?$"
)


def parse_project_number(text: str, default_year: int | None = None) -> ProjectNumber:
    """Parse every spelling of 事業番号 seen in the documents.

    ``2022 総務 新22 0011``, ``2023 - 文科 - 新24 - 0017``, ``2021 - 総務 - 20 - 0094``,
    ``総務省 - 新02 - 0012`` (year from ``default_year``), ``2021 総務 20 0063``.
    """
    t = re.sub(r"\s+", " ", nfkc(text)).strip()
    m = _PN_RE.match(t)
    if not m:
        raise ValueFormatError(f"not a 事業番号: {text!r}")
    mi = ministry(m.group("ministry"))
    if mi is None:
        raise ValueFormatError(f"unknown ministry {m.group('ministry')!r} in 事業番号 {text!r}")
    year = int(m.group("year")) if m.group("year") else default_year
    code = m.group("code").replace(" ", "")
    return _as_published(ProjectNumber(year, mi, code, m.group("serial").zfill(4)), m.group("ministry"))


def number_spellings(text: str) -> list[str]:
    """The spellings a typed 事業番号 is looked up by: as typed (NFKC, no spaces: the published
    ``2022-官房-21-0021``) and, when it reads as a 事業番号 in any spelling the sheets use
    (``2022 官房 21 0021``), kg's (``2022-内閣-21-0021``)."""
    out = [compact(text)]
    try:
        out.append(parse_project_number(text).display())
    except ValueError:
        pass
    return list(dict.fromkeys(out))


def _as_published(pn: ProjectNumber, token: str) -> ProjectNumber:
    """``pn`` with the spelling the ministry publishes it in, where the text abbreviates the
    ministry otherwise than kg (官房 for 内閣官房, 府 for 内閣府: ``2023-府-22-0118``), so that a
    number a later sheet cites is spelt as the sheet itself is published."""
    if token != _short(pn.ministry) and token in pn.ministry.abbreviations[1:] and pn.year is not None and pn.code:
        return replace(pn, written=f"{pn.year}-{token}-{pn.code}-{pn.serial}")
    return pn


_OLD_SEP = r"[\s\-:]*"
_OLD_FULL_RE = re.compile(
    rf"(?:(?P<year>(?:19|20)\d\d){_OLD_SEP})?(?P<ministry>{'|'.join(sorted(_MINISTRY_BY_TOKEN, key=len, reverse=True))})"
    rf"{_OLD_SEP}(?P<code>新?\d\d){_OLD_SEP}(?P<serial>\d{{4}})(?!\d)"
)
_OLD_SHORT_RE = re.compile(r"(?P<code>新?\d\d)?-?(?P<serial>\d{4})")
_OLD_LABEL_RE = re.compile(r"旧事業番号|(?:令和|平成)\s*(?:\d+|元)\s*年度|(?:19|20)\d\d\s*年度")


def _code_year(code: str) -> int:
    """The western year a 事業番号 code's two digits name (``20`` → 2020, era codes of
    令和 below 10: ``03`` → 2021)."""
    nn = int(code.lstrip("新"))
    return 2018 + nn if nn < 10 else 2000 + nn


def parse_old_numbers(text: str, default: Ministry | None, sheet_year: int) -> tuple[list[ProjectNumber], list[str]]:
    """The earlier 事業番号 a free-form 旧事業番号 cell names, and what to tell about it.

    Every form of the RS files is read: years in 西暦 or none, ministry abbreviations or
    none (the sheet's ministry), ``新`` codes, any dashes or none (``2023環境220192``),
    several numbers in one cell (``経産新21:0034 経産21:0414``), labels around them
    (``令和5年度``, ``旧事業番号``). A number without its year takes it from its code: a
    continuing project's code is the year before its sheet (``経産21-0412`` → the 2022
    sheet); a new project's (``新23``) or a bare serial is read as the year before the
    sheet's own, and said so. What is not a number is said too; nothing is dropped silently."""
    t = re.sub(r"[ー―‐－−–]", "-", nfkc(text))
    t = _OLD_LABEL_RE.sub(" ", t)
    numbers: list[ProjectNumber] = []
    messages: list[str] = []
    rest: list[str] = []
    pos = 0
    for m in _OLD_FULL_RE.finditer(t):
        rest.append(t[pos:m.start()])
        pos = m.end()
        mi = _MINISTRY_BY_TOKEN[m.group("ministry")]
        pn = ProjectNumber(int(m.group("year")) if m.group("year") else None, mi, m.group("code"), m.group("serial"))
        numbers.append(_as_published(pn, m.group("ministry")))
    rest.append(t[pos:])
    unread = []
    for chunk in re.split(r"[、,，;；/\s]+", " ".join(rest)):
        chunk = chunk.strip("-: ")
        if not chunk:
            continue
        m = _OLD_SHORT_RE.fullmatch(chunk)
        if m and default is not None:
            numbers.append(ProjectNumber(None, default, m.group("code") or "", m.group("serial")))
        elif re.search(r"\d", chunk):
            unread.append(chunk)
    if unread:
        messages.append(f"{', '.join(map(repr, unread))} is not a 事業番号; no lineage from it")
    out = []
    for pn in numbers:
        if pn.year is None:
            if pn.code and not pn.code.startswith("新") and _code_year(pn.code) + 1 < sheet_year:
                pn = ProjectNumber(_code_year(pn.code) + 1, pn.ministry, pn.code, pn.serial)
            else:
                year = _code_year(pn.code) - 1 if pn.code.startswith("新") else sheet_year - 1
                year = min(year, sheet_year - 1)
                messages.append(f"{pn.display()!r} has no year; read as the {year} sheet")
                pn = ProjectNumber(year, pn.ministry, pn.code, pn.serial)
        out.append(pn)
    return out, messages


# --------------------------------------------------------------------------- corporations

_ABBREVIATIONS = {
    "株": "株式会社",
    "有": "有限会社",
    "同": "合同会社",
    "名": "合名会社",
    "資": "合資会社",
    "国研": "国立研究開発法人",
    "独": "独立行政法人",
    "一社": "一般社団法人",
    "公社": "公益社団法人",
    "一財": "一般財団法人",
    "公財": "公益財団法人",
    "大": "国立大学法人",
    "学": "学校法人",
    "特非": "特定非営利活動法人",
}
_ABBR_RE = re.compile(r"\((" + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")\)")


def expand_corporate_abbreviations(name: str) -> str:
    """``(株)日立製作所`` → ``株式会社日立製作所``; ``日本コムシス(株)`` → ``日本コムシス株式会社``."""
    t = clean_text(name) or ""
    return _ABBR_RE.sub(lambda m: _ABBREVIATIONS[m.group(1)], t)


#: what two spellings of one name may differ in: spaces, middle dots, commas, full stops,
#: quotes and the many dashes (ー between katakana is kept: it is part of the word)
_NAME_NOISE_RE = re.compile(r"[\s・･·.,、，。'\"“”‘’「」『』]+")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−－﹣"})


def corporation_name_key(name: str | None) -> str:
    """A name reduced to what two spellings of it must share, to compare a 支出先名 with the
    register's name: NFKC and neologdn (:func:`clean_text`), abbreviations expanded
    (``(株)`` → 株式会社), case folded, spaces, dots, commas and quotes dropped, dashes unified.
    ``ＮＳＩ－ＭＩジャパン（株）``, ``NSI-MI ジャパン株式会社`` and ``株式会社ＮＳＩ－ＭＩジャパン``
    give the same key (the legal form is kept, not its place)."""
    t = expand_corporate_abbreviations(name or "")
    t = _ABBR_RE.sub(lambda m: _ABBREVIATIONS[m.group(1)], nfkc(t).replace("㈱", "(株)").replace("㈲", "(有)"))
    t = _NAME_NOISE_RE.sub("", t.translate(_DASHES).casefold())
    forms = []  # the legal form may stand before or after the name (株式会社X = X株式会社)
    for form in _LEGAL_FORMS:
        if form in t:
            t = t.replace(form, "", 1)
            forms.append(form)
    return "+".join(sorted(forms)) + ":" + t if forms else t


_LEGAL_FORMS = tuple(sorted(set(_ABBREVIATIONS.values()), key=len, reverse=True))

# --------------------------------------------------------------------------- codes

_MEASURE_CODE_RE = re.compile(r"^\(?\s*([^\s()]*?R\d+\s*-\s*\d+\s*-\s*\d+)\s*\)?$")


def measure_code(text: str) -> str:
    """施策 codes of 事前分析表: ``（文R2－9－1）`` → ``文R2-9-1``."""
    t = compact(text).translate(str.maketrans({"‐": "-", "−": "-", "―": "-", "ー": "-"}))
    m = _MEASURE_CODE_RE.match(t)
    if not m:
        raise ValueFormatError(f"not a 施策 code: {text!r}")
    return m.group(1)


_LEADING_CODE_RE = re.compile(r"^([0-9]+(?:-[0-9]+)*|[IVX]+)\s*[.:]?\s*(?=\D)")


def split_code(text: str) -> tuple[str | None, str]:
    """A policy or measure cell's leading code and its name: ``V.情報通信(ICT政策)`` →
    ("V", "情報通信(ICT政策)"); ``8-3オープン…`` → ("8-3", "オープン…")."""
    m = _LEADING_CODE_RE.match(text)
    if not m:
        return None, text
    return m.group(1), text[m.end() :].strip()


# --------------------------------------------------------------------------- one organisation?

#: legal forms written in full or abbreviated, in brackets or not: dropped from an organisation key
_ORG_FORMS_RE = re.compile(
    r"\((?:株|有|同|名|資|社|財|独|国研|一社|公社|一財|公財|大|学|特非|医|福|宗|NPO)\)"
    r"|株式会社|有限会社|合同会社|合名会社|合資会社|国立研究開発法人|独立行政法人|地方独立行政法人"
    r"|一般社団法人|公益社団法人|一般財団法人|公益財団法人|社団法人|財団法人|国立大学法人|公立大学法人"
    r"|学校法人|特定非営利活動法人|NPO法人|社会福祉法人|医療法人社団|医療法人財団|医療法人|宗教法人"
    r"|農事組合法人|協同組合|一社|公社|一財|公財"
)
#: JV or consortium wording and "and others" after an organisation's own name
_ORG_TAIL_RE = re.compile(
    r"(?:特定建設工事|経常建設)?(?:共同企業体|企業共同体|共同提案体|共同事業体|共同体|コンソーシアム).*$|jv$|\(代表\).*$|代表機関.*$|連名.*$|ほか\d*(?:者|社|名)?$|外\d+(?:者|社|名)$|他\d*(?:者|社|名)?$"
)
#: JV or consortium wording anywhere in a name (共同提案体(代)(一財)計量計画研究所)
_JV_RE = re.compile(r"共同企業体|企業共同体|共同提案体|共同事業体|共同体|コンソーシアム|代表機関|\(代表?\)|jv|連名|(?:ほか|他|外)\d*(?:者|社)")
#: a branch or office after an organisation's own name (…東北支店, …営業所, …支社)
_BRANCH_RE = re.compile(r"^.{0,10}(?:支店|支社|営業所|事業所|事務所|出張所|本店|本社|本部|支部|工場|センター|分室|部|カンパニー)$")
#: a school or hospital that a corporation runs, after the corporation's name (学校法人昌平黌いわき短期大学)
_RUN_BY_RE = re.compile(r"^.{0,12}(?:大学|短期大学|大学校|高等学校|中学校|小学校|高等専門学校|専門学校|幼稚園|保育園|こども園|病院|医院|診療所|学園|博物館|美術館|図書館|資料館)$")
#: katakana and kanji (and Latin) letters that look alike and are typed for one another
_LOOKALIKES = str.maketrans({"口": "ロ", "工": "エ", "力": "カ", "二": "ニ", "夕": "タ", "卜": "ト", "八": "ハ",
                             "一": "ー", "-": "ー", "―": "ー", "ｰ": "ー", "0": "o", "о": "o", "а": "a", "е": "e"})


@lru_cache(maxsize=1 << 16)
def organisation_key(name: str | None, cut: bool = True) -> str:
    """A name reduced to the organisation it names, to tell whether two 支出先 names next to
    one 法人番号 are one organisation: :func:`corporation_name_key`'s clean-up, every legal
    form dropped (``(株)``, ㈱, 株式会社, (社), 一般社団法人 …), a branch or office suffix
    (…東北支店, …営業所, …支社) and JV or consortium wording (…共同企業体, 代表機関, 連名,
    ほか) cut off (not with ``cut=False``), and look-alike letters of other scripts (ロ/口,
    エ/工, カ/力) made one."""
    t = nfkc(expand_corporate_abbreviations(name or "")).replace("㈱", "(株)").replace("㈲", "(有)").replace("㈶", "(財)").replace("㈳", "(社)")
    t = _NAME_NOISE_RE.sub("", t.translate(_DASHES).casefold())
    t = _ORG_FORMS_RE.sub("", t)
    if cut:
        t = _ORG_TAIL_RE.sub("", t) or t
    return t.translate(_LOOKALIKES).strip("()[]")


#: rapidfuzz's ratio (0–100) at or above which two organisation keys that are not one
#: another's branch are taken for one organisation misspelt (docs/graph/truth.md "Who was paid")
TYPO_SIMILARITY = 80.0


#: an organ of a government body after the body's name (兵庫県教育委員会, 大阪府警察, 新潟市農業委員会):
#: such organs are written with their body's 法人番号
_ORGAN_RE = re.compile(r"^.{0,8}(?:委員会|委員|警察|警察本部|局|部|課|庁|事務所|事務局|センター|試験場|研究所|病院|学校|議会)$")
#: a prefecture written before a city, town or village (長崎県対馬市)
_PREFECTURE_BEFORE_CITY_RE = re.compile(r"^(?:北海道|東京都|京都府|大阪府|[^県]{2,3}県)(?=.+[市町村区]$)")


#: how Latin letters are read in katakana (NTT エヌティティ, JTB ジェイティービー, NHK エヌエイチケイ)
_LETTER_READINGS = dict(zip("abcdefghijklmnopqrstuvwxyz", (
    "エー ビー シー ディー イー エフ ジー エイチ アイ ジェー ケー エル エム エヌ オー ピー キュー アール エス ティー "
    "ユー ブイ ダブリュー エックス ワイ ゼット").split(), strict=False))
_LATIN_RUN_RE = re.compile(r"[a-z]+")
_VOWEL_RUNS = (("ei", "e"), ("ou", "o"), ("aa", "a"), ("ii", "i"), ("uu", "u"), ("ee", "e"), ("oo", "o"))


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def _romaji(text: str) -> str:
    """``text`` in Hepburn romaji (pykakasi), long vowels and ei/ou folded, letters only."""
    out = "".join(part["hepburn"] for part in _kakasi().convert(text.replace("ー", "")))
    out = re.sub(r"[^a-z]", "", out.casefold())
    for long_, short in _VOWEL_RUNS:
        out = out.replace(long_, short)
    return out


def readings(key: str) -> set[str]:
    """How an organisation key sounds, in romaji: its Latin words read as words (NIPPO ニッポ)
    and spelt out as letters (NTT エヌティティ), the rest romanised — to tell a name written
    in katakana from the same name in Latin letters."""
    as_words = _romaji(key)
    spelt = _romaji(_LATIN_RUN_RE.sub(lambda m: "".join(_LETTER_READINGS[c] for c in m.group(0)), key))
    return {as_words, spelt}


_ORGAN_NAME_RE = re.compile(r"(?:省|庁|局|署|所|院|部|課|室|会議|委員会|事務局|本部|センター|隊|館|場|学校|大学校|研究所|機構)$")


def looks_like_organ(name: str | None) -> bool:
    """A name a body of government gives one of its parts (近畿総合通信局, 国土地理院, 警視庁),
    without the legal form of a corporation: such parts write the body's 法人番号."""
    t = nfkc(name or "").strip()
    return bool(t) and not _ORG_FORMS_RE.search(t) and bool(_ORGAN_NAME_RE.search(t))


def _variant_letters(ka: str, kb: str) -> bool:
    """Keys of one length that differ only in variant forms of a kanji (異体字 by ja-itaiji:
    飛驒/飛騨, 山﨑/山崎, 栁/柳, 醬/醤) or where one has the register's ``＿`` for a letter it
    cannot print (株式会社白銅＿ for 白銅鞮)."""
    if len(ka) != len(kb):
        return False
    from ja_itaiji import Itaiji

    return all(x == y or x == "_" or y == "_" or Itaiji.is_family(x, y) for x, y in zip(ka, kb, strict=False))


def name_relation(a: str | None, b: str | None, government: bool = False) -> str:
    """How two names written for one 法人番号 relate, by their :func:`organisation_key`:

    * ``same``: they differ only in legal form, widths, spaces, look-alike letters, variant
      kanji (:func:`_variant_letters`) or JV wording, or read the same (:func:`readings`:
      エヌ・ティ・ティ・データ and NTTデータ);
    * ``branch``: one is the other with a branch or office, or a school, hospital or museum it
      runs, after it; for a ``government`` number (国の機関, 地方公共団体) also an organ after
      the body's name (兵庫県教育委員会, 大阪府警察) or on its own (警視庁: no legal form, the
      ending of an organ), and a prefecture before a city's name (長崎県対馬市) is dropped first;
    * ``member``: a JV or consortium named with one member's name in it;
    * ``typo``: rapidfuzz's ratio of the keys at least :data:`TYPO_SIMILARITY` (one organisation
      misspelt: 日立製作所/日立制作所, not 東北大学/東京大学), or an abbreviation (every letter of
      the shorter key in order in the longer, at least half as long, the same first letter,
      and not its start: NTTデータ and NTTデータ経営研究所 are two companies);
    * ``other``: another organisation, or not an organisation's name.
    """
    from rapidfuzz import fuzz

    from rapidfuzz.distance import LCSseq

    ka, kb = organisation_key(a), organisation_key(b)
    if government:
        ka, kb = (_PREFECTURE_BEFORE_CITY_RE.sub("", k) for k in (ka, kb))
    if ka == kb or _variant_letters(ka, kb):
        return "same"
    short, long_ = sorted((ka, kb), key=len)
    if government and short and long_.startswith(short) and _ORGAN_RE.match(long_[len(short):]):
        return "branch"  # an organ of the body: its 教育委員会, 警察, a 局
    if (government and (looks_like_organ(a) or looks_like_organ(b))
            and not any(_ORG_FORMS_RE.search(nfkc(n or "")) for n in (a, b))):
        return "branch"  # an organ named on its own (警視庁 with 東京都's number), neither a company
    if _LATIN_RUN_RE.search(ka) or _LATIN_RUN_RE.search(kb):
        ra, rb = readings(ka), readings(kb)
        if ra & rb or max(fuzz.ratio(x, y) for x in ra for y in rb) >= 90:
            return "same"  # one name in katakana and in Latin letters
    if short and long_.startswith(short) and (_BRANCH_RE.match(long_[len(short):])
                                               or _RUN_BY_RE.match(long_[len(short):])):
        return "branch"
    whole = sorted((organisation_key(a, cut=False), organisation_key(b, cut=False)), key=len)
    if short and len(short) >= 2 and any(_JV_RE.search(w) for w in whole) and (short in whole[1] or short in long_):
        return "member"  # a JV or consortium written with one member's number
    if short and len(short) >= 2 and fuzz.ratio(ka, kb) >= TYPO_SIMILARITY:
        return "typo"
    if (len(short) >= 4 and short[0] == long_[0] and 2 * len(short) >= len(long_) and not long_.startswith(short)
            and LCSseq.similarity(short, long_) == len(short)):
        return "typo"  # an abbreviation: every letter of the shorter in order in the longer (東京都指導センター)
    return "other"


# --------------------------------------------------------------------------- who was paid

def is_dummy_number(digits: str) -> bool:
    """A 法人番号 of an obviously dummy form: its twelve digits after the check digit all one
    digit (9999999999999), a run 123456789012, or seven zeros or more at the end
    (4010000000000, 3010400000000: a number typed as a placeholder; no register number ends so)."""
    base = digits[1:]
    return len(set(base)) == 1 or base in "012345678901234567890" or base.endswith("0000000")


def is_government_number(digits: str, kind_code: str | None = None) -> bool:
    """A 法人番号 of 国の機関 (twelve digits beginning 00001) or 地方公共団体 (00002), or a
    row whose 法人種別 is 101 or 201."""
    return digits[1:6] in ("00001", "00002") or (kind_code or "") in ("101", "201")


def is_national_number(digits: str) -> bool:
    """A 法人番号 of 国の機関: a ministry's number, written for each of its offices too."""
    return digits[1:6] == "00001"


_BUNDLED_RE = re.compile(
    r"^(?:その他|そのほか|他|個人|個人事業主|非公表|不明|なし|-|‐|―)"
    r"|^(?:[A-ZＡ-Ｚ○〇●×]|[0-9０-９]+)(?:社|者|法人|団体|機関|大学)?(?:\s*(?:ほか|他|外)\s*\d*(?:社|者|件)?)?$"
    r"|^(?:個人|研究者|事業者|企業|民間企業|民間事業者|団体|法人|市町村|自治体|受給者|利用者|○○)[\s・]*[A-ZＡ-Ｚa-zａ-ｚ0-9０-９○〇]*$"
    r"|^[○〇●]+"
    r"|ほか\s*\d+\s*(?:社|者|件|団体|法人|機関)|他\s*\d+\s*(?:社|者|件|団体|法人|機関)|外\s*\d+\s*(?:社|者|件|団体|法人|機関)"
    r"|受給者(?:等)?$"
)


def is_bundled_name(name: str | None) -> bool:
    """A 支出先 name that stands for many recipients or an unnamed one: その他, 個人, 個人A,
    ○○社, A社, 研究者B, 「…ほか10社」, 年金受給者等."""
    t = nfkc(name or "").strip()
    return not t or bool(_BUNDLED_RE.search(t))
