"""Citations of laws: which provisions (条, 項, 号 and their イ・ロ・ハ sub-items) a cell cites.

Pure functions, no RDF. Numbers are read whether written in arabic, full-width or kanji
numerals (``第四十条の四`` → article ``40の4``, ``第十号`` → item ``10``), a cell that
cites several provisions gives one :class:`Provision` each (``第二号及び第四号``,
``第１～３号``, ``第4条第1項ロ及び第3項``), and a provision inherits what the one before
it named at higher levels (``第4条第1項ロ及び第3項`` → 4-1-ロ and 4-3).

What cannot be read (``附則第22項``, ``等約160法令``) is left to the caller as the text
it is, with ``complete=False``: nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import is_missing, nfkc

_KANJI_DIGITS = dict(zip("〇一二三四五六七八九", range(10), strict=False))
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMBER = r"[0-9]+|[〇一二三四五六七八九十百千]+"
#: the sub-items of an item, in iroha order
SUB_ITEMS = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
LEVELS = ("条", "項", "号")


def kanji_number(text: str) -> int:
    """``四十`` → 40, ``百三`` → 103, ``二〇`` → 20, ``15`` → 15."""
    if text.isdigit():
        return int(text)
    total, current, positional = 0, 0, True
    for ch in text:
        if ch in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[ch] if positional else _KANJI_DIGITS[ch]
        elif ch in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[ch]
            current, positional = 0, False
        else:
            raise ValueError(f"not a number: {text!r}")
    return total + current


def number_text(text: str) -> str:
    """A provision number as kept in the graph: ``四十の四`` → ``40の4``."""
    return "の".join(str(kanji_number(part)) for part in re.split(r"[のノ]", text))


@dataclass(frozen=True)
class Provision:
    article: str | None = None  # "40の4"
    paragraph: str | None = None  # "1"
    item: str | None = None  # "10"
    sub_item: str | None = None  # "イ"

    @property
    def text(self) -> str:
        """``第40条の4第1項第10号イ``."""
        out = ""
        if self.article:
            head, _, tail = self.article.partition("の")
            out += f"第{head}条" + (f"の{tail}" if tail else "")
        if self.paragraph:
            out += f"第{self.paragraph}項"
        if self.item:
            head, _, tail = self.item.partition("の")
            out += f"第{head}号" + (f"の{tail}" if tail else "")
        return out + (self.sub_item or "")


_TOKEN_RE = re.compile(
    rf"""(?P<num>第?\s*(?:{_NUMBER})(?:\s*[のノ]\s*(?:{_NUMBER}))*)\s*(?P<unit>[条項号])?(?P<tail>(?:\s*[のノ]\s*(?:{_NUMBER}))*)
       |(?P<sub>[{SUB_ITEMS}])(?![{SUB_ITEMS}])
       |(?P<range>[~～〜]|から)
       |(?P<sep>及び|および|並びに|ならびに|又は|または|[、,，・;；と及])
       |(?P<same>同法?[条項号]?)
       |(?P<etc>ほか|他|等|など|まで|\s+|[()（）「」_])
    """,
    re.X,
)


def _tokens(text: str, default: int) -> tuple[list[tuple], bool]:
    """(level, number) numbers, sub-items, ranges and separators of one cell; whether every
    character was read. A bare number takes the level of the column (``default``) at the
    start or after a separator, and the level below the number just before it otherwise
    (``第七条３`` → article 7, paragraph 3)."""
    out: list[tuple] = []
    pos, complete = 0, True
    last_level: int | None = None
    after_sep = True
    t = nfkc(text).replace("へ", "ヘ")  # hiragana he for the sub-item ヘ
    while pos < len(t):
        m = _TOKEN_RE.match(t, pos)
        if not m or m.end() == pos:
            complete = False
            pos += 1
            continue
        pos = m.end()
        if m.group("num"):
            raw = re.sub(r"^第|\s", "", m.group("num")) + re.sub(r"\s", "", m.group("tail") or "")
            if m.group("unit"):
                level = LEVELS.index(m.group("unit"))
            elif last_level is None:
                level = default
            elif after_sep:
                level = last_level  # a sibling: 第二号、三
            else:
                level = min(last_level + 1, 2)  # a child: 第七条３
            try:
                value = number_text(raw)
            except ValueError:
                complete = False
                continue
            out.append(("num", level, value))
            last_level, after_sep = level, False
        elif m.group("sub"):
            out.append(("sub", m.group("sub")))
            after_sep = False
        elif m.group("range"):
            out.append(("range",))
        elif m.group("sep"):
            out.append(("sep",))
            after_sep = True
    return out, complete


def parse_provisions(cells: list[tuple[str | None, str]]) -> tuple[list[Provision], bool]:
    """The provisions that cells cite, each cell with its column's level (``条``, ``項``,
    ``号``): ``[("第四条", "条"), ("1", "項"), ("第二号及び第四号", "号")]`` → 4-1-2 and
    4-1-4. Returns the provisions and whether every character of every cell was read."""
    tokens: list[tuple] = []
    complete = True
    for text, unit in cells:
        if not text or is_missing(text) or all(ch in "-‐―ー－—–" for ch in text.strip()):
            continue
        if "附則" in text:  # a supplementary provision: not an article of the main text
            complete = False
            continue
        found, ok = _tokens(text, LEVELS.index(unit))
        if ok:
            tokens.extend(found)
        else:  # a cell not read in full adds nothing: its text stays as written
            complete = False
    out: list[Provision] = []
    current: list[str | None] = [None, None, None, None]  # article, paragraph, item, sub-item

    def emit() -> None:
        if any(current):
            p = Provision(*current)
            if p not in out:
                out.append(p)

    pending_range = False
    for tok in tokens:
        if tok[0] == "num":
            _, level, value = tok
            if pending_range and current[level] is not None:
                start = current[level]
                if start.isdigit() and value.isdigit() and 0 < int(value) - int(start) <= 100:
                    for n in range(int(start) + 1, int(value)):
                        emit()
                        current[level] = str(n)
                        current[level + 1:] = [None] * (3 - level)
                pending_range = False
            if any(v is not None for v in current[level:]):
                emit()
            current[level] = value
            current[level + 1:] = [None] * (3 - level)
        elif tok[0] == "sub":
            if current[3] is not None:
                emit()
            current[3] = tok[1]
        elif tok[0] == "range":
            pending_range = True
    emit()
    return out, complete


_ARTICLE_IN_NAME_RE = re.compile(rf"[\s(（_・]*第\s*(?:{_NUMBER})\s*条")


_CUT_AFTER_DAI_RE = re.compile(r"(?:法|律|令|則|例|約|規程|要綱|告示)第$")


def split_law_name(name: str) -> tuple[str, str | None]:
    """A 法令名 cell that carries its provision too: ``外務省設置法第４条第３項`` →
    (``外務省設置法``, ``第4条第3項``); ``財務省設置法（第4条第1項第52号）`` likewise. A
    name without an article is returned whole, with None; a name cut after the 第 of its
    article (``特別会計に関する法律第``, the article in the 条 cell) loses that 第."""
    t = nfkc(name).strip().lstrip("・")
    m = _ARTICLE_IN_NAME_RE.search(t)
    if not m or m.start() == 0:
        return (t[:-1] if _CUT_AFTER_DAI_RE.search(t) else t), None
    return t[: m.start()].strip(), t[m.start():].strip(" ()（）_")
