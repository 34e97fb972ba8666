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
from .iris import KG, KGC, ROV, IRIs
from .model import Document, Expenditure, PreAnalysis, ReviewSheet
from .normalize import (
    PartialDate,
    ProjectNumber,
    compact,
    expand_corporate_abbreviations,
)

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
VOCABULARY_FILES = ("code-lists.ttl", "topics.ttl")


ja = nt.lang
dec = nt.decimal
integer = nt.integer
boolean = nt.boolean
plain = nt.plain


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
def _kind_labels() -> tuple[tuple[str, URIRef], ...]:
    return tuple((label, c) for (scheme, label), c in sorted(code_lists().items()) if scheme == "corporation-kind")


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
        p = self.project_stub(sheet.number)
        self.add(d, KG.describes, p)
        self.add(p, PROV.wasDerivedFrom, d)
        self.add(p, DCTERMS.identifier, plain(sheet.number.display()))
        self.add(p, KG.projectCode, plain(sheet.number.code))
        self.add(p, KG.isNewProject, boolean(sheet.number.is_new))
        self.text(p, RDFS.label, sheet.name)
        self.text(p, KG.sheetKind, sheet.sheet_kind)
        self.add(p, KG.sourceLine, integer(sheet.line) if sheet.line else None)
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
            law = self.iris.law(lb.law)
            self.law_names[str(law)] = compact(lb.law)
            self.add(law, RDF.type, KG.Law)
            self.text(law, RDFS.label, lb.law)
            self.add(p, KG.legalBasis, node)
            self.add(node, RDF.type, KG.LegalBasis)
            self.add(node, KG.law, law)
            for prop, value in ((KG.article, lb.article), (KG.paragraph, lb.paragraph), (KG.item, lb.item)):
                if value:
                    self.add(node, prop, plain(value))
            self.text(node, KG.provisionText, lb.text)
            self.text(node, RDFS.label, f"{lb.law}{lb.provision}")
        self.text(p, KG.plansText, sheet.plans_text)
        for plan in sheet.plans:
            node = self.iris.plan(plan.name)
            self.add(node, RDF.type, KG.Plan)
            self.text(node, RDFS.label, plan.name)
            if plan.date:
                self.add(node, KG.decisionDate, date_literal(plan.date))
            self.text(node, KG.decidedBy, plan.body)
            self.add(p, KG.citesPlan, node)
        self.text(p, KG.majorPolicy, sheet.major_policy)
        self.text(p, KG.majorExpense, sheet.major_expense)
        policy = self.policy_node(KG.Policy, self.iris.policy, sheet.ministry, sheet.policy)
        measure = self.policy_node(KG.Measure, self.iris.measure, sheet.ministry, sheet.measure)
        self.add(p, KG.policy, policy)
        self.add(p, KG.measure, measure)
        if measure is not None:
            self.add(measure, KG.policy, policy)
        if sheet.policy_url:
            self.add(p, KG.policyEvaluationURL, nt.typed(sheet.policy_url, str(XSD.anyURI)))
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
        chain, chain_year = [p], sheet.number.year
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
            ):
                self.amount(node, prop, value)
            if b.supplementary_derived:
                self.add(node, KG.supplementaryBudgetDerived, boolean(True))
            self.source(node, b.line, d)

    def indicators(self, p: URIRef, indicators) -> None:
        for i, ind in enumerate(indicators, 1):
            node = self.iris.indicator(p, ind.number or i)
            self.add(p, KG.indicator, node)
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
            if b.name and rows:
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
        if e.corporate_number is not None:
            digits = e.corporate_number.digits
            corp = self.iris.corporation(digits)
            names = self.corporations[digits]
            names.in_tables[e.recipient] += 1
            names.everywhere[e.recipient] += 1
            names.valid = names.valid and e.corporate_number.valid
            self.add(node, KG.recipient, corp)
            self.add(node, KG.recipientKind, corporation_kind(e.recipient))
        else:
            rec = self.iris.unnumbered_recipient(p, e.block, e.rank)
            self.add(rec, RDF.type, KG.Recipient)
            self.text(rec, RDFS.label, e.recipient)
            self.add(rec, KG.corporateNumberText, plain(e.corporate_number_text) if e.corporate_number_text else None)
            self.add(node, KG.recipient, rec)

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
    graphs: dict[str | None, set[str]] = {None: set()}
    for part in parts:
        for name, lines in part.graphs.items():
            lines = _rewrite(_rewrite(lines, laws, "law/"), aliases, "project/")
            target = graphs.setdefault(name, set())
            if target:
                target |= lines
            else:
                graphs[name] = set(lines)
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
    return graphs


def union(graphs: dict[str | None, set[str]]) -> set[str]:
    out: set[str] = set()
    for lines in graphs.values():
        out |= lines
    return out


def sorted_nquads(graphs: dict[str | None, set[str]]) -> bytes:
    """N-Quads of the default graph and one named graph per document, sorted: byte-identical."""
    out = set()
    for name, lines in graphs.items():
        if name is None:
            out |= lines
        else:
            out.update(f"{line[:-2]} <{name}> ." for line in lines)
    return nt.sorted_bytes(out)


def sorted_ntriples(g: Graph) -> bytes:
    """N-Triples of an rdflib graph, one triple a line, sorted: byte-identical for the same graph."""
    return nt.sorted_bytes(nt.line(s, p, o) for s, p, o in g)
