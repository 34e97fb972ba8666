"""Records → triples under our ontology. The only module that knows predicates.

Corporations are merged across all documents of a build: one node per 法人番号,
every spelling kept; the preferred label is the spelling written most often next
to the number in 支出先 tables (then most often overall, then the shorter), the
others become ``skos:altLabel``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from . import nt
from .iris import KG, KGC, ROV, SCHEMA, IRIs, Terms
from .model import Document, Expenditure, PreAnalysis, ReviewSheet
from .normalize import ministry as ministry_of
from .normalize import (
    PartialDate,
    ProjectNumber,
    compact,
    expand_corporate_abbreviations,
)

# terms made once (see Terms): the emitter asks for them millions of times on a national year
DCTERMS, ORG, PROV, RDF, RDFS, SKOS, KG, KGC, ROV, SCHEMA = (
    Terms(ns) for ns in (DCTERMS, ORG, PROV, RDF, RDFS, SKOS, KG, KGC, ROV, SCHEMA)
)

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
VOCABULARY_FILES = ("code-lists.ttl", "topics.ttl")


ja = nt.lang
dec = nt.decimal
integer = nt.integer
boolean = nt.boolean
plain = nt.plain


def uri_literal(url: str) -> nt.NT:
    return nt.typed(url, str(XSD.anyURI))


def date_literal(d: PartialDate) -> nt.NT:
    return nt.date_literal(d.isoformat(), "date" if d.day else "gYearMonth")


@lru_cache(maxsize=1)
def code_list_graph() -> Graph:
    """The code lists and topics of ``ontology/`` (loaded into every built graph), parsed once per process."""
    g = Graph()
    for name in VOCABULARY_FILES:
        g.parse(ONTOLOGY_DIR / name, format="turtle")
    return g


@lru_cache(maxsize=1)
def code_lists() -> dict[tuple[str, str], URIRef]:
    """(scheme name, label as compact NFKC) → SKOS concept."""
    g = code_list_graph()
    out: dict[tuple[str, str], URIRef] = {}
    for prop in (SKOS.prefLabel, SKOS.altLabel):
        for concept, _, label in sorted(g.triples((None, prop, None))):
            for scheme in g.objects(concept, SKOS.inScheme):
                out.setdefault((str(scheme)[len(str(KGC)) :], compact(str(label))), concept)
    return out


def concept_for(text: str | None, scheme: str) -> URIRef | None:
    """The concept of ``scheme`` (contract-method, implementation-method) a cell's text names."""
    if not text:
        return None
    return code_lists().get((scheme, compact(text)))


@lru_cache(maxsize=1)
def _kind_codes() -> dict[str, URIRef]:
    """法人種別 code (skos:notation, ``301``) → corporation kind."""
    g = code_list_graph()
    return {str(code): c for c, code in g.subject_objects(SKOS.notation) if (c, SKOS.inScheme, KGC["corporation-kind"]) in g}


def corporation_kind_by_code(code: str | None) -> URIRef | None:
    if not code:
        return None
    return _kind_codes().get(compact(code).removesuffix(".0"))


#: corporation kinds known only by their register code (a name saying その他 is no kind)
_CODE_ONLY_KINDS = frozenset({"その他", "その他の設立登記法人", "外国会社等"})


@lru_cache(maxsize=1)
def _kind_labels() -> tuple[tuple[str, URIRef], ...]:
    return tuple(
        (label, c) for (scheme, label), c in sorted(code_lists().items())
        if scheme == "corporation-kind" and label not in _CODE_ONLY_KINDS
    )


def corporation_kind(name: str | None) -> URIRef | None:
    """The kind of corporation (kgc:corporation-kind) a name shows: ``(株)日立製作所`` → 株式会社.
    The label found earliest in the name wins, the longer one on a tie (地方独立行政法人)."""
    if not name:
        return None
    text = compact(expand_corporate_abbreviations(name))
    found = [(text.find(label), -len(label), str(c), c) for label, c in _kind_labels() if label in text]
    return min(found)[3] if found else None


_CODE_RE = re.compile(r"^([0-9]+(?:-[0-9]+)*|[IVX]+)\s*[.:]?\s*(?=\D)")


def split_code(text: str) -> tuple[str | None, str]:
    """``V.情報通信(ICT政策)`` → ("V", "情報通信(ICT政策)"); ``8-3オープン…`` → ("8-3", …)."""
    m = _CODE_RE.match(text)
    if not m:
        return None, text
    return m.group(1), text[m.end() :].strip()


@dataclass
class _CorporationNames:
    in_tables: Counter = field(default_factory=Counter)
    everywhere: Counter = field(default_factory=Counter)
    valid: bool = True


