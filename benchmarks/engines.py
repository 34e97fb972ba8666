"""Benchmark: every canned query on the embedded store, the Oxigraph server and Virtuoso 7,
on one graph file, side by side in one run.

* embedded — ``kg query`` on the file opened in memory (pyoxigraph), the baseline;
* Oxigraph server — ``oxigraph load`` into a store folder, ``oxigraph serve-read-only``;
* Virtuoso 7 — started here with ``docs/using/virtuoso.ini`` (``--buffers`` sets its memory),
  the file bulk-loaded by ``ld_dir`` + ``rdf_loader_run`` into a named graph, each query sent
  to ``/sparql`` with that graph as ``default-graph-uri``.

Each query runs once to warm up, then ``--runs`` times; the median is printed with the rows
(the same on the three, or the line says where they differ) and the ratio to the embedded store.
A query's parameters are its defaults, or, where the defaults name nothing in the graph, values
the graph holds (a project and a corporation with the most 支出先 rows, a contested number).

    .venv/bin/python benchmarks/engines.py GRAPH.nt [--buffers 680000] [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kg
from kg.queries import Page, load_queries, run
from kg.remote import run_remote

from push import free_port, oxigraph, peak_kib, wait

GRAPH = "https://kg.jp-spending.example/benchmark"
KG = "https://kg.jp-spending.example/def/"


def values_for(store, query) -> dict[str, str]:
    """The defaults, or values the graph holds where a default names nothing in it."""
    def first(text: str) -> str | None:
        rows = kg.query(store, sparql=f"PREFIX kg: <{KG}> PREFIX dcterms: <http://purl.org/dc/terms/> {text}")
        return str(next(iter(rows[0].values()))) if rows else None

    out = {}
    names = {p.name for p in query.params}
    if run(store.store, query, {}, Page(limit=1)).rows:
        return out
    if "project" in names:
        found = first("SELECT ?id (COUNT(*) AS ?n) WHERE { ?e a kg:Expenditure ; kg:project/dcterms:identifier ?id } "
                      "GROUP BY ?id ORDER BY DESC(?n) ?id LIMIT 1")
        if found:
            out["project"] = found
    if "corporateNumber" in names:
        pattern = ("?r kg:contestedNumber ?c . ?c kg:corporateNumber ?id" if query.name == "contested-number-rows" else
                   "?e a kg:Expenditure ; kg:recipient ?c . ?c kg:corporateNumber ?id")
        found = first(f"SELECT ?id (COUNT(*) AS ?n) WHERE {{ {pattern} }} GROUP BY ?id ORDER BY DESC(?n) ?id LIMIT 1")
        if found:
            out["corporateNumber"] = found
    return out


def timed(fn, runs: int):
    fn()  # warm
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("graph", type=Path, help="an N-Triples file (kg build -o FILE.nt)")
    ap.add_argument("--buffers", type=int, default=680_000, help="Virtuoso's NumberOfBuffers (8 KB each)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    virtuoso = shutil.which("virtuoso-t") or sys.exit("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    isql = shutil.which("isql-vt") or sys.exit("isql-vt is not installed")
    path = args.graph.resolve()
    work = Path(tempfile.mkdtemp(prefix="kg-engines-"))
    procs = []
    try:
        start = time.perf_counter()
        local = kg.open(path)
        print(f"{path.name}: {local.triples:,} triples; embedded store loaded in {time.perf_counter() - start:.1f} s")

        start = time.perf_counter()
        subprocess.run([oxigraph(), "load", "--location", str(work / "ox"), "--file", str(path)], check=True,
                       capture_output=True)
        ox_load = time.perf_counter() - start
        port = free_port()
        procs.append(subprocess.Popen([oxigraph(), "serve-read-only", "--location", str(work / "ox"), "--bind",
                                       f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        ox_url = f"http://127.0.0.1:{port}/query"
        wait(ox_url + "?query=ASK%7B%7D")
        print(f"Oxigraph server: oxigraph load {ox_load:.1f} s")

        (work / "v").mkdir()
        sql_port, http_port = free_port(), free_port()
        ini = (ROOT / "docs" / "using" / "virtuoso.ini").read_text(encoding="utf-8").replace("@DIR@", str(work / "v"))
        ini = ini.replace("@PORT@", str(sql_port)).replace("@HTTP_PORT@", str(http_port))
        ini = re.sub(r"(?m)^NumberOfBuffers .*$", f"NumberOfBuffers = {args.buffers}", ini)
        ini = re.sub(r"(?m)^MaxDirtyBuffers .*$", f"MaxDirtyBuffers = {args.buffers * 3 // 4}", ini)
        (work / "v" / "virtuoso.ini").write_text(ini, encoding="utf-8")
        vproc = subprocess.Popen([virtuoso, "+foreground", "+configfile", str(work / "v" / "virtuoso.ini")], cwd=work / "v",
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(vproc)
        v_url = f"http://127.0.0.1:{http_port}/sparql"
        wait(v_url + "?query=ASK%7B%7D")
        (work / "v" / "load").mkdir()
        (work / "v" / "load" / path.name).symlink_to(path)
        start = time.perf_counter()
        subprocess.run([isql, str(sql_port), "dba", "dba", f"exec=ld_dir('{work / 'v' / 'load'}', '{path.name}', "
                        f"'{GRAPH}'); rdf_loader_run(); checkpoint;"], check=True, capture_output=True)
        print(f"Virtuoso 7: ld_dir + rdf_loader_run {time.perf_counter() - start:.1f} s, "
              f"NumberOfBuffers {args.buffers:,}, peak {peak_kib(vproc.pid) / 2**20:.2f} GiB")
        print()
        print(f"{'query':<32} {'rows':>6} {'embedded s':>11} {'Oxigraph s':>11} {'Virtuoso s':>11} {'ratio':>6}  same rows")
        worst = 0.0
        for name, query in sorted(load_queries().items()):
            values = values_for(local, query)
            t_local, mine = timed(lambda q=query, v=values: run(local.store, q, v, Page()), args.runs)
            t_ox, theirs = timed(lambda q=query, v=values: run_remote(ox_url, q, v, Page(), timeout=600), args.runs)
            try:
                t_v, virt = timed(lambda q=query, v=values: run_remote(v_url, q, v, Page(), timeout=600, graph=GRAPH),
                                  args.runs)
            except kg.errors.RemoteError as exc:
                print(f"{name:<32} {len(mine.rows):>6} {t_local:>11.2f} {t_ox:>11.2f} {'refused':>11}        {exc}")
                worst = float("inf")
                continue
            same = ("yes" if mine.rows == theirs.rows == virt.rows else
                    f"NO (Oxigraph {theirs.rows == mine.rows}, Virtuoso {virt.rows == mine.rows})")
            worst = max(worst, t_v)
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            print(f"{name:<32} {len(mine.rows):>6} {t_local:>11.2f} {t_ox:>11.2f} {t_v:>11.2f} {t_v / max(t_local, 1e-3):>6.1f}  "
                  f"{same}" + (f"  ({shown})" if shown else ""))
        print(f"\nslowest on Virtuoso: {worst:.2f} s; Virtuoso peak {peak_kib(vproc.pid) / 2**20:.2f} GiB")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
