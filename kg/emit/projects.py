"""Projects (事業): the node of a sheet, what it says about itself, its 点検 answers, its
relations to other projects, and its lineage across sheet years.

A project is keyed by its sheet: (sheet year, ministry, serial) for a legacy 事業番号, or
(sheet year, 予算事業ID) for an RS-system sheet. That key is the only place where the
two eras differ here.
"""

from __future__ import annotations

from rdflib import URIRef

from ..assets import topic_patterns
from ..codes import concept_for
from ..model import Document, ReviewSheet
from ..normalize import Ministry, ProjectNumber
from .organisations import ministry
from .sink import DCTERMS, KG, PROV, RDF, RDFS, Sink, boolean, integer, plain, uri_literal


def project(out: Sink, sheet: ReviewSheet, d: URIRef) -> URIRef:
    """The node of the sheet's project, described by document ``d``."""
    if sheet.rs_id is not None:
        p = rs_stub(out, sheet.sheet_year, sheet.rs_id)
        if sheet.ministry is not None:
            out.add(p, KG.ministry, ministry(out, sheet.ministry))
        # an RS file's row lines belong to the project's parts: its rows are spread over 15 files
    else:
        # kg:ministry is the sheet's 府省庁, which may differ from the ministry its 事業番号
        # names (2021-経産-20-0437 is a 国土交通省 sheet)
        p = numbered(out, sheet.number, sheet.ministry)
        out.add(p, KG.isNewProject, boolean(sheet.number.is_new))
        out.line(p, sheet.line)
    out.add(d, KG.describes, p)
    out.add(p, PROV.wasDerivedFrom, d)
    out.text(p, RDFS.label, sheet.name)
    out.text(p, KG.sheetKind, sheet.sheet_kind)
    return p


def rs_stub(out: Sink, year: int, budget_project_id: str) -> URIRef:
    """The node of an RS-system sheet by (sheet year, 予算事業ID), also for sheets that are
    not in the input (a related セグメントシート or 基金シート)."""
    p = out.iris.rs_project(year, budget_project_id)
    out.add(p, RDF.type, KG.Project)
    out.add(p, KG.sheetYear, integer(year))
    out.add(p, KG.budgetProjectId, plain(budget_project_id))
    out.add(p, DCTERMS.identifier, plain(f"{year}-RS-{budget_project_id}"))
    return p


def project_stub(out: Sink, pn: ProjectNumber, of: Ministry | None = None) -> URIRef:
    """The node of a project by its 事業番号 in one sheet year (also for sheets not in the
    input: a later build that has the sheet lands on the same node), of ministry ``of``
    (default: the one the number names)."""
    node = out.iris.project(pn)
    out.add(node, RDF.type, KG.Project)
    out.add(node, KG.sheetYear, integer(pn.year))
    out.add(node, KG.serialNumber, plain(pn.serial))
    out.add(node, KG.ministry, ministry(out, of or pn.ministry))
    return node


def numbered(out: Sink, pn: ProjectNumber, of: Ministry | None = None) -> URIRef:
    """:func:`project_stub` of a whole 事業番号: ``dcterms:identifier`` as the sheet publishes
    it (``2022-官房-21-0021``) and, where kg spells it otherwise, ``kg:normalizedIdentifier``
    (``2022-内閣-21-0021``); queries, search and pages take either."""
    node = project_stub(out, pn, of)
    out.add(node, DCTERMS.identifier, plain(pn.published()))
    if pn.published() != pn.display():
        out.add(node, KG.normalizedIdentifier, plain(pn.display()))
    if pn.code:  # a number written without its start-year code has none (not an empty one)
        out.add(node, KG.projectCode, plain(pn.code))
    return node


