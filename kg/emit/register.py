"""What the 国税庁 法人番号 register says of the corporations of a build, and where the
sheets disagree with it.

Each register file is a source document with its own named graph: a corporation's
history records go to the graph of the file each was last published in, and its current
values (``rov:legalName``, ``rov:orgType``, ``schema:address``, closure, successor) to the
graph of its current record, so every value leads back to a file and a line.

The checks against the sheets' 支出先 rows go to the default graph, since they join two
documents: ``kg:registerRecordAtDate`` (the record in force at the end of the fiscal year
paid), ``kg:nameDiffersFromRegister`` and, with a complete register only,
``kg:absentFromRegister``. The shapes in ``shapes/rules.ttl`` turn them into findings.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef
from stdnum.jp import cn as _stdnum_cn

from ..codes import corporation_kind_by_code
from ..iris import KGC
from ..mappers import nta
from ..model import Document
from ..normalize import corporation_name_key, is_government_number, is_national_number, looks_like_organ, name_relation
from .. import nt
from .sink import KG, RDF, RDFS, ROV, SCHEMA, Sink, boolean, document, plain

def _date(value: str | None):
    return nt.date_literal(value, "date") if value else None


def register(out: Sink, reg: nta.Register,
             rows: list[tuple[str, str, str, int | None, str | None]], numbers: set[str]) -> None:
    """The register's files, corporations and records, and the checks of ``rows`` (支出先
    rows: row IRI, 法人番号, name written, sheet year, 法人種別 code); ``numbers`` are the
    法人番号 the rest of the build names (checked for absence when the register is complete)."""
    docs = []
    for f in reg.files:
        doc = Document(path=Path(f.path), text="", sha256=f.sha256, encoding=f.encoding, layout=nta.NAME,
                       media_type="text/csv")
        d = document(out, doc)
        out.current = None
        out.add(d, KG.registerFileKind, plain(f.kind))
        docs.append(d)
    for _number, corp in sorted(reg.corporations.items()):
        _corporation(out, corp, docs)
    for number, row in sorted(reg.withdrawn.items()):
        node = out.iris.corporation(number)
        out.current = docs[row.source]
        _record(out, number, row, docs, former=None)
        out.add(node, KG.withdrawnOn, _date(row.updated))
    out.current = None
    out.add(out.iris.dataset(), KG.registerComplete, boolean(reg.complete))
    for row_iri, number, name, sheet_year, _ in rows:
        corp = reg.corporations.get(number)
        if corp is None or not corp.records:
            continue
        row = URIRef(row_iri)
        if sheet_year:
            fy = sheet_year - 1
            start, end, window_end = f"{fy}-04-01", f"{fy + 1}-03-31", f"{sheet_year + 1}-03-31"
            at = corp.at(end)
            names = corp.names_between(start, window_end)
        else:
            at = corp.current
            names = corp.history
        if at is not None:
            out.add(row, KG.registerRecordAtDate, out.iris.register_record(number, at.changed, at.process))
        # the names are compared only when the files given reach back to the start of the year
        if at is not None and (not sheet_year or corp.at(start) is not None):
            out.register_judged.append(row_iri)
            written = {r.name for r in names} | {r.en_name for r in names if r.en_name}
            if corporation_name_key(name) not in {corporation_name_key(n) for n in written}:
                out.add(row, KG.nameDiffersFromRegister, boolean(True))
                readings = {r.furigana for r in names if r.furigana}  # 株式会社ジェイティービー is ＪＴＢ's reading
                government = is_government_number(number)
                relation = register_relation(name, written | readings, government)
                if relation == "other" and is_national_number(number) and looks_like_organ(name):
                    relation = "branch"  # 近畿総合通信局 with 総務省's number: an organ writes its ministry's
                if relation in ("typo", "other"):
                    # a name the register gave the number at another time (JUDGIT! 2023 wrote today's
                    # register name into every matched row, ENEOS for JXTGエネルギー's sheets)
                    ever = corp.history
                    ever_names = {r.name for r in ever} | {r.en_name for r in ever if r.en_name} | {r.furigana for r in ever if r.furigana}
                    if register_relation(name, ever_names, government) in ("same", "branch", "member"):
                        relation = "other-time"
                out.add(row, KG.registerNameRelation, plain(relation))
                if relation == "other":  # another organisation's number at that time: the row is kept apart
                    out.register_wrong.append(row_iri)
        closure = corp.closure
        if sheet_year and closure is not None and closure.closed < f"{sheet_year - 1}-04-01":
            out.add(row, KG.paidAfterClosure, boolean(True))
    if reg.complete:
        for number in sorted(numbers):
            if number not in reg.corporations and number not in reg.withdrawn and _stdnum_cn.is_valid(number):
                out.add(out.iris.corporation(number), KG.absentFromRegister, boolean(True))


#: the relations of :func:`~kg.normalize.name_relation`, closest first
_RELATIONS = ("same", "branch", "member", "typo", "other")


def register_relation(name: str, registered: set[str], government: bool = False) -> str:
    """How a name on a sheet relates to the closest of the register's names for its number:
    ``same``, ``branch`` or ``member`` (one organisation written otherwise: a note; the build
    also calls ``other-time`` a name the register gave the number at another time), ``typo``
    (a likely misspelling: a warning), ``other`` (another organisation's number, or no
    organisation's name at all: a violation)."""
    return min((name_relation(name, r, government) for r in registered), key=_RELATIONS.index, default="other")


def _corporation(out: Sink, corp: nta.Corporation, docs: list[URIRef]) -> None:
    number = corp.number
    node = out.iris.corporation(number)
    history = corp.history
    previous = None
    for r in history:
        out.current = docs[r.source]
        former = previous.name if previous is not None and r.process == "11" and previous.name != r.name else None
        _record(out, number, r, docs, former)
        previous = r
    cur = corp.current
    out.current = docs[cur.source]
    seen = out.corporations[number]  # the register's name is one more spelling of the corporation's
    seen.everywhere[cur.name] += 1
    out.register_names[number] = sorted({r.name for r in history} | {r.en_name for r in history if r.en_name}
                                        | {r.furigana for r in history if r.furigana})
    seen.valid = seen.valid and _stdnum_cn.is_valid(number)
    out.add(node, KG.currentRegisterRecord, out.iris.register_record(number, cur.changed, cur.process))
    out.text(node, ROV.legalName, cur.name)
    out.text(node, KG.furigana, cur.furigana)
    if cur.en_name:
        out.add(node, KG.englishName, nt.lang(cur.en_name, "en"))
    out.add(node, ROV.orgType, corporation_kind_by_code(cur.kind))
    out.add(node, KG.assignmentDate, _date(cur.assigned))
    if cur.hidden:
        out.add(node, KG.excludedFromSearch, boolean(True))
    _address(out, node, number, cur)
    if cur.closed:
        out.add(node, KG.closedOn, _date(cur.closed))
        out.add(node, KG.closureReason, KGC[f"closure-reason/{cur.close_cause}"] if cur.close_cause in nta.CLOSE_CAUSES else None)
    successor = cur.successor or next((r.successor for r in reversed(history) if r.successor), "")
    if successor:
        out.add(node, KG.successor, out.iris.corporation(successor))


def _address(out: Sink, node: URIRef, number: str, r: nta.RegisterRow) -> None:
    if not (r.prefecture or r.city or r.street or r.outside or r.postcode):
        return
    a = out.iris.corporation_address(number)
    out.add(node, SCHEMA.address, a)
    out.add(a, RDF.type, SCHEMA.PostalAddress)
    out.text(a, SCHEMA.addressRegion, r.prefecture)
    out.text(a, SCHEMA.addressLocality, r.city)
    out.text(a, SCHEMA.streetAddress, r.street or r.outside)
    out.add(a, SCHEMA.postalCode, plain(r.postcode) if r.postcode else None)
    if r.prefecture_code:
        out.add(a, KG.prefectureCode, plain(r.prefecture_code))
        out.add(a, SCHEMA.addressCountry, plain("JP") if r.prefecture_code != "99" else None)
    if r.prefecture_code and r.city_code and r.prefecture_code != "99":
        out.add(a, KG.cityCode, plain(r.prefecture_code + r.city_code))


def _record(out: Sink, number: str, r: nta.RegisterRow, docs: list[URIRef], former: str | None) -> URIRef:
    rec = out.iris.register_record(number, r.changed, r.process)
    out.add(out.iris.corporation(number), KG.registerRecord, rec)
    out.add(rec, RDF.type, KG.RegisterRecord)
    out.add(rec, KG.registerProcess, KGC[f"register-process/{r.process}"])
    out.text(rec, RDFS.label, f"{r.changed or r.updated} {nta.PROCESSES[r.process]}")
    out.add(rec, KG.changeDate, _date(r.changed))
    out.add(rec, KG.updateDate, _date(r.updated))
    out.add(rec, KG.correction, boolean(r.correction))
    out.add(rec, KG.latestRecord, boolean(r.latest))
    out.text(rec, KG.registerName, r.name)
    out.add(rec, ROV.orgType, corporation_kind_by_code(r.kind))
    out.text(rec, KG.formerName, former)
    out.text(rec, KG.changeCause, r.change_cause)
    address = f"{r.prefecture}{r.city}{r.street}" or r.outside
    out.text(rec, KG.addressText, address)
    if r.closed:
        out.add(rec, KG.closedOn, _date(r.closed))
        out.add(rec, KG.closureReason, KGC[f"closure-reason/{r.close_cause}"] if r.close_cause in nta.CLOSE_CAUSES else None)
    if r.successor:
        out.add(rec, KG.successor, out.iris.corporation(r.successor))
    out.source(rec, r.line, docs[r.source])
    return rec
