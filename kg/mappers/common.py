"""Pieces shared by the review-sheet mappers: parsing the free-text fields
(根拠法令, 関係する計画) that every layout carries in the same wording."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Diagnostic, Document, LegalBasis, Plan
from ..normalize import DATE_RE, ValueFormatError, clean_text, japanese_date, nfkc

# a law name: a run of characters that ends in 法/法律/令/規則/条例, followed by its first 第N条
_LAW_RE = re.compile(r"(?P<law>[^\s、,。※「」()・]*?(?:法律|法|政令|省令|令|規則|条例))(?=第\d+条)")
_LEADING_CONNECTOR_RE = re.compile(r"^(?:並びに|ならびに|及び|および|又は|または)")
_PROVISION_RE = re.compile(r"第(?P<art>\d+(?:条の\d+)?)条(?:第(?P<para>\d+)項)?(?:第?(?P<item>\d+)号)?")
_CONNECTOR_RE = re.compile(r"^(?:、|,|及び|並びに|ならびに|および|・)")


def parse_legal_bases(text: str) -> list[LegalBasis]:
    """Split a 根拠法令 cell into (law, article, paragraph, item) entries.

    ``サイバーセキュリティ基本法第13条、第14条…並びに総務省設置法第4条第1項第59号``
    gives one entry per article; ``第4条第1項70号`` is read as item 70.
    """
    t = (clean_text(text) or "").replace("第 ", "第")
    bases: list[LegalBasis] = []
    pos = 0
    while True:
        m = _LAW_RE.search(t, pos)
        if not m:
            break
        law = _LEADING_CONNECTOR_RE.sub("", m.group("law"))
        pos = m.end()
        while True:
            pm = _PROVISION_RE.match(t, pos)
            if not pm:
                break
            bases.append(LegalBasis(law, pm.group("art"), pm.group("para"), pm.group("item")))
            bases[-1].text = bases[-1].provision
            pos = pm.end()
            cm = _CONNECTOR_RE.match(t[pos:])
            if not cm or not t[pos + cm.end() :].startswith("第"):
                break
            pos += cm.end()
    return bases


_DECISION_RE = re.compile(r"\(([^()]*?(?:令和|平成|昭和|(?:19|20)\d\d年)[^()]*?)\)")


def parse_plans(text: str) -> list[Plan]:
    """Split 関係する計画、通知等 into plans with their decision date and deciding body.

    ``デジタル・ガバメント実行計画(令和元年12月20日閣議決定)`` → name, 2019-12-20, 閣議.
    """
    t = clean_text(text) or ""
    plans: list[Plan] = []
    start = 0
    for m in _DECISION_RE.finditer(t):
        name = t[start : m.start()]
        start = m.end()
        name = re.sub(r"^[\s、,・等]+|[\s、,]+$", "", name).strip()
        name = name.strip("「」『』 ")
        if not name:
            continue
        decision = m.group(1)
        try:
            date = japanese_date(decision)
        except ValueFormatError:
            date = None
        body = None
        dm = DATE_RE.search(decision)
        bm = re.match(r"\s*(.+?)\s*(?:決定|了承|策定)", decision[dm.end() :] if dm else decision)
        if bm:
            body = bm.group(1)
        plans.append(Plan(name=name, date=date, body=body))
    return plans


@dataclass
class Collector:
    """Diagnostics for one document."""

    doc: Document
    items: list[Diagnostic] = field(default_factory=list)

    def warn(self, line: int | None, message: str) -> None:
        self.items.append(Diagnostic(str(self.doc.path), line, "warning", message))

    def error(self, line: int | None, message: str) -> None:
        self.items.append(Diagnostic(str(self.doc.path), line, "error", message))


def era_of(text: str) -> str | None:
    """The era named first in a text (令和/平成), to read bare ``3年度`` headers."""
    m = re.search(r"(令和|平成)", nfkc(text))
    return m.group(1) if m else None