def facts(out: Sink, p: URIRef, sheet: ReviewSheet, doc: Document) -> None:
    """What the sheet says of the project itself: years, account, purpose, overview, 実施方法."""
    out.text(p, KG.responsibleOfficial, sheet.official)
    if sheet.start_year:
        out.add(p, KG.startFiscalYear, integer(sheet.start_year))
    if sheet.start_year_unknown:
        out.add(p, KG.startYearUnknown, boolean(True))
    if sheet.end_year:
        out.add(p, KG.endFiscalYear, integer(sheet.end_year))
    if sheet.end_year_undecided:
        out.add(p, KG.endUndecided, boolean(True))
    out.text(p, KG.accountType, sheet.account)
    out.text(p, KG.projectCategory, sheet.category)
    out.text(p, KG.majorPolicy, sheet.major_policy)
    out.text(p, KG.majorExpense, sheet.major_expense)
    out.text(p, KG.purpose, sheet.purpose)
    out.text(p, KG.currentIssues, sheet.current_issues)
    out.text(p, KG.overview, sheet.overview)
    if sheet.overview_url:
        out.add(p, KG.overviewURL, uri_literal(sheet.overview_url))
    for method in sheet.methods:
        concept = concept_for(method, "implementation-method")
        if concept is None:
            out.unknown_code(doc, sheet.line, f"実施方法 {method!r}")
            out.text(p, KG.implementationMethodText, method)
        else:
            out.add(p, KG.implementationMethod, concept)
    out.text(p, KG.subsidyRate, sheet.subsidy_rate)
    out.text(p, KG.expertOpinion, sheet.expert_opinion)
    for remark in sheet.remarks:
        out.text(p, KG.remarks, remark)


def topics(out: Sink, p: URIRef, sheet: ReviewSheet) -> None:
    """``kg:onTopic`` each topic of ``ontology/topics.ttl`` one of whose keywords the sheet's
    name, purpose or overview contains as a word (case-sensitive, as written; a Latin keyword
    not inside a longer Latin word: AI is not in JAICAF, :func:`~kg.assets.keyword_pattern`).
    Tagged here, once per document, so that a topic query looks the projects up instead of
    scanning every text; an RS project whose texts lie in several files is tagged by each
    that matches."""
    texts = [t for t in (sheet.name, sheet.purpose, sheet.overview) if t]
    if not texts:
        return
    for concept, pattern in topic_patterns():
        if any(pattern.search(t) for t in texts):
            out.add(p, KG.onTopic, URIRef(concept))


def checks(out: Sink, p: URIRef, sheet: ReviewSheet) -> None:
    """点検・改善: each item with its evaluation and explanation."""
    for i, c in enumerate(sheet.checks, 1):
        node = out.iris.check(p, i)
        out.add(p, KG.check, node)
        out.add(node, RDF.type, KG.Check)
        out.text(node, KG.checkCategory, c.category)
        out.text(node, RDFS.label, c.item)
        out.text(node, KG.evaluation, c.evaluation)
        out.text(node, KG.explanation, c.explanation)
        out.line(node, c.line)


def related(out: Sink, p: URIRef, sheet: ReviewSheet, d: URIRef) -> None:
    """Other budget projects of the same sheet year and how they relate (統合元, 子事業 …)."""
    for r in sheet.related:
        node = out.iris.related(p, r.number)
        out.add(p, KG.projectRelation, node)
        out.add(node, RDF.type, KG.ProjectRelation)
        out.text(node, KG.relationType, r.relation)
        out.text(node, RDFS.label, r.name)
        if r.project_id:
            out.add(node, KG.relatedProject, rs_stub(out, sheet.sheet_year, r.project_id))
        out.source(node, r.line, d)


def lineage(out: Sink, p: URIRef, sheet_year: int, listed: list[ProjectNumber], former: list[ProjectNumber]) -> None:
    """The sheet's earlier 事業番号 — ``listed`` in 関連する過去のレビューシート, ``former``
    as 旧事業番号 —: ``kg:pastSheet`` to each (and ``kg:listedPastSheet`` or
    ``kg:formerNumberSheet``: how the data states it), ``kg:previousSheet`` chaining them
    newest → oldest one year at a time. A number without its year is the sheet of the year
    before; a number of the sheet's own year is the same sheet under its legacy number, so
    the build joins the two nodes."""
    chain, chain_year = [p], sheet_year
    resolved = [(pn if pn.year is not None else ProjectNumber(sheet_year - 1, pn.ministry, pn.code, pn.serial), method)
                for numbers, method in ((listed, KG.listedPastSheet), (former, KG.formerNumberSheet)) for pn in numbers]
    for pn, method in sorted(resolved, key=lambda t: -t[0].year):
        # a number written without its code (2023文科0333) is not the sheet's 事業番号
        # (2023-文科-22-0333): the node, but no dcterms:identifier of it
        past = numbered(out, pn) if pn.code else project_stub(out, pn)
        if past == p:
            continue
        if pn.year == sheet_year:
            out.project_aliases[str(p)] = str(past)
            continue
        out.add(p, KG.pastSheet, past)
        out.add(p, method, past)
        if pn.year < chain_year:
            out.add(chain[-1], KG.previousSheet, past)
            chain.append(past)
            chain_year = pn.year