class Emitter:
    """Emits the triples of the documents of one input file as N-Triples lines, one set per
    graph: each document's named graph (its IRI is the document's) and, under ``None``, the
    default graph (document metadata). Build-wide things (merged corporations, code lists,
    law and project identities) are settled by :func:`merge` over every file's :class:`Emitted`.
    """

    def __init__(self, iris: IRIs | None = None):
        self.iris = iris or IRIs()
        self.graphs: dict[str | None, set[str]] = {None: set()}
        self._lines = self.graphs[None]
        self._current: str | None = None
        self.corporations: dict[str, _CorporationNames] = defaultdict(_CorporationNames)
        self.unknown_codes: list[tuple[str, int | None, str]] = []
        #: law IRIs keyed by name (no 法令ID known to this file) → compact name
        self.law_names: dict[str, str] = {}
        #: compact law name → the law's IRI by 法令ID
        self.law_ids: dict[str, str] = {}
        #: RS-CSV project IRI → the legacy IRI of the same sheet (旧事業番号 of the same year)
        self.project_aliases: dict[str, str] = {}

    @property
    def current(self) -> str | None:
        return self._current

    @current.setter
    def current(self, graph: str | None) -> None:
        self._current = None if graph is None else str(graph)
        self._lines = self.graphs.setdefault(self._current, set())

    def emitted(self) -> "Emitted":
        return Emitted(
            graphs=self.graphs,
            corporations=dict(self.corporations),
            unknown_codes=self.unknown_codes,
            law_names=self.law_names,
            law_ids=self.law_ids,
            project_aliases=self.project_aliases,
        )

    # ----------------------------------------------------------------- helpers
    def put(self, triple) -> None:
        """Add to the current document's graph."""
        self._lines.add(nt.line(*triple))

    def add(self, s, p, o) -> None:
        if o is None:
            return
        self.put((s, p, o))

    def text(self, s, p, value: str | None) -> None:
        if value:
            self.put((s, p, ja(value)))

    def source(self, node: URIRef, line: int | None, d: URIRef) -> None:
        """Where a record was read: its document and line."""
        self.add(node, KG.sourceLine, integer(line) if line else None)
        self.add(node, PROV.wasDerivedFrom, d)

    def amount(self, s, p, value: Decimal | None) -> None:
        if value is not None:
            self.put((s, p, dec(value)))

    def record(self, record, doc: Document) -> None:
        """Emit one record a mapper read from ``doc``."""
        if isinstance(record, ReviewSheet):
            self.review_sheet(record, doc)
        elif isinstance(record, PreAnalysis):
            self.pre_analysis(record, doc)
        else:
            raise TypeError(f"no emitter for {type(record).__name__}")

    # ----------------------------------------------------------------- documents
    def document(self, doc: Document) -> URIRef:
        """The document's node (in the default graph); what follows goes to its named graph."""
        d = self.iris.document(doc.sha256)
        self.current = None
        self.add(d, RDF.type, KG.SourceDocument)
        self.add(d, RDF.type, PROV.Entity)
        self.add(d, DCTERMS.title, plain(doc.path.name))
        self.add(d, KG.sha256, plain(doc.sha256))
        self.add(d, KG.layout, plain(doc.layout))
        self.add(d, DCTERMS.format, plain(doc.media_type))
        self.current = d
        return d

    def ministry(self, m) -> URIRef:
        node = self.iris.ministry(m)
        self.add(node, RDF.type, KG.Ministry)
        self.add(node, RDF.type, ORG.FormalOrganization)
        self.add(node, RDFS.label, ja(m.name))
        for a in m.abbreviations[1:]:
            self.add(node, SKOS.altLabel, ja(a))
        return node

    def unit(self, m, cls, *names: str) -> URIRef:
        node = self.iris.unit(m, *names)
        self.add(node, RDF.type, cls)
        self.add(node, RDF.type, ORG.OrganizationalUnit)
        self.add(node, RDFS.label, ja(names[-1]))
        parent = self.iris.unit(m, *names[:-1]) if len(names) > 1 else self.iris.ministry(m)
        self.add(node, ORG.unitOf, parent)
        return node

    def rs_project(self, sheet: ReviewSheet) -> URIRef:
        """The node of an RS-system sheet: (sheet year, 予算事業ID)."""
        node = self.iris.rs_project(sheet.sheet_year, sheet.rs_id)
        self.add(node, RDF.type, KG.Project)
        self.add(node, KG.sheetYear, integer(sheet.sheet_year))
        self.add(node, KG.budgetProjectId, plain(sheet.rs_id))
        self.add(node, DCTERMS.identifier, plain(f"{sheet.sheet_year}-RS-{sheet.rs_id}"))
        if sheet.ministry is not None:
            self.add(node, KG.ministry, self.ministry(sheet.ministry))
        return node

    def project_stub(self, pn) -> URIRef:
        """The node of a project in one sheet year (also for sheets not in the input)."""
        node = self.iris.project(pn)
        self.add(node, RDF.type, KG.Project)
        self.add(node, KG.sheetYear, integer(pn.year))
        self.add(node, KG.serialNumber, plain(pn.serial))
        self.add(node, KG.ministry, self.ministry(pn.ministry))
        return node

    # ----------------------------------------------------------------- review sheets
    def review_sheet(self, sheet: ReviewSheet, doc: Document) -> URIRef:
        d = self.document(doc)
        if sheet.rs_id is not None:
            p = self.rs_project(sheet)
        else:
            p = self.project_stub(sheet.number)
            self.add(p, DCTERMS.identifier, plain(sheet.number.display()))
            self.add(p, KG.projectCode, plain(sheet.number.code))
            self.add(p, KG.isNewProject, boolean(sheet.number.is_new))
        self.add(d, KG.describes, p)
        self.add(p, PROV.wasDerivedFrom, d)
        self.text(p, RDFS.label, sheet.name)
        self.text(p, KG.sheetKind, sheet.sheet_kind)
        if sheet.rs_id is None:
            self.add(p, KG.sourceLine, integer(sheet.line) if sheet.line else None)
        else:  # an RS file's row lines belong to its parts, not to the project
            self.rs_parts(p, sheet, doc, d)
        if sheet.bureau:
            bureau = self.unit(sheet.ministry, KG.Bureau, sheet.bureau)
            self.add(p, KG.bureau, bureau)
            if sheet.division:
                self.add(p, KG.division, self.unit(sheet.ministry, KG.Division, sheet.bureau, sheet.division))
        elif sheet.division:
            self.add(p, KG.division, self.unit(sheet.ministry, KG.Division, sheet.division))
        self.text(p, KG.responsibleOfficial, sheet.official)
        if sheet.start_year:
            self.add(p, KG.startFiscalYear, integer(sheet.start_year))
        if sheet.end_year:
            self.add(p, KG.endFiscalYear, integer(sheet.end_year))
        if sheet.end_year_undecided:
            self.add(p, KG.endUndecided, boolean(True))
        self.text(p, KG.accountType, sheet.account)
        self.text(p, KG.legalBasisText, sheet.legal_basis_text)
        for i, lb in enumerate(sheet.legal_bases, 1):
            node = self.iris.legal_basis(p, i)
            if lb.law_id:
                law = self.iris.law_by_id(lb.law_id)
                self.law_ids[compact(lb.law)] = str(law)
                self.add(law, KG.lawId, plain(compact(lb.law_id)))
            else:
                law = self.iris.law(lb.law)
                self.law_names[str(law)] = compact(lb.law)
            self.add(law, RDF.type, KG.Law)
            self.text(law, RDFS.label, lb.law)
            self.text(law, KG.lawNumber, lb.law_number)
            self.add(p, KG.legalBasis, node)
            self.add(node, RDF.type, KG.LegalBasis)
            self.add(node, KG.law, law)
            for prop, value in ((KG.article, lb.article), (KG.paragraph, lb.paragraph), (KG.item, lb.item)):
                if value:
                    self.add(node, prop, plain(value))
            self.text(node, KG.provisionText, lb.text)
            self.text(node, RDFS.label, f"{lb.law}{lb.provision}")
            self.add(node, KG.sourceLine, integer(lb.line) if lb.line else None)
        self.text(p, KG.plansText, sheet.plans_text)
        for plan in sheet.plans:
            node = self.iris.plan(plan.name)
            self.add(node, RDF.type, KG.Plan)
            self.text(node, RDFS.label, plan.name)
            if plan.date:
                self.add(node, KG.decisionDate, date_literal(plan.date))
            self.text(node, KG.decidedBy, plan.body)
            self.add(node, SCHEMA.url, uri_literal(plan.url) if plan.url else None)
            self.add(p, KG.citesPlan, node)
        self.text(p, KG.majorPolicy, sheet.major_policy)
        self.text(p, KG.majorExpense, sheet.major_expense)
        policy = self.policy_node(KG.Policy, self.iris.policy, sheet.ministry, sheet.policy) if sheet.ministry else None
        measure = self.policy_node(KG.Measure, self.iris.measure, sheet.ministry, sheet.measure) if sheet.ministry else None
        self.add(p, KG.policy, policy)
        self.add(p, KG.measure, measure)
        if measure is not None:
            self.add(measure, KG.policy, policy)
        if sheet.policy_url:
            self.add(p, KG.policyEvaluationURL, uri_literal(sheet.policy_url))
        self.text(p, KG.purpose, sheet.purpose)
        self.text(p, KG.currentIssues, sheet.current_issues)
        self.text(p, KG.overview, sheet.overview)
        for method in sheet.methods:
            concept = concept_for(method, "implementation-method")
            if concept is None:
                self.unknown_codes.append((str(doc.path), sheet.line, f"実施方法 {method!r}"))
                self.text(p, KG.implementationMethodText, method)
            else:
                self.add(p, KG.implementationMethod, concept)
        self.text(p, KG.subsidyRate, sheet.subsidy_rate)
        self.budgets(p, sheet.budgets, d)
        for i, bl in enumerate(sheet.budget_lines, 1):
            node = self.iris.budget_line(p, bl.fiscal_year, i)
            self.add(p, KG.budgetLine, node)
            self.add(node, RDF.type, KG.BudgetLine)
            self.add(node, KG.fiscalYear, integer(bl.fiscal_year))
            self.add(node, KG.isRequest, boolean(bl.request))
            self.text(node, RDFS.label, bl.item)
            self.amount(node, KG.amount, bl.amount)
            self.text(node, KG.budgetType, bl.budget_type)
            self.text(node, KG.account, " / ".join(bl.account) if bl.account else None)
            self.text(node, KG.budgetClassification, " / ".join(bl.classification) if bl.classification else None)
            self.amount(node, KG.nextYearRequest, bl.next_year_request)
            self.text(node, KG.note, bl.note)
            self.source(node, bl.line, d)
        self.indicators(p, sheet.indicators)
        for i, c in enumerate(sheet.checks, 1):
            node = self.iris.check(p, i)
            self.add(p, KG.check, node)
            self.add(node, RDF.type, KG.Check)
            self.text(node, KG.checkCategory, c.category)
            self.text(node, RDFS.label, c.item)
            self.text(node, KG.evaluation, c.evaluation)
            self.text(node, KG.explanation, c.explanation)
            self.add(node, KG.sourceLine, integer(c.line) if c.line else None)
        self.text(p, KG.expertOpinion, sheet.expert_opinion)
        chain, chain_year = [p], sheet.sheet_year
        for _fy, pn in sorted(sheet.past_numbers, key=lambda x: -x[1].year):
            past = self.project_stub(pn)
            self.add(past, DCTERMS.identifier, plain(pn.display()))
            self.add(past, KG.projectCode, plain(pn.code))
            self.add(p, KG.pastSheet, past)
            if pn.year < chain_year:
                # lineage: newest → oldest, one step a year (as far as the sheet lists them)
                self.add(chain[-1], KG.previousSheet, past)
                chain.append(past)
                chain_year = pn.year
        self.fund_flow(p, sheet, doc, d)
        return p

    def policy_node(self, cls, iri, m, text: str | None) -> URIRef | None:
        """A policy (政策) or measure (施策) of a ministry from ``V.情報通信(ICT政策)``:
        keyed by its name, the leading code kept as ``kg:code``."""
        if not text:
            return None
        code, name = split_code(text)
        node = iri(m, name)
        self.add(node, RDF.type, cls)
        self.text(node, RDFS.label, name)
        self.add(node, KG.code, plain(code) if code else None)
        self.add(node, KG.ministry, self.ministry(m))
        return node

    def budgets(self, p: URIRef, budgets, d: URIRef) -> None:
        for b in budgets:
            node = self.iris.budget(p, b.fiscal_year, b.request)
            self.add(p, KG.budgetRecord, node)
            self.add(node, RDF.type, KG.BudgetRecord)
            self.add(node, KG.fiscalYear, integer(b.fiscal_year))
            self.add(node, KG.isRequest, boolean(b.request))
            self.budget_figures(node, b, d)

    def budget_figures(self, node: URIRef, b, d: URIRef) -> None:
        """The amounts, rates and notes of one budget row (a year's total or one account's)."""
        for prop, value in (
            (KG.initialBudget, b.initial),
            (KG.supplementaryBudget, b.supplementary),
            (KG.carriedOverIn, b.carried_in),
            (KG.carriedOverOut, b.carried_out),
            (KG.reserveFund, b.reserve),
            (KG.budgetTotal, b.total),
            (KG.executedAmount, b.executed),
            (KG.executionRatePercent, b.execution_rate),
            (KG.executionRateOfInitialAndSupplementaryPercent, b.execution_rate_initial_supplementary),
            (KG.nextYearRequest, b.next_year_request),
            (KG.requestedAmount, b.requested),
        ):
            self.amount(node, prop, value)
        if b.supplementary_derived:
            self.add(node, KG.supplementaryBudgetDerived, boolean(True))
        self.text(node, KG.changeReason, b.reason)
        self.text(node, KG.note, b.note)
        self.source(node, b.line, d)

    def indicators(self, p: URIRef, indicators) -> None:
        for i, ind in enumerate(indicators, 1):
            node = self.iris.indicator(p, ind.key or ind.number or i)
            self.add(p, KG.indicator, node)
            self.text(node, KG.dataSource, ind.basis)
            self.text(node, KG.improvementDirection, ind.direction)
            self.add(node, RDF.type, KG.Indicator)
            self.add(node, KG.indicatorKind, plain(ind.kind))
            self.text(node, RDFS.label, ind.name)
            self.text(node, KG.unit, ind.unit)
            self.text(node, KG.goalText, ind.goal)
            self.add(node, KG.sourceLine, integer(ind.line) if ind.line else None)
            seen: Counter = Counter()
            for v in ind.values:
                key = v.fiscal_year if v.fiscal_year is not None else compact(v.label) or "x"
                seen[(v.kind, key)] += 1
                suffix = key if seen[(v.kind, key)] == 1 else f"{key}-{seen[(v.kind, key)]}"
                vn = self.iris.indicator_value(node, v.kind, str(suffix).replace("/", "-"))
                self.add(node, KG.indicatorValue, vn)
                self.add(vn, RDF.type, KG.IndicatorValue)
                self.add(vn, KG.valueKind, plain(v.kind))
                if v.fiscal_year is not None:
                    self.add(vn, KG.fiscalYear, integer(v.fiscal_year))
                self.text(vn, KG.columnLabel, v.label)
                self.amount(vn, KG.numericValue, v.value)
                self.text(vn, KG.textValue, v.text)

    def fund_flow(self, p: URIRef, sheet: ReviewSheet, doc: Document, d: URIRef) -> None:
        by_block: dict[str, list[Expenditure]] = defaultdict(list)
        for e in sheet.expenditures:
            by_block[e.block].append(e)
        letters = sorted({b.letter for b in sheet.blocks} | set(by_block))
        blocks = {b.letter: b for b in sheet.blocks}
        for letter in letters:
            node = self.iris.block(p, letter)
            self.add(p, KG.fundFlowBlock, node)
            self.add(node, RDF.type, KG.FundFlowBlock)
            self.add(node, KG.blockLetter, plain(letter))
            b = blocks.get(letter)
            if b is None:
                continue
            self.text(node, RDFS.label, b.name)
            self.amount(node, KG.amount, b.amount)
            self.text(node, KG.role, b.role)
            self.contract_method(node, b.contract_method, doc, b.line)
            self.amount(node, KG.expenseItemsTotal, b.items_total)
            self.add(node, KG.sourceLine, integer(b.line) if b.line else None)
            for i, item in enumerate(b.items, 1):
                inode = self.iris.expense_item(p, letter, i)
                self.add(node, KG.expenseItem, inode)
                self.add(inode, RDF.type, KG.ExpenseItem)
                self.text(inode, KG.expenseCategory, item.category)
                self.text(inode, KG.use, item.use)
                self.amount(inode, KG.amount, item.amount)
                self.add(inode, KG.sourceLine, integer(item.line) if item.line else None)
            # the name on a 費目・使途 block is its largest recipient: link it and keep the spelling
            rows = by_block.get(letter, [])
            if b.name and rows and sheet.rs_id is None:
                wanted = expand_corporate_abbreviations(b.name)
                match = next((e for e in rows if expand_corporate_abbreviations(e.recipient) == wanted), None)
                match = match or min(rows, key=lambda e: e.rank)
                if match.corporate_number is not None:
                    names = self.corporations[match.corporate_number.digits]
                    names.everywhere[b.name] += 1
                    self.add(node, KG.largestRecipient, self.iris.corporation(match.corporate_number.digits))
        for e in sheet.expenditures:
            self.expenditure(p, e, doc, d)

    def contract_method(self, node: URIRef, text: str | None, doc: Document, line: int | None) -> None:
        if not text:
            return
        self.text(node, KG.contractMethodText, text)
        concept = concept_for(text, "contract-method")
        if concept is None:
            self.unknown_codes.append((str(doc.path), line, f"契約方式 {text!r}"))
        self.add(node, KG.contractMethod, concept)

    def expenditure(self, p: URIRef, e: Expenditure, doc: Document, d: URIRef) -> None:
        node = self.iris.expenditure(p, e.block, e.rank)
        self.add(node, RDF.type, KG.Expenditure)
        self.add(node, KG.project, p)
        self.add(node, KG.block, self.iris.block(p, e.block))
        self.add(node, KG.rank, integer(e.rank))
        self.text(node, KG.recipientName, e.recipient)
        self.text(node, KG.summary, e.summary)
        self.amount(node, KG.amount, e.amount)
        self.contract_method(node, e.contract_method, doc, e.line)
        if e.bidders is not None:
            self.add(node, KG.bidderCount, integer(e.bidders))
        self.amount(node, KG.awardRatePercent, e.award_rate)
        self.text(node, KG.reason, e.reason)
        self.source(node, e.line, d)
        self.text(node, KG.location, e.location)
        self.add(node, KG.corporationTypeCode, plain(e.kind_code) if e.kind_code else None)
        self.add(node, KG.isOtherRecipients, boolean(e.is_other) if e.is_other is not None else None)
        for i, c in enumerate(e.contracts, 1):
            cn = URIRef(f"{node}/contract/{i}")
            self.add(node, KG.contract, cn)
            self.contract(cn, c, p, doc, d)
        if e.corporate_number is not None:
            digits = e.corporate_number.digits
            corp = self.iris.corporation(digits)
            self.corporation_seen(e.corporate_number, e.recipient, in_table=True)
            self.add(node, KG.recipient, corp)
            self.add(node, KG.recipientKind, corporation_kind_by_code(e.kind_code) or corporation_kind(e.recipient))
        else:
            rec = self.iris.unnumbered_recipient(p, e.block, e.rank)
            self.add(rec, RDF.type, KG.Recipient)
            self.text(rec, RDFS.label, e.recipient)
            self.add(rec, KG.corporateNumberText, plain(e.corporate_number_text) if e.corporate_number_text else None)
            self.add(node, KG.recipient, rec)

    # ----------------------------------------------------------------- RS-system parts
    def rs_parts(self, p: URIRef, sheet: ReviewSheet, doc: Document, d: URIRef) -> None:
        """What only RS CSV files carry: the full organisation, category, subsidies, related
        projects, account budgets, the effect path, block-to-block flow, 費目・使途 of every
        recipient, multi-year contracts, remarks and 旧事業番号."""
        m = sheet.ministry
        if m is not None and sheet.units:
            self.add(p, KG.bureau, self.unit_chain(m, sheet.units))
            if len(sheet.units) > 1:
                self.add(p, KG.division, self.iris.unit(m, *sheet.units))
        for other in sheet.other_units:
            om = ministry_of(other[0]) or m
            if om is not None and other[1:]:
                self.unit_chain(om, other[1:])
                self.add(p, KG.otherResponsibleUnit, self.iris.unit(om, *other[1:]))
        if m is None:
            self.text(p, KG.ministryText, sheet.ministry_text)
        self.text(p, KG.projectCategory, sheet.category)
        if sheet.overview_url:
            self.add(p, KG.overviewURL, uri_literal(sheet.overview_url))
        if sheet.start_year_unknown:
            self.add(p, KG.startYearUnknown, boolean(True))
        for remark in sheet.remarks:
            self.text(p, KG.remarks, remark)
        for s in sheet.subsidies:
            node = URIRef(f"{p}/subsidy/{s.number}")
            self.add(p, KG.subsidy, node)
            self.add(node, RDF.type, KG.Subsidy)
            self.text(node, KG.subsidyTarget, s.target)
            self.text(node, KG.subsidyRate, s.rate)
            self.text(node, KG.subsidyCap, s.cap)
            self.add(node, SCHEMA.url, uri_literal(s.url) if s.url else None)
            self.source(node, s.line, d)
        for r in sheet.related:
            node = URIRef(f"{p}/related/{r.number}")
            self.add(p, KG.projectRelation, node)
            self.add(node, RDF.type, KG.ProjectRelation)
            self.text(node, KG.relationType, r.relation)
            self.text(node, RDFS.label, r.name)
            if r.project_id:
                self.add(node, KG.relatedProject, self.iris.rs_project(sheet.sheet_year, r.project_id))
            self.source(node, r.line, d)
        for i, b in enumerate(sheet.account_budgets, 1):
            node = URIRef(f"{self.iris.budget(p, b.fiscal_year)}/account/{i}")
            self.add(p, KG.accountBudget, node)
            self.add(node, RDF.type, KG.AccountBudget)
            self.add(node, KG.fiscalYear, integer(b.fiscal_year))
            self.text(node, KG.account, " / ".join(b.account))
            self.budget_figures(node, b, d)
        keys = {ind.key: self.iris.indicator(p, ind.key) for ind in sheet.indicators if ind.key}
        for link in sheet.indicator_links:
            source = keys.get(link.source) or self.iris.indicator(p, link.source)
            target = keys.get(link.target) or self.iris.indicator(p, link.target)
            self.add(source, KG.leadsTo, target)
            self.text(target, KG.pathNote, link.note)
        for f in sheet.flows:
            target = self.iris.block(p, f.target)
            self.add(p, KG.fundFlowBlock, target)
            self.add(target, RDF.type, KG.FundFlowBlock)
            self.add(target, KG.blockLetter, plain(f.target))
            if f.source is None:
                self.add(p, KG.fundsBlock, target)
            else:
                source = self.iris.block(p, f.source)
                self.add(p, KG.fundFlowBlock, source)
                self.add(source, RDF.type, KG.FundFlowBlock)
                self.add(source, KG.blockLetter, plain(f.source))
                self.add(source, KG.paysBlock, target)
            self.text(target, KG.flowNote, f.note)
            self.text(p, KG.indirectCostItem, f.indirect_cost)
            self.amount(p, KG.indirectCostAmount, f.indirect_amount)
        counts: Counter = Counter()
        for letter, item in sheet.expense_items:
            counts[letter] += 1
            block = self.iris.block(p, letter)
            inode = self.iris.expense_item(p, letter, counts[letter])
            self.add(p, KG.fundFlowBlock, block)
            self.add(block, RDF.type, KG.FundFlowBlock)
            self.add(block, KG.blockLetter, plain(letter))
            self.add(block, KG.expenseItem, inode)
            self.add(inode, RDF.type, KG.ExpenseItem)
            self.text(inode, KG.expenseCategory, item.category)
            self.text(inode, KG.use, item.use)
            self.amount(inode, KG.amount, item.amount)
            self.text(inode, KG.recipientName, item.recipient)
            self.text(inode, KG.summary, item.contract)
            self.source(inode, item.line, d)
            if item.corporate_number is not None and item.recipient:
                self.corporation_seen(item.corporate_number, item.recipient, in_table=False)
                self.add(inode, KG.recipient, self.iris.corporation(item.corporate_number.digits))
        for i, c in enumerate(sheet.contracts, 1):
            node = URIRef(f"{p}/contract/{i}")
            self.add(p, KG.multiYearContract, node)
            self.contract(node, c, p, doc, d)
        chain, chain_year = [p], sheet.sheet_year
        for pn in sorted(sheet.old_numbers, key=lambda n: -(n.year or sheet.sheet_year - 1)):
            if pn.year is None:  # a number without its year: the sheet of the year before
                pn = ProjectNumber(sheet.sheet_year - 1, pn.ministry, pn.code, pn.serial)
            legacy = self.project_stub(pn)
            self.add(legacy, DCTERMS.identifier, plain(pn.display()))
            self.add(legacy, KG.projectCode, plain(pn.code))
            if pn.year == sheet.sheet_year:
                self.project_aliases[str(p)] = str(legacy)  # the same sheet: merge() joins the two nodes
                continue
            self.add(p, KG.pastSheet, legacy)
            if pn.year < chain_year:
                self.add(chain[-1], KG.previousSheet, legacy)
                chain.append(legacy)
                chain_year = pn.year

    def unit_chain(self, m, names: tuple[str, ...]) -> URIRef:
        """局・庁 → 部 → 課 → 室 …: the first a bureau, each further one a division of the one
        before. Returns the bureau."""
        self.ministry(m)
        for i in range(len(names)):
            self.unit(m, KG.Bureau if i == 0 else KG.Division, *names[: i + 1])
        return self.iris.unit(m, names[0])

    def contract(self, node: URIRef, c, p: URIRef, doc: Document, d: URIRef) -> None:
        self.add(node, RDF.type, KG.Contract)
        self.add(node, KG.project, p)
        self.text(node, KG.summary, c.summary)
        self.amount(node, KG.amount, c.amount)
        self.contract_method(node, c.contract_method, doc, c.line)
        self.text(node, KG.specificContractMethod, c.specific_method)
        if c.bidders is not None:
            self.add(node, KG.bidderCount, integer(c.bidders))
        self.amount(node, KG.awardRatePercent, c.award_rate)
        self.text(node, KG.reason, c.reason)
        self.text(node, KG.otherContract, c.other)
        self.source(node, c.line, d)
        if c.multi_year:
            self.add(node, KG.isMultiYear, boolean(True))
            if c.block:
                self.add(node, KG.block, self.iris.block(p, c.block))
            self.text(node, KG.recipientName, c.recipient)
            self.text(node, KG.location, c.location)
            self.add(node, KG.corporationTypeCode, plain(c.kind_code) if c.kind_code else None)
            if c.corporate_number is not None and c.recipient:
                self.corporation_seen(c.corporate_number, c.recipient, in_table=True)
                self.add(node, KG.recipient, self.iris.corporation(c.corporate_number.digits))
            elif c.recipient:  # no (valid) 法人番号: a recipient of this contract only, as for 5-1 rows
                rec = self.iris.contract_recipient(node)
                self.add(rec, RDF.type, KG.Recipient)
                self.text(rec, RDFS.label, c.recipient)
                self.add(rec, KG.corporateNumberText, plain(c.corporate_number_text) if c.corporate_number_text else None)
                self.add(node, KG.recipient, rec)

    def corporation_seen(self, number, name: str, in_table: bool) -> None:
        names = self.corporations[number.digits]
        if in_table:
            names.in_tables[name] += 1
        names.everywhere[name] += 1
        names.valid = names.valid and number.valid

    # ----------------------------------------------------------------- pre-analysis
    def pre_analysis(self, pa: PreAnalysis, doc: Document) -> URIRef:
        d = self.document(doc)
        mi = self.ministry(pa.ministry)
        m = self.iris.measure_by_code(pa.code)
        self.add(d, KG.describes, m)
        self.add(m, PROV.wasDerivedFrom, d)
        self.add(m, RDF.type, KG.Measure)
        self.add(m, KG.code, plain(pa.code))
        self.text(m, RDFS.label, pa.name)
        self.add(m, KG.ministry, mi)
        self.add(m, KG.fiscalYear, integer(pa.year))
        if pa.bureau:
            self.add(m, KG.bureau, self.unit(pa.ministry, KG.Bureau, pa.bureau))
        self.text(m, KG.responsibleOfficial, pa.official)
        self.text(m, KG.overview, pa.overview)
        self.text(m, KG.plansText, pa.plans_text)
        self.add(m, KG.sourceLine, integer(pa.line) if pa.line else None)
        self.budgets(m, pa.budgets, d)
        for goal in pa.goals:
            gn = self.iris.goal(m, goal.number)
            self.add(m, KG.goal, gn)
            self.add(gn, RDF.type, KG.Goal)
            self.add(gn, KG.goalNumber, integer(goal.number))
            self.text(gn, RDFS.label, f"達成目標{goal.number}")
            self.text(gn, KG.goalText, goal.text)
            self.text(gn, KG.rationale, goal.rationale)
            self.add(gn, KG.sourceLine, integer(goal.line) if goal.line else None)
            for rn in goal.review_numbers:
                proj = self.project_stub(ProjectNumber(pa.year, pa.ministry, "", rn))
                self.add(gn, KG.relatedProject, proj)
            self.indicators(gn, goal.indicators)
        for i, mn in enumerate(pa.means, 1):
            node = self.iris.means(m, i)
            self.add(m, KG.means, node)
            self.add(node, RDF.type, KG.Means)
            self.text(node, RDFS.label, mn.name)
            self.add(node, KG.startFiscalYear, integer(mn.start_year) if mn.start_year else None)
            if mn.part_of_larger:
                self.add(node, KG.partOfLargerBudget, boolean(True))
            self.source(node, mn.line, d)
            self.budgets(node, mn.budgets, d)
        return m



    # ----------------------------------------------------------------- corporations
    def finish(self) -> None:
        """Add the merged corporations and the code lists the data refers to."""
        self.current = None
        for triple in code_list_graph():
            self.put(triple)
        for digits, names in sorted(self.corporations.items()):
            corp = self.iris.corporation(digits)
            self.add(corp, RDF.type, KG.Corporation)
            self.add(corp, RDF.type, ROV.RegisteredOrganization)
            self.add(corp, KG.corporateNumber, plain(digits))
            self.add(corp, KG.corporateNumberValid, boolean(names.valid))
            ranked = sorted(
                names.everywhere,
                key=lambda n: (-names.in_tables[n], -names.everywhere[n], len(n), n),
            )
            self.add(corp, SKOS.prefLabel, ja(ranked[0]))
            self.add(corp, KG.corporationKind, corporation_kind(ranked[0]))
            self.add(corp, RDFS.label, ja(ranked[0]))
            for alt in ranked[1:]:
                self.add(corp, SKOS.altLabel, ja(alt))


