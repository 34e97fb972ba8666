"""Every case of the bad-input corpus (tests/bad_inputs.py) through ``kg build``: the exit
code, the message naming file and line, every triple of the valid part kept, and no
traceback; then what no file can carry (an unreadable folder, a FIFO, a query parameter
out of range, a build of nothing over an old output)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main

from .bad_inputs import Case, cases, write

ROOT = Path(__file__).resolve().parent.parent


def _build(folder: Path, inputs: list[str], output: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "build", *inputs, "-o", str(output), *args],
                          cwd=folder, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def _lines(path: Path) -> set[str]:
    """The triples, with documents' IRIs (a digest of their bytes: a cut file's differs from its
    valid part's) made one and their digests left out."""
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {re.sub(r"/id/document/[0-9a-f]{16}", "/id/document/X", line) for line in lines
            if "/def/sha256>" not in line}


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_bad_input(case: Case, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(case, folder)
    out = tmp_path / "graph.nt"
    done = _build(folder, list(case.inputs), out)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == case.exit, done.stderr
    for message in case.messages:
        assert message in done.stderr, done.stderr
    if case.exit == 2:
        assert not out.exists()
        return
    graph = _lines(out)
    assert f"{case.documents} documents" in done.stderr
    if case.survivors:  # the valid part built alone: every one of its triples is in the graph
        alone = tmp_path / "alone"
        alone.mkdir()
        for rel, data in case.survivors.items():
            (alone / rel).write_bytes(data)
        expected = tmp_path / "alone.nt"
        assert _build(alone, ["."], expected).returncode == 0
        missing = _lines(expected) - graph
        assert not missing, sorted(missing)[:5]


def test_judgit_huge_amount_keeps_its_row(tmp_path):
    case = next(c for c in cases() if c.id == "judgit-huge-amount")
    write(case, tmp_path)
    import kg

    g = kg.build([tmp_path / "0001.json"])
    rows = list(g.store.query(
        "PREFIX kg: <https://kg.jp-spending.example/def/> SELECT ?e ?a WHERE { ?e a kg:Expenditure ; kg:sourcePointer ?p "
        "OPTIONAL { ?e kg:amount ?a } FILTER(STR(?p) = '/支出先/0') }"))
    assert len(rows) == 1 and rows[0]["a"] is None  # the row is there, without the amount


def test_rs_huge_amount_keeps_its_project(tmp_path):
    case = next(c for c in cases() if c.id == "rs-huge-amount")
    write(case, tmp_path)
    import kg

    g = kg.build([tmp_path])
    assert g.documents == 1
    names = [r["n"].value for r in g.store.query(
        "PREFIX kg: <https://kg.jp-spending.example/def/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?n WHERE { ?e a kg:Expenditure ; kg:recipientName ?n } ORDER BY ?n")]
    assert "NECソリューションイノベータ株式会社" in names


def test_an_unreadable_folder_is_an_error_and_the_rest_builds(tmp_path, monkeypatch, capsys):
    """As root every folder is readable: the refusal is simulated where os.walk lists it."""
    (tmp_path / "in" / "locked").mkdir(parents=True)
    (tmp_path / "in" / "0001.json").write_bytes(cases()[0].survivors["0001.json"])
    real = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert main(["build", str(tmp_path / "in"), "-o", str(tmp_path / "g.nt"), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'in' / 'locked'}: error: cannot read the folder: Permission denied" in err
    assert "1 documents" in err and (tmp_path / "g.nt").exists()


def test_a_fifo_is_not_read(tmp_path, capsys):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert main(["build", str(fifo), "-o", str(tmp_path / "g.nt"), "-q"]) == 2
    assert f"{fifo}: error: not a regular file" in capsys.readouterr().err


def test_a_build_of_nothing_leaves_the_old_output(tmp_path, capsys):
    old = tmp_path / "graph.nt"
    old.write_text("<urn:a> <urn:b> <urn:c> .\n")
    (tmp_path / "empty.csv").write_bytes(b"")
    assert main(["build", str(tmp_path / "empty.csv"), "-o", str(old)]) == 2
    assert old.read_text() == "<urn:a> <urn:b> <urn:c> .\n"
    assert f"nothing built, {old} left as it was" in capsys.readouterr().err


@pytest.mark.parametrize("value,message", [
    ("1e999999", "is out of range"), ("NaN", "is not a decimal"), ("99" * 40, "is out of range"), ("abc", "is not a decimal"),
])
def test_query_parameters_out_of_range(seed_nt, capsys, value, message):
    assert main(["query", "non-competitive-contracts", "-g", str(seed_nt), "-p", f"threshold={value}"]) == 2
    assert message in capsys.readouterr().err
