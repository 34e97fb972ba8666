"""The class indexes of a store folder: counted and ordered once by the build
(``<…/graph/index>``, ``kg:indexPosition``), so that a page of a class of 700,000 instances
is looked up, not sorted per request — and the pages are exactly those the live sort gives."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg import store_folder
from kg.iris import DEFAULT_BASE, KG
from kg.web.views import Pages as Site

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL_RS = FIXTURES / "rs-real"
#: real RS 2024 rows, real JUDGIT! sheets (corporations ranked by the yen they received,
#: projects by their 支出先 rows) and the bundled documents
INPUTS = [REAL_RS, FIXTURES / "judgit", FIXTURES / "truth", Path(__file__).resolve().parent.parent / "examples" / "seeds"]


@pytest.fixture(scope="module")
def ranked_store(tmp_path_factory):
    """The real excerpts as a store folder, every class of more than 20 instances ranked."""
    folder = tmp_path_factory.mktemp("ranked") / "rs.oxigraph"
    mp = pytest.MonkeyPatch()
    mp.setattr(store_folder, "INDEXED_FROM", 20)
    try:
        kg.build(INPUTS, store=folder)
    finally:
        mp.undo()
    return ox.Store.read_only(str(folder))


class Live(Site):
    """The same site without the build's index: counts and order computed per request."""

    def _counts(self):
        return None

    def ranked(self, cls):
        return False


def test_the_build_writes_counts_and_positions(ranked_store):
    counts = dict(Site(ranked_store).classes())
    assert counts == dict(Live(ranked_store).classes())
    items = counts[str(KG.ExpenseItem)]
    assert items == 491  # the 費目・使途 items of the excerpts and the seeds
    graph = ox.NamedNode(DEFAULT_BASE + "graph/index/kg-ExpenseItem")
    positions = sorted(int(q.object.value) for q in ranked_store.quads_for_pattern(None, None, None, graph))
    assert positions == list(range(1, items + 1))
    assert not Site(ranked_store).ranked("http://www.w3.org/2004/02/skos/core#ConceptScheme")  # a small class: sorted live


@pytest.mark.parametrize("size", [500, 7])
def test_every_page_of_every_class_index_is_the_live_sorts(ranked_store, size):
    site, live = Site(ranked_store, endpoint="/sparql"), Live(ranked_store, endpoint="/sparql")
    site.INDEX_PAGE = live.INDEX_PAGE = size
    ranked = 0
    for cls, n in live.classes():
        pages = -(-n // size)
        for page in sorted({1, 2, pages // 2, pages, pages + 3}):
            assert site.class_page(cls, page) == live.class_page(cls, page), (cls, page)
        ranked += site.ranked(cls)
    assert ranked >= 5 and site.ranked(str(KG.Corporation)) and site.ranked(str(KG.Project))


def test_a_published_store_writes_the_same_class_pages_as_a_graph_file(ranked_store, tmp_path, monkeypatch):
    from kg.web.publish import publish

    monkeypatch.setattr(Site, "INDEX_PAGE", 7)  # many pages per class
    publish(ranked_store, tmp_path / "ranked", DEFAULT_BASE)
    kg.build(INPUTS, output=tmp_path / "plain.nt")  # the same graph as a file: no index graphs
    publish(kg.open(tmp_path / "plain.nt").store, tmp_path / "plain", DEFAULT_BASE)
    ranked_pages = sorted(p.relative_to(tmp_path / "ranked") for p in (tmp_path / "ranked" / "class").rglob("index.html"))
    assert ranked_pages == sorted(p.relative_to(tmp_path / "plain") for p in (tmp_path / "plain" / "class").rglob("index.html"))
    assert len(ranked_pages) > 100
    for rel in ranked_pages:
        assert (tmp_path / "ranked" / rel).read_bytes() == (tmp_path / "plain" / rel).read_bytes(), rel


@pytest.mark.parametrize("text", ["東京大学", "NEC", "株式会社", "総務", "法", "情報", "ＡＩ", "2022-総務-21-0059",
                                  "7010001088960", "計画", "ｿﾘｭｰｼｮﾝ", "zzz"])
def test_search_reads_the_keys_the_build_wrote_and_finds_what_the_names_say(ranked_store, tmp_path_factory, text):
    """/search on a store folder compares the build's keys (each name normalised once);
    on a graph file it compares every name in the query: the same hits."""
    from kg.web.search import search

    folder = tmp_path_factory.getbasetemp() / "plain.nt"
    if not folder.exists():
        kg.build(INPUTS, output=folder)
    plain = kg.open(folder).store
    with_keys = [(h.iri, h.kind, h.label) for h in search(ranked_store, text)]
    assert with_keys == [(h.iri, h.kind, h.label) for h in search(plain, text)]
    if text not in ("zzz",):
        assert with_keys, text
