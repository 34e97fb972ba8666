"""The ontology defines every term the data uses, each with labels and a comment."""

from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.assets import ONTOLOGY_DIR
from kg.iris import KG, KGC


def load():
    g = Graph()
    g.parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")
    return g


def test_every_kg_term_in_the_graph_is_defined(graph):
    onto = load()
    defined = {s for s in onto.subjects(RDF.type, None) if str(s).startswith(str(KG))}
    used = {p for p in graph.predicates() if str(p).startswith(str(KG))}
    used |= {o for o in graph.objects(None, RDF.type) if str(o).startswith(str(KG))}
    assert used - defined == set()


def test_every_term_has_japanese_and_english_labels_and_a_comment():
    onto = load()
    terms = set(onto.subjects(RDF.type, OWL.Class)) | set(onto.subjects(RDF.type, OWL.ObjectProperty)) | set(
        onto.subjects(RDF.type, OWL.DatatypeProperty)
    )
    assert len(terms) > 100
    for t in terms:
        langs = {lbl.language for lbl in onto.objects(t, RDFS.label) if isinstance(lbl, Literal)}
        assert {"ja", "en"} <= langs, t
        assert any(True for _ in onto.objects(t, RDFS.comment)), t


def test_code_lists_are_skos_with_labels():
    g = Graph()
    g.parse(ONTOLOGY_DIR / "code-lists.ttl", format="turtle")
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert KGC["contract-method/general-competitive-comprehensive"] in concepts
    for c in concepts:
        assert any(True for _ in g.objects(c, SKOS.inScheme)), c
        assert {lbl.language for lbl in g.objects(c, SKOS.prefLabel)} == {"ja", "en"}, c
