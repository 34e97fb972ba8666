"""Ctrl-C and SIGTERM end a long command cleanly: a real ``kg`` process, stopped by a real
signal at a chosen step (``KG_PAUSE_AFTER`` holds it there), ends within a few seconds with
one line on stderr and exit status 130 (SIGINT) or 143 (SIGTERM), leaves no temporary file,
folder or worker process behind, and leaves the previous output exactly as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import RS_FIXTURES

ROOT = Path(__file__).resolve().parent.parent
REAL_RS = Path(__file__).resolve().parent / "fixtures" / "rs-real"


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its bytes (the store's too)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _kg(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


def _stop_at(args: list[str], cwd: Path, step: str, sig: int) -> tuple[int, str, float]:
    """Run ``kg ARGS``, wait until it has printed the step line starting with ``step`` (it
    pauses there), send ``sig``; (exit status, stderr, seconds from the signal to the end)."""
    env = {**os.environ, "KG_PAUSE_AFTER": step, "KG_PAUSE_SECONDS": "60", "COLUMNS": "100"}
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith(step):
            break
    assert seen and seen[-1].startswith(step), f"the command never printed a line starting with {step!r}: {seen}"
    time.sleep(0.5)  # inside the pause
    sent = time.monotonic()
    proc.send_signal(sig)
    rest = proc.stderr.read()
    code = proc.wait(60)
    return code, "".join(seen) + rest, time.monotonic() - sent


def _ended_cleanly(code: int, err: str, seconds: float, sig: int, command: str) -> None:
    want = 130 if sig == signal.SIGINT else 143
    name = "SIGINT" if sig == signal.SIGINT else "SIGTERM"
    assert code == want, err
    assert "Traceback" not in err, err
    assert err.rstrip("\n").splitlines()[-1] == (
        f"kg {command}: stopped by {name}; its temporary files are removed and the previous output is left as it was")
    assert seconds < 10, f"{seconds:.1f} s from the signal to the end"


def _no_process_with(marker: str) -> None:
    """No process left whose command line names ``marker`` (a build's worker processes)."""
    time.sleep(0.5)
    left = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if marker in cmd and "pytest" not in cmd:
                left.append(cmd)
    assert not left, left


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_build_stopped_while_its_processes_map_keeps_the_old_graph(tmp_path, sig):
    out = tmp_path / "out"
    out.mkdir()
    assert _kg("build", "-q", "-o", "graph.nt", cwd=out).returncode == 0  # the previous output
    before = _tree(out)
    code, err, seconds = _stop_at(["build", str(RS_FIXTURES), "-o", "graph.nt", "-j", "2"], out, "[", sig)
    _ended_cleanly(code, err, seconds, sig, "build")
    assert "mapping 19 files in 2 processes" in err
    assert _tree(out) == before  # the old graph, and no .graph.nt.*.tmp beside it
    _no_process_with(str(RS_FIXTURES))


@pytest.mark.parametrize("step, sig", [("merging", signal.SIGINT), ("loading", signal.SIGTERM),
                                       ("optimizing", signal.SIGINT)])
def test_a_store_build_stopped_at_each_step_keeps_the_old_store(tmp_path, step, sig):
    store = tmp_path / "year.oxigraph"
    assert _kg("build", "-q", str(RS_FIXTURES / "2024"), "--store", str(store), cwd=tmp_path).returncode == 0
    before = _tree(store)
    code, err, seconds = _stop_at(["build", str(REAL_RS), "--store", str(store), "-j", "2"], tmp_path, step, sig)
    _ended_cleanly(code, err, seconds, sig, "build")
    assert _tree(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["year.oxigraph"]  # no work folder, parts or load files
    info = _kg("info", str(store), cwd=tmp_path)
    assert info.returncode == 0 and "rs/2024/1-1_RS_2024" in info.stdout and "rs-real" not in info.stdout
    _no_process_with(str(REAL_RS))


def test_validate_stopped_mid_way_ends_at_once(tmp_path, seed_nt):
    code, err, seconds = _stop_at(["validate", str(seed_nt), "-j", "2"], tmp_path, "validating", signal.SIGINT)
    _ended_cleanly(code, err, seconds, signal.SIGINT, "validate")
    assert sorted(tmp_path.iterdir()) == []


def test_an_export_stopped_keeps_the_old_file(tmp_path, seed_nt):
    assert _kg("export", "gephi", "-g", str(seed_nt), "-o", "net.gexf", cwd=tmp_path).returncode == 0
    before = _tree(tmp_path)
    code, err, seconds = _stop_at(["export", "gephi", "-g", str(seed_nt), "-o", "net.gexf", "--view", "full"],
                                  tmp_path, "writing", signal.SIGTERM)
    _ended_cleanly(code, err, seconds, signal.SIGTERM, "export")
    assert _tree(tmp_path) == before


def test_a_publish_stopped_after_its_pages_keeps_the_old_site(tmp_path, seed_nt):
    assert _kg("publish", "site", "-q", "-g", str(seed_nt), "--title", "old", cwd=tmp_path).returncode == 0
    before = _tree(tmp_path / "site")
    code, err, seconds = _stop_at(["publish", "site", "-g", str(seed_nt), "--title", "new"], tmp_path, "[", signal.SIGINT)
    _ended_cleanly(code, err, seconds, signal.SIGINT, "publish")
    assert "pages" in err
    assert _tree(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # the new site's work folder is gone


def test_a_push_stopped_mid_upload_leaves_the_server_graph_and_no_temporary_graph(tmp_path, seed_nt, oxigraph_server):
    from SPARQLWrapper import JSON, SPARQLWrapper

    def graphs() -> dict[str, int]:
        client = SPARQLWrapper(oxigraph_server + "/query")
        client.setQuery("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        client.setReturnFormat(JSON)
        return {b["g"]["value"]: int(b["n"]["value"]) for b in client.queryAndConvert()["results"]["bindings"]}

    target = "https://example.org/spending"
    old = tmp_path / "old.nt"
    old.write_text('<https://example.org/a> <https://example.org/b> "old" .\n', encoding="utf-8")
    assert _kg("push", str(old), "--endpoint", oxigraph_server + "/store", "--graph", target, "-q",
               cwd=tmp_path).returncode == 0
    assert graphs() == {target: 1}
    code, err, seconds = _stop_at(["push", str(seed_nt), "--endpoint", oxigraph_server + "/store", "--graph", target,
                                   "--part-size", "0.1"], tmp_path, "uploaded part 2 of", signal.SIGINT)
    _ended_cleanly(code, err, seconds, signal.SIGINT, "push")
    assert graphs() == {target: 1}  # the target as it was, the half-uploaded temporary graph dropped
