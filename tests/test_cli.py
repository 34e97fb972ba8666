"""kg build end to end: outputs, determinism, and bad input reported with file and line."""

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from kg.pipeline import build
from kg.cli import main
from kg.iris import KG

from .conftest import seed_file


def run(*args):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True)


def test_build_default_examples_and_byte_identical_rebuild(tmp_path):
    a, b = tmp_path / "a.nt", tmp_path / "b.nt"
    first = run("build", "-o", str(a))
    second = run("build", "-o", str(b), "--quiet")
    assert first.returncode == 0, first.stderr
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    # progress on a multi-file build, then the summary
    assert "[5/5]" in first.stderr
    assert "5 documents (0 failed)" in first.stderr
    assert "4 sheets (and 19 placeholders: sheets the inputs name but do not hold), 37 corporations, 46 expenditures" in first.stderr
    assert "[5/5]" not in second.stderr


def test_turtle_and_jsonld_outputs_parse_to_the_same_graph(tmp_path):
    nt, ttl, jsonld = tmp_path / "g.nt", tmp_path / "g.ttl", tmp_path / "g.jsonld"
    for out in (nt, ttl, jsonld):
        assert main(["build", "-q", "-o", str(out)]) == 0
    sizes = set()
    for out, fmt in ((nt, "nt"), (ttl, "turtle"), (jsonld, "json-ld")):
        g = Graph()
        g.parse(out, format=fmt)
        sizes.add(len(g))
    assert len(sizes) == 1
    assert isinstance(json.loads(jsonld.read_text(encoding="utf-8")), (list, dict))


def test_base_iri_is_configurable(tmp_path):
    out = tmp_path / "g.nt"
    assert main(["build", "-q", "-o", str(out), "--base-iri", "http://example.org/data/", str(seed_file("002"))]) == 0
    text = out.read_text(encoding="utf-8")
    assert "<http://example.org/data/corporation/1010001143390>" in text
    assert "kg.jp-spending.example/id/" not in text


