"""A graph that lives on disk: kg build --store DIR, every command on it, kg info, and the
incremental rebuild that equals a clean one."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.cli import main
from kg.read import InputError
from kg.store_folder import info, write_store

from .conftest import RS_FIXTURES

ROOT = Path(__file__).resolve().parent.parent


def dump(folder: Path) -> tuple[list[str], dict[str, list[str]]]:
    """A store folder's default graph and its named graphs, sorted: the documents' and the
    shared graph, not those the build writes about the store (its description, the class
    indexes: tests/test_class_index.py)."""
    store = ox.Store.read_only(str(folder))
    default = sorted(str(q.triple) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    named: dict[str, list[str]] = {}
    for g in store.named_graphs():
        if not g.value.endswith("/graph/build") and "/graph/index" not in g.value:
            named[g.value] = sorted(str(q.triple) for q in store.quads_for_pattern(None, None, None, g))
    return default, named


def recorded_prints(folder: Path) -> dict[str, str]:
    """Each named graph's kg:subjectFingerprints, as the build recorded them."""
    store = ox.Store.read_only(str(folder))
    p = ox.NamedNode("https://kg.jp-spending.example/def/subjectFingerprints")
    return {q.subject.value: q.object.value for q in store.quads_for_pattern(None, p, None, None)}


