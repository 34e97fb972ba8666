"""Benchmark: a national year as an Oxigraph store folder (``kg build --store``), with raw
pyoxigraph run side by side on the same data.

Stages, each in a fresh process (peak memory is its own):

* ``kg build YEAR --store DIR -j N`` — map, merge, write the store (default graph plus
  one named graph per document);
* ``kg validate -g DIR -j N`` — every shape, on the store;
* baseline 1 — raw ``pyoxigraph.Store().bulk_load`` (in memory) of the default graph's
  N-Triples: the triples a query reads;
* baseline 2 — raw ``Store(dir).bulk_load`` of the same quads the store holds (default
  graph and named graphs), into a new folder;
* baseline 3 — raw ``Store(dir).bulk_load`` of the default graph's triples alone, on disk:
  with mapping and validation, the least any store of these triples on disk could take
  (the floor benchmarks/README.md "On disk" sets against the 3x target);
* each canned query with its defaults from a fresh ``kg query NAME -g DIR``, against a
  fresh process where raw pyoxigraph opens the same store read-only and runs the same
  text (parameters bound by VALUES, the first page).

    .venv/bin/python benchmarks/store_year.py [--data /tmp/rs-synthetic-2024] [-j 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from real_rs import PY, timed

from kg.queries import bindings, load_queries, query_text

RAW_QUERY = """import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
print(len(list(store.query(open(sys.argv[2], encoding="utf-8").read()))))"""


#: the first words of the build's step lines, in order: each step lasts until the next one starts
STEPS = ("mapping", "merging", "loading", "optimizing")


def timed_steps(cmd: list[str]) -> tuple[float, int, dict[str, float]]:
    """Wall seconds, peak RSS and the seconds of each step of a build, from the time its step
    lines reach stderr (the build runs without -q, as a user on a log sees it)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=HERE.parent)
    seen: dict[str, float] = {}
    for line in proc.stderr:
        for name in STEPS:
            if line.startswith(name + " ") and name not in seen:
                seen[name] = time.perf_counter() - start
    _, status, usage = os.wait4(proc.pid, 0)
    total = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed")
    marks = sorted(seen.items(), key=lambda kv: kv[1]) + [("end", total)]
    steps = {"starting": marks[0][1]} | {a[0]: b[1] - a[1] for a, b in zip(marks, marks[1:], strict=False)}
    return total, usage.ru_maxrss * 1024, steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "rs-synthetic-2024")
    ap.add_argument("-j", "--workers", type=int, default=2)
    args = ap.parse_args()
    if not args.data.is_dir():
        from rs_year import generate, write

        write(args.data, generate(projects=5700)[0])
    print(f"# {args.data}: {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    work = Path(tempfile.mkdtemp(prefix="kg-store-bench-"))
    try:
        store = work / "year.oxigraph"
        j = str(args.workers)
        built, peak, steps = timed_steps([PY, "-m", "kg.cli", "build", str(args.data), "--store", str(store), "-j", j])
        b = (built, peak, None)
        v = timed([PY, "-m", "kg.cli", "validate", "-g", str(store), "-j", j, "-q"])
        # the baselines' inputs, dumped from the store (not counted)
        dump = ("import sys, pyoxigraph as ox; s = ox.Store.read_only(sys.argv[1]); "
                "s.dump(output=sys.argv[2], format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()); "
                "s.dump(output=sys.argv[3], format=ox.RdfFormat.N_QUADS)")
        timed([PY, "-c", dump, str(store), str(work / "default.nt"), str(work / "all.nq")])
        load_mem = ("import sys, pyoxigraph as ox; s = ox.Store(); "
                    "s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES); print(len(s))")
        load_disk = ("import sys, pyoxigraph as ox; s = ox.Store(sys.argv[2]); "
                     "s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS); s.optimize(); print(len(s))")
        m = timed([PY, "-c", load_mem, str(work / "default.nt")])
        d = timed([PY, "-c", load_disk, str(work / "all.nq"), str(work / "raw.oxigraph")])
        d3 = timed([PY, "-c", load_disk.replace("N_QUADS", "N_TRIPLES"), str(work / "default.nt"),
                    str(work / "raw-default.oxigraph")])
        print(f"{'stage':58} {'seconds':>8} {'peak RSS':>10}")
        for name, (s, mem, _) in (("kg build --store (map, merge, load, optimize)", b), ("kg validate -g DIR", v),
                                  (f"baseline 1: bulk_load {int(m[2].stdout):,} triples in memory", m),
                                  (f"baseline 2: bulk_load {int(d[2].stdout):,} quads on disk", d),
                                  (f"baseline 3: bulk_load {int(d3[2].stdout):,} triples on disk", d3)):
            print(f"{name:58} {s:8.1f} {mem / 2**30:8.2f} GiB")
        print("  the build's steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
        total = b[0] + v[0]
        print(f"build + validate: {total:.1f} s = {total / m[0]:.1f}x baseline 1, {total / d[0]:.1f}x baseline 2; "
              f"peak {max(b[1], v[1]) / 2**30:.2f} GiB")
        floor = steps.get("starting", 0) + steps.get("mapping", 0) + d3[0] + v[0]
        print(f"floor of any store of these triples on disk (start and mapping {floor - d3[0] - v[0]:.1f} s + "
              f"baseline 3 + validation): {floor:.1f} s = {floor / m[0]:.1f}x baseline 1")
        print(f"\n{'query (defaults, fresh process)':34} {'kg query':>9} {'raw':>7} {'ratio':>6} {'rows':>6}")
        for name, q in sorted(load_queries().items()):
            text = work / f"{name}.rq"
            text.write_text(query_text(q, bindings(q)), encoding="utf-8")
            k = timed([PY, "-m", "kg.cli", "query", name, "-g", str(store), "-f", "csv", "-q"])
            r = timed([PY, "-c", RAW_QUERY, str(store), str(text)])
            rows = len(k[2].stdout.splitlines()) - 1
            print(f"{name:34} {k[0]:8.2f}s {r[0]:6.2f}s {k[0] / r[0]:5.1f}x {rows:6,}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
