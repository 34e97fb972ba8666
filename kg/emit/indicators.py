"""Indicators (活動指標, 成果指標, 測定指標 …) with their values per fiscal year, and the
effect path between them (アクティビティ → アウトプット → アウトカム)."""

from __future__ import annotations

from collections import Counter

from rdflib import URIRef

from ..model import Indicator, IndicatorLink
from ..normalize import compact
from .sink import KG, RDF, RDFS, Sink, integer, plain


def indicators(out: Sink, owner: URIRef, rows: list[Indicator]) -> None:
    """A project's or goal's indicators; each value keyed by kind and fiscal year (or by its
    column label when it has no year)."""
    for i, ind in enumerate(rows, 1):
        node = out.iris.indicator(owner, ind.key or ind.number or i)
        out.add(owner, KG.indicator, node)
        out.text(node, KG.dataSource, ind.basis)
        out.text(node, KG.improvementDirection, ind.direction)
        out.add(node, RDF.type, KG.Indicator)
        out.add(node, KG.indicatorKind, plain(ind.kind))
        out.text(node, RDFS.label, ind.name)
        out.text(node, KG.unit, ind.unit)
        out.text(node, KG.goalText, ind.goal)
        out.line(node, ind.line)
        out.add(node, KG.sourcePointer, plain(ind.pointer) if ind.pointer else None)
        seen: Counter = Counter()
        for v in ind.values:
            key = v.fiscal_year if v.fiscal_year is not None else compact(v.label) or "x"
            seen[(v.kind, key)] += 1
            suffix = key if seen[(v.kind, key)] == 1 else f"{key}-{seen[(v.kind, key)]}"
            vn = out.iris.indicator_value(node, v.kind, str(suffix).replace("/", "-"))
            out.add(node, KG.indicatorValue, vn)
            out.add(vn, RDF.type, KG.IndicatorValue)
            out.add(vn, KG.valueKind, plain(v.kind))
            if v.fiscal_year is not None:
                out.add(vn, KG.fiscalYear, integer(v.fiscal_year))
            out.text(vn, KG.columnLabel, v.label)
            out.amount(vn, KG.numericValue, v.value)
            out.text(vn, KG.textValue, v.text)


def effect_path(out: Sink, owner: URIRef, links: list[IndicatorLink]) -> None:
    """One ``kg:leadsTo`` a step of the path, between indicators named by their key."""
    for link in links:
        target = out.iris.indicator(owner, link.target)
        out.add(out.iris.indicator(owner, link.source), KG.leadsTo, target)
        out.text(target, KG.pathNote, link.note)