@dataclass
class Emitted:
    """What the documents of one input file contribute to a build (picklable, so it can be
    cached per file and made in another process)."""

    graphs: dict[str | None, set[str]]
    corporations: dict[str, _CorporationNames]
    unknown_codes: list[tuple[str, int | None, str]]
    law_names: dict[str, str] = field(default_factory=dict)
    law_ids: dict[str, str] = field(default_factory=dict)
    project_aliases: dict[str, str] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return sum(len(lines) for lines in self.graphs.values())


_IRI_RE = re.compile(r"<([^>]*)>")


def _rewrite(lines: set[str], mapping: dict[str, str], marker: str) -> set[str]:
    """Lines with every IRI in ``mapping`` (or under it, ``iri/…``) replaced by its target."""
    if not mapping:
        return lines

    def repl(m: re.Match) -> str:
        iri = m.group(1)
        if iri in mapping:
            return f"<{mapping[iri]}>"
        head, sep, tail = iri.partition("/" + marker)
        if sep:
            root, slash, rest = tail.partition("/")
            key = head + sep + root
            if key in mapping:
                return f"<{mapping[key]}{slash}{rest}>"
        return m.group(0)

    out = set()
    for line in lines:
        out.add(_IRI_RE.sub(repl, line) if marker in line else line)
    return out


