"""Benchmark: the SHACL-SPARQL rules of shapes/rules.ttl, run once per graph on the
pyoxigraph store (kg validate's default) against pyshacl's per-focus-node way (the baseline).

The graph is the bundled seed graph copied N times under distinct IRIs (so N× the
corporations, blocks and budget records a rule is evaluated for). Prints triples,
seconds per engine, the ratio, and whether both engines report the same results.

    .venv/bin/python benchmarks/validate_rules.py [--copies N] [--break]
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

from rdflib import Graph, Literal, URIRef

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.pipeline import EXAMPLES_DIR, build
from kg.iris import KG
from kg.store import store_from_graph
from kg.validation import RULE_SHAPES, run_pyshacl, run_rules_fast

BASE = "https://kg.jp-spending.example/id/"


def copies(g: Graph, n: int, broken: bool) -> Graph:
    out = Graph()
    for i in range(n):
        def rename(t, i=i):
            if isinstance(t, URIRef) and str(t).startswith(BASE):
                return URIRef(f"{BASE}copy{i}/{str(t)[len(BASE):]}")
            return t

        for s, p, o in g:
            if broken and p == KG.corporateNumber and i % 2 == 0:
                o = Literal(("1" if str(o)[0] != "1" else "2") + str(o)[1:])  # wrong check digit in every other copy
            out.add((rename(s), p, rename(o)))
    return out


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=4, help="copies of the seed graph (default 4)")
    ap.add_argument("--break", dest="broken", action="store_true", help="make every other copy's 法人番号 wrong")
    args = ap.parse_args()

    seed = build([EXAMPLES_DIR]).graph
    g = copies(seed, args.copies, args.broken)
    corporations = len(set(g.subjects(KG.corporateNumber, None)))
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
    print(f"graph: {len(g)} triples, {corporations} corporations ({args.copies} copies of the seeds)")

    store, t_load = timed(lambda: store_from_graph(g))
    fast, t_fast = timed(lambda: run_rules_fast(store, (RULE_SHAPES,)))
    slow, t_slow = timed(lambda: run_pyshacl(g, (RULE_SHAPES,)))
    same = sorted(map(repr, (f.key() for f in fast))) == sorted(map(repr, (f.key() for f in slow)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'engine':<32}{'seconds':>10}{'results':>10}")
    print(f"{'load into pyoxigraph':<32}{t_load:>10.2f}")
    print(f"{'rules once on store (fast)':<32}{t_fast:>10.2f}{len(fast):>10}")
    print(f"{'pyshacl per node (baseline)':<32}{t_slow:>10.2f}{len(slow):>10}")
    print(f"ratio baseline / fast: {t_slow / max(t_fast, 1e-9):.0f}x (fast incl. load: {t_slow / (t_fast + t_load):.0f}x)")
    print(f"same results: {same}; peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
