"""A record a mapper read → its triples: the passes of a review sheet, in the order of
the docs/graph/model.md "The graph", and the 事前分析表."""

from __future__ import annotations

from rdflib import URIRef

from ..model import Document, PreAnalysis, ReviewSheet
from . import budgets, fund_flow, indicators, organisations, policy, preanalysis, projects, scale
from .sink import Sink, document


def emit(out: Sink, record, doc: Document) -> URIRef:
    """Write one record read from ``doc`` into the document's named graph; returns its node."""
    d = document(out, doc)
    if isinstance(record, ReviewSheet):
        return review_sheet(out, record, doc, d)
    if isinstance(record, PreAnalysis):
        return preanalysis.pre_analysis(out, record, d)
    raise TypeError(f"no emitter for {type(record).__name__}")


def review_sheet(out: Sink, sheet: ReviewSheet, doc: Document, d: URIRef) -> URIRef:
    """A 行政事業レビューシート (a whole legacy sheet, or one RS file's part of a sheet)."""
    out.sheet_year = sheet.sheet_year
    p = projects.project(out, sheet, d)
    organisations.responsible_units(out, p, sheet)
    projects.facts(out, p, sheet, doc)
    projects.topics(out, p, sheet)
    policy.legal_bases(out, p, sheet)
    policy.plans(out, p, sheet)
    policy.policy_and_measure(out, p, sheet)
    budgets.budgets(out, p, sheet.budgets, d)
    budgets.account_budgets(out, p, sheet.account_budgets, d)
    budgets.budget_lines(out, p, sheet.budget_lines, d)
    budgets.subsidies(out, p, sheet.subsidies, d)
    indicators.indicators(out, p, sheet.indicators)
    indicators.effect_path(out, p, sheet.indicator_links)
    projects.checks(out, p, sheet)
    projects.related(out, p, sheet, d)
    projects.lineage(out, p, sheet.sheet_year, [pn for _, pn in sheet.past_numbers], sheet.old_numbers)
    fund_flow.fund_flow(out, p, sheet, doc, d)
    scale.settle_sheet(out, p, sheet)
    return p
