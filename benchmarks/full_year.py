"""Benchmark: a full-size synthetic RS year (benchmarks/rs_year.py) built, loaded, validated
and queried end to end, with the rdflib in-memory graph run side by side as the baseline.

Prints, per stage: seconds, peak memory, and what was done (rows read, triples, findings,
rows answered). Stages: generate (not counted), read+map (per file), merge, write sorted
N-Triples, load, validate, then in a fresh process that loads the written file (as
``kg query -g`` and ``kg serve`` do) each canned query with its defaults (a listing's
first page), again with parameters naming records of the year, and every row of each
listing (``--all``); incremental rebuild after one changed file.
The baseline (rdflib ``Graph``: parse the same N-Triples, run every canned query on the
same text, parameters bound by ``VALUES``) runs in a
separate process so that its memory is its own; a baseline query slower than
``--baseline-timeout`` is stopped and shown as ``>N``.

Peak memory per stage is this process's peak resident set during the stage (reset between
stages through /proc/self/clear_refs); forked workers are shown by their own peak.

    .venv/bin/python benchmarks/full_year.py [--data /tmp/rs-2024] [--projects 5700] [-j 2]
                                             [--no-baseline] [--baseline-timeout 120]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import nt
from kg.pipeline import build
from kg.iris import sparql_prefixes
from kg.queries import Page, bindings, load_queries, query_text, run
from kg.validation import validate

GIB = 1024**3


# ----------------------------------------------------------------------------- measuring


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1)) * 1024 if m else 0


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass  # not Linux: the peak is then the run's peak so far


def peak() -> int:
    return _status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def children_peak() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


class Stages:
    def __init__(self):
        self.rows: list[tuple[str, float, int, str]] = []

    def run(self, name: str, fn, what=lambda r: ""):
        reset_peak()
        t0 = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - t0
        self.rows.append((name, seconds, peak(), what(result)))
        print(f"  {name:<40}{seconds:>9.1f} s {peak() / GIB:>6.2f} GiB  {what(result)}", flush=True)
        return result


def gib(n: int) -> str:
    return f"{n / GIB:.2f}"


# ----------------------------------------------------------------------------- baseline (rdflib)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def baseline_worker(nt_path: str, timeout: int) -> None:
    """In its own process: rdflib parses the N-Triples and runs every canned query; JSON lines out."""
    from rdflib import Graph

    t0 = time.perf_counter()
    g = Graph()
    g.parse(nt_path, format="nt")
    print(json.dumps({"stage": "load", "seconds": time.perf_counter() - t0, "triples": len(g), "peak": peak()}), flush=True)
    signal.signal(signal.SIGALRM, _alarm)
    for name, q in sorted(load_queries().items()):
        text = query_text(q, bindings(q))  # the very text pyoxigraph answers: defaults bound by VALUES, first page
        reset_peak()
        t0 = time.perf_counter()
        signal.alarm(timeout)
        try:
            rows = len(list(g.query(text)))
        except _Timeout:
            rows = None
        finally:
            signal.alarm(0)
        print(json.dumps({"stage": name, "seconds": time.perf_counter() - t0, "rows": rows, "peak": peak()}), flush=True)


def query_worker(nt_path: str) -> None:
    """In a fresh process, as ``kg query -g`` and ``kg serve`` do: pyoxigraph loads the
    written N-Triples, then every canned query runs (defaults, then parameters naming
    records of the year); JSON lines out."""
    import pyoxigraph as ox

    t0 = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=nt_path, format=ox.RdfFormat.N_TRIPLES)
    print(json.dumps({"stage": "load", "seconds": time.perf_counter() - t0, "triples": len(store), "peak": peak()}),
          flush=True)
    queries = load_queries()
    todo = [(name, name, None, Page()) for name in sorted(queries)]
    todo += [(f"{name} ({', '.join(f'{k}={v}' for k, v in values.items())})", name, values, Page())
             for name, values in sorted(year_params(store).items())]
    # listings answer a page by default; every row (kg query --all) is timed too
    todo += [(f"{name} (--all)", name, None, Page(everything=True)) for name in sorted(queries) if queries[name].page_size]
    for stage, name, values, page in todo:
        reset_peak()
        t0 = time.perf_counter()
        rows = len(run(store, queries[name], values, page).rows)
        print(json.dumps({"stage": stage, "seconds": time.perf_counter() - t0, "rows": rows, "peak": peak()}), flush=True)


def run_worker(flag: str, nt_path: Path, *extra: str) -> list[dict]:
    proc = subprocess.run([sys.executable, __file__, flag, str(nt_path), *extra],
                          capture_output=True, text=True, check=False)
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0:
        print(f"  ({flag} process ended with {proc.returncode}: {proc.stderr.strip()[-300:]})")
    return out


def run_baseline(nt_path: Path, timeout: int) -> dict[str, dict]:
    return {d["stage"]: d for d in run_worker("--baseline-worker", nt_path, "--baseline-timeout", str(timeout))}


# ----------------------------------------------------------------------------- the run


def csv_rows(folder: Path) -> dict[str, int]:
    """Data rows per file, counted with the csv module (what the mapper reads)."""
    out = {}
    for z in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for member in zf.namelist():
                with zf.open(member) as f:
                    out[z.name.split("_")[0]] = sum(1 for _ in csv.reader(io.TextIOWrapper(f, encoding="utf-8-sig"))) - 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "rs-synthetic-2024",
                    help="folder of the synthetic year (written first if missing)")
    ap.add_argument("--projects", type=int, default=5700)
    ap.add_argument("-j", "--workers", type=int, default=2)
    ap.add_argument("--no-baseline", action="store_true", help="skip the rdflib baseline")
    ap.add_argument("--baseline-timeout", type=int, default=120, help="seconds per baseline query (default 120)")
    ap.add_argument("--baseline-worker", help=argparse.SUPPRESS)
    ap.add_argument("--query-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.baseline_worker:
        baseline_worker(args.baseline_worker, args.baseline_timeout)
        return
    if args.query_worker:
        query_worker(args.query_worker)
        return

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / GIB:.0f} GiB, python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}")
    if not (args.data.is_dir() and len(list(args.data.glob("*.zip"))) == 15):
        from rs_year import generate, write

        t0 = time.perf_counter()
        files, _ = generate(projects=args.projects)
        write(args.data, files)
        print(f"generated {args.data} in {time.perf_counter() - t0:.1f} s (not counted)")
    rows = csv_rows(args.data)
    print(f"input: 15 zips, {sum(rows.values()):,} CSV rows ({', '.join(f'{k} {v:,}' for k, v in rows.items())})")
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    stages = Stages()
    print(f"\n{'stage':<42}{'seconds':>9}   {'peak':>8}  done")

    result = stages.run(
        f"read + map 15 files (-j {args.workers}) + merge",
        lambda: build([args.data], workers=args.workers),
        lambda r: f"{r.triples:,} triples; map {r.timings['map']:.1f} s, merge {r.timings['merge']:.1f} s; "
                  f"workers' peak {gib(children_peak())} GiB",
    )
    for f in sorted(result.files, key=lambda f: -f.seconds)[:5]:
        print(f"      {Path(f.path).name.split('.')[0][:36]:<36}{f.seconds:>9.1f} s (in a worker)")
    print(f"      summary: {result.summary()}")
    nt_path = work / "year.nt"
    stages.run("write sorted N-Triples", lambda: _write(result, nt_path), lambda n: f"{nt_path.stat().st_size / 1e6:,.0f} MB")
    store = stages.run("load into pyoxigraph (Store.bulk_load)", result.store, lambda s: f"{len(s):,} triples")
    stages.run(
        f"validate: every constraint on the store (-j {args.workers})",
        lambda: validate(store=store, workers=args.workers),
        lambda r: f"{len(r.violations):,} violations, {len(r.warnings):,} warnings",
    )
    build_load_validate = sum(s[1] for s in stages.rows if not s[0].startswith("write"))
    whole_peak = max(s[2] for s in stages.rows)
    store = result = None  # freed before the queries' process starts
    # Queries run where users run them: a fresh process that loads the written year (kg query -g,
    # kg serve). Measured here, on a store built in this process from a hash-ordered set of lines
    # among a gigabyte of Python objects, they took 2-4x longer: the store's memory is then
    # scattered (benchmarks/README.md "Scale").
    print(f"  {'queries: a fresh process loads year.nt':<40}", flush=True)
    query_seconds = {}
    fresh_load = None
    for d in run_worker("--query-worker", nt_path):
        if d["stage"] == "load":
            fresh_load = d
            print(f"    {'load (Store.bulk_load of the file)':<38}{d['seconds']:>9.1f} s {d['peak'] / GIB:>6.2f} GiB  "
                  f"{d['triples']:,} triples", flush=True)
            continue
        print(f"    {'query ' + d['stage']:<38.38}{d['seconds']:>9.2f} s {d['peak'] / GIB:>6.2f} GiB  {d['rows']:,} rows",
              flush=True)
        if "(" not in d["stage"]:
            query_seconds[d["stage"]] = (d["seconds"], d["rows"])

    # incremental: a cache filled by one build, then one file changed
    cache = work / "cache"
    changed = work / "changed"
    shutil.copytree(args.data, changed)
    stages.run("build with --cache (cold, fills the cache)", lambda: build([changed], cache_dir=cache, workers=args.workers),
               lambda r: f"{r.cached_files} of {len(r.files)} files from cache")
    _change_one_file(changed)
    stages.run("rebuild after 6-1 changed (--cache)", lambda: build([changed], cache_dir=cache, workers=args.workers),
               lambda r: f"{r.cached_files} of {len(r.files)} files from cache, {r.triples:,} triples")

    print(f"\nbuild + load + validate: {build_load_validate:.0f} s; peak {gib(whole_peak)} GiB in this process, "
          f"workers' peak {gib(children_peak())} GiB")
    if args.no_baseline:
        shutil.rmtree(work, ignore_errors=True)
        return
    print(f"\nbaseline: rdflib {_rdflib_version()} in-memory Graph (own process, per-query limit {args.baseline_timeout} s)")
    base = run_baseline(nt_path, args.baseline_timeout)
    print(f"{'step (both: a fresh process, the file)':<34}{'pyoxigraph':>12}{'rdflib':>12}{'ratio':>9}{'rows':>9}")
    if "load" in base and fresh_load:
        b, o = base["load"], fresh_load
        print(f"{'load ' + format(b['triples'], ','):<34}{o['seconds']:>10.1f} s{b['seconds']:>10.1f} s{b['seconds'] / o['seconds']:>8.1f}x")
        print(f"{'  peak memory after load':<34}{gib(o['peak']):>8} GiB{gib(b['peak']):>8} GiB")
    for name, (sec, n) in query_seconds.items():
        b = base.get(name)
        if b is None:
            print(f"{name:<34}{sec:>10.2f} s{'—':>12}")
        elif b["rows"] is None:
            print(f"{name:<34}{sec:>10.2f} s{'>' + str(args.baseline_timeout):>10} s{'>' + format(args.baseline_timeout / sec, '.0f'):>8}x{n:>9,}")
        else:
            same = "" if b["rows"] == n else f" (rdflib {b['rows']:,} rows!)"
            ratio = b["seconds"] / max(sec, 1e-3)
            print(f"{name:<34}{sec:>10.2f} s{b['seconds']:>10.2f} s{ratio:>8.{0 if ratio >= 10 else 1}f}x{n:>9,}{same}")
    shutil.rmtree(work, ignore_errors=True)


PICK = sparql_prefixes("kg", "rdfs", "dcterms") + """
SELECT ?id ?number ?law WHERE {
  { SELECT ?id WHERE { ?e a kg:Expenditure ; kg:project ?p . ?p dcterms:identifier ?id }
    GROUP BY ?id ORDER BY DESC(COUNT(?e)) ?id LIMIT 1 }
  { SELECT ?number WHERE { ?e a kg:Expenditure ; kg:recipient ?c . ?c kg:corporateNumber ?number }
    GROUP BY ?number ORDER BY DESC(COUNT(?e)) ?number LIMIT 1 }
  { SELECT ?law WHERE { ?lb kg:law ?l . ?l rdfs:label ?law } GROUP BY ?law ORDER BY DESC(COUNT(?lb)) ?law LIMIT 1 }
}"""


def year_params(store) -> dict[str, dict[str, str]]:
    """Parameters naming records of the year: the project with most 支出先 rows, the
    corporation with most rows, the most cited law."""
    sol = next(iter(store.query(PICK)))
    project, number, law = sol["id"].value, sol["number"].value, sol["law"].value
    return {"fund-flow": {"project": project}, "project-history": {"project": project},
            "corporation-profile": {"corporateNumber": number}, "projects-by-law": {"law": law}}


def _write(result, path: Path) -> int:
    with path.open("wb") as f:
        return nt.write_sorted(result.lines, f)


def _change_one_file(folder: Path) -> None:
    """Rewrite 6-1 (その他備考) with one remark changed, zipped as before."""
    z = next(folder.glob("6-1_*.zip"))
    with zipfile.ZipFile(z) as zf:
        member = zf.namelist()[0]
        info = zf.getinfo(member)
        data = zf.read(member).decode("utf-8")
    lines = data.split("\r\n")
    lines[1] = lines[1][:-1] + "（改訂）" + lines[1][-1]
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(info, "\r\n".join(lines).encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)


def _rdflib_version() -> str:
    import rdflib

    return rdflib.__version__


if __name__ == "__main__":
    main()
