"""Ministries, their bureaus and divisions (W3C ORG), and corporations (RegOrg).

Corporations are merged across all documents of a build: one node per 法人番号, every
spelling kept. The preferred label is the spelling written most often next to the
number in 支出先 tables (then most often overall, then the shorter); the others become
``skos:altLabel``.
"""

from __future__ import annotations

from rdflib import URIRef

from ..codes import corporation_kind
from ..iris import GBIZINFO, KGC, NTA_PAGE
from ..model import ReviewSheet
from ..normalize import agency_of, is_government_number
from ..normalize import ministry as ministry_of
from .sink import KG, ORG, RDF, RDFS, ROV, SKOS, CorporationNames, Sink, boolean, ja, plain


def ministry(out: Sink, m) -> URIRef:
    node = out.iris.ministry(m)
    out.add(node, RDF.type, KG.Ministry)
    out.add(node, RDF.type, ORG.FormalOrganization)
    out.add(node, RDFS.label, ja(m.name))
    for a in m.abbreviations[1:]:
        out.add(node, SKOS.altLabel, ja(a))
    return node


def unit(out: Sink, m, cls, *names: str) -> URIRef:
    """A bureau or division (``cls``) under a ministry, keyed by its names from the top."""
    node = out.iris.unit(m, *names)
    out.add(node, RDF.type, cls)
    out.add(node, RDF.type, ORG.OrganizationalUnit)
    if len(names) == 1 and agency_of(m, names[0]) is not None:
        out.add(node, RDF.type, KG.Agency)
    # its key ignores spaces, so sheets may spell one unit two ways (ＶｉｓｉｔＪａｐａｎＷｅｂ担当,
    # Visit Japan Web 担当): the build gives it one label, the others as skos:altLabel
    out.name(node, names[-1])
    parent = out.iris.unit(m, *names[:-1]) if len(names) > 1 else out.iris.ministry(m)
    out.add(node, ORG.unitOf, parent)
    return node


def unit_chain(out: Sink, m, names: tuple[str, ...]) -> URIRef:
    """局・庁 → 部 → 課 → 室 …: the first a bureau, each further one a division of the one
    before. Returns the bureau."""
    ministry(out, m)
    for i in range(len(names)):
        unit(out, m, KG.Bureau if i == 0 else KG.Division, *names[: i + 1])
    return out.iris.unit(m, names[0])


def responsible_units(out: Sink, p: URIRef, sheet: ReviewSheet) -> None:
    """The project's bureau and division: a bureau and a division by name, or the chain of
    units (局・庁, 部, 課, 室 …); other responsible units; the ministry as written when it
    is none of the known ones."""
    m = sheet.ministry
    if sheet.bureau:
        out.add(p, KG.bureau, unit(out, m, KG.Bureau, sheet.bureau))
        if sheet.division:
            out.add(p, KG.division, unit(out, m, KG.Division, sheet.bureau, sheet.division))
    elif sheet.division:
        out.add(p, KG.division, unit(out, m, KG.Division, sheet.division))
    if m is not None and sheet.units:
        out.add(p, KG.bureau, unit_chain(out, m, sheet.units))
        if len(sheet.units) > 1:
            out.add(p, KG.division, out.iris.unit(m, *sheet.units))
    for other in sheet.other_units:
        om = ministry_of(other[0]) or m
        if om is not None and other[1:]:
            unit_chain(out, om, other[1:])
            out.add(p, KG.otherResponsibleUnit, out.iris.unit(om, *other[1:]))
    if m is None:
        out.text(p, KG.ministryText, sheet.ministry_text)


def corporations(out: Sink, names_by_number: dict[str, CorporationNames], unheld: set[str] = frozenset()) -> None:
    """One node per 法人番号 with every spelling written next to it (see the module doc),
    and its ``kg:recipientClass``: government for a number of 国の機関 or 地方公共団体,
    else corporation — but for a number no organisation holds (``unheld``:
    :mod:`kg.emit.contested` marks those)."""
    for digits, names in sorted(names_by_number.items()):
        corp = out.iris.corporation(digits)
        out.add(corp, RDF.type, KG.Corporation)
        if digits not in unheld:
            cls = "government" if is_government_number(digits) else "corporation"
            out.add(corp, KG.recipientClass, KGC[f"recipient-class/{cls}"])
        out.add(corp, RDF.type, ROV.RegisteredOrganization)
        out.add(corp, KG.corporateNumber, plain(digits))
        out.add(corp, KG.corporateNumberValid, boolean(names.valid))
        ranked = sorted(
            names.everywhere,
            key=lambda n: (-names.in_tables[n], -names.everywhere[n], len(n), n),
        )
        out.add(corp, SKOS.prefLabel, ja(ranked[0]))
        out.add(corp, KG.corporationKind, corporation_kind(ranked[0]))
        out.add(corp, RDFS.label, ja(ranked[0]))
        for alt in ranked[1:]:
            out.add(corp, SKOS.altLabel, ja(alt))
        if names.valid:
            registry_links(out, corp, digits)


def registry_links(out: Sink, corp: URIRef, digits: str) -> None:
    """A corporation's pages at the registries: its page on the 国税庁法人番号公表サイト and
    its gBizINFO IRI, as rdfs:seeAlso (docs/inputs/registers.md "Official registers" says why not owl:sameAs)."""
    out.add(corp, RDFS.seeAlso, URIRef(NTA_PAGE.format(number=digits)))
    out.add(corp, RDFS.seeAlso, URIRef(GBIZINFO.format(number=digits)))
