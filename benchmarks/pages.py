"""Benchmark: every kind of page of ``kg serve`` on a store folder, from a warm server.

    .venv/bin/python benchmarks/pages.py ten.oxigraph            # the ten-year store (kg build … --store)

Starts ``kg serve STORE`` (two workers), warms it with one request per kind, then asks for
a sample of every kind of page — home, every class index (first page and a deep one),
search, the largest and some random corporations, projects, laws and ministries, every
canned query's page with its defaults, the SPARQL form — and prints, per kind, how many
were asked, the median and the slowest, with the slowest URLs. The baseline, side by side
in the same run: the same resources asked as Turtle (``?format=ttl``: the data of the page
without the page), so the ratio is what drawing the page costs over reading its triples.
Target: every page within 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BASE = "https://kg.jp-spending.example/id/"
KG = "https://kg.jp-spending.example/def/"


def fetch(url: str, timeout: float = 120) -> tuple[int, float, int]:
    """(status, seconds, bytes) of one request, asked as a browser asks (HTML first)."""
    start = time.perf_counter()
    request = urllib.request.Request(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    return status, time.perf_counter() - start, len(body)


def sample(store_path: Path, per_kind: int, seed: int) -> dict[str, list[str]]:
    """Paths of each kind of page, chosen from the store (read-only, beside the server)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    rng = random.Random(seed)

    def iris(query: str) -> list[str]:
        return [s[0].value for s in store.query(query)]

    def page(iri: str) -> str:
        return "/id/" + iri[len(BASE):] + "/"

    def pick(cls: str, ranked: str | None = None) -> list[str]:
        # every instance of a class lies in the POS index under (rdf:type, class): a random sample of it
        members = [q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                                                     ox.NamedNode(KG + cls), ox.DefaultGraph())]
        chosen = rng.sample(members, min(per_kind, len(members)))
        if ranked:  # the largest ones too: the heaviest pages of the kind
            chosen += iris(f"SELECT ?x WHERE {{ ?x <{KG}{ranked}> ?a }} ORDER BY DESC(?a) LIMIT 3")
        return [page(i) for i in chosen]

    classes = [(s[0].value, int(s[1].value)) for s in store.query("SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c")]
    out = {
        "home": ["/"],
        "class index": [],
        "search": ["/search?q=" + urllib.parse.quote(q) for q in ("東京大学", "NEC", "日立", "2023-総務-22-0001", "株式会社",
                                                                  "7010005005425", "情報通信", "ＡＩ")],
        "corporation": pick("Corporation", "receivedTotal"),
        "project": pick("Project", "expenditureTotal"),
        "law": pick("Law") + [page(i) for i in iris(f"SELECT ?l WHERE {{ ?b <{KG}law> ?l }} GROUP BY ?l ORDER BY DESC(COUNT(?b)) LIMIT 3")],
        "ministry": pick("Ministry"),
        "expenditure": pick("Expenditure"),
        "query page": [],
        "SPARQL form": ["/sparql"],
    }
    for cls, n in classes:
        slug = cls.replace(KG, "kg-") if cls.startswith(KG) else None
        if slug is None:
            continue
        out["class index"].append(f"/class/{slug}/")
        if n > 500 * 10:
            out["class index"].append(f"/class/{slug}/?page={n // 1000}")
    sys.path.insert(0, str(ROOT))
    from kg.queries import load_queries

    out["query page"] = [f"/queries/{name}" for name in sorted(load_queries())]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store", type=Path, help="a store folder (kg build … --store)")
    ap.add_argument("--per-kind", type=int, default=12, help="random resources of each kind (default 12)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    paths = sample(args.store, args.per_kind, args.seed)
    server = subprocess.Popen([PY, "-m", "kg.cli", "serve", str(args.store), "--port", str(args.port), "-q",
                               "--workers", str(args.workers), "--timeout", "60"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    root = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(root + "/void.ttl", timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        for urls in paths.values():  # warm: one request of each kind
            if urls:
                fetch(root + urls[0])
        print(f"{'kind':<14} {'pages':>5} {'median s':>9} {'slowest s':>10} {'data s':>7} {'ratio':>6}  slowest page")
        worst = []
        for kind, urls in paths.items():
            times, data = [], []
            for u in urls:
                status, seconds, size = fetch(root + u)
                times.append((seconds, u, status, size))
                if u.startswith("/id/"):  # the baseline: the same resource's triples, no page
                    data.append(fetch(root + u + "?format=ttl")[1])
            times.sort(reverse=True)
            slow = times[0]
            base = statistics.median(data) if data else None
            ratio = f"{statistics.median(t for t, *_ in times) / base:6.1f}" if base else "     —"
            print(f"{kind:<14} {len(times):>5} {statistics.median(t for t, *_ in times):>9.2f} {slow[0]:>10.2f} "
                  f"{base if base is not None else float('nan'):>7.2f} {ratio}  {slow[1]} ({slow[2]}, {slow[3]:,} bytes)")
            worst += times
        worst.sort(reverse=True)
        print("\nthe slowest pages:")
        for seconds, u, status, size in worst[:8]:
            print(f"  {seconds:6.2f} s  {status}  {size:>10,} bytes  {urllib.parse.unquote(u)}")
        over = [w for w in worst if w[0] > 2]
        print(f"\n{len(worst)} pages, {len(over)} over 2 s; slowest {worst[0][0]:.2f} s")
    finally:
        server.terminate()
        server.wait(20)


if __name__ == "__main__":
    main()