def merge(parts: list[Emitted], iris: IRIs | None = None) -> dict[str | None, set[str]]:
    """The graphs of a build from every file's :class:`Emitted`: one law node per 法令ID (laws
    cited by name only join it when some file gives the name's ID), one project node when an
    RS-CSV sheet names its own legacy 事業番号, and in the default graph the code lists and
    one node per 法人番号 with every spelling."""
    iris = iris or IRIs()
    law_ids: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for part in parts:
        law_ids.update(part.law_ids)
        aliases.update(part.project_aliases)
    laws = {iri: law_ids[name] for part in parts for iri, name in part.law_names.items() if name in law_ids}
    # an RS sheet joining its legacy node keeps the legacy 事業番号 and name
    dropped = tuple(f"<{rs}> <{prop}> " for rs in aliases for prop in (DCTERMS.identifier, RDFS.label))
    graphs: dict[str | None, set[str]] = {None: set()}
    for part in parts:
        for name, lines in part.graphs.items():
            if dropped:
                lines = {line for line in lines if not line.startswith(dropped)}
            lines = _rewrite(_rewrite(lines, laws, "law/"), aliases, "project/")
            graphs.setdefault(name, set()).update(lines)
    corporations: dict[str, _CorporationNames] = defaultdict(_CorporationNames)
    for part in parts:
        for digits, names in part.corporations.items():
            merged = corporations[digits]
            merged.in_tables.update(names.in_tables)
            merged.everywhere.update(names.everywhere)
            merged.valid = merged.valid and names.valid
    finish = Emitter(iris)
    finish.corporations = corporations
    finish.finish()
    graphs[None] |= finish.graphs[None]
    graphs[None] |= same_project_lines(graphs)
    return graphs


