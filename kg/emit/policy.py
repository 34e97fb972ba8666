"""What a project rests on: legal bases (根拠法令) and their laws, cabinet plans
(閣議決定等), and the ministry's policy (政策) and measure (施策).

A law is one node per e-Gov 法令ID when the source gives it (RS CSV), else per name;
:mod:`kg.emit.merge` joins a law cited by name to its ID when some file gives both.
"""

from __future__ import annotations

from rdflib import URIRef

from ..model import ReviewSheet
from ..normalize import compact, split_code
from .organisations import ministry
from .sink import KG, RDF, RDFS, SCHEMA, Sink, date_literal, plain, uri_literal


def legal_bases(out: Sink, p: URIRef, sheet: ReviewSheet) -> None:
    out.text(p, KG.legalBasisText, sheet.legal_basis_text)
    for i, lb in enumerate(sheet.legal_bases, 1):
        node = out.iris.legal_basis(p, i)
        if lb.law_id:
            law = out.iris.law_by_id(lb.law_id)
            out.law_ids[compact(lb.law)] = str(law)
            out.add(law, KG.lawId, plain(compact(lb.law_id)))
        else:
            law = out.iris.law(lb.law)
            out.law_names[str(law)] = compact(lb.law)
        out.add(law, RDF.type, KG.Law)
        out.name(law, lb.law)
        out.text(law, KG.lawNumber, lb.law_number)
        out.add(p, KG.legalBasis, node)
        out.add(node, RDF.type, KG.LegalBasis)
        out.add(node, KG.law, law)
        for prop, value in ((KG.article, lb.article), (KG.paragraph, lb.paragraph), (KG.item, lb.item),
                            (KG.subItem, lb.sub_item), (KG.lawRevision, lb.law_revision)):
            if value:
                out.add(node, prop, plain(value))
        out.text(node, KG.provisionText, lb.text)
        out.text(node, RDFS.label, f"{lb.law}{lb.provision}")
        out.line(node, lb.line)


def plans(out: Sink, p: URIRef, sheet: ReviewSheet) -> None:
    out.text(p, KG.plansText, sheet.plans_text)
    for plan in sheet.plans:
        node = out.iris.plan(plan.name)
        out.add(node, RDF.type, KG.Plan)
        out.name(node, plan.name)
        if plan.date:
            out.add(node, KG.decisionDate, date_literal(plan.date))
        out.text(node, KG.decidedBy, plan.body)
        out.add(node, SCHEMA.url, uri_literal(plan.url) if plan.url else None)
        out.add(p, KG.citesPlan, node)


def policy_and_measure(out: Sink, p: URIRef, sheet: ReviewSheet) -> None:
    """The sheet's 政策 and 施策 (nodes of its ministry, keyed by name), the measure under the policy."""
    if sheet.ministry is not None:
        policy = _policy_node(out, KG.Policy, out.iris.policy, sheet.ministry, sheet.policy)
        measure = _policy_node(out, KG.Measure, out.iris.measure, sheet.ministry, sheet.measure)
        out.add(p, KG.policy, policy)
        out.add(p, KG.measure, measure)
        if measure is not None:
            out.add(measure, KG.policy, policy)
    if sheet.policy_url:
        out.add(p, KG.policyEvaluationURL, uri_literal(sheet.policy_url))


#: what a 政策 or 施策 cell says when there is none
_NONE = frozenset({"なし", "該当なし", "ー", "-", "―", "‐", "－", "無し", "特になし"})


def _policy_node(out: Sink, cls, iri, m, text: str | None) -> URIRef | None:
    """A policy or measure from ``V.情報通信(ICT政策)``: keyed by its name, the leading code
    kept as ``kg:code``."""
    if not text:
        return None
    code, name = split_code(text)
    if name in _NONE:
        return None
    node = iri(m, name)
    out.add(node, RDF.type, cls)
    out.name(node, name)
    out.add(node, KG.code, plain(code) if code else None)
    out.add(node, KG.ministry, ministry(out, m))
    return node
