"""Benchmark: what ``kg publish`` costs per page, class by class, on a store folder.

    .venv/bin/python benchmarks/publish.py year.oxigraph            # a sample of each class
    .venv/bin/python benchmarks/publish.py year.oxigraph --full     # and the whole kg publish

For every class with instances (the largest first), a sample of ``--sample`` instances
(seeded, so two runs time the same resources) is drawn as ``kg publish`` draws them: the
HTML page, then the Turtle file beside it. Prints, per class, how many of its instances
no larger class had (each resource is one page, counted once),
pages a second, the Turtle a second for the same resources (the baseline: the page's data
without the page, side by side in the same run) and their ratio, then the whole site's
time estimated from the class sizes. ``--full`` then runs ``kg publish`` into a temporary
folder and prints its wall time and peak memory (VmHWM).
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.web.publish import static_path  # noqa: E402
from kg.web.views import Pages  # noqa: E402

BASE = "https://kg.jp-spending.example/id/"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path, help="a store folder written by kg build --store")
    ap.add_argument("--sample", type=int, default=200, help="instances timed per class (default 200)")
    ap.add_argument("--classes", help="only these classes, by local name: Corporation,Project")
    ap.add_argument("--full", action="store_true", help="then run the whole kg publish")
    args = ap.parse_args()

    store = ox.Store.read_only(str(args.store))
    site = Pages(store, base=BASE, title="benchmark", endpoint=None, page_path=static_path)
    classes = site.classes()
    print(f"# {args.store}: {len(classes)} classes, {sum(n for _, n in classes):,} instances (a resource of "
          f"several classes counted in each); sample {args.sample} per class", flush=True)
    print(f"{'class':<34} {'new pages':>10} {'pages/s':>9} {'ttl/s':>9} {'x ttl':>7} {'est. s':>8}")
    rng = random.Random(20261203)
    total = 0.0
    seen: set[str] = set()  # a resource of several classes is one page: counted in the first
    wanted = set(args.classes.split(",")) if args.classes else None
    for cls, n in sorted(classes, key=lambda c: -c[1]):
        name = cls.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        if wanted is not None and name not in wanted:
            continue
        members = site.instances(cls)
        n = len(set(members) - seen)
        seen.update(members)
        sample = rng.sample(members, min(args.sample, len(members)))
        if not sample:
            continue
        start = time.perf_counter()
        for iri in sample:
            site.page(iri)
        pages = time.perf_counter() - start
        start = time.perf_counter()
        for iri in sample:
            site.data(iri, "text/turtle")
        ttl = time.perf_counter() - start
        per_page = (pages + ttl) / len(sample)
        total += per_page * n
        print(f"{name:<34} {n:>10,} {len(sample) / pages:>9,.1f} {len(sample) / max(ttl, 1e-9):>9,.1f} "
              f"{pages / max(ttl, 1e-9):>7.1f} {per_page * n:>8,.0f}", flush=True)
    print(f"# the pages of every class, estimated: {total:,.0f} s ({total / 60:,.1f} min); peak memory of this "
          f"process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")
    if args.full:
        with tempfile.TemporaryDirectory(prefix="kg-publish-bench-") as tmp:
            start = time.perf_counter()
            subprocess.run([str(Path(sys.executable).parent / "kg"), "publish", str(Path(tmp) / "site"),
                            "-g", str(args.store)], check=True)
            wall = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
            print(f"# kg publish (whole site): {wall:,.0f} s ({wall / 60:,.1f} min), peak memory {peak:.2f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