def same_project_lines(graphs: dict[str | None, set[str]]) -> set[str]:
    """``kg:sameProjectAs`` between every two sheets of one lineage, each sheet with itself too:
    the reflexive, symmetric and transitive closure of ``kg:pastSheet`` over the whole build.
    It spans files, and it lets a query reach a project's other years with one triple pattern
    instead of a ``(kg:pastSheet|^kg:pastSheet)*`` path, which stores may expand from every node."""
    import networkx as nx

    typed = f" <{RDF.type}> <{KG.Project}> ."
    past = f" <{KG.pastSheet}> "
    lineage = nx.Graph()
    for lines in graphs.values():
        for line in lines:
            if line.endswith(typed):
                lineage.add_node(line[: line.index(" ")])
            elif past in line:
                s, _, o = line[:-2].partition(past)
                lineage.add_edge(s, o.strip())
    same = f" <{KG.sameProjectAs}> "
    return {f"{a}{same}{b} ." for part in nx.connected_components(lineage) for a in part for b in part}


def union(graphs: dict[str | None, set[str]]) -> set[str]:
    out: set[str] = set()
    for lines in graphs.values():
        out |= lines
    return out


def quad_lines(graphs: dict[str | None, set[str]]) -> set[str]:
    """N-Quads lines of the default graph and one named graph per document."""
    out = set()
    for name, lines in graphs.items():
        if name is None:
            out |= lines
        else:
            out.update(f"{line[:-2]} <{name}> ." for line in lines)
    return out


def sorted_nquads(graphs: dict[str | None, set[str]]) -> bytes:
    """N-Quads of the default graph and one named graph per document, sorted: byte-identical."""
    return nt.sorted_bytes(quad_lines(graphs))

