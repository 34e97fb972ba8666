"""Money before it flows: budget and execution per fiscal year (and per account), the
next year's budget lines (歳出予算目), and subsidy terms (補助率等). Amounts are exact yen."""

from __future__ import annotations

from rdflib import URIRef

from ..model import BudgetLine, BudgetYear, Subsidy
from .sink import KG, RDF, RDFS, SCHEMA, Sink, boolean, integer, uri_literal


def budgets(out: Sink, owner: URIRef, years: list[BudgetYear], d: URIRef) -> None:
    """A project's, measure's or means' budget and execution, one record per fiscal year
    (and one per year's 概算要求)."""
    for b in years:
        node = out.iris.budget(owner, b.fiscal_year, b.request)
        out.add(owner, KG.budgetRecord, node)
        out.add(node, RDF.type, KG.BudgetRecord)
        out.add(node, KG.fiscalYear, integer(b.fiscal_year))
        out.add(node, KG.isRequest, boolean(b.request))
        figures(out, node, b, d)


def account_budgets(out: Sink, p: URIRef, rows: list[BudgetYear], d: URIRef) -> None:
    """A year's budget split by account (会計区分 / 会計 / 勘定)."""
    for i, b in enumerate(rows, 1):
        node = out.iris.account_budget(p, b.fiscal_year, i)
        out.add(p, KG.accountBudget, node)
        out.add(node, RDF.type, KG.AccountBudget)
        out.add(node, KG.fiscalYear, integer(b.fiscal_year))
        out.text(node, KG.account, " / ".join(b.account))
        figures(out, node, b, d)


def figures(out: Sink, node: URIRef, b: BudgetYear, d: URIRef) -> None:
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
        out.amount(node, prop, value)
    if b.supplementary_derived:
        out.add(node, KG.supplementaryBudgetDerived, boolean(True))
    out.text(node, KG.changeReason, b.reason)
    out.text(node, KG.note, b.note)
    out.source(node, b.line, d, b.pointer)


def budget_lines(out: Sink, p: URIRef, lines: list[BudgetLine], d: URIRef) -> None:
    """The budget breakdown by item (歳出予算目), with its classification."""
    for i, bl in enumerate(lines, 1):
        node = out.iris.budget_line(p, bl.fiscal_year, i)
        out.add(p, KG.budgetLine, node)
        out.add(node, RDF.type, KG.BudgetLine)
        out.add(node, KG.fiscalYear, integer(bl.fiscal_year))
        out.add(node, KG.isRequest, boolean(bl.request))
        out.text(node, RDFS.label, bl.item)
        out.amount(node, KG.amount, bl.amount)
        out.text(node, KG.budgetType, bl.budget_type)
        out.text(node, KG.account, " / ".join(bl.account) if bl.account else None)
        out.text(node, KG.budgetClassification, " / ".join(bl.classification) if bl.classification else None)
        out.amount(node, KG.nextYearRequest, bl.next_year_request)
        out.text(node, KG.note, bl.note)
        out.source(node, bl.line, d)


def subsidies(out: Sink, p: URIRef, rows: list[Subsidy], d: URIRef) -> None:
    """補助対象, 補助率, 補助上限等."""
    for s in rows:
        node = out.iris.subsidy(p, s.number)
        out.add(p, KG.subsidy, node)
        out.add(node, RDF.type, KG.Subsidy)
        out.text(node, KG.subsidyTarget, s.target)
        out.text(node, KG.subsidyRate, s.rate)
        out.text(node, KG.subsidyCap, s.cap)
        out.add(node, SCHEMA.url, uri_literal(s.url) if s.url else None)
        out.source(node, s.line, d)
