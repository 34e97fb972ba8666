"""The one place that knows namespaces and how natural keys become IRIs.

Every IRI is a pure function of a natural key (法人番号, 事業番号, law name, plan
name, fiscal year, block letter, row rank) under a configurable base IRI, so the
same input always yields the same graph. Japanese keys are percent-encoded
(UTF-8), so every IRI is plain ASCII and dereferenceable as a URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from .assets import ONTOLOGY_FILE
from .normalize import Ministry, ProjectNumber, compact

class Terms:
    """Attribute access to a namespace's terms, each term made once: ``Terms(RDF).type``.
    rdflib builds a new URIRef on every ``KG.x`` (about 1 µs); the mapper asks for terms
    millions of times on a national year, so the emitter reads them through this.

    With ``declared`` (a function giving the namespace's local names), a name that is not
    one fails at once, like rdflib's ``DefinedNamespace`` with ``_fail = True``: a typo in
    a predicate is an error, not a triple nobody queries."""

    def __init__(self, ns, declared: Callable[[], frozenset[str]] | None = None):
        self._ns = ns
        self._declared = declared

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__") or name.startswith("_"):
            raise AttributeError(name)
        if self._declared is not None and name not in self._declared():
            raise AttributeError(f"{self._ns}{name} is not a term of the ontology ({ONTOLOGY_FILE.name})")
        value = getattr(self._ns, name)
        setattr(self, name, value)  # the next access is a plain attribute
        return value

    def __getitem__(self, key: str) -> URIRef:
        return self._ns[key]

    def __str__(self) -> str:
        return str(self._ns)


#: Our ontology (fixed: it does not move with the data's base IRI).
KG = Namespace("https://kg.jp-spending.example/def/")
#: Contract methods, implementation methods and other code lists (SKOS).
KGC = Namespace("https://kg.jp-spending.example/def/code/")
#: W3C Registered Organization Vocabulary.
ROV = Namespace("http://www.w3.org/ns/regorg#")
SCHEMA = Namespace("https://schema.org/")

# The official registries a node links out to (rdfs:seeAlso; docs/inputs/registers.md "Official registers").
#: a corporation's page on the 国税庁法人番号公表サイト (its register history)
NTA_PAGE = "https://www.houjin-bangou.nta.go.jp/henkorireki-johoto.html?selHouzinNo={number}"
#: a corporation in gBizINFO's linked data
GBIZINFO = "http://hojin-info.go.jp/data/{number}"
#: a law on e-Gov 法令検索, and an article of its main provisions (本則)
EGOV_LAW = "https://laws.e-gov.go.jp/law/{law_id}"
EGOV_ARTICLE = "https://laws.e-gov.go.jp/law/{law_id}#Mp-At_{article}"


def budget_summary(ministry: str, fiscal_year: str) -> str:
    """The build's budget summary of a ministry (its IRI) for one fiscal year (kg/emit/summaries.py)."""
    return f"{ministry}/budget-summary/{fiscal_year}"


def egov_article(law_id: str, article: str | None) -> URIRef:
    """e-Gov's page of a law, at the article's anchor when there is one (``40の4`` → ``Mp-At_40_4``)."""
    if article and re.fullmatch(r"\d+(?:の\d+)*", article):
        return URIRef(EGOV_ARTICLE.format(law_id=law_id, article=article.replace("の", "_")))
    return URIRef(EGOV_LAW.format(law_id=law_id))


DEFAULT_BASE = "https://kg.jp-spending.example/id/"
BASE_ENV = "KG_BASE_IRI"

PREFIXES = {
    "kg": KG,
    "kgc": KGC,
    "rov": ROV,
    "org": ORG,
    "dcterms": DCTERMS,
    "prov": PROV,
    "skos": SKOS,
    "schema": SCHEMA,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
}


def sparql_prefixes(*names: str) -> str:
    """``PREFIX`` lines for SPARQL text written in code (the .rq files carry their own)."""
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in names)