def test_unusable_files_are_reported_and_the_rest_still_builds(tmp_path, capsys):
    (tmp_path / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00garbage")
    (tmp_path / "latin.txt").write_bytes("事業番号\n".encode() + b"caf\xe9 \xff\xfe\n")
    (tmp_path / "notes.txt").write_text("これは関係のないメモです。\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    good = tmp_path / "good.txt"
    good.write_bytes(seed_file("002").read_bytes())
    out = tmp_path / "g.nt"
    code = main(["build", "-q", "-o", str(out), str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{tmp_path / 'binary.txt'}:1: error: binary file" in err
    assert f"{tmp_path / 'latin.txt'}:2: error: not UTF-8 text (byte 0xe9" in err
    assert f"{tmp_path / 'notes.txt'}: error: no known layout recognised" in err
    assert f"{tmp_path / 'empty.txt'}: error: file is empty" in err
    assert "1 documents (4 failed)" in err
    g = Graph()
    g.parse(out, format="nt")
    assert len(set(g.subjects(RDF.type, KG.Corporation))) == 11
    assert len(set(g.subjects(RDF.type, KG.Expenditure))) == 11
    assert (None, KG.corporateNumber, Literal("1010001143390")) in g


def test_shift_jis_input_is_read(tmp_path):
    sjis = tmp_path / "sheet.txt"
    sjis.write_bytes(seed_file("002").read_text(encoding="utf-8").encode("cp932", errors="strict"))
    result = build([sjis])
    assert result.documents == 1 and not result.failed


def test_missing_path_is_reported(tmp_path, capsys):
    assert main(["build", "-q", "-o", str(tmp_path / "g.nt"), str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt: error: no such file or folder" in capsys.readouterr().err


def test_invalid_corporate_number_is_reported_kept_and_flagged(tmp_path):
    text = seed_file("002").read_text(encoding="utf-8")
    assert text.count("1010001143390") == 1
    bad = tmp_path / "bad-number.txt"
    bad.write_text(text.replace("1010001143390", "2010001143390"), encoding="utf-8")
    result = build([bad])
    line = next(i for i, t in enumerate(bad.read_text(encoding="utf-8").split("\n"), 1) if "2010001143390" in t)
    errors = [str(d) for d in result.diagnostics if d.severity == "error"]
    assert errors == [
        f"{bad}:{line}: error: 株式会社エヌ・ティ・ティ・データ経営研究所: 法人番号 2010001143390 fails the check digit; kept and flagged"
    ]
    rows = list(result.graph.query("""PREFIX kg: <https://kg.jp-spending.example/def/>
        SELECT ?valid ?amount WHERE { ?e kg:recipient ?c ; kg:amount ?amount .
        ?c kg:corporateNumber "2010001143390" ; kg:corporateNumberValid ?valid }"""))
    assert [(r[0].toPython(), r[1].toPython()) for r in rows] == [(False, Decimal(286_000_000))]
    # nothing else lost: still 11 corporations and 11 expenditures
    assert result.count(KG.Corporation) == 11
    assert result.count(KG.Expenditure) == 11


def test_malformed_amount_is_reported_and_the_row_kept(tmp_path):
    text = seed_file("004").read_text(encoding="utf-8")
    broken = text.replace("サイバー攻撃に関する解析作業\t108.9\t", "サイバー攻撃に関する解析作業\t10#8.9\t")
    assert broken != text
    f = tmp_path / "broken.txt"
    f.write_text(broken, encoding="utf-8")
    result = build([f])
    line = next(i for i, t in enumerate(broken.split("\n"), 1) if "10#8.9" in t)
    assert [str(d) for d in result.diagnostics if d.severity == "error"] == [
        f"{f}:{line}: error: 株式会社日立製作所: 支出額 not a number: '10#8.9'"
    ]
    assert result.count(KG.Expenditure) == 35  # the row is kept, without an amount


def test_truncated_file_keeps_the_rows_before_the_cut(tmp_path):
    lines = seed_file("004").read_text(encoding="utf-8").split("\n")
    cut = next(i for i, t in enumerate(lines) if t.startswith("4\t株式会社セキュアブレイン"))
    f = tmp_path / "truncated.txt"
    f.write_text("\n".join(lines[:cut]) + "\n4\t株式会社セキュア", encoding="utf-8")
    result = build([f])
    assert result.documents == 1
    # A1, B1, B2, B3 and the cut row B4, kept with what it has: its name, no number, no amount
    assert result.count(KG.Expenditure) == 5
    cut_row = list(result.graph.query("""PREFIX kg: <https://kg.jp-spending.example/def/>
        SELECT ?name WHERE { ?e kg:rank 4 ; kg:recipientName ?name FILTER NOT EXISTS { ?e kg:amount ?a } }"""))
    assert [str(r[0]) for r in cut_row] == ["株式会社セキュア"]
    assert [str(d) for d in result.diagnostics] == [
        f"{f}:{cut + 1}: warning: 支出先 row has 2 cells where the table has 9 (truncated?)"
    ]


@pytest.mark.parametrize("fmt, suffix", [("nt", ".nt"), ("turtle", ".ttl"), ("json-ld", ".jsonld")])
def test_format_from_suffix(tmp_path, fmt, suffix):
    from kg.nt import format_for

    assert format_for(tmp_path / f"x{suffix}", None) == fmt


def test_a_corrupt_zip_member_is_reported_and_the_others_build(tmp_path, capsys):
    import zipfile

    from .conftest import RS_FIXTURES

    good = next((RS_FIXTURES / "2024").glob("1-1_*.zip"))
    bad = tmp_path / "two.zip"
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as out:
        data = z.read(z.infolist()[0])
        out.writestr("a/1-1.csv", data)
        out.writestr("b/1-1-copy.csv", data)
    raw = bytearray(bad.read_bytes())
    second = raw.index(b"b/1-1-copy.csv", 40) + len(b"b/1-1-copy.csv")  # the second member's local header
    raw[second + 10: second + 60] = b"\x00" * 50  # its compressed data, garbled
    bad.write_bytes(bytes(raw))
    assert main(["build", "-q", "-o", str(tmp_path / "g.nt"), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "two.zip!b/1-1-copy.csv: error: corrupt zip member" in err
    assert "1 documents (1 failed)" in err and (tmp_path / "g.nt").stat().st_size > 1000


def test_a_build_of_nothing_leaves_the_previous_output(tmp_path, capsys):
    out = tmp_path / "graph.nt"
    out.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    junk = tmp_path / "junk.txt"
    junk.write_text("nothing a mapper knows\n", encoding="utf-8")
    assert main(["build", "-q", "-o", str(out), str(junk)]) == 2
    assert out.read_text(encoding="utf-8") == "<urn:a> <urn:b> <urn:c> .\n"


@pytest.mark.parametrize("item, option", [("limit=5", "--limit 5"), ("offset=3", "--offset 3"), ("all=1", "--all"),
                                          ("name=x", "the query name"), ("graph=g.nt", "--graph g.nt"),
                                          ("endpoint=http://x/", "--endpoint http://x/"), ("timeout=3", "--timeout 3"),
                                          ("sparql=x", "--sparql x")])
def test_a_parameter_named_like_an_option_is_refused(seed_nt, capsys, item, option):
    """Issue 33: -p limit=5 ended in a traceback, -p sparql=x was taken as the query text."""
    assert main(["query", "top-recipients", "-g", str(seed_nt), "-p", item]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: -p {item.split('=')[0]}=…: ") and f"use {option}" in err
    assert "Traceback" not in err and "parameters: kind, outOfScale" in err


def test_a_parameter_given_twice_or_without_name_is_refused(seed_nt, capsys):
    assert main(["query", "top-recipients", "-g", str(seed_nt), "-p", "kind=*", "-p", "kind=corporation"]) == 2
    assert "error: --param kind is given twice" in capsys.readouterr().err
    assert main(["query", "top-recipients", "-g", str(seed_nt), "-p", "=x"]) == 2
    assert "no parameter name before '='" in capsys.readouterr().err


def test_a_reader_that_stops_early_ends_kg_quietly_and_sigpipe_stays_ignored(seed_nt):
    """`kg query … | head`: no traceback. The CLI used to restore SIGPIPE's default action for
    that, which ended the whole process silently (status 141) when a server closed the
    connection during an upload (Virtuoso refusing a push before reading it)."""
    import signal
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-m", "kg.cli", "query", "--sparql", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
                          "-g", str(seed_nt), "-f", "csv", "--all", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout.read(6) == b"s,p,o\n"
    p.stdout.close()  # 4,333 rows do not fit in the pipe: kg meets a closed pipe
    err = p.stderr.read().decode()
    assert p.wait() == 0 and err == ""
    assert main(["queries"]) == 0
    assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN
