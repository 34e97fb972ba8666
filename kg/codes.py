"""Code lists (``ontology/code-lists.ttl``): which SKOS concept a cell's text names.

Cells are matched to concepts by label (``skos:prefLabel`` or ``skos:altLabel``, compared
as whitespace-free NFKC), so a new spelling is added to the code list, not to code.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import URIRef
from rdflib.namespace import SKOS

from .assets import vocabulary_graph
from .iris import KGC
from .normalize import compact, expand_corporate_abbreviations


@lru_cache(maxsize=1)
def code_lists() -> dict[tuple[str, str], URIRef]:
    """(scheme name, label as compact NFKC) → SKOS concept."""
    g = vocabulary_graph()
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
    g = vocabulary_graph()
    return {str(code): c for c, code in g.subject_objects(SKOS.notation) if (c, SKOS.inScheme, KGC["corporation-kind"]) in g}


def corporation_kind_by_code(code: str | None) -> URIRef | None:
    """The corporation kind of a 法人種別 code as RS 5-1 writes it (``301``, ``301.0``)."""
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
