"""The helpers that have one home each: checked terms, internal queries, safe writes,
values for people."""

from __future__ import annotations

import os
import stat
from decimal import Decimal

import pyoxigraph as ox
import pytest

from kg import display
from kg.assets import INTERNAL_QUERIES_DIR
from kg.emit.sink import KG
from kg.files import replacing, replacing_folder
from kg.queries import QueryError, bindings, internal, load_queries, select

NEC = "https://kg.jp-spending.example/id/corporation/7010601022674"
P94 = "https://kg.jp-spending.example/id/project/2021-soumu-0094"


def test_a_typo_in_a_kg_term_fails_at_once():
    assert str(KG.amount) == "https://kg.jp-spending.example/def/amount"
    with pytest.raises(AttributeError, match="amonut is not a term of the ontology"):
        KG.amonut


@pytest.fixture(scope="module")
def store(seed_build):
    return seed_build.store()


def test_internal_queries_are_not_canned_and_all_parse():
    names = sorted(p.stem for p in INTERNAL_QUERIES_DIR.glob("*.rq"))
    assert len(names) == 29 and not set(names) & set(load_queries())
    for name in names:
        q = internal(name)
        assert q.title and q.description and q.columns


def test_a_page_query_binds_its_resource_by_values(store):
    q = internal("page-corporation-payments")
    assert [p.name for p in q.params] == ["corporation"] and q.params[0].default is None
    rows = select(store, q, corporation=NEC)
    assert {r["project"].value.rsplit("/", 1)[1]: r["amount"].value for r in rows} == {
        "2021-soumu-0094": "53900000", "2022-soumu-0059": "45000000"}
    assert "corporation" not in rows[0]  # the parameter is not an output column


def test_a_required_parameter_must_be_given():
    with pytest.raises(QueryError, match="no value given for corporation"):
        bindings(internal("page-corporation-payments"))


def test_page_facts_of_a_project(store):
    rows = select(store, internal("page-project-facts"), project=P94)
    assert {r["id"].value for r in rows} == {"2021-総務-20-0094"}
    assert {r["ministry"].value for r in rows} == {"https://kg.jp-spending.example/id/ministry/soumu"}


def test_replacing_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "graph.nt"
    path.write_bytes(b"old\n")
    with pytest.raises(RuntimeError):
        with replacing(path) as out:
            out.write(b"half")
            raise RuntimeError("disk full")
    assert path.read_bytes() == b"old\n" and os.listdir(tmp_path) == ["graph.nt"]
    with replacing(path) as out:
        out.write(b"new\n")
    assert path.read_bytes() == b"new\n" and os.listdir(tmp_path) == ["graph.nt"]


def test_replacing_folder_swaps_whole_and_is_readable(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with replacing_folder(site) as work:
            (work / "half.html").write_text("half")
            raise KeyboardInterrupt
    assert sorted(os.listdir(tmp_path)) == ["site"] and os.listdir(site) == ["old.html"]
    with replacing_folder(site) as work:
        (work / "index.html").write_text("new")
    assert sorted(os.listdir(tmp_path)) == ["site"] and os.listdir(site) == ["index.html"]
    assert site.stat().st_mode & stat.S_IROTH  # a web server running as another user can read it


@pytest.mark.parametrize("value, text", [
    (Decimal("-15000000"), "-15,000,000"), ("99.50", "99.5"), (53_900_000, "53,900,000"),
    (ox.Literal("1900000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")), "1,900,000"),
    (None, ""), ("n/a", ""),
])
def test_yen_for_people(value, text):
    assert display.yen(value) == text


def test_terms_for_people():
    assert display.term(ox.NamedNode("https://kg.jp-spending.example/def/amount")) == "kg:amount"
    assert display.term(ox.Literal("31200000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))) == "31,200,000"
    assert display.shorten("https://example.org/x") == "https://example.org/x"
