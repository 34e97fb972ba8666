"""Where the files the program reads live, and reading them once per process.

The ontology (``ontology/``), the shapes (``shapes/``), the canned and internal queries
(``queries/``) and the bundled example documents (``examples/seeds/``) are found here and
nowhere else. In a checkout (and an editable install) they are the top-level folders; an
installed wheel carries them as package data, ``kg/_assets/…`` (put there by the build,
``pyproject.toml``: the top-level folders stay the single source), found through
``importlib.resources``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

def _root() -> Path:
    """``kg/_assets`` of an installed wheel, else the checkout."""
    packaged = Path(str(resources.files("kg") / "_assets"))
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent


ROOT = _root()
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"
#: queries the program itself runs (pages, exports): not listed by ``kg queries``
INTERNAL_QUERIES_DIR = QUERIES_DIR / "internal"
EXAMPLES_DIR = ROOT / "examples" / "seeds"

ONTOLOGY_FILE = ONTOLOGY_DIR / "kg.ttl"
#: ministries (with IRI slugs and 事業番号 abbreviations), their agencies and commissions
ORGANISATIONS_FILE = ONTOLOGY_DIR / "organisations.csv"
#: the vocabularies loaded into every built graph
VOCABULARY_FILES = (ONTOLOGY_DIR / "code-lists.ttl", ONTOLOGY_DIR / "topics.ttl")
CORE_SHAPES = SHAPES_DIR / "core.ttl"
RULE_SHAPES = SHAPES_DIR / "rules.ttl"


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """``ontology/kg.ttl`` (classes and properties) as an rdflib graph: pyshacl's ontology graph."""
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@lru_cache(maxsize=1)
def vocabulary_graph() -> Graph:
    """The code lists and topics (loaded into every built graph)."""
    g = Graph()
    for path in VOCABULARY_FILES:
        g.parse(path, format="turtle")
    return g


@lru_cache(maxsize=1)
def topic_keywords() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each topic of ``ontology/topics.ttl`` (a ``kg:KeywordConcept``) with its ``kg:keyword``
    strings, in IRI order: the build tags a project with a topic when its name, purpose or
    overview contains one of them (``kg:onTopic``)."""
    keyword = "https://kg.jp-spending.example/def/keyword"
    topics: dict[str, set[str]] = {}
    with (ONTOLOGY_DIR / "topics.ttl").open("rb") as f:
        for quad in ox.parse(f, format=ox.RdfFormat.TURTLE):
            if quad.predicate.value == keyword:
                topics.setdefault(quad.subject.value, set()).add(quad.object.value)
    return tuple((iri, tuple(sorted(words))) for iri, words in sorted(topics.items()))


#: a letter of the Latin alphabet, half or full width: a Latin keyword must not touch one
_LATIN = "A-Za-zＡ-Ｚａ-ｚ"


def keyword_pattern(word: str) -> str:
    """A regular expression for ``word`` as a word: where it begins or ends with a Latin letter,
    it must not be part of a longer Latin word there (``AI`` matches AI, ＡＩ活用 (as written),
    生成AI, AI-OCR; not JAICAF, UNAIDS, DAISY, Maintain). Other scripts have no spaces between
    words, so a keyword in kanji or kana matches anywhere (人工知能 in 人工知能研究)."""
    latin = re.compile(f"[{_LATIN}]")
    head = f"(?<![{_LATIN}])" if latin.match(word[:1]) else ""
    tail = f"(?![{_LATIN}])" if latin.match(word[-1:]) else ""
    return head + re.escape(word) + tail


@lru_cache(maxsize=1)
def topic_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """Each topic of :func:`topic_keywords` with one expression for all its keywords as words
    (:func:`keyword_pattern`)."""
    return tuple((iri, re.compile("|".join(keyword_pattern(w) for w in words))) for iri, words in topic_keywords())


@lru_cache(maxsize=1)
def ontology_store() -> ox.Store:
    """Every file of ``ontology/`` in a store of its own: its terms get pages too, and its
    labels name classes and properties on every page."""
    store = ox.Store()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


@lru_cache(maxsize=1)
def ontology_version() -> str:
    """``owl:versionInfo`` of ``ontology/kg.ttl``."""
    info = "http://www.w3.org/2002/07/owl#versionInfo"
    with ONTOLOGY_FILE.open("rb") as f:
        for quad in ox.parse(f, format=ox.RdfFormat.TURTLE):
            if quad.predicate.value == info:
                return quad.object.value
    return "unknown"


@lru_cache(maxsize=1)
def declared_terms(namespace: str) -> frozenset[str]:
    """The local names of ``namespace`` that ``ontology/kg.ttl`` declares (a subject there)."""
    out = set()
    with ONTOLOGY_FILE.open("rb") as f:
        for quad in ox.parse(f, format=ox.RdfFormat.TURTLE):
            s = quad.subject
            if isinstance(s, ox.NamedNode) and s.value.startswith(namespace):
                out.add(s.value[len(namespace):])
    return frozenset(out)