def computed_prints(folder: Path) -> dict[str, str]:
    """The same, computed here from the store's named graphs: for each subject, the sum of the
    BLAKE2b-128 of the graph's N-Triples lines about it, mod 2^64, a line per subject."""
    import hashlib

    store = ox.Store.read_only(str(folder))
    out = {}
    for g in recorded_prints(folder):
        sums: dict[str, int] = {}
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
            digest = hashlib.blake2b(f"{q.subject} {q.predicate} {q.object} .".encode("utf-8"), digest_size=16).digest()
            sums[str(q.subject)] = (sums.get(str(q.subject), 0) + int.from_bytes(digest, "big")) % 2**64
        out[g] = "".join(f"{v:016x} {s}\n" for s, v in sorted(sums.items()))
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The seeds and a copy of the RS fixtures (a test changes one of its zips)."""
    d = tmp_path_factory.mktemp("inputs")
    shutil.copytree(ROOT / "examples" / "seeds", d / "seeds")
    shutil.copytree(RS_FIXTURES, d / "rs", ignore=shutil.ignore_patterns("*.py"))
    return d


def test_build_store_holds_the_build_and_every_command_reads_it(rs_build, inputs, tmp_path, capsys):
    folder = tmp_path / "year.oxigraph"
    assert main(["build", str(inputs / "seeds"), str(inputs / "rs"), "--store", str(folder), "-q"]) == 0
    assert not (tmp_path / "graph.nt").exists()
    default, named = dump(folder)
    assert len(default) == rs_build.triples == 5098
    assert sorted(named) == sorted([g for g in rs_build.graphs if g is not None] + ["https://kg.jp-spending.example/id/graph/shared"])
    assert set().union(*map(set, named.values())) == set(default)  # the default graph is their union
    about = info(folder)
    assert (about["software"], about["ontology"], int(about["triples"]), about["graphs"]) == (kg.__version__, "1.6", 5098, 25)
    assert len(about["inputs"]) == 24 and all(len(i["sha256"]) == 64 for i in about["inputs"])
    capsys.readouterr()
    assert main(["info", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["graphs"] == 25
    # every command opens it read-only
    assert main(["query", "top-recipients", "-g", str(folder), "-f", "csv", "--limit", "1", "-q"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("7012405000492,国立研究開発法人情報通信研究機構,")
    assert main(["validate", "-g", str(folder), "-q", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["triples"] == 5098
    assert main(["export", "gephi", "-g", str(folder), "-o", str(tmp_path / "n.gexf"), "-q"]) == 0
    assert main(["publish", str(tmp_path / "site"), "-g", str(folder), "-q", "--only", "kg:Corporation"]) == 0
    from kg.web.views import Pages as Site

    nec = "https://kg.jp-spending.example/id/corporation/7010601022674"
    on_disk = Site(ox.Store.read_only(str(folder))).page(nec)
    assert on_disk == Site(rs_build.store()).page(nec)  # each statement once, not once per named graph
    assert "参照元 Referenced by (" in on_disk
    assert kg.query(folder, "firms-in-several-projects") == kg.query(kg.build([inputs / "seeds", inputs / "rs"]),
                                                                     "firms-in-several-projects")


def test_incremental_rebuild_equals_a_clean_build(inputs, tmp_path):
    cache, folder, clean = tmp_path / "cache", tmp_path / "inc.oxigraph", tmp_path / "clean.oxigraph"
    sources = [inputs / "seeds", inputs / "rs"]
    first = kg.build(sources, store=folder, cache=cache)
    assert "25 of 25 named graphs written" in first.description
    # one RS file changes: 1-2 names another 旧事業番号 (a lineage across files, so derived triples change too)
    z = inputs / "rs" / "2024" / "1-2_RS_2024_基本情報_事業概要等.zip"
    with zipfile.ZipFile(z) as src:
        member = src.infolist()[0]
        text = src.read(member).decode("utf-8-sig").replace("2021-総務-20-0094", "2021-総務-20-0063")
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(member, text.encode("utf-8-sig"))
    again = kg.build(sources, store=folder, cache=cache)
    import re

    replaced = int(re.search(r"(\d+) of 25 named graphs written", again.description).group(1))
    assert 1 <= replaced < 25  # only what changed
    kg.build(sources, store=clean)
    assert dump(folder) == dump(clean)
    # what kg push compares by: each graph's subjects' fingerprints, the same as a clean build's
    assert len(recorded_prints(folder)) == 25 and recorded_prints(folder) == recorded_prints(clean) == computed_prints(clean)
    assert info(folder)["triples"] == info(clean)["triples"]


def test_a_failed_build_leaves_the_old_store_whole(inputs, tmp_path, monkeypatch):
    folder = tmp_path / "s.oxigraph"
    kg.build([inputs / "seeds"], store=folder)
    before = dump(folder)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("kg.store_folder._describe", broken)
    with pytest.raises(OSError, match="disk full"):
        write_store({None: {"<urn:a> <urn:b> <urn:c> ."}}, folder, [])
    assert dump(folder) == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.oxigraph"]


def seeds_store(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds.oxigraph"
    if not folder.exists():
        kg.build(None, store=folder)
    return folder


def test_store_replaces_only_a_store_it_wrote(inputs, tmp_path, capsys):
    """--store ~/Documents must not remove ~/Documents: a store is swapped in whole."""
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "notes.txt").write_text("mine", encoding="utf-8")
    note = tmp_path / "note.txt"
    note.write_text("mine", encoding="utf-8")
    foreign = tmp_path / "foreign.oxigraph"
    other = ox.Store(str(foreign))
    other.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")))
    del other
    seeds = str(inputs / "seeds")
    for target, said in ((papers, "exists and is a folder that is not an Oxigraph store; nothing is replaced"),
                         (note, "exists and is a file; nothing is replaced"),
                         (foreign, "an Oxigraph store folder that 'kg build --store' did not write; nothing is replaced")):
        assert main(["build", seeds, "--store", str(target), "-q"]) == 2
        assert capsys.readouterr().err.startswith(f"{target}: error: {said}")
        with pytest.raises(InputError):
            write_store({None: {"<urn:a> <urn:b> <urn:c> ."}}, target, [])
    assert (papers / "notes.txt").read_text(encoding="utf-8") == note.read_text(encoding="utf-8") == "mine"
    assert len(ox.Store.read_only(str(foreign))) == 1
    assert main(["build", seeds, "-o", str(papers), "-q"]) == 2  # -o takes a file
    assert capsys.readouterr().err == f"{papers}: error: is a folder: -o writes a file (--store writes a store folder)\n"
    with pytest.raises(InputError, match="is a folder: -o writes a graph file"):
        kg.build([inputs / "seeds"], output=papers)
    for command in (["validate", "-g", str(seeds_store(tmp_path)), "-o", str(papers)],
                    ["export", "gephi", "-g", str(seeds_store(tmp_path)), "-o", str(papers)],
                    ["build", seeds, "--store", str(tmp_path / "s"), "--report", str(papers)]):
        assert main(command) == 2
        assert capsys.readouterr().err.startswith(f"{papers}: error: is a folder: ")
    assert not (tmp_path / "s").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["build", seeds, "--store", str(empty), "-q"]) == 0  # a new or empty folder, or a store it wrote
    assert main(["build", seeds, "--store", str(empty), "-q"]) == 0
    assert int(info(empty)["triples"]) == 4333


def test_a_store_built_streamed_equals_one_built_in_memory(tmp_path):
    """kg build --store (lines never all in memory) gives the quads of the in-memory build
    written by write_store, register and e-Gov links included; only the build's own
    description (its date) differs."""
    import pyoxigraph as ox

    from kg.iris import IRIs
    from kg.pipeline import EXAMPLES_DIR, build, build_into_store
    from kg.read import expand
    from kg.store_folder import write_store, write_store_streamed

    fixtures = Path(__file__).resolve().parent / "fixtures"
    paths = [EXAMPLES_DIR, fixtures / "rs", fixtures / "nta"]
    memory = build(paths)
    write_store(memory.graphs, tmp_path / "memory", [], None)
    streamed, written = build_into_store(
        paths, tmp_path / "streamed", lambda write: write_store_streamed(tmp_path / "streamed", write, expand(paths)),
        workers=2)
    build_graph = ox.NamedNode(str(IRIs().build_graph()))

    def quads(folder):
        store = ox.Store.read_only(str(folder))
        return {q for q in store if q.graph_name != build_graph}

    assert quads(tmp_path / "memory") == quads(tmp_path / "streamed")
    assert recorded_prints(tmp_path / "memory") == recorded_prints(tmp_path / "streamed") == computed_prints(tmp_path / "streamed")
    assert written.triples == memory.triples and streamed.summary() == memory.summary()


def test_the_load_files_give_the_same_store_however_they_are_cut(inputs, tmp_path, monkeypatch):
    """A national year loads a document's graph as N-Triples of its own (to_graph) and cuts
    every file at LOAD_PART_BYTES; the fixtures are too small for either unless both are low."""
    from kg import store_folder

    paths = [inputs / "seeds", inputs / "rs"]
    kg.build(paths, store=tmp_path / "plain")
    seen: list = []
    load = store_folder._load

    def spying(work, files, say):
        seen.extend(files)
        return load(work, files, say)

    monkeypatch.setattr(store_folder, "BIG_GRAPH_LINES", 100)
    monkeypatch.setattr(store_folder, "LOAD_PART_BYTES", 50_000)
    monkeypatch.setattr(store_folder, "_load", spying)
    kg.build(paths, store=tmp_path / "cut")
    own = [f for f in seen if not f.quads and f.graph]
    kinds = (len(own), sum(1 for f in seen if not f.quads and not f.graph), sum(1 for f in seen if f.quads))
    assert kinds == (8, 9, 4), kinds  # 8 graphs of their own; default graph and N-Quads cut at 50 kB
    assert dump(tmp_path / "cut") == dump(tmp_path / "plain")
    assert info(tmp_path / "cut")["quads"] == info(tmp_path / "plain")["quads"]
    assert not [p.name for p in tmp_path.iterdir() if p.name not in ("plain", "cut")]  # no load files left
