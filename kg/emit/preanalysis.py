"""事前分析表: a measure (施策) by its code, its goals with their indicators and the review
sheets they cite, and its means (達成手段) with their budgets."""

from __future__ import annotations

from rdflib import URIRef

from ..model import PreAnalysis
from ..normalize import ProjectNumber
from .budgets import budgets
from .indicators import indicators
from .organisations import ministry, unit
from .projects import project_stub
from .sink import KG, PROV, RDF, RDFS, Sink, boolean, integer, plain


def pre_analysis(out: Sink, pa: PreAnalysis, d: URIRef) -> URIRef:
    mi = ministry(out, pa.ministry)
    m = out.iris.measure_by_code(pa.code)
    out.add(d, KG.describes, m)
    out.add(m, PROV.wasDerivedFrom, d)
    out.add(m, RDF.type, KG.Measure)
    out.add(m, KG.code, plain(pa.code))
    out.text(m, RDFS.label, pa.name)
    out.add(m, KG.ministry, mi)
    out.add(m, KG.fiscalYear, integer(pa.year))
    if pa.bureau:
        out.add(m, KG.bureau, unit(out, pa.ministry, KG.Bureau, pa.bureau))
    out.text(m, KG.responsibleOfficial, pa.official)
    out.text(m, KG.overview, pa.overview)
    out.text(m, KG.plansText, pa.plans_text)
    out.line(m, pa.line)
    budgets(out, m, pa.budgets, d)
    for goal in pa.goals:
        gn = out.iris.goal(m, goal.number)
        out.add(m, KG.goal, gn)
        out.add(gn, RDF.type, KG.Goal)
        out.add(gn, KG.goalNumber, integer(goal.number))
        out.text(gn, RDFS.label, f"達成目標{goal.number}")
        out.text(gn, KG.goalText, goal.text)
        out.text(gn, KG.rationale, goal.rationale)
        out.line(gn, goal.line)
        for rn in goal.review_numbers:  # the sheet of that number in the table's year
            out.add(gn, KG.relatedProject, project_stub(out, ProjectNumber(pa.year, pa.ministry, "", rn)))
        indicators(out, gn, goal.indicators)
    for i, mn in enumerate(pa.means, 1):
        node = out.iris.means(m, i)
        out.add(m, KG.means, node)
        out.add(node, RDF.type, KG.Means)
        out.text(node, RDFS.label, mn.name)
        out.add(node, KG.startFiscalYear, integer(mn.start_year) if mn.start_year else None)
        if mn.part_of_larger:
            out.add(node, KG.partOfLargerBudget, boolean(True))
        out.source(node, mn.line, d)
        budgets(out, node, mn.budgets, d)
    return m
