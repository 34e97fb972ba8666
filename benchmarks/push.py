"""Benchmark: ``kg push`` of a store folder to a real Oxigraph server and to Virtuoso 7, against
each server's own bulk loader, side by side in one run; then the pushes that follow a change.

For each server, on an empty database:

* baseline — its bulk loader on the store's default graph written as N-Triples
  (``oxigraph load --location DIR --file FILE``; Virtuoso's ``ld_dir`` + ``rdf_loader_run``);
* ``kg push STORE`` — the first push: the whole graph, then each document's subjects (its part);
* ``kg push STORE`` again — nothing changed;
* ``kg push CHANGED`` — a build of the same files but one (``--changed``, a store folder).

Prints seconds, the ratio to the bulk loader and the server's peak memory (VmHWM) for each;
checks that the server's target holds as many triples as the store's default graph.

    .venv/bin/python benchmarks/push.py YEAR.oxigraph --changed YEAR2.oxigraph
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET = "https://kg.jp-spending.example/benchmark/release"  # Virtuoso's target (its updates need a named graph)


def oxigraph() -> str:
    found = BIN / "oxigraph"
    return str(found) if found.exists() else (shutil.which("oxigraph") or sys.exit("the oxigraph server is not installed"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer within {seconds} s")


def count(query_url: str, graph: str | None) -> int:
    params = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    if graph:
        params["default-graph-uri"] = graph
    req = urllib.request.Request(query_url + "?" + urllib.parse.urlencode(params),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        import json

        return int(json.load(r)["results"]["bindings"][0]["n"]["value"])


def kg_push(store: Path, *args: str, env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg.cli", "push", str(store), *args], cwd=ROOT, capture_output=True,
                          text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(done.stderr[-3000:])
    summary = next((line for line in reversed(done.stderr.splitlines()) if line.startswith("pushed ")), "")
    return seconds, re.sub(r" to .* at .*", "", summary)


def line(what: str, seconds: float, baseline: float, peak: int, note: str = "") -> None:
    print(f"  {what:<34} {seconds:8.1f} s  {seconds / baseline:5.1f}x  peak {peak / 2**20:5.2f} GiB  {note}")


def bench_oxigraph(store: Path, changed: Path | None, nt: Path, expected: dict[Path, int], tmp: Path) -> None:
    print("Oxigraph server", subprocess.run([oxigraph(), "--version"], capture_output=True, text=True).stdout.strip())
    start = time.perf_counter()
    loader = subprocess.Popen(["/usr/bin/time", "-f", "%M", oxigraph(), "load", "--location", str(tmp / "ox-load"),
                               "--file", str(nt)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = loader.communicate()[1]
    baseline = time.perf_counter() - start
    line("oxigraph load (baseline)", baseline, baseline, int(err.strip().splitlines()[-1]))
    port = free_port()
    server = subprocess.Popen([oxigraph(), "serve", "--location", str(tmp / "ox-served"), "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait(url + "/query?query=ASK%7B%7D")
        for what, folder in [("kg push (first)", store), ("kg push (nothing changed)", store)] + (
                [("kg push (one file changed)", changed)] if changed else []):
            seconds, summary = kg_push(folder, "--endpoint", url + "/store")
            held = count(url + "/query", None)
            line(what, seconds, baseline, peak_kib(server.pid),
                 f"{summary}; target {held:,} triples" + ("" if held == expected[folder] else f" (NOT {expected[folder]:,})"))
    finally:
        server.terminate()
        server.wait(60)


class VirtuosoServer:
    def __init__(self, folder: Path, buffers: int):
        folder.mkdir(parents=True)
        self.folder, self.port, http_port = folder, free_port(), free_port()
        ini = (ROOT / "docs" / "using" / "virtuoso.ini").read_text(encoding="utf-8").replace("@DIR@", str(folder))
        ini = ini.replace("@PORT@", str(self.port)).replace("@HTTP_PORT@", str(http_port))
        ini = re.sub(r"(?m)^NumberOfBuffers .*$", f"NumberOfBuffers = {buffers}", ini)
        ini = re.sub(r"(?m)^MaxDirtyBuffers .*$", f"MaxDirtyBuffers = {buffers * 3 // 4}", ini)
        (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
        self.proc = subprocess.Popen([shutil.which("virtuoso-t"), "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                                     cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{http_port}"
        wait(self.url + "/sparql?query=ASK%7B%7D")

    def isql(self, text: str) -> None:
        subprocess.run([shutil.which("isql-vt"), str(self.port), "dba", "dba", "exec=" + text], check=True,
                       capture_output=True)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(120)


def bench_virtuoso(store: Path, changed: Path | None, nt: Path, expected: dict[Path, int], tmp: Path, buffers: int) -> None:
    print(f"Virtuoso 7 (docs/using/virtuoso.ini, NumberOfBuffers {buffers:,})")
    server = VirtuosoServer(tmp / "v-load", buffers)
    try:
        (tmp / "v-load" / "in").mkdir()
        (tmp / "v-load" / "in" / nt.name).symlink_to(nt)
        start = time.perf_counter()
        server.isql(f"ld_dir('{tmp / 'v-load' / 'in'}', '{nt.name}', '{TARGET}'); rdf_loader_run(); checkpoint;")
        baseline = time.perf_counter() - start
        line("ld_dir + rdf_loader_run (baseline)", baseline, baseline, peak_kib(server.proc.pid),
             f"target {count(server.url + '/sparql', TARGET):,} triples")
    finally:
        server.stop()
    server = VirtuosoServer(tmp / "v-push", buffers)
    env = {**os.environ, "KG_PASSWORD": "dba"}
    try:
        for what, folder in [("kg push (first)", store), ("kg push (nothing changed)", store)] + (
                [("kg push (one file changed)", changed)] if changed else []):
            seconds, summary = kg_push(folder, "--endpoint", server.url + "/sparql-graph-crud-auth", "--update",
                                       server.url + "/sparql-auth", "--graph", TARGET, "--user", "dba", env=env)
            held = count(server.url + "/sparql", TARGET)
            line(what, seconds, baseline, peak_kib(server.proc.pid),
                 f"{summary}; target {held:,} triples" + ("" if held == expected[folder] else f" (NOT {expected[folder]:,})"))
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path, help="a store folder written by kg build --store")
    ap.add_argument("--changed", type=Path, help="a store folder of the same inputs with one file changed")
    ap.add_argument("--buffers", type=int, default=680_000, help="Virtuoso's NumberOfBuffers (8 KB each)")
    ap.add_argument("--only", choices=["oxigraph", "virtuoso"])
    args = ap.parse_args()
    import pyoxigraph as ox

    expected = {}
    for folder in [args.store] + ([args.changed] if args.changed else []):
        s = ox.Store.read_only(str(folder))
        expected[folder] = int(next(iter(s.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
        del s
    with tempfile.TemporaryDirectory(prefix="kg-push-") as tmp:
        tmp = Path(tmp)
        nt = tmp / "graph.nt"
        start = time.perf_counter()
        with nt.open("wb") as f:
            ox.Store.read_only(str(args.store)).dump(f, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        print(f"# {args.store}: {expected[args.store]:,} triples ({nt.stat().st_size / 2**20:,.0f} MiB of N-Triples for "
              f"the loaders, written in {time.perf_counter() - start:.1f} s, not counted); {os.cpu_count()} cores")
        if args.only in (None, "oxigraph"):
            bench_oxigraph(args.store, args.changed, nt, expected, tmp)
        if args.only in (None, "virtuoso"):
            if not shutil.which("virtuoso-t"):
                print("Virtuoso: not installed (apt-get install virtuoso-opensource)")
            else:
                bench_virtuoso(args.store, args.changed, nt, expected, tmp, args.buffers)


if __name__ == "__main__":
    main()