def expand(value: str) -> str:
    """The IRI of ``kg:Project`` (a prefixed name of :data:`PREFIXES`) or of an absolute IRI;
    ValueError for anything else."""
    if ":" in value and not re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
        prefix, local = value.split(":", 1)
        if prefix in PREFIXES:
            return str(PREFIXES[prefix]) + local
    if not re.match(r"^[a-z][a-z0-9+.-]*:\S+$", value, re.I):
        raise ValueError("not an absolute IRI or a known prefixed name")
    return value


def _seg(text: str) -> str:
    """A path segment from a natural key: whitespace-free NFKC, percent-encoded; a segment
    of dots only (NFKC turns ``．．`` into ``..``) has its dots encoded too, since a client
    resolving the IRI would otherwise climb a folder."""
    seg = quote(compact(text), safe="")
    if seg.strip(".") == "":
        seg = seg.replace(".", "%2E")
    return seg


class IRIs:
    """Builds every data IRI under one base IRI (``--base-iri`` or ``$KG_BASE_IRI``)."""

    def __init__(self, base: str | None = None):
        base = base or os.environ.get(BASE_ENV) or DEFAULT_BASE
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base
        self.ns = Namespace(base)

    def _iri(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(parts))

    # organisations
    def ministry(self, m: Ministry) -> URIRef:
        return self._iri("ministry", m.slug)

    def unit(self, m: Ministry, *names: str) -> URIRef:
        """A bureau (局・庁) or division (課・室) under a ministry, keyed by its names."""
        return self._iri("ministry", m.slug, *(_seg(n) for n in names))

    def corporation(self, corporate_number: str) -> URIRef:
        return self._iri("corporation", corporate_number)

    def register_record(self, corporate_number: str, changed: str, process: str) -> URIRef:
        """A history record of the 法人番号 register, keyed by what a correction replaces."""
        return URIRef(f"{self.corporation(corporate_number)}/register/{changed or 'undated'}-{process}")

    def corporation_address(self, corporate_number: str) -> URIRef:
        return URIRef(f"{self.corporation(corporate_number)}/address")

    def unnumbered_recipient(self, project: URIRef, block: str, rank: int) -> URIRef:
        """A recipient written without 法人番号 (その他, individuals): local to its row."""
        return URIRef(f"{project}/recipient/{_seg(block)}-{rank}")

    def contract_recipient(self, contract: URIRef) -> URIRef:
        """The recipient of a multi-year contract (RS 5-4) written without 法人番号."""
        return URIRef(f"{contract}/recipient")

    # projects and their parts
    def project(self, pn: ProjectNumber) -> URIRef:
        """A legacy sheet by (sheet year, ministry, serial); a new project's sheet (``新30``)
        by its code too, since new projects are numbered apart (``新30-0001`` and ``0001``
        are two sheets of one year): ``2018-cas-n30-0001``."""
        if pn.year is None:
            raise ValueError(f"a project IRI needs the sheet year: {pn}")
        new = f"n{pn.code[1:]}-" if pn.code.startswith("新") else ""
        branch = f"-{pn.branch}" if pn.branch else ""
        return self._iri("project", f"{pn.year}-{pn.ministry.slug}-{new}{pn.serial}{branch}")

    def rs_project(self, year: int, budget_project_id: str) -> URIRef:
        """An RS-system sheet: (sheet year, 予算事業ID)."""
        return self._iri("project", f"{year}-rs-{_seg(budget_project_id)}")

    def budget(self, project: URIRef, fiscal_year: int, request: bool = False) -> URIRef:
        return URIRef(f"{project}/budget/{fiscal_year}{'-request' if request else ''}")

    def account_budget(self, project: URIRef, fiscal_year: int, index: int) -> URIRef:
        """One account's row of a year's budget (RS 2-1 with 会計区分)."""
        return URIRef(f"{self.budget(project, fiscal_year)}/account/{index}")

    def subsidy(self, project: URIRef, number: int) -> URIRef:
        return URIRef(f"{project}/subsidy/{number}")

    def related(self, project: URIRef, number: int) -> URIRef:
        """A project's relation to another budget project (RS 1-5)."""
        return URIRef(f"{project}/related/{number}")

    def contract(self, parent: URIRef, index: int) -> URIRef:
        """A contract of an expenditure (RS 5-1) or a multi-year contract of a project (RS 5-4)."""
        return URIRef(f"{parent}/contract/{index}")

    def budget_line(self, project: URIRef, fiscal_year: int, index: int) -> URIRef:
        return URIRef(f"{project}/budget-line/{fiscal_year}-{index}")

    def block(self, project: URIRef, letter: str) -> URIRef:
        return URIRef(f"{project}/block/{_seg(letter)}")

    def expense_item(self, project: URIRef, letter: str, index: int) -> URIRef:
        return URIRef(f"{project}/block/{_seg(letter)}/item/{index}")

    def expenditure(self, project: URIRef, letter: str, rank: int) -> URIRef:
        return URIRef(f"{project}/expenditure/{_seg(letter)}-{rank}")

    def legal_basis(self, project: URIRef, index: int) -> URIRef:
        return URIRef(f"{project}/legal-basis/{index}")

    def indicator(self, project: URIRef, index: int | str) -> URIRef:
        return URIRef(f"{project}/indicator/{_seg(str(index))}")

    def indicator_value(self, indicator: URIRef, kind: str, fiscal_year: int | str) -> URIRef:
        return URIRef(f"{indicator}/{kind}/{fiscal_year}")

    def check(self, project: URIRef, index: int) -> URIRef:
        return URIRef(f"{project}/check/{index}")

    # shared nodes
    def law(self, name: str) -> URIRef:
        return self._iri("law", _seg(name))

    def law_by_id(self, law_id: str) -> URIRef:
        """A law by its e-Gov 法令ID (503AC0000000036): its identity whatever the spelling of its name."""
        return self._iri("law", _seg(law_id))

    def plan(self, name: str) -> URIRef:
        return self._iri("plan", _seg(name))

    def policy(self, m: Ministry, name: str) -> URIRef:
        return self._iri("policy", m.slug, _seg(name))

    def measure(self, m: Ministry, name: str) -> URIRef:
        return self._iri("measure", m.slug, _seg(name))

    def measure_by_code(self, code: str) -> URIRef:
        return self._iri("measure", "code", _seg(code))

    def goal(self, measure: URIRef, number: int) -> URIRef:
        return URIRef(f"{measure}/goal/{number}")

    def means(self, measure: URIRef, index: int) -> URIRef:
        return URIRef(f"{measure}/means/{index}")

    def shared_graph(self) -> URIRef:
        """The named graph of a store folder holding what the build settles across documents."""
        return self._iri("graph", "shared")

    def build_graph(self) -> URIRef:
        """The named graph of a store folder describing its build."""
        return self._iri("graph", "build")

    def release_graph(self) -> URIRef:
        """The named graph ``kg push`` writes on a server holding a release graph by graph: the
        fingerprint and size of each graph it pushed (kg/push.py)."""
        return self._iri("graph", "release")

    def index_graph(self, slug: str | None = None) -> URIRef:
        """The named graph of a store folder holding the class indexes' counts (no ``slug``),
        or the index order of one large class (``slug`` as in ``/class/kg-Expenditure/``)."""
        return self._iri("graph", "index") if slug is None else URIRef(f"{self._iri('graph', 'index')}/{slug}")

    def dataset(self) -> URIRef:
        """The graph itself: what built it, under which ontology version."""
        return self._iri("dataset")

    def document(self, sha256: str) -> URIRef:
        return self._iri("document", sha256[:16])
